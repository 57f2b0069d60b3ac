"""The book's symbols (see the notation table in the introduction), defined once.

Python names are the attribute names below; ``LATEX`` gives how each prints.
"""

import sympy as sp


def _pos(name):
    return sp.Symbol(name, positive=True)


def _count(name):
    """A count that is 0 for a dense LLaMA-like model (no MoE layers, no window, no vision tower)."""
    return sp.Symbol(name, nonnegative=True)


# workload
B = _pos("B")            # batch: sequences decoded together
S = _pos("S")            # context: tokens cached per sequence
T = _pos("T")            # tokens processed in one pass (prefill / prompt length)
G = _pos("G")            # decode tokens generated per request
# topology
N = _pos("N")            # chips serving one model copy
Y = _pos("Y")            # model-sharding degree (chips along the sharded axes)
M = _pos("M")            # mesh axes the model is sharded over
# model shape
L = _pos("L")            # layers
D = _pos("D")            # d_model
F = _pos("F")            # d_ff (MLP width)
N_q = _pos("N_q")        # query heads
K = _pos("K")            # KV heads
H = _pos("H")            # head dimension
V = _pos("V")            # vocabulary
n_emb = _pos("n_emb")    # embedding matrices: 2 untied (input + output), 1 tied
P = _pos("P")            # parameter count
# number formats
b_w = _pos("b_w")        # bytes per weight
b_kv = _pos("b_kv")      # bytes per KV element
b_a = _pos("b_a")        # bytes per activation element (the FLOPs' dtype)
kv = _pos("kv")          # KV bytes per token
# hardware
C = _pos("C")            # peak FLOP/s per chip in the FLOPs' dtype
W_hbm = _pos("W_hbm")    # HBM bandwidth per chip
W_ici = _pos("W_ici")    # ICI bandwidth per link, bidirectional
W_c = _pos("W_c")        # bytes/s a collective moves into each chip (its links over the axes it runs along)
n_hop = sp.Symbol("n_hop", nonnegative=True)   # hops of one collective (0 on one chip)
t_hop = sp.Symbol("t_hop", nonnegative=True)   # latency per ICI hop
alpha = _pos("alpha")    # ICI arithmetic intensity C / W_ici (the source's alpha)
beta = _pos("beta")      # HBM-to-ICI bandwidth ratio W_hbm / W_ici
HBM = _pos("HBM")        # HBM capacity per chip
c = _pos("c")            # price per chip-hour
MFU = _pos("MFU")        # fraction of peak FLOP/s reached in prefill
U = _pos("U")            # fraction of the time a chip is busy serving
r = _pos("r")            # tokens per second per chip
# times
T_step = _pos("T_step")
T_prefill = _pos("T_prefill")
T_ici = sp.Symbol("T_ici", nonnegative=True)   # collective time of one decode step (0 on one chip)
# prefix caching (chapter 10)
h = sp.Symbol("h", nonnegative=True)   # prefix-cache hit rate: fraction of prompt tokens not recomputed
# the roofline calibrated on a real chip (chapter 12)
W_mm = _pos("W_mm")      # HBM bandwidth a matmul kernel reaches while streaming weights
w_s = _pos("w_s")        # HBM bandwidth one attention stream (one sequence x one KV head) reaches
nu = _pos("nu")          # overlap exponent of the soft roofline (1: no overlap; infinity: perfect)
# beyond dense LLaMA (chapter 13): mixture of experts, latent attention, sliding windows
E = _pos("E")            # routed experts per MoE layer
k = _pos("k")            # experts each token is routed to (k of E)
L_e = _count("L_e")      # MoE layers (the other L - L_e layers keep a dense MLP of width F)
F_s = _count("F_s")      # width of the shared experts' MLP, all shared experts together (0: none)
n_mlp = _pos("n_mlp")    # weight matrices per MLP: 3 gated (gate, up, down), 2 plain (up, down)
P_attn = _pos("P_attn")  # parameters of one layer's attention
P_e = _count("P_e")      # parameters of one routed expert (its MLP matrices and biases)
P_x = _count("P_x")      # other parameters every token uses: biases, learned position embeddings
P_vis = _count("P_vis")  # a vision tower's parameters (held in memory, not run per generated token)
P_act = _pos("P_act")    # parameters one token uses (MoE: the shared part plus k experts)
P_dense = _pos("P_dense")  # parameters outside the routed experts, which every decode step reads
F_e = _pos("F_e")        # width of one routed expert's MLP
r_q = _pos("r_q")        # MLA: rank of the compressed query
r_kv = _pos("r_kv")      # MLA: rank of the compressed (latent) key-value
H_n = _pos("H_n")        # MLA: per-head query/key width without rotary position
H_r = _pos("H_r")        # MLA: per-head query/key width with rotary position (one shared key part)
H_v = _pos("H_v")        # MLA: per-head value width
L_w = _count("L_w")      # layers attending within a sliding window
S_w = _pos("S_w")        # sliding window: tokens a windowed layer keeps
kv_seq = _pos("kv_seq")  # KV-cache bytes of one sequence
# continuous batching and chunked prefill (chapter 09), moving a KV cache between servers (chapter 10)
lam = _pos("lam")        # arrival rate of requests at one decode server (requests/s)
T_c = _pos("T_c")        # prompt tokens of one prefill chunk that rides along a decode step
W_link = _pos("W_link")  # bytes/s of the link a KV cache crosses from a prefill to a decode server

