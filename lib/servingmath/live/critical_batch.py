"""Chapter 04 live: the roofline of one D x F matmul over the batch and B_crit per precision pair, in the page."""

import altair as alt

from ..analysis import critical_batch as cb
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS
from ..core.precision import COMPUTE, bytes_per_element
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider, switch, top_level
from .vega import vega

CHAPTER = "critical-batch"
BATCH_EXP = (0, 12)   # 1 ... 4,096 tokens per step
NUMBERS = {"b_w": Number("bytes per weight b_w", ",.1f", 1, "B"), "C": Number("C", ",.0f", 1e12, "TFLOP/s"),
           "W_hbm": Number("W_hbm", ",.0f", 1e9, "GB/s"),
           "crit": Number("B_crit = C b_w / (2 W_hbm)", ",.3f", 1, "tokens: memory-bound below, compute-bound above"),
           "ridge": Number("exact ridge of the matmul (activations counted)", ",.1f", 1, "tokens"),
           "time": Number("roofline time at the batch B", ",.2f", 1e-6, "µs")}
#: The matmul's page values: the model's D and F embedded, the rest parameters.
AT = {"C": "C", "W_hbm": "W_hbm", "b_w": "b_w", "b_a": "b_a", "D": repr(float(cb.LLAMA.d_model)),
      "F": repr(float(cb.LLAMA.d_ff)), "B": "batch"}


def _flops(compute: str) -> str:
    return f"C_{compute}"


def _params() -> list:
    pairs = cb.PAIRS
    return [
        select("chip", "chip", list(CHIPS), cb.V5E.name),
        select("weights", "weights", list(cb.WEIGHTS), "int8"),
        select("compute", "FLOPs", list(COMPUTE), "bf16"),
        slider("log_batch", "batch B (log2 tokens)", *BATCH_EXP, 7),
        *[derived(_flops(c), choice("chip", {n: chip.flops(c) for n, chip in CHIPS.items()}), {}) for c in COMPUTE],
        derived("C", switch("compute", {c: _flops(c) for c in COMPUTE}), {}),
        derived("W_hbm", choice("chip", {n: chip.hbm_bw for n, chip in CHIPS.items()}), {}),
        derived("b_w", choice("weights", {w: bytes_per_element(w, "weights") for w in cb.WEIGHTS}), {}),
        derived("b_a", choice("compute", {c: bytes_per_element(c, "compute") for c in COMPUTE}), {}),
        derived("batch", "pow(2, log_batch)", {}),
        derived("crit", f.critical_batch, AT), derived("ridge", f.matmul_ridge, AT), derived("time", f.matmul_time, AT),
        *[derived(f"crit_{i}", f.critical_batch, {**AT, "C": _flops(c), "b_w": repr(bytes_per_element(w, "weights"))})
          for i, (w, c) in enumerate(pairs)],
    ]


def _roofline():
    """The two terms and their maximum over the batch, B_crit, the exact ridge and the point at the batch."""
    at = {**AT, "B": "datum.x"}
    terms = {"FLOPs at peak": f.matmul_flops_time, "bytes at HBM speed": f.matmul_bytes_time,
             "roofline: the larger": f.matmul_time}
    base = alt.Chart(alt.sequence(BATCH_EXP[0], BATCH_EXP[1] + 0.05, 0.2, as_="k")).transform_calculate(
        x="pow(2, datum.k)")
    for name, formula in terms.items():
        base = base.transform_calculate(**{name: f"({vega(formula, at)}) * 1e6"})
    x = alt.X("x:Q", scale=alt.Scale(type="log", base=2), title="batch B (tokens per step)")
    y = alt.Y("us:Q", scale=alt.Scale(type="log"), axis=alt.Axis(values=[10.0**k for k in range(-1, 6)], format=",~g"),
              title="time of one D×F matmul (µs)")
    lines = base.transform_fold(list(terms), as_=["term", "us"]).mark_line().encode(
        x=x, y=y, color=alt.Color("term:N", sort=list(terms), scale=alt.Scale(range=["#ff7f0e", "#1f77b4", "black"]),
                                  legend=alt.Legend(orient="top-left", title=None)),
        strokeDash=alt.StrokeDash("term:N", sort=list(terms), legend=None,
                                  scale=alt.Scale(range=[[4, 3], [4, 3], [1, 0]])),
        strokeWidth=alt.condition("datum.term === 'roofline: the larger'", alt.value(2.2), alt.value(1)))
    one = alt.Chart(alt.Data(values=[{}]))
    crit = one.transform_calculate(x="crit").mark_rule(color="#d62728", strokeDash=[2, 2]).encode(x="x:Q")
    ridge = one.transform_calculate(x="ridge", us=f"({vega(f.matmul_time, {**AT, 'B': 'ridge'})}) * 1e6").mark_point(
        color="#d62728", filled=True, size=40).encode(x="x:Q", y="us:Q")
    here = one.transform_calculate(x="batch", us="time * 1e6").mark_point(size=90, color="black").encode(
        x="x:Q", y="us:Q")
    return alt.layer(lines, crit, ridge, here).properties(width=330, height=230,
                                                         title="roofline; red: B_crit and the exact ridge")


def _bars():
    """B_crit of the article's precision pairs on the chip, and of the reader's pair (red)."""
    labels = [f"{w} w, {c} FLOPs" for w, c in cb.PAIRS] + ["your choice"]
    values = "[" + ", ".join(f"crit_{i}" for i in range(len(cb.PAIRS))) + ", crit][datum.i]"
    rows = alt.Data(values=[{"i": i, "pair": label} for i, label in enumerate(labels)])
    base = alt.Chart(rows).transform_calculate(crit=values).encode(
        x=alt.X("pair:N", sort=labels, title=None, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("crit:Q", title="B_crit (tokens)"))
    bars = base.mark_bar().encode(color=alt.condition("datum.i === 4", alt.value("#d62728"), alt.value("#7f7f7f")))
    text = base.mark_text(dy=-6, fontSize=10).encode(text=alt.Text("crit:Q", format=",.0f"))
    return alt.layer(bars, text).properties(width=190, height=230, title="B_crit per precision pair")


def expected(chip: str, weights: str, compute: str, log_batch: int) -> dict:
    """The page's numbers for a state of its controls, from the Python library."""
    r = cb.roofline(CHIPS[chip], weights, compute)
    time = f.matmul_time(B=2**log_batch, C=r.flops, D=r.model.d_model, F=r.model.d_ff, W_hbm=r.chip.hbm_bw,
                         b_a=bytes_per_element(compute, "compute"), b_w=r.b_w)
    return {"b_w": r.b_w, "C": r.flops, "W_hbm": r.chip.hbm_bw, "crit": r.critical_batch, "ridge": r.ridge,
            "time": time}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    return alt.vconcat(alt.hconcat(_roofline(), _bars()), numbers_chart(NUMBERS, width=560),
                       params=top_level(_params()),
                       title="Roofline and critical batch: one D×F matmul of LLaMA 3-70B on the chip")


def explorers() -> list:
    controls = {"chip": list(CHIPS), "weights": list(cb.WEIGHTS), "compute": list(COMPUTE),
                "log_batch": list(range(BATCH_EXP[0], BATCH_EXP[1] + 1))}
    return [LiveExplorer(CHAPTER, CHAPTER, "Roofline and critical batch", _chart, controls, NUMBERS, expected)]
