"""Chapter 11 live: the latency-throughput frontier and the planner, in the page.

Both time a decode step as ``plan`` does (the datasheet roofline, the collectives counted, 10 % of HBM kept
back). The step is the larger of two lines in the batch, so the planner's searches are roots solved here in
SymPy: a latency target allows up to the smaller root of the two lines (then one whole batch checked either
side), the ICI cap is the largest batch at which the collectives do not outlast either line's rest of the step.
Embedded from the library: the presets' values, each slice's links (``Chip.collective_links``) and, per chip,
its valid slices, over which the smallest that holds one sequence is a ternary of the printed ``min_chips``.
"""

from dataclasses import dataclass
import inspect
import itertools
import json

import altair as alt
import sympy as sp

from ..analysis.framework import plan_for_target
from ..analysis.frontier import PRECISIONS, frontier, point_at
from ..analysis.plan import DEFAULT_RESERVE, plan, reserve_bytes
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS, get_chip
from ..core.models import PRESETS as MODELS
from ..core.precision import BYTES, COMPUTE, bytes_per_element
from ..core.symbols import B, T_ici, T_prefill, T_step
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider, top_level
from .vega import vega

CHAPTER = "decision-framework"
LLAMA, V5E = MODELS["llama-3-70b"], get_chip("tpu-v5e")
MFU = inspect.signature(plan).parameters["mfu"].default


@dataclass(frozen=True)
class Either(Number):
    """A number, or words: the page holds -1, -2, ... for ``fails[0]``, ``fails[1]``, ...; with ``words``, a
    code 0, 1, ... shows ``words[code]``."""

    fails: tuple = ("does not fit",)
    words: tuple = ()

    def _cases(self) -> dict:
        return {**{-1 - i: w for i, w in enumerate(self.fails)}, **dict(enumerate(self.words))}

    def vega(self, param: str) -> str:
        text = super().vega(param)
        for value, words in reversed(list(self._cases().items())):
            text = f"({param} === {value} ? {json.dumps(f'{self.label}: {words}')} : {text})"
        return text

    def text(self, value: float) -> str:
        cases = self._cases()
        return f"{self.label}: {cases[int(value)]}" if value in cases else super().text(value)


def _root(line, value=0):
    """The batch at which ``line`` (linear in B) equals ``value``, whatever the sign of its slope."""
    x = sp.Symbol("x")
    (root,) = sp.solve(sp.Eq(line.subs(B, x), value), x)
    return root


#: The decode step as ``plan`` counts it: the roofline (KV read + max(FLOPs, weight read)) + the collectives.
STEP = f.step_time_ici.expr.subs({T_step: f.step_time.expr, T_ici: f.ici_step_time_comms.expr})
#: Its two lines in the batch (weight read, FLOPs): the step is the larger, so a target is met up to both roots.
BRANCHES = [STEP.replace(sp.Max, lambda *terms, i=i: terms[i]) for i in range(2)]
TARGET_BATCH = sp.Min(*(_root(line, T_step) for line in BRANCHES))
#: The collectives less the rest of the step on each line: the step is ICI-bound where both are positive.
ICI_GAPS = [f.ici_step_time_comms.expr - (line - f.ici_step_time_comms.expr) for line in BRANCHES]
ICI_GAP = f.ici_step_time_comms.expr - f.step_time.expr
MAX_TERM = next(iter(f.step_time.expr.atoms(sp.Max)))   # the two overlapping terms: the larger binds
PREFILL = f.prefill_time_ici.expr.subs({T_prefill: f.prefill_time.expr, T_ici: f.prefill_ici_time.expr})
SLICE_HBM = f.kv_room.expr + f.param_bytes.expr          # N HBM


def _links(chip, n: int) -> tuple:
    """(W_c, n_hop) of a slice's collectives, as ``plan`` lays them (over every mesh axis)."""
    return chip.collective_links(n, chip.mesh_axes(n))


# --- The frontier ------------------------------------------------------------------------------------------

