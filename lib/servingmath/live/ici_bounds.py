"""Chapter 08 live: which of FLOPs, HBM and ICI bounds a model-parallel matmul, and a decode step's collectives."""

import inspect

import altair as alt
import sympy as sp

from ..analysis.doubling_topology import at_max_batch, model_parallel_slices
from ..analysis.ici_bounds import ACTIVATIONS, BATCHES, LLAMA, V5E, WRAPAROUND, ici_case
from ..core import formulas as f
from ..core.precision import SERVING_PRECISIONS, bytes_per_element
from ..core.symbols import t_hop
from ..present.ici_bounds import BARS
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider, top_level
from .vega import vega

CHAPTER = "ici-bounds"
CONTEXT = inspect.signature(ici_case).parameters["context"].default
SLICES = model_parallel_slices(V5E)
BATCH = (1, 1024)
MATMUL = {"t_math": Number("FLOPs per matmul", ",.3f", 1e-6, "µs"),
          "t_hbm": Number("weight read per matmul", ",.3f", 1e-6, "µs"),
          "t_hbm_kv": Number("weights + KV per collective", ",.3f", 1e-6, "µs"),
          "t_ici": Number("ICI per matmul", ",.3f", 1e-6, "µs"),
          "w_c": Number("a collective's links W_c", ",.0f", 1e9, "GB/s"),
          "hops": Number("a collective takes", ",.0f", 1, "hops"),
          "y_flops": Number("Y_FLOPs", ",.1f", 1, "chips"), "y_hbm": Number("Y_HBM", ",.1f", 1, "chips"),
          "y_hbm_kv": Number("Y_HBM+KV", ",.1f", 1, "chips"),
          "y_threshold": Number("ICI binds beyond (weights)", ",.1f", 1, "chips"),
          "y_threshold_kv": Number("ICI binds beyond (weights + KV)", ",.1f", 1, "chips")}
STEP = {"step_flops": Number("step's matmul FLOPs", ",.2f", 1e-3, "ms"),
        "step_params": Number("weight read", ",.2f", 1e-3, "ms"),
        "step_kv": Number("KV-cache read", ",.2f", 1e-3, "ms"),
        "step_time": Number("roofline step", ",.2f", 1e-3, "ms"),
        "step_ici": Number(f"ICI, {f.ICI_COLLECTIVES_PER_LAYER * LLAMA.layers} collectives", ",.2f", 1e-3, "ms"),
        "t_coll": Number("one collective", ",.2f", 1e-6, "µs"),
        "latency": Number("hop latency's share of it", ",.0f", 0.01, "%"),
        "counted": Number("step, collectives counted", ",.2f", 1e-3, "ms"),
        "overlapped": Number("step, collectives overlapped", ",.2f", 1e-3, "ms")}
NUMBERS = {**MATMUL, **STEP}
#: Each formula symbol → the page's parameter (Y = N = the slice; W_c already sums the axes' links, so M = 1).
NAMES = {"B": "batch", "Y": "chips", "N": "chips", "M": "1", "W_ici": "w_c", "W_c": "w_c", "n_hop": "hops",
         "C": "h_C", "W_hbm": "h_W", "t_hop": "h_t", "D": "m_D", "F": "m_F", "L": "m_L", "P": "m_P", "K": "m_K",
         "H": "m_H", "S": "ctx", "b_a": "b_a", "b_w": "b_w", "b_kv": "b_w", "kv": "kv", "T_step": "step_time",
         "T_ici": "step_ici"}
CURVE = {**NAMES, "B": "datum.B"}
LINK = "chips + '/' + mesh_axes + '/' + wraparound"
SERIES = ("Y_FLOPs", "Y_HBM (weights)", "Y_HBM+KV")
BAR_COLORS = ("#ff7f0e", "#1f77b4", "#9ecae1", "#d62728")
BOUND_BAR = "(t_math >= t_hbm && t_math >= t_ici ? 0 : (t_hbm >= t_ici ? 1 : 3))"   # as ``IciCase.matmul_bound``


