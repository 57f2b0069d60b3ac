"""Chapter 13 live: an MoE decode step on the smallest slice that holds it, and its weight read over the batch.

Every number is a printed formula at the model's, chip's and format's preset values; the smallest slice is
the printed ``min_chips_seq`` unrolled over the chip's valid slices; only the MoE critical batch, which has
no closed form (the library finds it numerically), is embedded as data.
"""


import altair as alt
import sympy as sp

from ..analysis import beyond_dense as bd
from ..analysis.plan import DEFAULT_RESERVE, reserve_bytes
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS
from ..core.precision import bytes_per_element
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider, switch, top_level
from .vega import vega

CHAPTER = "beyond-dense"
KV_DTYPE = "bf16"
WEIGHTS = ("bf16", "fp8", "int8", "int4")
CONTEXT_EXP, BATCH_EXP = (9, 17), (0, 14)
READ_STEPS = 4   # points per doubling of the weight-read curve
MODELS = bd.MOE_MODELS


MS = (",.3f", 1e-3, "ms")
NUMBERS = {"n": Number("chips", ",.0f", 1, "(the smallest slice)", missing="does not fit"),
           "touched": Number("experts touched per MoE layer", ",.1f", 1, "experts"),
           "share": Number("share of the layer's experts", ".1%", 1, "touched"),
           "read": Number("weights read per step", ",.1f", 1e9, "GB"),
           "all": Number("every text weight", ",.1f", 1e9, "GB"),
           "active": Number("active weights only", ",.1f", 1e9, "GB"),
           "dense": Number("outside the experts", ",.1f", 1e9, "GB"),
           "t_kv": Number("KV read", *MS, missing="does not fit"), "t_w": Number("weight read", *MS, missing="does not fit"),
           "t_flops": Number("FLOPs", *MS, missing="does not fit"), "t_ici": Number("ICI", *MS, missing="does not fit"),
           "t_step": Number("step", *MS, missing="does not fit"),
           "crit": Number("critical batch", ",.0f", 1, "sequences"),
           "crit_dense": Number("a dense model's", ",.0f", 1, "sequences"),
           "crit_ratio": Number("MoE over dense", ",.1f", 1, "x")}
ROUTING = {"L_e": "m_Le", "P_e": "m_Pe", "E": "m_E", "k": "m_k", "P_dense": "m_Pd"}
AT = {**ROUTING, "B": "batch", "S": "ctx", "b_w": "b_w", "C": "C", "W_hbm": "W_hbm", "N": "n", "kv_seq": "kv_seq",
      "HBM": "HBM", "P": "m_P", "D": "m_D", "L": "m_L", "L_w": "m_Lw", "S_w": "m_Sw", "kv": "m_kvt",
      "b_a": "b_a", "W_c": "W_c", "n_hop": "n_hop", "t_hop": "t_hop"}


def _model_constants() -> dict:
    """Page parameter -> {model: value}: the routing symbols, the parameter counts, the KV cache's shape."""
    out = {ROUTING[k]: {n: m.routing_symbols[k] for n, m in MODELS.items()} for k in ROUTING}
    fields = {"m_P": "param_count", "m_Pread": "readable_param_count", "m_Pdec": "decode_param_count",
              "m_Pdn": "dense_param_count", "m_D": "d_model", "m_L": "layers", "m_Lw": "window_layers",
              "m_Sw": "window"}
    out |= {p: {n: getattr(m, a) for n, m in MODELS.items()} for p, a in fields.items()}
    out["m_kvt"] = {n: m.kv_bytes_per_token(KV_DTYPE) for n, m in MODELS.items()}
    return out


def _slice(chip) -> str:
    """The smallest valid slice of ``chip`` holding n_min chips (``Chip.smallest_slice``), -1 if none."""
    text = (vega(chip.slice_step * sp.ceiling(f.min_chips_seq.expr / chip.slice_step), AT) if chip.slice_step
            else "-1")
    for size in reversed(chip.slices):
        text = f"(n_min <= {size} ? {size} : {text})"
    return text


def _links(chip, which: int) -> str:
    """W_c (``which`` 0) or n_hop (1) of the collectives on each valid slice of ``chip`` (``Chip.collective_links``)."""
    sizes = list(chip.slices) + ([2 * chip.slices[-1]] if chip.slice_step else [])  # beyond: whole nodes alike
    text = repr(float(chip.collective_links(sizes[-1], chip.mesh_axes(sizes[-1]))[which]))
    for size in reversed(sizes[:-1]):
        text = f"(n === {size} ? {float(chip.collective_links(size, chip.mesh_axes(size))[which])!r} : {text})"
    return text


