"""The book's symbols (see the notation table in the introduction), defined once.

Python names are the attribute names below; ``LATEX`` gives how each prints.
"""

import sympy as sp


def _pos(name):
    return sp.Symbol(name, positive=True)


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
E = _pos("E")            # embedding matrices: 2 untied (input + output), 1 tied
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
# prefix caching (chapter 10)
h = sp.Symbol("h", nonnegative=True)   # prefix-cache hit rate: fraction of prompt tokens not recomputed
# the roofline calibrated on a real chip (chapter 12)
W_mm = _pos("W_mm")      # HBM bandwidth a matmul kernel reaches while streaming weights
w_s = _pos("w_s")        # HBM bandwidth one attention stream (one sequence x one KV head) reaches
nu = _pos("nu")          # overlap exponent of the soft roofline (1: no overlap; infinity: perfect)

LATEX = {
    N_q: "N_q",
    b_w: "b_w",
    b_kv: "b_{kv}",
    b_a: "b_a",
    kv: r"\mathrm{KV}",
    W_hbm: r"W_{\mathrm{hbm}}",
    W_ici: r"W_{\mathrm{ici}}",
    HBM: r"\mathrm{HBM}",
    MFU: r"\mathrm{MFU}",
    T_step: r"T_{\mathrm{step}}",
    T_prefill: r"T_{\mathrm{prefill}}",
    W_mm: r"W_{\mathrm{mm}}",
    w_s: r"w_{\mathrm{s}}",
}


def latex(expr) -> str:
    """LaTeX for an expression, with the book's symbol names."""
    return sp.latex(expr, symbol_names=LATEX)