def _links(field: str) -> str:
    """A field of ``ici_case`` for each slice, mesh axes and wraparound, picked by the controls."""
    cases = {f"{n}/{m}/{w}": getattr(ici_case(1, n, m, w, CONTEXT), field)
             for n in SLICES for m in (1, 2) for w in WRAPAROUND}
    return choice("link", cases)


def _params() -> list:
    case = ici_case(1, SLICES[0], 1, WRAPAROUND[0], CONTEXT)
    const = {"h_C": V5E.flops_bf16, "h_W": V5E.hbm_bw, "h_t": case.t_hop, "m_D": LLAMA.d_model, "m_F": LLAMA.d_ff,
             "m_L": LLAMA.layers, "m_P": LLAMA.decode_param_count, "m_K": LLAMA.kv_heads, "m_H": LLAMA.head_dim,
             "ctx": CONTEXT, "b_a": bytes_per_element(ACTIVATIONS)}
    coll = f.collective_time.expr
    formulas = {"kv": f.kv_bytes_per_token, "t_math": f.ici_time_math, "t_hbm": f.ici_time_hbm,
                "t_hbm_kv": f.ici_time_hbm_kv, "t_ici": f.ici_time_comms, "y_flops": f.ici_flops_bound,
                "y_hbm": f.ici_hbm_bound, "y_hbm_kv": f.ici_hbm_kv_bound,
                "y_threshold": sp.Max(f.ici_flops_bound.expr, f.ici_hbm_bound.expr),
                "y_threshold_kv": sp.Max(f.ici_flops_bound.expr, f.ici_hbm_kv_bound.expr),
                "step_flops": f.step_flops_time, "step_params": f.param_load_time, "step_kv": f.kv_load_time,
                "step_time": f.step_time, "step_ici": f.ici_step_time_comms, "t_coll": f.collective_time,
                "latency": (coll - coll.subs(t_hop, 0)) / coll, "counted": f.step_time_ici,
                "overlapped": f.step_time_ici_overlap}
    return [
        slider("batch", "batch B", *BATCH, at_max_batch(32, "bf16", CONTEXT).batch),
        select("chips", "chips Y", SLICES, 32), select("mesh_axes", "mesh axes M", [1, 2], 2),
        select("wraparound", "wraparound", list(WRAPAROUND), "slice"),
        select("weights", "weights = KV", list(SERVING_PRECISIONS), "bf16"),
        *(derived(name, repr(float(value)), {}) for name, value in const.items()),
        derived("b_w", choice("weights", {d: bytes_per_element(d, "weights") for d in SERVING_PRECISIONS}), {}),
        derived("link", LINK, {}), derived("w_c", _links("w_ici"), {}), derived("hops", _links("hops"), {}),
        derived("wrap", _links("wraparound"), {}),
        derived("sh_a", choice("chips", {n: V5E.shape(n)[0] for n in SLICES}), {}),
        derived("sh_b", choice("chips", {n: V5E.shape(n)[1] for n in SLICES}), {}),
        *(derived(name, formula, NAMES) for name, formula in formulas.items()),
    ]


def _bars():
    """The four times of one matmul in µs, the binding one outlined."""
    times = " : ".join(f"datum.i === {i} ? {name}" for i, name in enumerate(("t_math", "t_hbm", "t_hbm_kv")))
    rows = alt.Data(values=[{"i": i, "bar": label} for i, label in enumerate(BARS)])
    base = alt.Chart(rows).transform_calculate(us=f"({times} : t_ici) * 1e6", bound=f"datum.i === {BOUND_BAR}")
    x = alt.X("bar:N", sort=list(BARS), title=None, axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, '\\n')"))
    bars = base.mark_bar().encode(
        x=x, y=alt.Y("us:Q", title="time per matmul (µs)"),
        color=alt.Color("bar:N", scale=alt.Scale(domain=list(BARS), range=list(BAR_COLORS)), legend=None),
        stroke=alt.condition("datum.bound", alt.value("black"), alt.value(None)),
        strokeWidth=alt.condition("datum.bound", alt.value(2), alt.value(0)))
    labels = base.mark_text(dy=-6, fontSize=11).encode(x=x, y="us:Q", text=alt.Text("us:Q", format=",.3~f"))
    return alt.layer(bars, labels).properties(width=260, height=210, title="per matmul; outlined: the slowest")