FR_CONTEXT, FR_BATCH, FR_POINTS = (9, 15), (0, 14), 8
MS = 1e-3
NO = "does not fit"
FR_NUMBERS = {"fr_mb": Number("max batch", ",.0f", 1, "sequences", NO),
              "fr_b": Number("batch", ",.0f", 1, "sequences (the slider, at most the max batch)", NO),
              "fr_step": Number("step", ",.2f", MS, "ms per output token", NO),
              "fr_tps": Number("throughput", ",.0f", 1, "tokens/s per chip", NO),
              "fr_w": Number("weight read", ",.2f", MS, "ms", NO), "fr_f": Number("matmul FLOPs", ",.2f", MS, "ms", NO),
              "fr_kv": Number("KV read", ",.2f", MS, "ms", NO), "fr_ici": Number("collectives", ",.2f", MS, "ms", NO)}
#: The frontier's fixed model and chip (LLaMA 3-70B, FLOPs in bf16, on the v5e datasheet), as numbers in the page.
FR_CONST = {name: repr(float(value)) for name, value in dict(
    D=LLAMA.d_model, L=LLAMA.layers, K=LLAMA.kv_heads, H=LLAMA.head_dim, C=V5E.flops("bf16"), W_hbm=V5E.hbm_bw,
    b_a=bytes_per_element("bf16"), t_hop=V5E.ici_hop_latency,
    HBM=V5E.hbm_bytes - reserve_bytes(V5E, DEFAULT_RESERVE)).items()}


def _fr_names(row: dict) -> dict:
    """The printed formulas' names: the model and chip as numbers, the rest from ``row`` (params or fields)."""
    return {**FR_CONST, "P": repr(float(LLAMA.decode_param_count)), **row}


def _fr_memory(row: dict) -> dict:
    return {**FR_CONST, "P": repr(float(LLAMA.param_count)), **row}


def _fr_params() -> list:
    at = _fr_names({"S": "fr_ctx", "N": "chips", "b_w": "fr_bw", "kv": "fr_kvt", "W_c": "fr_wc", "n_hop": "fr_hops",
                    "B": "fr_b", "T_step": "fr_step"})
    fits = lambda name, formula: derived(name, f"fr_mb >= 1 ? ({vega(formula, at)}) : -1", {})
    return [
        slider("log_ctx", "context S (log2 tokens)", *FR_CONTEXT, 13),
        select("precision", "weights and KV", list(PRECISIONS), "int8"),
        select("chips", "chips (a TPU v5e slice)", list(V5E.slices), 16),
        slider("log_batch", "batch B (log2 sequences)", *FR_BATCH, 6),
        derived("fr_ctx", "pow(2, log_ctx)", {}),
        derived("fr_bw", choice("precision", {p: bytes_per_element(w) for p, (w, _) in PRECISIONS.items()}), {}),
        derived("fr_bkv", choice("precision", {p: bytes_per_element(k) for p, (_, k) in PRECISIONS.items()}), {}),
        derived("fr_kvt", f.kv_bytes_per_token, {**at, "b_kv": "fr_bkv"}),
        derived("fr_wc", choice("chips", {n: _links(V5E, n)[0] for n in V5E.slices}), {}),
        derived("fr_hops", choice("chips", {n: _links(V5E, n)[1] for n in V5E.slices}), {}),
        derived("fr_mb0", f.max_batch, _fr_memory({"S": "fr_ctx", "N": "chips", "b_w": "fr_bw", "kv": "fr_kvt"})),
        derived("fr_mb", "fr_mb0 >= 1 ? fr_mb0 : -1", {}),
        derived("fr_b", "fr_mb >= 1 ? min(pow(2, log_batch), fr_mb) : -1", {}),
        fits("fr_step", STEP), fits("fr_tps", f.tokens_per_s_per_chip), fits("fr_w", f.param_load_time),
        fits("fr_f", f.step_flops_time), fits("fr_kv", f.kv_load_time), fits("fr_ici", f.ici_step_time_comms),
        fits("fr_top", MAX_TERM),
    ]


