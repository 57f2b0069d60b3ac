"""Chapter 05 live: the smallest slice for the weights, the batch that fills its HBM and the step at it, in the page."""

from dataclasses import dataclass
import json

import altair as alt

from ..analysis import minimum_topology as mt
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS
from ..core.precision import SERVING_PRECISIONS, bytes_per_element
from ..core.symbols import B, S, kv
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider, top_level
from .critical_batch import switch
from .vega import vega

CHAPTER = "minimum-topology"
CONTEXT_EXP = (10, 17)   # 1,024 ... 131,072 tokens
#: Chips whose HBM the weights alone fill (a real number): no KV cache.
WEIGHT_CHIPS = f.memory_chips.expr.subs({B: 0, kv: 0, S: 1})
#: Log axes ticked at the powers of ten only (fewer ticks to redraw).
DECADES = alt.Axis(values=[10.0**k for k in range(-3, 7)], format=",~g")
COLORS = alt.Scale(domain=list(SERVING_PRECISIONS), range=["#1f77b4", "#ff7f0e", "#2ca02c"])


@dataclass(frozen=True)
class Fits(Number):
    """A number that exists only when something fits: the page holds 0 (or less) and shows ``none`` instead."""

    none: str = "does not fit"

    def vega(self, param: str) -> str:
        return f"({param} > 0 ? {super().vega(param)} : {json.dumps(f'{self.label}: {self.none}')})"

    def text(self, value: float) -> str:
        return super().text(value) if value > 0 else f"{self.label}: {self.none}"


def smallest_slice(need: str, chips: dict, largest: int = mt.LARGEST_SLICE) -> str:
    """The smallest valid slice of the chip the ``chip`` parameter names holding ``need`` chips (a Vega
    expression), unrolled over each chip's valid slices up to ``largest``; -1 where none is that large."""
    def over(chip):
        text = "-1"
        for n in reversed([n for n in range(1, largest + 1) if chip.is_valid_slice(n)]):
            text = f"({need} <= {n} ? {n} : {text})"
        return text
    return switch("chip", {name: over(chip) for name, chip in chips.items()})


NUMBERS = {"weights": Number("weights", ",.2f", 1e9, "GB"),
           "need": Number("chips the weights fill", ",.2f", 1, "chips"),
           "slice": Number("smallest slice", ",.0f", 1, "chips"),
           "batch": Fits("max batch at the context", ",.0f", 1, "sequences"),
           "step": Fits("decode step at max batch", ",.2f", 1e-3, "ms"),
           "full": Number("HBM / W_hbm (the full-HBM step)", ",.2f", 1e-3, "ms"),
           **{f"batch_{p}": Fits(f"{p} weights and KV on its smallest slice: max batch", ",.0f", 1, "sequences")
              for p in SERVING_PRECISIONS}}


def _per_chip(field: str) -> str:
    return choice("chip", {name: getattr(chip, field) for name, chip in CHIPS.items()})


def page_names(precision: str, chips: str) -> dict:
    """The page values of ``precision`` on ``chips`` chips (a parameter or ``datum.n``)."""
    return {"HBM": "hbm", "W_hbm": "W_hbm", "C": "C", "S": "ctx", "N": chips, "P": repr(float(mt.LLAMA.param_count)),
            "b_w": repr(bytes_per_element(precision)), "kv": repr(float(mt.LLAMA.kv_bytes_per_token(precision)))}


def fill_batch(names: dict) -> str:
    return f"max(0, {vega(f.max_batch, names)})"


def step_at(names: dict, batch: str) -> str:
    """The step at ``batch`` sequences (0 where none fits)."""
    step = vega(f.step_time, {**names, "B": batch, "P": repr(float(mt.LLAMA.decode_param_count))})
    return f"({batch} > 0 ? {step} : 0)"


def precision_params(chips: dict) -> list:
    """For each precision: the chips its weights fill, its smallest slice of the ``chip`` parameter's chip (one of
    ``chips``), the max batch there at the context (0: none fits) and the step at it (0 where none fits)."""
    params = []
    for p in SERVING_PRECISIONS:
        names = page_names(p, f"slice_{p}")
        params += [derived(f"need_{p}", vega(WEIGHT_CHIPS, names), {}),
                   derived(f"slice_{p}", smallest_slice(f"need_{p}", chips), {}),
                   derived(f"batch_{p}", fill_batch(names), {}), derived(f"step_{p}", step_at(names, f"batch_{p}"), {})]
    return params