LATEX = {
    N_q: "N_q",
    b_w: "b_w",
    b_kv: "b_{kv}",
    b_a: "b_a",
    kv: r"\mathrm{KV}",
    W_hbm: r"W_{\mathrm{hbm}}",
    W_ici: r"W_{\mathrm{ici}}",
    W_c: r"W_{\mathrm{c}}",
    n_hop: r"n_{\mathrm{hop}}",
    t_hop: r"t_{\mathrm{hop}}",
    T_ici: r"T_{\mathrm{ici}}",
    HBM: r"\mathrm{HBM}",
    MFU: r"\mathrm{MFU}",
    T_step: r"T_{\mathrm{step}}",
    T_prefill: r"T_{\mathrm{prefill}}",
    W_mm: r"W_{\mathrm{mm}}",
    w_s: r"w_{\mathrm{s}}",
    n_emb: r"n_{\mathrm{emb}}",
    L_e: r"L_{\mathrm{MoE}}",
    F_s: r"F_{\mathrm{s}}",
    F_e: r"F_{\mathrm{e}}",
    n_mlp: r"n_{\mathrm{mlp}}",
    P_attn: r"P_{\mathrm{attn}}",
    P_e: r"P_{\mathrm{e}}",
    P_x: r"P_{\mathrm{x}}",
    P_vis: r"P_{\mathrm{vis}}",
    P_act: r"P_{\mathrm{act}}",
    P_dense: r"P_{\mathrm{dense}}",
    r_q: r"r_q",
    r_kv: r"r_{kv}",
    H_n: r"H_{\mathrm{nope}}",
    H_r: r"H_{\mathrm{rope}}",
    H_v: r"H_{v}",
    L_w: r"L_{\mathrm{win}}",
    S_w: r"S_{\mathrm{win}}",
    kv_seq: r"\mathrm{KV}_{\mathrm{seq}}",
    lam: r"\lambda",
    T_c: r"T_{\mathrm{c}}",
    W_link: r"W_{\mathrm{link}}",
}


def latex(expr) -> str:
    """LaTeX for an expression, with the book's symbol names."""
    return sp.latex(expr, symbol_names=LATEX)


#: Characters of a SymPy expression's text that one displayed line holds on the page (about 700 px).
LINE = 64


def equation(lhs: str, expr) -> str:
    """``lhs = expr`` in LaTeX; a sum too long for one line of the page breaks between its terms into aligned
    lines (in the order LaTeX prints the terms)."""
    if not isinstance(expr, sp.Add) or len(str(expr)) <= LINE + 8:
        return f"{lhs} = {latex(expr)}"
    lines, line, size = [], "", 0
    for term in expr.as_ordered_terms():
        negative = term.could_extract_minus_sign()
        text, width = latex(-term if negative else term), len(str(term))
        if line and size + width > LINE:
            lines.append(line)
            line, size = "", 0
        sign = " - " if negative else (" + " if line or lines else "")
        line, size = line + sign + text, size + width
    lines.append(line)
    body = r" \\ &\quad ".join(lines)
    return rf"\begin{{aligned}} {lhs} &= {body} \end{{aligned}}"