def _fr_curves():
    """Every precision's frontier on every slice at the context (those that hold one sequence), the selected
    one bold, each labelled with its chips, and the selected step."""
    rows = [{"prec": p, "bw": bytes_per_element(w), "bkv": bytes_per_element(k), "n": n, "wc": _links(V5E, n)[0],
             "hops": _links(V5E, n)[1], "k": list(range(FR_POINTS))} for p, (w, k) in PRECISIONS.items()
            for n in V5E.slices]
    row = {"S": "fr_ctx", "N": "datum.n", "b_w": "datum.bw", "kv": "datum.kvt", "W_c": "datum.wc",
           "n_hop": "datum.hops", "B": "datum.b", "T_step": "datum.step"}
    base = alt.Chart(alt.Data(values=rows)).transform_flatten(["k"]).transform_calculate(
        kvt=vega(f.kv_bytes_per_token, {**FR_CONST, "b_kv": "datum.bkv"})).transform_calculate(
        mb=vega(f.max_batch, _fr_memory(row))).transform_filter("datum.mb >= 1").transform_calculate(
        b=f"max(1, round(pow(datum.mb, datum.k / {FR_POINTS - 1})))").transform_calculate(
        step=vega(STEP, _fr_names(row))).transform_calculate(
        tps=vega(f.tokens_per_s_per_chip, row), ms=f"datum.step / {MS!r}",
        chosen="datum.prec === precision && datum.n === chips")
    x = alt.X("tps:Q", scale=alt.Scale(type="log"), title="throughput (tokens/s per chip)",
              axis=alt.Axis(labelSeparation=6))
    y = alt.Y("ms:Q", scale=alt.Scale(type="log"), title="latency (ms per output token)")
    color = alt.Color("prec:N", scale=alt.Scale(domain=list(PRECISIONS)), title="weights and KV",
                      legend=alt.Legend(orient="bottom"))
    lines = base.mark_line().encode(
        x=x, y=y, color=color, detail="n:N", order="k:Q",
        strokeWidth=alt.condition("datum.chosen", alt.value(3), alt.value(1)),
        opacity=alt.condition("datum.chosen", alt.value(1), alt.value(0.5)))
    labels = base.transform_filter(f"datum.k === {FR_POINTS - 1}").mark_text(align="left", dx=3, fontSize=9).encode(
        x=x, y=y, color=color, text="n:N")
    point = alt.Chart(alt.Data(values=[{}])).transform_filter("fr_mb >= 1").transform_calculate(
        tps="fr_tps", ms=f"fr_step / {MS!r}").mark_point(filled=True, size=70, color="black").encode(x=x, y=y)
    return alt.layer(lines, labels, point).properties(width=300, height=240,
                                                     title="LLaMA 3-70B on TPU v5e: every slice that holds it")


def _fr_bars():
    """The selected step's parts: the weight read and the FLOPs overlap (the larger binds, the other pale), then
    the KV read and the collectives add to it."""
    parts = [("weight read", "weight read", "fr_w", "0"), ("matmul FLOPs", "matmul FLOPs", "fr_f", "0"),
             ("KV read", "KV read", "fr_kv", "0"), ("collectives", "collectives", "fr_ici", "0"),
             ("step", "binding", "fr_top", "0"), ("step", "KV read", "fr_kv", "fr_top"),
             ("step", "collectives", "fr_ici", "fr_top + fr_kv")]
    pick = lambda i: " : ".join(f"datum.i === {j} ? {p[i]}" for j, p in enumerate(parts)) + " : 0"
    rows = [{"i": j, "row": row, "part": part} for j, (row, part, _, _) in enumerate(parts)]
    binds = "fr_f > fr_w ? 'matmul FLOPs' : 'weight read'"
    base = alt.Chart(alt.Data(values=rows)).transform_filter("fr_mb >= 1").transform_calculate(
        x0=f"({pick(3)}) / {MS!r}", width=f"({pick(2)}) / {MS!r}").transform_calculate(
        x1="datum.x0 + datum.width", seg=f"datum.part === 'binding' ? ({binds}) : datum.part").transform_calculate(
        pale=f"datum.seg !== ({binds}) && (datum.seg === 'weight read' || datum.seg === 'matmul FLOPs')",
        label=f"datum.row === 'step' && datum.i !== 6 ? '' : ' ' + format(datum.row === 'step' ? fr_step / {MS!r} : "
              f"datum.width, '.2f') + (datum.row === ({binds}) ? ' (binds)' : '')")
    y = alt.Y("row:N", sort=["weight read", "matmul FLOPs", "KV read", "collectives", "step"], title=None)
    bars = base.mark_bar(height=16).encode(
        x=alt.X("x0:Q", title="milliseconds per decode step"), x2="x1:Q", y=y,
        color=alt.Color("seg:N", scale=alt.Scale(domain=["weight read", "matmul FLOPs", "KV read", "collectives"],
                                                  scheme="dark2"), title=None,
                        legend=alt.Legend(orient="bottom", columns=2)),
        opacity=alt.condition("datum.pale", alt.value(0.35), alt.value(1)))
    text = base.mark_text(align="left", fontSize=10).encode(x="x1:Q", y=y, text="label:N")
    none = alt.Chart(alt.Data(values=[{}])).transform_filter("fr_mb < 1").mark_text(color="#b00020").encode(
        text=alt.value("does not fit: no sequence of this context beside the weights"))
    return alt.layer(bars, text, none).properties(width=230, height=180, title="the selected step's parts")


