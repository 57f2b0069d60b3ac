"""Chapter 07 live: tokens/s/chip at max batch against the slice, by precision, and the gain of doubling it."""

import altair as alt

from ..analysis import doubling_topology as dt
from ..core import formulas as f
from ..core.precision import SERVING_PRECISIONS, bytes_per_element
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider, top_level
from .minimum_topology import COLORS, Fits, fill_batch, page_names, step_at
from .vega import vega

CHAPTER = "doubling-topology"
CONTEXT_EXP = (10, 15)   # 1,024 ... 32,768 tokens
SIZES = dt.model_parallel_slices(dt.V5E)
NUMBERS = {"batch": Fits("sequences that fit", ",.0f", 1, "sequences"), "step": Fits("decode step", ",.2f", 1e-3, "ms"),
           "crit": Number("B_crit (bf16 FLOPs; compute-bound above)", ",.1f", 1, "sequences"),
           "rate": Fits("throughput", ",.1f", 1, "tokens/s/chip"),
           "qps": Fits(f"QPS/chip ({dt.DECODE} generated tokens)", ",.3f", 1, "requests/s"),
           "half": Fits("half the slice", ",.0f", 1, "chips", none="none (the smallest slice)"),
           "half_rate": Fits("throughput on half the slice", ",.1f", 1, "tokens/s/chip"),
           "total_gain": Fits("doubling into this slice: total gain", ",.2f", 1, "×"),
           "chip_gain": Fits("doubling into this slice: per-chip gain", ",.2f", 1, "×"),
           "n_star": Number("per-chip throughput rises with N up to N*", ",.1f", 1, "chips"),
           "ceiling": Number("then stays at the compute-bound ceiling", ",.1f", 1, "tokens/s/chip")}


def _point(names: dict) -> dict:
    """Batch (0: none fits), step, tokens/s, tokens/s/chip and QPS/chip at max batch (0 where none fits)."""
    batch = fill_batch(names)
    step = step_at(names, batch)
    at = {**names, "B": batch, "T_step": step, "G": repr(float(dt.DECODE))}
    fits = lambda formula: f"({batch} > 0 ? {vega(formula, at)} : 0)"
    return {"batch": batch, "step": step, "total": fits(f.tokens_per_s), "rate": fits(f.tokens_per_s_per_chip),
            "qps": fits(f.qps_per_chip)}


def _limits(names: dict) -> dict:
    return {"crit": vega(f.critical_batch, names), "n_star": vega(f.superlinear_chips, names),
            "ceiling": vega(f.tokens_per_s_per_chip_compute_bound, names)}


def _params() -> list:
    half = "0"
    for full, smaller in reversed(list(zip(SIZES[1:], SIZES[:-1]))):
        half = f"(chips === {full} ? {smaller} : {half})"
    names = {**page_names("bf16", "chips"), "P": repr(float(dt.LLAMA.param_count)),
             "b_w": choice("weights", {p: bytes_per_element(p) for p in SERVING_PRECISIONS}),
             "kv": choice("weights", {p: dt.LLAMA.kv_bytes_per_token(p) for p in SERVING_PRECISIONS})}
    here, below = _point(names), _point({**names, "N": "half"})
    return [
        select("weights", "precision (weights = KV)", list(SERVING_PRECISIONS), "bf16"),
        slider("log_ctx", "context S (log2 tokens)", *CONTEXT_EXP, 13),
        select("chips", "chips", SIZES, 32),
        derived("ctx", "pow(2, log_ctx)", {}), derived("hbm", repr(dt.V5E.hbm_bytes), {}),
        derived("W_hbm", repr(dt.V5E.hbm_bw), {}), derived("C", repr(dt.V5E.flops_bf16), {}),
        *[derived(name, text, {}) for name, text in {**here, **_limits(names)}.items()],
        derived("half", half, {}), derived("half_batch", f"(half > 0 ? {below['batch']} : 0)", {}),
        derived("half_total", f"(half_batch > 0 ? {below['total']} : 0)", {}),
        derived("half_rate", f"(half_batch > 0 ? {below['rate']} : 0)", {}),
        derived("total_gain", "(batch > 0 && half_batch > 0 ? total / half_total : 0)", {}),
        derived("chip_gain", "(batch > 0 && half_batch > 0 ? rate / half_rate : 0)", {}),
    ]


