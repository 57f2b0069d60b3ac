"""Chapter 06 live: QPS per chip and the dollars of a million generated tokens over the context, in the page."""

import altair as alt

from ..analysis import qps_per_chip as qp
from ..article import DECODE, SOURCE_INPUTS
from ..core import formulas as f
from ..core.precision import SERVING_PRECISIONS, bytes_per_element
from . import LiveExplorer, Number, derived, numbers_chart, select, slider, top_level
from .critical_batch import switch
from .minimum_topology import COLORS, DECADES, Fits, fill_batch, page_names, step_at, precision_params
from .vega import vega

CHAPTER = "qps-per-chip"
DECODE_EXP, CONTEXT_EXP = (4, 13), (10, 17)   # 16 ... 8,192 generated tokens; 1,024 ... 131,072 tokens of context
HALF = SOURCE_INPUTS["qps_realistic_fraction"]
NUMBERS = {"slice": Number("smallest slice", ",.0f", 1, "chips"), "batch": Fits("max batch", ",.0f", 1, "sequences"),
           "step": Fits("decode step", ",.2f", 1e-3, "ms"),
           "qps": Fits("QPS/chip = B / (T_step G N)", ",.4f", 1, "requests/s"),
           "real": Fits("the source's realistic guess, half", ",.4f", 1, "requests/s"),
           "rate": Fits("throughput", ",.1f", 1, "tokens/s/chip"),
           "cost": Fits("$ per million generated tokens", ",.2f", 1, f"(at ${qp.V5E.price_per_hour:g} per chip-hour)")}
CHIPS = {qp.V5E.name: qp.V5E}


def _serving(names: dict, batch: str, step: str) -> dict:
    """QPS/chip, tokens/s/chip and $ per million tokens at ``batch`` and ``step`` (0 where none fits)."""
    at = {**names, "B": batch, "T_step": step, "G": "decode", "U": "1", "c": repr(qp.V5E.price_per_hour)}
    rate = vega(f.tokens_per_s_per_chip, at)
    return {"qps": f"({batch} > 0 ? {vega(f.qps_per_chip, at)} : 0)", "rate": f"({batch} > 0 ? {rate} : 0)",
            "cost": f"({batch} > 0 ? {vega(f.cost_per_million_tokens, {**at, 'r': rate})} : 0)"}


def _params() -> list:
    pick = lambda what: switch("precision", {p: f"{what}_{p}" for p in SERVING_PRECISIONS})
    serving = _serving({"N": "slice"}, "batch", "step")
    return [
        slider("log_decode", "decode length G (log2 tokens)", *DECODE_EXP, DECODE.bit_length() - 1),
        slider("log_ctx", "context S (log2 tokens)", *CONTEXT_EXP, 13),
        select("precision", "precision (weights = KV)", list(SERVING_PRECISIONS), "bf16"),
        derived("decode", "pow(2, log_decode)", {}), derived("ctx", "pow(2, log_ctx)", {}),
        derived("hbm", repr(qp.V5E.hbm_bytes), {}), derived("W_hbm", repr(qp.V5E.hbm_bw), {}),
        derived("C", repr(qp.V5E.flops_bf16), {}), *precision_params(CHIPS),
        derived("slice", pick("slice"), {}), derived("batch", pick("batch"), {}), derived("step", pick("step"), {}),
        *[derived(name, text, {}) for name, text in serving.items()], derived("real", f"qps * {HALF!r}", {}),
    ]


def _served(rows: list, context: str):
    """Each row's precision (``i``, ``b_w``, ``kv``) on its smallest slice at ``context`` (``datum.S`` or the
    parameter): batch, step, QPS/chip and $ per million tokens; rows where no sequence fits are dropped."""
    names = {**page_names("bf16", "datum.n"), "S": context, "b_w": "datum.b_w", "kv": "datum.kv"}
    chart = alt.Chart(alt.Data(values=rows)).transform_calculate(
        n="[" + ", ".join(f"slice_{p}" for p in SERVING_PRECISIONS) + "][datum.i]").transform_calculate(
        batch=fill_batch(names)).transform_filter("datum.batch >= 1").transform_calculate(
        step=step_at(names, "datum.batch"))
    return chart.transform_calculate(**_serving(names, "datum.batch", "datum.step")).transform_calculate(
        real=f"datum.qps * {HALF!r}", S=context)


def _panels():
    """QPS per chip (left) and $ per million generated tokens (right) over the context; circles at the context."""
    rows = [{"i": i, "precision": p, "b_w": bytes_per_element(p), "kv": qp.LLAMA.kv_bytes_per_token(p)}
            for i, p in enumerate(SERVING_PRECISIONS)]
    curves = _served([{**row, "S": int(s)} for row in rows for s in qp.CONTEXTS], "datum.S")
    here = _served(rows, "ctx")
    x = alt.X("S:Q", scale=alt.Scale(type="log", base=2), axis=alt.Axis(values=[int(s) for s in qp.CONTEXTS[::2]]),
              title="context S (tokens)")
    width = alt.condition("datum.precision === precision", alt.value(2.6), alt.value(1))

    def panel(y, title, legend, extra=()):
        color = alt.Color("precision:N", scale=COLORS, legend=alt.Legend(orient=legend, title=None))
        return alt.layer(curves.mark_line(point=alt.OverlayMarkDef(size=14)).encode(x=x, y=y, color=color,
                                                                                    strokeWidth=width),
                         here.mark_point(size=110, strokeWidth=2).encode(x=x, y=y, color=color), *extra).properties(
            width=270, height=210, title=title)
    half = curves.transform_filter("datum.precision === precision").mark_line(color="black", strokeDash=[2, 2]).encode(
        x=x, y="real:Q")
    qps = panel(alt.Y("qps:Q", scale=alt.Scale(type="log"), axis=DECADES, title="QPS per chip (requests/s)"),
                "QPS/chip on the smallest slice; dotted: the source's half", "bottom-left", (half,))
    cost = panel(alt.Y("cost:Q", scale=alt.Scale(type="log"), axis=DECADES, title="$ per million generated tokens"),
                 f"$ per million tokens at ${qp.V5E.price_per_hour:g}/chip-hour", "top-left")
    return alt.hconcat(qps, cost).resolve_legend(color="independent")


def expected(log_decode: int, log_ctx: int, precision: str) -> dict:
    """The page's numbers for a state of its controls, from the Python library."""
    q = qp.qps_over_context(precision, 2**log_ctx, 2**log_decode, realistic_fraction=HALF)
    r = q.here[precision]
    return {"slice": r.chips, "batch": r.batch, "step": r.step if r.batch else 0, "qps": r.qps_per_chip,
            "real": q.realistic_here, "rate": r.tokens_per_s_per_chip, "cost": r.cost_per_million or 0}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    return alt.vconcat(_panels(), numbers_chart(NUMBERS, width=560),
                       params=top_level(_params()),
                       title=f"QPS per chip and cost: LLaMA 3-70B on {qp.V5E.label}, HBM full of KV caches")


def explorers() -> list:
    controls = {"log_decode": list(range(DECODE_EXP[0], DECODE_EXP[1] + 1)),
                "log_ctx": list(range(CONTEXT_EXP[0], CONTEXT_EXP[1] + 1)), "precision": list(SERVING_PRECISIONS)}
    return [LiveExplorer(CHAPTER, CHAPTER, "QPS per chip and cost", _chart, controls, NUMBERS, expected)]