def _critical() -> dict:
    """The MoE critical batch of each model, chip and format (found numerically by the library)."""
    return {f"{n}|{c}|{w}": bd.critical_batch(m, chip, w).moe
            for n, m in MODELS.items() for c, chip in CHIPS.items() for w in WEIGHTS}


def _params() -> list:
    per_chip = lambda value: {c: value(chip) for c, chip in CHIPS.items()}
    fit = lambda formula: f"(n < 0 ? -1 : {vega(formula, AT)})"
    return [
        select("model", "model", list(MODELS), bd.DEEPSEEK.name),
        select("chip", "chip", list(CHIPS), bd.H200.name),
        select("weights", "weights", list(WEIGHTS), "fp8"),
        slider("log_ctx", "context S (log2 tokens)", *CONTEXT_EXP, 13),
        slider("log_batch", "batch B (log2 sequences)", *BATCH_EXP, 6),
        alt.param(name="criticals", value=_critical()),
        *[derived(p, choice("model", values), {}) for p, values in _model_constants().items()],
        derived("b_w", choice("weights", {w: bytes_per_element(w, "weights") for w in WEIGHTS}), {}),
        derived("b_a", choice("weights", {w: bytes_per_element(bd.compute_for(w), "compute") for w in WEIGHTS}), {}),
        derived("W_hbm", choice("chip", per_chip(lambda c: c.hbm_bw)), {}),
        derived("HBM", choice("chip", per_chip(lambda c: c.hbm_bytes - reserve_bytes(c, DEFAULT_RESERVE))), {}),
        derived("t_hop", choice("chip", per_chip(lambda c: c.ici_hop_latency or 0.0)), {}),
        derived("C", switch("chip", per_chip(lambda c: choice("weights", {w: c.flops(bd.compute_for(w))
                                                                       for w in WEIGHTS}))), {}),
        derived("ctx", "pow(2, log_ctx)", {}), derived("batch", "pow(2, log_batch)", {}),
        derived("kv_seq", f.kv_bytes_per_sequence_windowed, AT),
        derived("n_min", f.min_chips_seq, AT),
        derived("n", switch("chip", per_chip(_slice)), {}),
        derived("W_c", switch("chip", per_chip(lambda c: _links(c, 0))), {}),
        derived("n_hop", switch("chip", per_chip(lambda c: _links(c, 1))), {}),
        derived("touched", f.experts_touched, AT), derived("share", "touched / m_E", {}),
        derived("read", f.weight_bytes_read, AT),
        derived("all", f.param_bytes, {"P": "m_Pread", "b_w": "b_w"}),
        derived("active", f.param_bytes, {"P": "m_Pdec", "b_w": "b_w"}),
        derived("dense", f.param_bytes, {"P": "m_Pdn", "b_w": "b_w"}),
        derived("t_kv", fit(f.kv_load_time_seq), {}), derived("t_w", fit(f.weight_read_time), {}),
        derived("t_flops", fit(f.step_flops_time_moe), {}),
        derived("t_ici", fit(f.ici_step_time_comms), {}),
        derived("t_step", f"(n < 0 ? -1 : {vega(f.step_time_ici, {'T_step': vega(f.step_time_moe, AT), 'T_ici': 't_ici'})})", {}),
        derived("crit", "criticals[model + '|' + chip + '|' + weights]", {}),
        derived("crit_dense", f.critical_batch, AT), derived("crit_ratio", "crit / crit_dense", {}),
        derived("bound", "n < 0 ? '' : n > 1 && t_ici > t_step - t_ici ? 'ICI' : batch > crit ? 'compute' : 'memory'",
                {}),
    ]


def _read():
    """The weight bytes a step reads over the batch, the dense models' flat lines, the point, the critical batch."""
    k = alt.sequence(BATCH_EXP[0] * READ_STEPS, BATCH_EXP[1] * READ_STEPS + 1, as_="k")
    at = {**AT, "B": "datum.x"}
    base = alt.Chart(k).transform_calculate(x=f"pow(2, datum.k / {READ_STEPS})").transform_calculate(
        gb=f"({vega(f.weight_bytes_read, at)}) / 1e9", all="all / 1e9", active="active / 1e9")
    x = alt.X("x:Q", scale=alt.Scale(type="log", base=2), title="batch B (sequences per step)",
              axis=alt.Axis(values=[2**e for e in range(BATCH_EXP[0], BATCH_EXP[1] + 1, 2)], format=","))
    y = alt.Y("gb:Q", scale=alt.Scale(type="log"), title="weights read per step (GB)")
    one = alt.Chart(alt.Data(values=[{}])).transform_calculate(x="batch", gb="read / 1e9", c="crit")
    return alt.layer(
        base.mark_line(strokeWidth=2.5).encode(x=x, y=y),
        base.mark_line(color="#c03", strokeDash=[6, 3]).encode(x=x, y="all:Q"),
        base.mark_line(color="#777", strokeDash=[2, 2]).encode(x=x, y="active:Q"),
        one.mark_rule(color="#e67e00", strokeDash=[6, 2, 2, 2]).encode(x="c:Q"),
        one.mark_point(filled=True, size=70, color="#1f77b4").encode(x=x, y=y),
    ).properties(width=260, height=200, title=alt.TitleParams(
        text=alt.expr("[model + ', weights in ' + weights, 'dense, same size (red); same FLOPs (grey); "
                      "MoE critical batch (orange)']"), fontSize=11, anchor="start"))