def _params() -> list:
    pick = lambda what: switch("precision", {p: f"{what}_{p}" for p in SERVING_PRECISIONS})
    return [
        select("precision", "precision (weights = KV)", list(SERVING_PRECISIONS), "bf16"),
        slider("log_ctx", "context S (log2 tokens)", *CONTEXT_EXP, 13),
        select("chip", "chip", list(CHIPS), mt.V5E.name),
        derived("ctx", "pow(2, log_ctx)", {}), derived("hbm", _per_chip("hbm_bytes"), {}),
        derived("W_hbm", _per_chip("hbm_bw"), {}), derived("C", _per_chip("flops_bf16"), {}), *precision_params(CHIPS),
        derived("weights", f.param_bytes, {"P": repr(float(mt.LLAMA.param_count)), "b_w": choice(
            "precision", {p: bytes_per_element(p) for p in SERVING_PRECISIONS})}),
        derived("need", pick("need"), {}), derived("slice", pick("slice"), {}), derived("batch", pick("batch"), {}),
        derived("step", pick("step"), {}), derived("full", f.step_time_full_hbm, {"HBM": "hbm", "W_hbm": "W_hbm"}),
    ]


def _panels():
    """Max batch (left) and the step at it (right) over the chip's valid slices; circles at the smallest slices."""
    rows = [{"chip": name, "n": n, "precision": p, "b_w": bytes_per_element(p), "kv": mt.LLAMA.kv_bytes_per_token(p)}
            for name, chip in CHIPS.items() for n in chip.slice_sizes(mt.LARGEST_SLICE) for p in SERVING_PRECISIONS]
    names = {**page_names("bf16", "datum.n"), "b_w": "datum.b_w", "kv": "datum.kv"}
    curves = alt.Chart(alt.Data(values=rows)).transform_filter("datum.chip === chip").transform_calculate(
        batch=vega(f.max_batch, names)).transform_filter("datum.batch >= 1").transform_calculate(
        ms=f"({step_at(names, 'datum.batch')}) * 1e3")
    marks = alt.Chart(alt.Data(values=[{"i": i, "precision": p} for i, p in enumerate(SERVING_PRECISIONS)]))
    pick = lambda what: "[" + ", ".join(f"{what}_{p}" for p in SERVING_PRECISIONS) + "][datum.i]"
    marks = marks.transform_calculate(n=pick("slice"), batch=pick("batch"), ms=f"{pick('step')} * 1e3")
    marks = marks.transform_filter("datum.batch >= 1")
    x = alt.X("n:Q", scale=alt.Scale(type="log", base=2), title="chips N (valid slices)")
    color = alt.Color("precision:N", scale=COLORS, legend=alt.Legend(orient="top-left", title="weights and KV"))
    width = alt.condition("datum.precision === precision", alt.value(2.6), alt.value(1))

    def panel(y, title):
        line = curves.mark_line(point=alt.OverlayMarkDef(size=12)).encode(x=x, y=y, color=color, strokeWidth=width)
        return alt.layer(line,
                         marks.mark_point(size=110, strokeWidth=2).encode(x=x, y=y, color=color)).properties(
            width=270, height=210, title=title)
    full = alt.Chart(alt.Data(values=[{}])).transform_calculate(ms="full * 1e3").mark_rule(
        color="black", strokeDash=[4, 3]).encode(y="ms:Q")
    left = panel(alt.Y("batch:Q", scale=alt.Scale(type="log"), axis=DECADES, title="max batch (sequences)"),
                 "max batch; circles: the smallest slices")
    right = alt.layer(panel(alt.Y("ms:Q", title="decode step at max batch (ms)"),
                            "step at max batch; dashed: HBM / W_hbm"), full)
    return alt.hconcat(left, right)


def expected(precision: str, log_ctx: int, chip: str) -> dict:
    """The page's numbers for a state of its controls, from the Python library."""
    t = mt.topology(precision, 2**log_ctx, CHIPS[chip])
    r = t.rows[precision]
    return {"weights": r.weight_bytes, "need": r.chips_needed, "slice": r.chips, "batch": r.batch,
            "step": r.step if r.batch else 0, "full": t.step_full_hbm,
            **{f"batch_{p}": t.rows[p].batch for p in SERVING_PRECISIONS}}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    return alt.vconcat(_panels(), numbers_chart(NUMBERS, width=560),
                       params=top_level(_params()),
                       title="Minimum topology by precision: LLaMA 3-70B, HBM full of KV caches")


def explorers() -> list:
    controls = {"precision": list(SERVING_PRECISIONS), "log_ctx": list(range(CONTEXT_EXP[0], CONTEXT_EXP[1] + 1)),
                "chip": list(CHIPS)}
    return [LiveExplorer(CHAPTER, CHAPTER, "Minimum topology by precision", _chart, controls, NUMBERS, expected)]
