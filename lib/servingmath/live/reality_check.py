"""Chapter 12 live: one measured decode step of one layer beside its three predictions, in parts, in the page.

The measured points are data (embedded as JSON: each point's median, fastest and slowest run and layer
parameters); every prediction is a printed formula of the point's inputs, at the predictor's constants.
The controls ask for a batch and a context; the page takes the measured point at or below them.
"""

import json

import altair as alt
import sympy as sp

from ..analysis import reality_check as rc
from ..calibration.fit import H100, LLAMA
from ..core import formulas as f
from ..core.precision import bytes_per_element
from ..data.measured import decode_grid
from ..present.reality_check import ROW_LABELS
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider, top_level
from .vega import vega

CHAPTER = "reality-check"
GRID = "bf16, eager (3 runs)"
PARTS = {"kv": "KV read", "weights": "weight read", "beyond": "FLOPs and overlap beyond the reads"}
MEASURED = {"B": Number("batch B", ",.0f", 1, "sequences"), "S": Number("context S", ",.0f", 1, "tokens"),
            "t": Number("median", ",.0f", 1e-6, "µs"), "lo": Number("fastest run", ",.0f", 1e-6, "µs"),
            "hi": Number("slowest run", ",.0f", 1e-6, "µs")}
PREDICTED = {"total": ("step", ",.0f", 1e-6, "µs"), "kv": ("KV read", ",.0f", 1e-6, "µs"),
             "weights": ("weight read", ",.0f", 1e-6, "µs"), "flops": ("FLOPs alone", ",.0f", 1e-6, "µs"),
             "ratio": ("measured", ".2f", 1, "x")}
COLUMNS = {p: {f"{p}_{k}": Number(*v) for k, v in PREDICTED.items()} for p in rc.PREDICTORS}
NUMBERS = {**MEASURED, **{k: v for column in COLUMNS.values() for k, v in column.items()}}


def _points() -> dict:
    """grid -> [(batch, context, median s, fastest s, slowest s, layer parameters)] of its decode grid."""
    out = {}
    for grid, (weights, graphs) in rc.GRIDS.items():
        d = decode_grid(weights, graphs)
        out[grid] = [tuple(float(d[k][i]) for k in ("batch", "context", "time_s", "time_lo_s", "time_hi_s",
                                                       "layer_params")) for i in range(len(d["batch"]))]
    return out


POINTS = _points()


def snap(grid: str, batch: int, context: int) -> tuple:
    """The measured (batch, context) at or below the controls: the largest context, then the largest batch."""
    s = max([p[1] for p in POINTS[grid] if p[1] <= context] or [min(p[1] for p in POINTS[grid])])
    b = max([p[0] for p in POINTS[grid] if p[1] == s and p[0] <= batch] or [min(p[0] for p in POINTS[grid])])
    return int(b), int(s)


def _down(param: str, values: list) -> str:
    """The largest of ``values`` at or below ``param`` (the smallest if none), as a Vega expression."""
    values = sorted(values, reverse=True)
    text = repr(float(values[-1]))
    for v in reversed(values[:-1]):
        text = f"({param} >= {float(v)!r} ? {float(v)!r} : {text})"
    return text


def _by_grid(expression) -> str:
    """A Vega expression choosing ``expression(grid)`` for the grid the control holds."""
    grids = list(rc.GRIDS)
    text = expression(grids[-1])
    for g in reversed(grids[:-1]):
        text = f"(grid === {json.dumps(g)} ? {expression(g)} : {text})"
    return text


def _snap_batch(grid: str) -> str:
    contexts = sorted({p[1] for p in POINTS[grid]}, reverse=True)
    text = _down("batch", [p[0] for p in POINTS[grid] if p[1] == contexts[-1]])
    for s in reversed(contexts[:-1]):
        text = f"(S === {s!r} ? {_down('batch', [p[0] for p in POINTS[grid] if p[1] == s])} : {text})"
    return text