def frontier_expected(log_ctx: int, precision: str, chips: int, log_batch: int) -> dict:
    """The frontier's numbers from the library (-1 where the slice holds no sequence of the context)."""
    try:
        fr = frontier(LLAMA, V5E, precision, chips, 2**log_ctx)
    except ValueError:
        return {name: -1 for name in FR_NUMBERS}
    pt = point_at(fr, 2**log_batch)
    return {"fr_mb": fr.max_batch, "fr_b": pt.batch, "fr_step": pt.step_time_s, "fr_tps": pt.tokens_per_s_per_chip,
            "fr_w": pt.weight_read_s, "fr_f": pt.flops_s, "fr_kv": pt.kv_read_s, "fr_ici": pt.ici_s}


def _fr_chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    return alt.vconcat(alt.hconcat(_fr_curves(), _fr_bars()).resolve_scale(color="independent"),
                       numbers_chart(FR_NUMBERS),
                       params=top_level(_fr_params()),
                       title="The latency-throughput frontier: each precision on each slice, the selected step and its parts")


def _frontier() -> LiveExplorer:
    controls = {"log_ctx": list(range(FR_CONTEXT[0], FR_CONTEXT[1] + 1)), "precision": list(PRECISIONS),
                "chips": list(V5E.slices), "log_batch": list(range(FR_BATCH[0], FR_BATCH[1] + 1))}
    return LiveExplorer(CHAPTER, CHAPTER, "The latency-throughput frontier", _fr_chart, controls, FR_NUMBERS,
                        frontier_expected)


# --- The planner ----------------------------------------------------------------------------------------------

#: The kernel explorer's slices (0: the smallest that holds one sequence) and targets (0: none), in ms.
SLICES, TARGETS_MS = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256), (0, 5, 10, 15, 20, 30, 50, 100)
CONTEXT, DECODE, ICI = (9, 17), (6, 13), ("report", "cap the batch")
LOST = ("does not fit", "no such slice")
REASONS = ("HBM full", "HBM full, and it meets the target", "the largest that meets the target",
           "capped where the slice turns ICI-bound", "ICI-bound even at one sequence",
           "no batch meets the target; one sequence shown")