def _panels():
    """Tokens/s/chip over the slices with each precision's ceiling (left), and the per-chip gain of doubling
    into each slice from half of it (right); circles at the reader's slice."""
    rows = [{"precision": p, "n": n, "half": h, "b_w": bytes_per_element(p), "kv": dt.LLAMA.kv_bytes_per_token(p)}
            for p in SERVING_PRECISIONS for n, h in zip(SIZES, [0] + SIZES[:-1])]
    names = {**page_names("bf16", "datum.n"), "P": repr(float(dt.LLAMA.param_count)), "b_w": "datum.b_w",
             "kv": "datum.kv"}
    full, half = _point(names), _point({**names, "N": "datum.half"})
    data = alt.Chart(alt.Data(values=rows)).transform_calculate(
        rate=full["rate"], half_rate=f"(datum.half > 0 ? {half['rate']} : 0)", ceiling=_limits(names)["ceiling"])
    x = alt.X("n:Q", scale=alt.Scale(type="log", base=2), title="chips (slice)", axis=alt.Axis(values=SIZES))
    color = alt.Color("precision:N", scale=COLORS, legend=alt.Legend(orient="bottom-right", title="weights = KV"))
    quiet = alt.Color("precision:N", scale=COLORS, legend=None)
    width = alt.condition("datum.precision === weights", alt.value(2.2), alt.value(1))
    line = alt.OverlayMarkDef(size=14)
    rates = data.transform_filter("datum.rate > 0")
    gains = data.transform_filter("datum.rate > 0 && datum.half_rate > 0").transform_calculate(
        gain="datum.rate / datum.half_rate")
    one = alt.Chart(alt.Data(values=[{}]))
    left = alt.layer(
        rates.mark_line(point=line).encode(x=x, y=alt.Y("rate:Q", title="tokens/s per chip at max batch"), color=color,
                                           strokeWidth=width),
        data.transform_filter("datum.n === 4").mark_rule(strokeDash=[2, 2]).encode(y="ceiling:Q", color=color),
        one.transform_calculate(n="chips", rate="rate").transform_filter("datum.rate > 0").mark_point(
            size=140, color="black", strokeWidth=1.5).encode(x=x, y="rate:Q")).properties(
        width=260, height=210, title="at max batch; dotted: compute-bound ceiling")
    right = alt.layer(
        gains.mark_line(point=line).encode(x=x, y=alt.Y("gain:Q", scale=alt.Scale(zero=False),
                                                        title="tokens/s/chip gain from doubling (×)"),
                                           color=quiet, strokeWidth=width),
        one.mark_rule(strokeDash=[4, 3], color="black", description="a gain of 1 per chip").encode(y=alt.datum(1)),
        one.transform_calculate(n="chips", gain="chip_gain").transform_filter("datum.gain > 0").mark_point(
            size=140, color="black", strokeWidth=1.5).encode(x=x, y="gain:Q")).properties(
        width=260, height=210, title="doubled into the slice; above 1: super-linear")
    return alt.hconcat(left, right).resolve_legend(color="independent")


def expected(weights: str, log_ctx: int, chips: int) -> dict:
    """The page's numbers for a state of its controls, from the Python library."""
    s = dt.sweep(weights, 2**log_ctx, chips)
    here, half, gain, limit = s.here, s.half, s.doubled, s.limits[weights]
    value = lambda point, field: getattr(point, field) if point is not None and point.fits else 0
    return {"batch": here.batch, "step": value(here, "step"), "crit": here.critical_batch,
            "rate": value(here, "tokens_per_s_per_chip"), "qps": value(here, "qps_per_chip"),
            "half": half.chips if half is not None else 0, "half_rate": value(half, "tokens_per_s_per_chip"),
            "total_gain": gain.total_gain if gain else 0, "chip_gain": gain.per_chip_gain if gain else 0,
            "n_star": limit.chips, "ceiling": limit.ceiling}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    return alt.vconcat(_panels(), numbers_chart(NUMBERS, width=560),
                       params=top_level(_params()),
                       title=f"Throughput per chip vs slice size: LLaMA 3-70B on {dt.V5E.label}, bf16 FLOPs")


def explorers() -> list:
    controls = {"weights": list(SERVING_PRECISIONS), "log_ctx": list(range(CONTEXT_EXP[0], CONTEXT_EXP[1] + 1)),
                "chips": SIZES}
    return [LiveExplorer(CHAPTER, CHAPTER, "Throughput per chip vs slice size", _chart, controls, NUMBERS, expected)]