def _parts():
    """The step's parts: weight read and FLOPs overlap, the KV read and the collectives add to the larger."""
    rows = [{"row": r, "i": i} for i, r in enumerate(("weight read", "matmul FLOPs", "KV read", "ICI", "step"))]
    top = "max(t_w, t_flops)"
    x0 = f"[0, 0, {top}, {top} + t_kv, 0][datum.i]"
    x1 = f"[t_w, t_flops, {top} + t_kv, t_step, t_step][datum.i]"
    bars = alt.Chart(alt.Data(values=rows)).transform_filter("n > 0").transform_calculate(
        x0=f"1e3 * {x0}", x1=f"1e3 * {x1}", faded="(datum.i === 0 && t_flops > t_w) || (datum.i === 1 && t_w >= t_flops)")
    title = alt.expr("n < 0 ? ['does not fit on any ' + chip + ' slice'] : [format(t_step * 1e3, ',.3f') + ' ms per "
                     "step (' + bound + '-bound)', 'at B = ' + format(batch, ',') + ' on ' + n + ' chips']")
    return bars.mark_bar().encode(
        x=alt.X("x0:Q", title="milliseconds per decode step"), x2="x1:Q",
        y=alt.Y("row:N", sort=[r["row"] for r in rows], title=None),
        color=alt.Color("row:N", sort=[r["row"] for r in rows], legend=None,
                        scale=alt.Scale(range=["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#444"])),
        opacity=alt.condition("datum.faded", alt.value(0.35), alt.value(1.0)),
    ).properties(width=200, height=200, title=alt.TitleParams(text=title, fontSize=11, anchor="start"))


def expected(model: str, chip: str, weights: str, log_ctx: int, log_batch: int) -> dict:
    """The page's numbers for a state of its controls, from the Python library (-1: no slice holds the step)."""
    m, c, context, batch = MODELS[model], CHIPS[chip], 2**log_ctx, 2**log_batch
    b_w = bytes_per_element(weights, "weights")
    crit = bd.critical_batch(m, c, weights)
    out = {"n": -1, "touched": bd.experts_touched(m, batch), "read": bd.weight_bytes_read(m, weights, batch),
           "all": f.param_bytes(P=bd.text_params(m), b_w=b_w), "active": f.param_bytes(P=m.decode_param_count, b_w=b_w),
           "dense": f.param_bytes(P=m.dense_param_count, b_w=b_w),
           "t_kv": -1, "t_w": -1, "t_flops": -1, "t_ici": -1, "t_step": -1,
           "crit": crit.moe, "crit_dense": crit.dense, "crit_ratio": crit.ratio}
    out["share"] = out["touched"] / m.experts
    usable = c.hbm_bytes - reserve_bytes(c, DEFAULT_RESERVE)
    n_min = f.min_chips_seq(B=batch, HBM=usable, P=m.param_count, b_w=b_w,
                            kv_seq=m.kv_bytes_per_sequence(context, KV_DTYPE))
    if c.smallest_slice(n_min) is not None:
        r = bd.decode_step(m, c, weights, context, batch, KV_DTYPE)
        out |= {"n": r.chips, "read": r.read_at, "t_kv": r.kv_time, "t_w": r.weight_time, "t_flops": r.flops_time,
                "t_ici": r.ici_time, "t_step": r.step_time}
    return {name: out[name] for name in NUMBERS}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    left = dict(list(NUMBERS.items())[:7])
    right = dict(list(NUMBERS.items())[7:])
    return alt.vconcat(alt.hconcat(_read(), _parts()),
                       alt.hconcat(numbers_chart(left, width=330), numbers_chart(right, width=250)),
                       params=top_level(_params()),
                       title="An MoE decode step: the weights it reads over the batch, and its parts")


def explorers() -> list:
    controls = {"model": list(MODELS), "chip": list(CHIPS), "weights": list(WEIGHTS),
                "log_ctx": list(range(CONTEXT_EXP[0], CONTEXT_EXP[1] + 1)),
                "log_batch": list(range(BATCH_EXP[0], BATCH_EXP[1] + 1))}
    return [LiveExplorer(CHAPTER, CHAPTER, "MoE weight read and decode step", _chart, controls, NUMBERS, expected)]