REASON_CODES = {"latency": 2, "ICI": 3, "ICI-bound": 4, "misses target": 5}
BOUNDS = ("memory", "compute", "ICI")
GB = 1e9
NUMBERS = {
    "p_n": Either("slice", ",.0f", 1, "chips", fails=("not a valid slice of this chip",
                                                      "more chips than the largest slice")),
    "p_crit": Number("1 critical batch B_crit", ",.3f", 1, "sequences"),
    "p_wb": Number("2 weights", ",.2f", GB, "GB"), "p_seq": Number("KV of one sequence", ",.3f", GB, "GB"),
    "p_nmin": Number("chips whose HBM holds them", ",.0f", 1, "chips"),
    "p_kept": Number("HBM kept back per chip", ",.2f", GB, "GB"),
    "p_hbm": Either("HBM of the slice", ",.1f", GB, "GB", fails=LOST),
    "p_mb": Either("3 max batch", ",.0f", 1, "sequences", fails=LOST),
    "p_batch": Either("planned batch", ",.0f", 1, "sequences", fails=LOST),
    "p_reason": Either("set by", "", fails=LOST, words=REASONS),
    "p_mem": Either("weights + KV caches", ",.1f", GB, "GB", fails=LOST),
    "p_step": Either("4 step", ",.2f", MS, "ms per output token", fails=LOST),
    "p_bound": Either("bound", "", fails=LOST, words=tuple(f"{b}-bound" for b in BOUNDS)),
    "p_full": Either("step at the max batch", ",.2f", MS, "ms", fails=LOST),
    "p_tps": Either("throughput", ",.0f", 1, "tokens/s", fails=LOST),
    "p_tpc": Either("per chip", ",.1f", 1, "tokens/s/chip", fails=LOST),
    "p_qps": Either("QPS per chip", ",.3f", 1, "requests/s", fails=LOST),
    "p_cost": Either("$ per million tokens", ",.2f", 1, "(always busy)", fails=LOST + ("no price for this chip",)),
    "p_ici": Either("5 collectives", ",.2f", MS, "ms", fails=LOST),
    "p_roof": Either("the rest of the step", ",.2f", MS, "ms", fails=LOST),
    "p_pre": Either(f"6 prefill (MFU {MFU:g})", ",.1f", MS, "ms", fails=LOST),
    "p_pg": Either("prefill per decode server", ",.2f", 1, "servers", fails=LOST),
}


def _reachable_min_chips() -> int:
    """The most chips any control state needs for one sequence (the smallest slice's ternary stops there)."""
    return max(int(f.min_chips(B=1, HBM=chip.hbm_bytes - reserve_bytes(chip, DEFAULT_RESERVE), P=m.param_count,
                               S=2**e, b_w=BYTES[w], kv=m.kv_bytes_per_token(k)))
               for m, chip, w, k, e in itertools.product(MODELS.values(), CHIPS.values(), BYTES, BYTES,
                                                         range(CONTEXT[0], CONTEXT[1] + 1)))


def _slices() -> dict:
    """Each chip's slices the page may use: the kernel's choices that are valid, and every smallest slice."""
    most = _reachable_min_chips()
    return {name: sorted({chip.smallest_slice(k) for k in range(1, most + 1)} - {None}
                         | {n for n in SLICES if n and chip.is_valid_slice(n)}) for name, chip in CHIPS.items()}


def _per_chip(table: dict) -> str:
    """A ternary over the chip picking ``table[chip]`` (a Vega expression)."""
    items = list(table.items())
    text = items[-1][1]
    for name, expression in reversed(items[:-1]):
        text = f"(chip === {json.dumps(name)} ? ({expression}) : {text})"
    return text


def _smallest(sizes: list) -> str:
    """The smallest of ``sizes`` (a chip's valid slices, ascending) holding ``p_nmin`` chips; -2 when none does."""
    text = "-2"
    for n in reversed(sizes):
        text = f"(p_nmin <= {n} ? {n} : {text})"
    return text


#: The planner's page values of the formulas' symbols (T_step: the target, in the searches; U = 1: always busy).
P_NAMES = {"P": "m_Pd", "D": "m_D", "L": "m_L", "K": "m_K", "H": "m_H", "C": "p_C", "W_hbm": "c_bw", "b_w": "p_bw",
           "b_kv": "p_bkv", "b_a": "p_ba", "kv": "p_kvt", "S": "p_ctx", "G": "p_dec", "N": "p_n", "W_c": "p_wc",
           "n_hop": "p_hops", "t_hop": "c_hop", "HBM": "c_use", "T_step": "target", "MFU": repr(MFU), "U": "1"}


def _at(expression, batch: str) -> str:
    """``expression`` printed for the planner's deployment at ``batch`` (a Vega expression)."""
    return f"({vega(expression, {**P_NAMES, 'B': batch})})"