def _bounds():
    """Y_FLOPs, Y_HBM and Y_HBM+KV over the batch, the slice's chips and the current point."""
    base = alt.Chart(alt.Data(values=[{"B": float(b)} for b in BATCHES])).transform_calculate(
        **{SERIES[0]: "y_flops", SERIES[1]: vega(f.ici_hbm_bound, CURVE), SERIES[2]: vega(f.ici_hbm_kv_bound, CURVE)}
    ).transform_fold(list(SERIES), as_=["bound", "Y"])
    x = alt.X("B:Q", scale=alt.Scale(type="log", base=2), title="batch B (sequences)",
              axis=alt.Axis(values=[4**i for i in range(6)], format=","))
    y = alt.Y("Y:Q", scale=alt.Scale(type="log"), title="chips Y where ICI catches up")
    colors = alt.Scale(domain=list(SERIES), range=[BAR_COLORS[0], BAR_COLORS[1], BAR_COLORS[1]])
    lines = base.mark_line().encode(
        x=x, y=y, color=alt.Color("bound:N", scale=colors, legend=alt.Legend(title=None, orient="bottom-left")),
        strokeDash=alt.StrokeDash("bound:N", scale=alt.Scale(domain=list(SERIES), range=[[1, 0], [1, 0], [5, 3]]),
                                  legend=None))
    here = alt.Chart(alt.Data(values=[{}])).transform_calculate(B="batch", Y="chips")
    rule = here.mark_rule(color="black", strokeDash=[2, 2]).encode(y="Y:Q")
    point = here.mark_point(filled=True, size=60, color="black").encode(x="B:Q", y="Y:Q")
    return alt.layer(lines, rule, point).properties(
        width=260, height=210, title="ICI binds above orange and blue; dotted: Y = the slice's chips")


def _verdict():
    """The line the kernel explorer's titles give: the slice, and what bounds a matmul and the step."""
    matmul = f"({BOUND_BAR} === 0 ? 'FLOPs' : ({BOUND_BAR} === 1 ? 'HBM' : 'ICI'))"
    step = "(step_ici > step_time ? 'ICI' : (step_params >= step_flops ? 'HBM' : 'FLOPs and KV read'))"
    text = (f"'B = ' + batch + ', Y = ' + chips + ' (' + sh_a + 'x' + sh_b + '), M = ' + mesh_axes + ', ' + "
            f"(wrap ? 'wraparound' : 'no wraparound') + ': ' + {matmul} + '-bound per matmul; the step is ' + "
            f"{step} + '-bound'")
    return alt.Chart(alt.Data(values=[{}])).transform_calculate(line=text).mark_text(
        align="left", fontSize=13, fontWeight="bold").encode(x=alt.value(0), text="line:N").properties(
        width=620, height=20)


def expected(batch: int, chips: int, mesh_axes: int, wraparound: str, weights: str) -> dict:
    """The page's numbers for a state of its controls, from the Python library."""
    c = ici_case(batch, chips, mesh_axes, wraparound, CONTEXT, weights)
    values = {name: getattr(c, name) for name in NUMBERS if hasattr(c, name)}
    return {**values, "w_c": c.w_ici, "latency": c.latency_share, "counted": c.step_counted,
            "overlapped": c.step_overlapped}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    figure = alt.hconcat(_bars(), _bounds()).resolve_scale(color="independent", strokeDash="independent")
    numbers = alt.hconcat(numbers_chart(MATMUL, width=310), numbers_chart(STEP, width=310))
    return alt.vconcat(figure, _verdict(), numbers,
                       params=top_level(_params()),
                       title=f"Which of FLOPs, HBM and ICI bounds a matmul: {LLAMA.name} on {V5E.label}, context {CONTEXT:,}")


def explorers() -> list:
    controls = {"batch": list(range(BATCH[0], BATCH[1] + 1)), "chips": SLICES, "mesh_axes": [1, 2],
                "wraparound": list(WRAPAROUND), "weights": list(SERVING_PRECISIONS)}
    return [LiveExplorer(CHAPTER, CHAPTER, "Which of FLOPs, HBM and ICI bounds a matmul", _chart, controls, NUMBERS,
                         expected)]
