"""Chapter 03 live: LLaMA 3-70B's memory against a TPU v5e slice's HBM, and its decode step's terms, in the page.

The plan is the kernel explorer's (``analysis.worked_numbers.worked_step``): the article's v5e constants and its
mode (HBM filled completely, the collectives left out), FLOPs in bf16.
"""


import altair as alt
import sympy as sp

from ..analysis.worked_numbers import LLAMA, V5E, worked_step
from ..core import formulas as f
from ..core.precision import SERVING_PRECISIONS, bytes_per_element
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider, top_level
from .vega import vega

CHAPTER = "worked-numbers"
BATCH_EXP, CONTEXT_EXP = (0, 10), (9, 17)   # 1 ... 1,024 sequences; 512 ... 131,072 tokens
COLORS = {"weights": "#1f77b4", "flops": "#ff7f0e", "kv": "#2ca02c", "hbm": "#bfbfbf"}
ALERT = "#b00020"


GB, MS = dict(format=",.2f", scale=1e9, unit="GB"), dict(format=",.3f", scale=1e-3, unit="ms")
NUMBERS = {"weights_b": Number("weights", **GB), "cache": Number("KV caches", **GB),
           "total": Number("needed (weights + KV caches)", **GB), "hbm": Number("HBM of the slice", **GB),
           "room": Number("most sequences beside the weights", ",.0f", 1, "sequences",
                          missing="the weights alone do not fit"),
           "t_w": Number("weight read", **MS, missing="does not fit"), "t_f": Number("matmul FLOPs (overlap the weight read)", **MS, missing="does not fit"),
           "t_kv": Number("KV read", **MS, missing="does not fit"), "step": Number("step = max(weights, FLOPs) + KV", **MS, missing="does not fit"),
           "crit": Number("critical batch B_crit", ",.1f", 1, "sequences"),
           "tps": Number("throughput", ",.0f", 1, "tokens/s", missing="does not fit"), "tpsc": Number("per chip", ",.1f", 1, "tokens/s/chip", missing="does not fit")}
CHIP = {"C": repr(V5E.flops("bf16")), "W_hbm": repr(V5E.hbm_bw), "HBM": repr(V5E.hbm_bytes), "N": "chips"}
AT = {**CHIP, "B": "batch", "S": "ctx", "kv": "kvt", "b_w": "b_w"}
MEMORY, STEP = {**AT, "P": repr(float(LLAMA.param_count))}, {**AT, "P": repr(float(LLAMA.decode_param_count))}
MODEL = {"K": repr(LLAMA.kv_heads), "H": repr(LLAMA.head_dim), "L": repr(LLAMA.layers), "b_kv": "b_kv"}


def _unless(fits: str, value: str) -> str:
    return f"({fits} ? {value} : -1)"


def _params() -> list:
    width = lambda kind: {d: bytes_per_element(d, kind) for d in SERVING_PRECISIONS}
    slice_hbm = f.kv_room.expr + f.param_bytes.expr    # N HBM: the room for caches plus the weights
    return [
        slider("log_batch", "batch B (log2 sequences)", *BATCH_EXP, 5),
        slider("log_ctx", "context S (log2 tokens)", *CONTEXT_EXP, 13),
        select("weights", "weights", list(SERVING_PRECISIONS), "int8"),
        select("kv_dtype", "KV cache", list(SERVING_PRECISIONS), "int8"),
        select("chips", "v5e chips", list(V5E.slices), 8),
        derived("batch", "pow(2, log_batch)", {}), derived("ctx", "pow(2, log_ctx)", {}),
        derived("b_w", choice("weights", width("weights")), {}), derived("b_kv", choice("kv_dtype", width("kv")), {}),
        derived("kvt", f.kv_bytes_per_token, MODEL),
        derived("weights_b", f.param_bytes, MEMORY), derived("cache", f.kv_cache_bytes, AT),
        derived("total", f.total_bytes, MEMORY), derived("hbm", slice_hbm, MEMORY),
        derived("fits", "total <= hbm", {}),
        derived("b_max", sp.Max(0, f.max_batch.expr), MEMORY), derived("room", "b_max >= 1 ? b_max : -1", {}),
        derived("t_w", _unless("fits", vega(f.param_load_time, STEP)), {}),
        derived("t_f", _unless("fits", vega(f.step_flops_time, STEP)), {}),
        derived("t_kv", _unless("fits", vega(f.kv_load_time, STEP)), {}),
        derived("step", _unless("fits", vega(f.step_time, STEP)), {}),
        derived("t_top", _unless("fits", vega(f.step_time.expr - f.kv_load_time.expr, STEP)), {}),
        derived("crit", f.critical_batch, STEP),
        derived("tps", _unless("fits", vega(f.tokens_per_s, {**AT, "T_step": "step"})), {}),
        derived("tpsc", _unless("fits", vega(f.tokens_per_s_per_chip, {**AT, "T_step": "step"})), {}),
    ]