def _p_params() -> list:
    slices = _slices()
    model = lambda value: choice("model", {name: value(m) for name, m in MODELS.items()})
    chip = lambda value: choice("chip", {name: value(c) for name, c in CHIPS.items()})
    links = {f"{name}|{n}": _links(c, n) for name, c in CHIPS.items() for n in slices[name]}
    memory = {**P_NAMES, "P": "m_P"}
    ok = lambda name, value: derived(name, f"p_n < 0 ? -2 : (p_mb0 >= 1 ? ({value}) : -1)", {})
    gaps = [f"({_at(g, 'p_bt')} <= 0 ? p_bt : ({vega(sp.diff(g, B), P_NAMES)} > 0 ? "
            f"max(0, floor({vega(_root(g), P_NAMES)})) : 0))" for g in ICI_GAPS]
    capped = "ici === 'cap the batch' && p_bt >= 1 && p_lim < p_bt"
    return [
        alt.param(name="model", value=LLAMA.name, bind=alt.binding_select(options=list(MODELS), name="model")),
        alt.param(name="chip", value=V5E.name, bind=alt.binding_select(options=list(CHIPS), name="chip")),
        alt.param(name="chips", value=0, bind=alt.binding_select(
            options=list(SLICES), labels=["smallest"] + [str(n) for n in SLICES[1:]], name="chips")),
        select("weights", "weights", list(BYTES), "int8"), select("kv", "KV cache", list(BYTES), "int8"),
        select("compute", "FLOPs", list(COMPUTE), "bf16"),
        slider("log_ctx", "context S (log2 tokens)", *CONTEXT, 13),
        slider("log_dec", "decode G (log2 tokens)", *DECODE, 9),
        alt.param(name="target", value=15 * MS, bind=alt.binding_select(
            options=[t * MS for t in TARGETS_MS], labels=["none"] + [f"{t} ms" for t in TARGETS_MS[1:]],
            name="target per output token")),
        select("ici", "ICI", list(ICI), ICI[0]),
        derived("m_P", model(lambda m: m.param_count), {}), derived("m_Pd", model(lambda m: m.decode_param_count), {}),
        derived("m_Pa", model(lambda m: m.active_param_count), {}), derived("m_D", model(lambda m: m.d_model), {}),
        derived("m_L", model(lambda m: m.layers), {}), derived("m_K", model(lambda m: m.kv_heads), {}),
        derived("m_H", model(lambda m: m.head_dim), {}),
        derived("c_hbm", chip(lambda c: c.hbm_bytes), {}), derived("c_bw", chip(lambda c: c.hbm_bw), {}),
        derived("p_kept", chip(lambda c: reserve_bytes(c, DEFAULT_RESERVE)), {}),
        derived("c_use", chip(lambda c: c.hbm_bytes - reserve_bytes(c, DEFAULT_RESERVE)), {}),
        derived("c_price", chip(lambda c: c.price_per_hour or 0), {}),
        derived("c_hop", chip(lambda c: c.ici_hop_latency or 0), {}),
        derived("p_C", choice("chip + '|' + compute", {f"{name}|{k}": c.flops(k) for name, c in CHIPS.items()
                                                      for k in COMPUTE}), {}),
        derived("p_bw", choice("weights", {d: bytes_per_element(d) for d in BYTES}), {}),
        derived("p_bkv", choice("kv", {d: bytes_per_element(d) for d in BYTES}), {}),
        derived("p_ba", choice("compute", {d: bytes_per_element(d) for d in COMPUTE}), {}),
        derived("p_ctx", "pow(2, log_ctx)", {}), derived("p_dec", "pow(2, log_dec)", {}),
        derived("p_kvt", f.kv_bytes_per_token, P_NAMES),
        derived("p_crit", f.critical_batch, P_NAMES), derived("p_wb", f.param_bytes, memory),
        derived("p_seq", f.kv_bytes_per_sequence, P_NAMES),
        derived("p_nmin", f.min_chips, {**memory, "B": "1"}),
        derived("p_n", "chips === 0 ? " + _per_chip({name: _smallest(slices[name]) for name in CHIPS})
                + " : (" + _per_chip({name: f"indexof({json.dumps(slices[name])}, chips) >= 0"
                                      for name in CHIPS}) + " ? chips : -1)", {}),
        derived("p_wc", choice("chip + '|' + p_n", {key: w for key, (w, _) in links.items()}), {}),
        derived("p_hops", choice("chip + '|' + p_n", {key: hops for key, (_, hops) in links.items()}), {}),
        derived("p_hbm", f"p_n < 0 ? -2 : ({vega(SLICE_HBM, {**memory, 'HBM': 'c_hbm'})})", {}),
        derived("p_mb0", f"p_n < 0 ? 0 : max(0, {vega(f.max_batch, memory)})", {}),
        derived("p_bt0", f"max(0, min(p_mb0, floor({vega(TARGET_BATCH, P_NAMES)})))", {}),
        derived("p_bt", f"target === 0 ? p_mb0 : (p_bt0 < p_mb0 && {_at(STEP, 'p_bt0 + 1')} <= target ? p_bt0 + 1 : "
                        f"(p_bt0 >= 1 && {_at(STEP, 'p_bt0')} > target ? p_bt0 - 1 : p_bt0))", {}),
        derived("p_lim0", f"max({gaps[0]}, {gaps[1]})", {}),
        derived("p_lim", f"p_lim0 < p_bt && {_at(ICI_GAP, 'p_lim0 + 1')} <= 0 ? p_lim0 + 1 : "
                         f"(p_lim0 >= 1 && {_at(ICI_GAP, 'p_lim0')} > 0 ? p_lim0 - 1 : p_lim0)", {}),
        derived("p_b", f"p_mb0 < 1 ? 0 : (p_bt < 1 ? 1 : ({capped} ? max(p_lim, 1) : p_bt))", {}),
        ok("p_reason", f"p_bt < 1 ? 5 : ({capped} ? (p_lim >= 1 ? 3 : 4) : (target === 0 ? 0 : "
                       f"(p_bt === p_mb0 ? 1 : 2)))"),
        ok("p_mb", "p_mb0"), ok("p_batch", "p_b"),
        ok("p_mem", vega(f.total_bytes, {**memory, "B": "p_b"})),
        ok("p_step", _at(STEP, "p_b")), ok("p_full", _at(STEP, "p_mb0")),
        ok("p_ici", _at(f.ici_step_time_comms, "p_b")), ok("p_roof", _at(f.step_time, "p_b")),
        ok("p_bound", "p_n > 1 && p_ici > p_roof ? 2 : (p_b > p_crit ? 1 : 0)"),
        ok("p_tps", vega(f.tokens_per_s, {"B": "p_b", "T_step": "p_step"})),
        ok("p_tpc", vega(f.tokens_per_s_per_chip, {**P_NAMES, "B": "p_b", "T_step": "p_step"})),
        ok("p_qps", vega(f.qps_per_chip, {**P_NAMES, "B": "p_b", "T_step": "p_step"})),
        ok("p_cost", f"c_price > 0 ? ({vega(f.cost_per_million_tokens, {**P_NAMES, 'c': 'c_price', 'r': 'p_tpc'})})"
                     f" : -3"),
        ok("p_pre", vega(PREFILL, {**P_NAMES, "P": "m_Pa", "T": "p_ctx"})),
        ok("p_pg", vega(f.prefill_decode_ratio, {**P_NAMES, "B": "p_b", "T_prefill": "p_pre", "T_step": "p_step"})),
    ]