def _constants(predictor: str) -> dict:
    """The predictor's constants at each grid's compute format, as parameters: name -> Vega expression."""
    eff = rc.efficiency(predictor)
    grids = {g: eff.constants(H100, rc._compute(w)) for g, (w, _) in rc.GRIDS.items()}
    keys = ("W_hbm", "C") if predictor != "calibrated" else ("W_hbm", "W_mm", "C", "w_s", "nu")
    return {k: choice("grid", {g: v[k] for g, v in grids.items()}) for k in keys}


def _parts(predictor: str, at: dict) -> dict:
    """The predictor's step parts (``analysis.reality_check.point``) as printed formulas at ``at``."""
    if predictor == "calibrated":
        kv, weights, total = f.kv_load_time_calibrated, f.weight_stream_time, f.step_time_calibrated
    else:
        kv, weights, total = f.kv_load_time, f.param_load_time, f.step_time
    exprs = {"total": total.expr, "kv": kv.expr, "weights": weights.expr, "flops": f.step_flops_time.expr}
    exprs["beyond"] = sp.Max(0, exprs["total"] - exprs["kv"] - exprs["weights"])   # StepParts.beyond_reads
    return {k: vega(e, at) for k, e in exprs.items()}


def _names(predictor: str, B: str, S: str, P: str) -> dict:
    own = {k: f"{predictor}_{k}" for k in ("W_hbm", "W_mm", "C", "w_s", "nu")}
    return {"B": B, "S": S, "P": P, "N": "1", "K": repr(float(LLAMA.kv_heads)), "kv": "kv", "b_w": "b_w", **own}


def _params() -> list:
    data = {f"{g}|{p[0]:.0f}|{p[1]:.0f}": list(p[2:]) for g, points in POINTS.items() for p in points}
    params = [select("grid", "data", list(rc.GRIDS), GRID),
              select("context", "context S (tokens)", list(rc.CONTEXTS), 32768),
              slider("batch", "batch B (sequences)", rc.BATCHES[0], rc.BATCHES[-1], 4),
              alt.param(name="points", value=data),
              derived("kv", repr(float(rc.layer_kv_per_token())), {}),
              derived("b_w", choice("grid", {g: bytes_per_element(w) for g, (w, _) in rc.GRIDS.items()}), {}),
              derived("S", _by_grid(lambda g: _down("context", [p[1] for p in POINTS[g]])), {}),
              derived("B", _by_grid(_snap_batch), {}),
              derived("point", "points[grid + '|' + B + '|' + S]", {}),
              derived("t", "point[0]", {}), derived("lo", "point[1]", {}), derived("hi", "point[2]", {}),
              derived("P", "point[3]", {})]
    for predictor in rc.PREDICTORS:
        params += [derived(f"{predictor}_{k}", v, {}) for k, v in _constants(predictor).items()]
        params += [derived(f"{predictor}_{k}", v, {}) for k, v in _parts(predictor, _names(predictor, "B", "S", "P")).items()]
        params.append(derived(f"{predictor}_ratio", f"t / {predictor}_total", {}))
    return params


