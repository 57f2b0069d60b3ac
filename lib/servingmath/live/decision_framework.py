"""Chapter 11 live: the latency-throughput frontier and the planner, in the page.

Both time a decode step as ``plan`` does (the datasheet roofline, the collectives counted, 10 % of HBM kept
back). The step is the larger of two lines in the batch, so the planner's searches are roots solved here in
SymPy: a latency target allows up to the smaller root of the two lines, the ICI cap is the largest batch at
which the collectives do not outlast either branch of the rest; the smallest slice is a ternary over the chip's.
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
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider
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
ICI_GAPS = [2 * f.ici_step_time_comms.expr - line for line in BRANCHES]
ICI_GAP = f.ici_step_time_comms.expr - f.step_time.expr
MAX_TERM = next(iter(f.step_time.expr.atoms(sp.Max)))   # the two overlapping terms: the larger binds
PREFILL = f.prefill_time_ici.expr.subs({T_prefill: f.prefill_time.expr, T_ici: f.prefill_ici_time.expr})
SLICE_HBM = f.kv_room.expr + f.param_bytes.expr          # N HBM


def _links(chip, n: int) -> tuple:
    """(W_c, n_hop) of a slice's collectives, as ``plan`` lays them (over every mesh axis)."""
    return chip.collective_links(n, chip.mesh_axes(n))


def _guarded(name: str, value: str) -> str:
    """``value`` where the page holds -1 (nothing fits) or -2 (no such slice) from ``p_n`` and ``p_mb``."""
    return f"p_n < 0 ? -2 : (p_mb >= 1 ? ({value}) : -1)"


# --- The frontier ------------------------------------------------------------------------------------------

FR_CONTEXT, FR_BATCH, FR_POINTS = (9, 15), (0, 14), 20
MS = 1e-3
FR_NUMBERS = {"fr_mb": Either("max batch", ",.0f", 1, "sequences"),
              "fr_b": Either("batch", ",.0f", 1, "sequences (the slider, at most the max batch)"),
              "fr_step": Either("step", ",.2f", MS, "ms per output token"),
              "fr_tps": Either("throughput", ",.0f", 1, "tokens/s per chip"),
              "fr_w": Either("weight read", ",.2f", MS, "ms"), "fr_f": Either("matmul FLOPs", ",.2f", MS, "ms"),
              "fr_kv": Either("KV read", ",.2f", MS, "ms"), "fr_ici": Either("collectives", ",.2f", MS, "ms")}
FR_CONST = {"D": LLAMA.d_model, "L": LLAMA.layers, "K": LLAMA.kv_heads, "H": LLAMA.head_dim,
            "C": V5E.flops("bf16"), "W_hbm": V5E.hbm_bw, "b_a": bytes_per_element("bf16"), "t_hop": V5E.ici_hop_latency,
            "HBM": V5E.hbm_bytes - reserve_bytes(V5E, DEFAULT_RESERVE)}
FR_CONST = {name: repr(float(value)) for name, value in FR_CONST.items()}


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
                        legend=alt.Legend(orient="bottom", columns=2)), opacity=alt.condition("datum.pale", alt.value(0.35), alt.value(1)))
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


def _frontier() -> LiveExplorer:
    chart = alt.vconcat(alt.hconcat(_fr_curves(), _fr_bars()).resolve_scale(color="independent"),
                        numbers_chart(FR_NUMBERS)).add_params(*_fr_params()).properties(
        title="The latency-throughput frontier: each precision on each slice, the selected step and its parts")
    controls = {"log_ctx": list(range(FR_CONTEXT[0], FR_CONTEXT[1] + 1)), "precision": list(PRECISIONS),
                "chips": list(V5E.slices), "log_batch": list(range(FR_BATCH[0], FR_BATCH[1] + 1))}
    return LiveExplorer(CHAPTER, CHAPTER, "The latency-throughput frontier", chart, controls, FR_NUMBERS,
                        frontier_expected)


def explorers() -> list:
    return [_frontier()]