def _p_curve():
    """Latency against throughput per chip over every batch that fits, the max batch, the plan, the target."""
    points = 100
    names = {**P_NAMES, "B": "datum.b", "T_step": "datum.step"}
    base = alt.Chart(alt.sequence(0, points, as_="k")).transform_filter("p_n > 0 && p_mb0 >= 1").transform_calculate(
        b=f"round(1 + (p_mb0 - 1) * datum.k / {points - 1})").transform_calculate(
        step=vega(STEP, names)).transform_calculate(tps=vega(f.tokens_per_s_per_chip, names),
                                                    ms=f"datum.step / {MS!r}")
    x = alt.X("tps:Q", title="throughput (tokens/s per chip)")
    y = alt.Y("ms:Q", title="latency (ms per output token)")
    one = lambda test, **values: alt.Chart(alt.Data(values=[{}])).transform_filter(test).transform_calculate(**values)
    full = one("p_mb >= 1", tps=vega(f.tokens_per_s_per_chip, {**P_NAMES, "B": "p_mb0", "T_step": "p_full"}),
               ms=f"p_full / {MS!r}")
    chosen = one("p_mb >= 1", tps="p_tpc", ms=f"p_step / {MS!r}")
    goal = one("target > 0", ms=f"target / {MS!r}")
    return alt.layer(
        base.mark_line().encode(x=x, y=y),
        full.mark_point(size=60, color="#1f77b4", fill="white", opacity=1).encode(x=x, y=y),
        chosen.mark_point(size=90, filled=True, color="#d62728", opacity=1).encode(x=x, y=y),
        goal.mark_rule(color="#2ca02c", strokeDash=[5, 3]).encode(y=y),
    ).properties(width=520, height=240, title="every batch that fits (blue), the max batch (open), the planned "
                                                   "batch (red), the target (green)")