def _bars():
    """The three predictions as stacked parts, and the measured step with its range over the runs."""
    rows = [{"row": ROW_LABELS[p], "p": p, "part": label, "k": k, "order": i}
            for p in rc.PREDICTORS for i, (k, label) in enumerate(PARTS.items())]
    start = {"kv": "0", "weights": "{p}_kv", "beyond": "{p}_kv + {p}_weights"}
    x0 = x1 = "0"
    for k, s in start.items():
        stop = {"kv": "{p}_kv", "weights": "{p}_kv + {p}_weights", "beyond": "{p}_kv + {p}_weights + {p}_beyond"}[k]
        for p in rc.PREDICTORS:
            x0 = f"(datum.k === '{k}' && datum.p === '{p}' ? {s.format(p=p)} : {x0})"
            x1 = f"(datum.k === '{k}' && datum.p === '{p}' ? {stop.format(p=p)} : {x1})"
    order = [ROW_LABELS[k] for k in (*rc.PREDICTORS, "measured")]
    y = alt.Y("row:N", sort=order, title=None)
    parts = alt.Chart(alt.Data(values=rows)).transform_calculate(x0=f"1e6 * {x0}", x1=f"1e6 * {x1}").mark_bar().encode(
        x=alt.X("x0:Q", title="time of one layer's decode step (µs)"), x2="x1:Q", y=y,
        color=alt.Color("part:N", sort=list(PARTS.values()), legend=alt.Legend(orient="bottom", title=None,
                                                                                  columns=2, labelLimit=300)))
    one = alt.Chart(alt.Data(values=[{"row": ROW_LABELS["measured"]}])).transform_calculate(
        t="1e6 * t", lo="1e6 * lo", hi="1e6 * hi")
    measured = one.mark_bar(color="#666").encode(x="t:Q", y=y)
    whisker = one.mark_rule(color="black", strokeWidth=2).encode(x="lo:Q", x2="hi:Q", y=y)
    title = alt.TitleParams(text=alt.expr("[grid + ': B = ' + format(B, ',') + ', S = ' + format(S, ','), "
                                          "'(the measured point at or below B = ' + batch + ', S = ' + "
                                          "format(context, ',') + ')']"), anchor="start", fontSize=12)
    return alt.layer(parts, measured, whisker).properties(width=290, height=170, title=title)


def _map():
    """measured / calibrated over the grid (the chapter's map), the point marked."""
    rows = [{"g": g, "B": p[0], "S": p[1], "t": p[2], "P": p[5]} for g, points in POINTS.items() for p in points]
    at = _names("calibrated", "datum.B", "datum.S", "datum.P")
    base = alt.Chart(alt.Data(values=rows)).transform_filter("datum.g === grid").transform_calculate(
        ratio=f"datum.t / ({_parts('calibrated', at)['total']})", here="datum.B === B && datum.S === S")
    x = alt.X("B:O", sort=list(map(float, rc.BATCHES)), title="batch B (sequences)")
    y = alt.Y("S:O", sort="descending", title="context S (tokens)")
    color = alt.Color("ratio:Q", scale=alt.Scale(type="log", scheme="redblue", reverse=True, domain=[0.5, 2],
                                                 clamp=True), legend=alt.Legend(title=None, orient="bottom", gradientLength=200, values=[0.5, 0.71, 1, 1.41, 2]))
    cells = base.mark_rect().encode(x=x, y=y, color=color, tooltip=["B:Q", "S:Q", alt.Tooltip("ratio:Q", format=".2f")])
    mark = base.transform_filter("datum.here").mark_rect(fill=None, stroke="black", strokeWidth=2.5).encode(x=x, y=y)
    return alt.layer(cells, mark).properties(width=200, height=170, title="measured / calibrated model")


def expected(grid: str, context: int, batch: int) -> dict:
    """The page's numbers for a state of its controls, from the Python library."""
    b, s = snap(grid, batch, context)
    d = rc.point(grid, b, s)
    out = {"B": b, "S": s, "t": d.measured, "lo": d.low, "hi": d.high}
    for p, parts in d.parts.items():
        out |= {f"{p}_total": parts.total, f"{p}_kv": parts.kv_read, f"{p}_weights": parts.weight_read,
                f"{p}_flops": parts.flops, f"{p}_ratio": d.ratio(p)}
    return out


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    columns = [numbers_chart(MEASURED, width=160).properties(title="the measured point")]
    columns += [numbers_chart(COLUMNS[p], width=140).properties(title=ROW_LABELS[p]) for p in rc.PREDICTORS]
    return alt.vconcat(alt.hconcat(_bars(), _map()).resolve_scale(color="independent"),
                       alt.hconcat(*columns, spacing=8),
                       params=top_level(_params()),
                       title="One measured decode step (the point at or below the controls) and its predictions, in parts")


def explorers() -> list:
    controls = {"grid": list(rc.GRIDS), "context": list(rc.CONTEXTS), "batch": list(range(1, rc.BATCHES[-1] + 1))}
    return [LiveExplorer(CHAPTER, CHAPTER, "One measured decode step, decomposed", _chart, controls, NUMBERS,
                         expected)]