def _memory():
    """Weights and caches stacked beside the slice's HBM; the title says whether they fit."""
    parts = {"weights": "weights_b", "KV caches": "cache", "HBM of the slice": "hbm"}
    rows = [{"bar": "has" if param == "hbm" else "needed", "part": part, "o": i}
            for i, (part, param) in enumerate(parts.items())]
    verdict = ("(fits ? 'fits' : 'does not fit') + ': needs ' + format(total / 1e9, ',.1f') + ' GB, has ' + "
               "format(hbm / 1e9, ',.1f') + ' GB'")
    color = alt.Color("part:N", title=None, legend=alt.Legend(orient="bottom"), scale=alt.Scale(
        domain=list(parts), range=[COLORS["weights"], COLORS["kv"], COLORS["hbm"]]))
    return alt.Chart(alt.Data(values=rows)).transform_calculate(gb=_by_row(list(parts.values()), "o", 1e-9)).mark_bar(
        width=60).encode(x=alt.X("bar:N", sort=["needed", "has"], title=None, axis=alt.Axis(labelAngle=0)),
                         y=alt.Y("gb:Q", stack="zero", title="GB (1e9 bytes)", axis=alt.Axis(minExtent=48)),
                         color=color, order="o:Q").properties(width=200, height=220, title=alt.TitleParams(
        alt.ExprRef(verdict), fontSize=12, anchor="start", color=alt.ExprRef(f"fits ? 'black' : '{ALERT}'")))


def _by_row(params: list, field: str, scale: float) -> str:
    """A Vega expression that picks ``params[datum.field]`` (times ``scale``) for each row."""
    text = f"{params[-1]} * {scale!r}"
    for i, param in reversed(list(enumerate(params[:-1]))):
        text = f"(datum.{field} === {i} ? {param} * {scale!r} : {text})"
    return text


def _step():
    """The step's terms as bars: the weight read and the FLOPs overlap, the longer drawn solid, the shorter faded;
    the step stacks the longer one and the KV read. No bars when the configuration does not fit."""
    rows = [("weight read", "weights", "0", "t_w"), ("matmul FLOPs", "flops", "0", "t_f"),
            ("KV read", "kv", "0", "t_kv"), ("step", "top", "0", "t_top"), ("step", "kv", "t_top", "step")]
    data = alt.Data(values=[{"row": row, "part": part, "i": i} for i, (row, part, _, _) in enumerate(rows)])
    top = "(t_f > t_w ? 'flops' : 'weights')"
    base = alt.Chart(data).transform_filter("fits").transform_calculate(
        x0=_by_row([r[2] for r in rows], "i", 1e3), x1=_by_row([r[3] for r in rows], "i", 1e3),
        kind=f"datum.part === 'top' ? {top} : datum.part",
        faded=f"(datum.part === 'weights' || datum.part === 'flops') && datum.part !== {top}",
        label="datum.i === 3 ? '' : ' ' + format(datum.x1, ',.2f') + ' ms' + (datum.faded ? ', overlapped' : '')")
    y = alt.Y("row:N", sort=[r[0] for r in rows[:4]], title=None)
    x = alt.X("x0:Q", title="milliseconds per decode step",
              scale=alt.Scale(domainMax=alt.ExprRef("max(1.35e3 * step, 1)")))
    color = alt.Color("kind:N", legend=None, scale=alt.Scale(domain=["weights", "flops", "kv"], range=[
        COLORS["weights"], COLORS["flops"], COLORS["kv"]]))
    bars = base.mark_bar(height=22, stroke="black", strokeWidth=0.3).encode(
        x=x, x2="x1:Q", y=y, color=color, opacity=alt.condition("datum.faded", alt.value(0.35), alt.value(1.0)))
    labels = base.mark_text(align="left", fontSize=11).encode(x="x1:Q", y=y, text="label:N")
    note = alt.Chart(alt.Data(values=[{}])).transform_filter("!fits").mark_text(
        color=ALERT, fontSize=13, text="does not fit: no step time").encode(x=alt.value(150), y=alt.value(110))
    title = ("fits ? 'step = ' + format(step * 1e3, ',.2f') + ' ms, ' + (batch > crit ? 'compute' : 'memory') + "
             "'-bound' : ''")
    return alt.layer(bars, labels, note).properties(width=300, height=220, title=alt.TitleParams(
        alt.ExprRef(title), fontSize=12, anchor="start"))


def expected(log_batch: int, log_ctx: int, weights: str, kv_dtype: str, chips: int) -> dict:
    """The page's numbers for a state of its controls, from the Python library (-1: does not fit)."""
    r = worked_step(LLAMA, V5E, chips=chips, batch=2**log_batch, context=2**log_ctx, weights=weights,
                    kv_dtype=kv_dtype)
    p, t = r.plan, r.terms
    unless = lambda value: value if p.fits else -1
    return {"weights_b": p.param_bytes, "cache": p.kv_bytes, "total": p.total_bytes, "hbm": p.hbm_bytes,
            "room": p.max_batch if p.max_batch >= 1 else -1, "t_w": unless(t.params), "t_f": unless(t.flops),
            "t_kv": unless(t.kv), "step": unless(t.step), "crit": p.critical_batch, "tps": unless(p.tokens_per_s),
            "tpsc": unless(p.tokens_per_s_per_chip)}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    panels = alt.hconcat(_memory(), _step(), spacing=30).resolve_scale(color="independent")
    return alt.vconcat(panels, numbers_chart(NUMBERS),
                       params=top_level(_params()),
                       title=alt.TitleParams("Decode step of LLaMA 3-70B on TPU v5e: memory against HBM, and the "
                                             "step's terms", anchor="start"))


def explorers() -> list:
    controls = {"log_batch": list(range(BATCH_EXP[0], BATCH_EXP[1] + 1)),
                "log_ctx": list(range(CONTEXT_EXP[0], CONTEXT_EXP[1] + 1)),
                "weights": list(SERVING_PRECISIONS), "kv_dtype": list(SERVING_PRECISIONS), "chips": list(V5E.slices)}
    return [LiveExplorer(CHAPTER, CHAPTER, "Decode step of LLaMA 3-70B on TPU v5e", _chart, controls, NUMBERS,
                         expected)]