def planner_expected(model: str, chip: str, chips: int, weights: str, kv: str, compute: str, log_ctx: int,
                     log_dec: int, target: float, ici: str) -> dict:
    """The plan card's numbers from ``plan_for_target`` (-1: nothing fits, -2: no such slice; the slice: -1 not
    valid, -2 more chips than the largest; the cost: -3 no price)."""
    m, c = MODELS[model], CHIPS[chip]
    work = dict(weights=weights, kv_dtype=kv, compute=compute, context=2**log_ctx, decode=2**log_dec)
    any_slice = plan(m, c, chips=c.slices[-1], **work)      # what no slice changes
    found = {"p_crit": any_slice.critical_batch, "p_wb": any_slice.param_bytes,
             "p_seq": any_slice.kv_bytes_per_sequence, "p_nmin": any_slice.min_chips, "p_kept": any_slice.reserve}
    try:
        tp = plan_for_target(m, c, target or None, chips=chips or None, ici_safe=ici == ICI[1], **work)
    except ValueError:
        return {**{name: -2 for name in NUMBERS}, **found, "p_n": -1 if chips else -2}
    p = tp.plan
    found |= {"p_n": p.chips, "p_hbm": p.hbm_bytes}
    if not p.fits:
        return {**{name: -1 for name in NUMBERS}, **found}
    reason = REASON_CODES.get(tp.batch_reason, 0 if target == 0 else 1)
    return {**found, "p_mb": p.max_batch, "p_batch": p.batch, "p_reason": reason, "p_mem": p.total_bytes,
            "p_step": p.step_time_s, "p_bound": BOUNDS.index(p.bound), "p_full": tp.full.step_time_s,
            "p_tps": p.tokens_per_s, "p_tpc": p.tokens_per_s_per_chip, "p_qps": p.qps_per_chip,
            "p_cost": -3 if p.cost_per_million_tokens is None else p.cost_per_million_tokens,
            "p_ici": p.ici_time_s, "p_roof": p.roofline_step_s, "p_pre": p.prefill_time_s,
            "p_pg": p.prefill_decode_ratio}


def _p_chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    half = len(NUMBERS) // 2
    columns = [dict(list(NUMBERS.items())[:half]), dict(list(NUMBERS.items())[half:])]
    return alt.vconcat(_p_curve(), alt.hconcat(*(numbers_chart(c, width=330) for c in columns)),
                       params=top_level(_p_params()),
                       title="The serving decision framework (the preset models; the config-file model needs the kernel)")


def _planner() -> LiveExplorer:
    controls = {"model": list(MODELS), "chip": list(CHIPS), "chips": list(SLICES), "weights": list(BYTES),
                "kv": list(BYTES), "compute": list(COMPUTE), "log_ctx": list(range(CONTEXT[0], CONTEXT[1] + 1)),
                "log_dec": list(range(DECODE[0], DECODE[1] + 1)), "target": [t * MS for t in TARGETS_MS],
                "ici": list(ICI)}
    return LiveExplorer(f"{CHAPTER}-planner", CHAPTER, "The serving decision framework", _p_chart, controls, NUMBERS,
                        planner_expected)


def explorers() -> list:
    """The frontier (the chapter's first explorer cell), then the planner."""
    return [_frontier(), _planner()]
