"""Chapter 01 live: what a chip-hour buys (FLOPs and HBM bytes per dollar against TPU v5e) and the cost of a million
tokens at a price, a utilisation and a rate, in the page.

Each chip's default price (the source's, or the price that ties v5e on FLOPs/$) and its chapter 03 workload (batch
32, 8k, int8 on its smallest slice: a plan with its collectives, which the page cannot search) are the library's
values, embedded per chip; everything else is a printed formula.
"""

import json
import math

import altair as alt
import sympy as sp

from ..analysis import hardware_choice as hc
from ..core import formulas as f
from ..core.symbols import B, C, N, T_step, W_hbm, c
from . import LiveExplorer, Number, choice, derived, numbers_chart, slider, top_level
from .vega import vega

CHAPTER = "hardware-choice"
PRICES = [round(0.1 + 0.05 * i, 2) for i in range(399)]         # $0.10 ... $20.00 per chip-hour
BUSY = [round(0.05 * i, 2) for i in range(1, 21)]                # 5% ... 100%
LOG_RATES = [round(1 + 0.01 * i, 2) for i in range(401)]         # 10 ... 100,000 tokens/s/chip
REF = hc.REFERENCE
POINTS = {chip.name: hc.operating_points(chip) for chip in hc.TABLE}
COST = dict(format=",.4f", scale=1, unit="$ per million tokens")
NUMBERS = {"price0": Number("default price (the source's, or the tie with v5e on FLOPs/$)", ",.2f", 1, "$/chip-hour"),
           "fpd": Number("FLOPs per dollar", ",.1f", 1e15, "PFLOP"),
           "fpd_x": Number("FLOPs per dollar against v5e", ",.2f", 1, "x"),
           "bpd": Number("HBM bytes per dollar", ",.1f", 1e12, "TB"),
           "bpd_x": Number("HBM bytes per dollar against v5e", ",.2f", 1, "x"),
           "rate": Number("your rate", ",.0f", 1, "tokens/s/chip"),
           "cost": Number("cost at your rate", **COST),
           "ceiling": Number("compute ceiling C/(2P)", ",.0f", 1, "tokens/s/chip"),
           "ceiling_cost": Number("cost at the ceiling", **COST),
           "w_chips": Number("chapter 3 workload (B = 32, 8k, int8): smallest slice", ",.0f", 1, "chips"),
           "w_rate": Number("chapter 3 workload", ",.0f", 1, "tokens/s/chip"),
           "w_cost": Number("cost at the chapter 3 workload", **COST)}
COLORS = {"curve": "#1f77b4", "beyond": "#999999", "ceiling": "#d62728", "workload": "#2ca02c",
          "flops": "#ff7f0e", "bytes": "#9467bd"}


def _names(values: dict) -> str:
    """A Vega expression that picks the string ``values[chip]`` for the chip selected."""
    items = list(values.items())
    text = json.dumps(items[-1][1])
    for option, value in reversed(items[:-1]):
        text = f"(chip === {json.dumps(option)} ? {json.dumps(value)} : {text})"
    return text


def _against_reference(formula, rate: str, names: dict) -> str:
    """A per-dollar metric over the reference chip's at its price (``ref_price``): the formula over itself."""
    ref = {C: "C_ref", W_hbm: "C_ref", c: "c_ref"}
    ratio = formula.expr / formula.expr.subs({s: sp.Symbol(name) for s, name in ref.items()})
    return vega(ratio, {**names, "C_ref": rate, "c_ref": "ref_price"})


def _params() -> list:
    per_chip = lambda value: choice("chip", {chip.name: value(chip) for chip in hc.TABLE})
    ceiling = f.tokens_per_s_per_chip.expr.subs(T_step, f.step_flops_time.expr).subs({B: 1, N: 1})
    cost = lambda r: vega(f.cost_per_million_tokens, {"U": "U", "c": "price", "r": r})
    return [
        alt.param(name="chip", value=REF.name, bind=alt.binding_select(
            options=[chip.name for chip in hc.TABLE], labels=[chip.label for chip in hc.TABLE], name="chip")),
        slider("price", "price $/chip-hour", PRICES[0], PRICES[-1], hc.default_price(REF), step=0.05),
        slider("U", "utilisation U", BUSY[0], BUSY[-1], 1.0, step=0.05),
        slider("log_rate", "tokens/s/chip (log10)", LOG_RATES[0], LOG_RATES[-1],
               round(math.log10(POINTS[REF.name].workload), 2), step=0.01),
        derived("c_C", per_chip(lambda chip: chip.flops_bf16), {}),
        derived("c_W", per_chip(lambda chip: chip.hbm_bw), {}),
        derived("price0", per_chip(hc.default_price), {}),
        derived("w_rate", per_chip(lambda chip: POINTS[chip.name].workload), {}),
        derived("w_chips", per_chip(lambda chip: POINTS[chip.name].workload_chips), {}),
        derived("ref_price", f"chip === {json.dumps(REF.name)} ? price : {REF.price_per_hour!r}", {}),
        derived("rate", "pow(10, log_rate)", {}),
        derived("fpd", f.flops_per_dollar, {"C": "c_C", "c": "price"}),
        derived("bpd", f.bytes_per_dollar, {"W_hbm": "c_W", "c": "price"}),
        derived("fpd_x", _against_reference(f.flops_per_dollar, repr(REF.flops_bf16), {"C": "c_C", "c": "price"}), {}),
        derived("bpd_x", _against_reference(f.bytes_per_dollar, repr(REF.hbm_bw), {"W_hbm": "c_W", "c": "price"}), {}),
        derived("ceiling", ceiling, {"C": "c_C", "P": repr(float(hc.MODEL.param_count))}),
        derived("cost", cost("rate"), {}), derived("ceiling_cost", cost("ceiling"), {}),
        derived("w_cost", cost("w_rate"), {}),
    ]


def _cost():
    """$ per million tokens against tokens/s/chip (beyond the compute ceiling: unreachable), the compute ceiling,
    the chapter 03 workload and the reader's rate."""
    curve = alt.Chart(alt.Data(values=[{"r": float(r)} for r in hc.RATES])).transform_calculate(
        cost=vega(f.cost_per_million_tokens, {"U": "U", "c": "price", "r": "datum.r"}))
    decades = [10.0**k for k in range(round(math.log10(hc.RATES[0])), round(math.log10(hc.RATES[-1])) + 1)]
    x = alt.X("r:Q", scale=alt.Scale(type="log"), title="tokens/s/chip (LLaMA 3-70B)",
              axis=alt.Axis(values=decades, format=",", grid=False))
    y = alt.Y("cost:Q", scale=alt.Scale(type="log"), title="$ per million tokens",
              axis=alt.Axis(minExtent=40, tickCount=5, gridOpacity=0.5))
    at = lambda **values: alt.Chart(alt.Data(values=[{}])).transform_calculate(**values)
    rule = lambda where, color, dash: at(r=where).mark_rule(color=color, strokeDash=dash, strokeWidth=1.5).encode(x=x)
    title = (f"{_names({chip.name: chip.label for chip in hc.TABLE})} + ' at $' + format(price, ',.2f') + "
             "'/h, busy ' + format(U, '.0%')")
    return alt.layer(
        curve.transform_filter("datum.r <= ceiling").mark_line(color=COLORS["curve"]).encode(x=x, y=y),
        curve.transform_filter("datum.r >= ceiling").mark_line(color=COLORS["beyond"], strokeDash=[5, 3]).encode(
            x=x, y=y),
        rule("ceiling", COLORS["ceiling"], [5, 3]), rule("w_rate", COLORS["workload"], [2, 2]),
        at(r="rate", cost="cost").mark_point(filled=True, size=70, color=COLORS["curve"]).encode(x=x, y=y),
    ).properties(width=260, height=220, title=alt.TitleParams(
        alt.ExprRef(title), fontSize=12, anchor="start",
        subtitle="red: compute ceiling (grey past it); green: chapter 3; dot: your rate"))


def _per_dollar():
    """FLOPs per dollar and HBM bytes per dollar of every chip of the table, over v5e's (the chip selected at the
    reader's price, the others at the source's; none without one)."""
    rows = [{"name": chip.name, "label": chip.label, "C": chip.flops_bf16, "W": chip.hbm_bw,
             "listed": chip.price_per_hour, "metric": metric}
            for chip in hc.TABLE for metric in ("FLOPs per $", "HBM bytes per $")]
    flops = _against_reference(f.flops_per_dollar, repr(REF.flops_bf16), {"C": "datum.C", "c": "datum.p"})
    read = _against_reference(f.bytes_per_dollar, repr(REF.hbm_bw), {"W_hbm": "datum.W", "c": "datum.p"})
    base = alt.Chart(alt.Data(values=rows)).transform_calculate(
        p="datum.name === chip ? price : datum.listed",
        x=f"datum.p ? (datum.metric === 'FLOPs per $' ? {flops} : {read}) : 0")
    selected = _names({chip.name: chip.label for chip in hc.TABLE})
    y = alt.Y("label:N", sort=[chip.label for chip in hc.TABLE], title=None, axis=alt.Axis(
        labelExpr=f"datum.value + (datum.value === {selected} ? ' \u25c0' : '')"))
    bars = base.mark_bar(height=9).encode(
        x=alt.X("x:Q", title="multiple of v5e's"), y=y, yOffset=alt.YOffset("metric:N"),
        color=alt.Color("metric:N", legend=None, scale=alt.Scale(range=[COLORS["flops"], COLORS["bytes"]])))
    missing = base.transform_filter("!datum.p && datum.metric === 'FLOPs per $'").mark_text(
        align="left", dx=4, fontSize=10, color="#595959", text="no price in the sources").encode(x=alt.value(0), y=y)
    one = alt.Chart(alt.Data(values=[{"x": 1}])).mark_rule(color="#4d4d4d").encode(x="x:Q")
    title = "'what a dollar buys, against v5e at $' + format(ref_price, ',.2f') + '/h'"
    return alt.layer(bars, missing, one).properties(width=170, height=220, title=alt.TitleParams(
        alt.ExprRef(title), fontSize=12, anchor="start", subtitle="orange: FLOPs per $; purple: HBM bytes per $"))


def expected(chip: str, price: float, U: float, log_rate: float) -> dict:
    """The page's numbers for a state of its controls, from the Python library."""
    the_chip = next(c for c in hc.TABLE if c.name == chip)
    r = hc.token_cost(the_chip, price, U, 10**log_rate)
    return {"price0": hc.default_price(the_chip), "fpd": r.mine.per_dollar.flops_per_dollar, "fpd_x": r.mine.flops,
            "bpd": r.mine.per_dollar.bytes_per_dollar, "bpd_x": r.mine.bytes, "rate": r.rate, "cost": r.cost,
            "ceiling": r.points.compute_ceiling, "ceiling_cost": r.ceiling_cost, "w_chips": r.points.workload_chips,
            "w_rate": r.points.workload, "w_cost": r.workload_cost}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    return alt.vconcat(alt.hconcat(_cost(), _per_dollar(), spacing=25), numbers_chart(NUMBERS),
                       params=top_level(_params()),
                       title=alt.TitleParams("Cost per million tokens, and what a dollar buys", anchor="start"))


def explorers() -> list:
    controls = {"chip": [chip.name for chip in hc.TABLE], "price": PRICES, "U": BUSY, "log_rate": LOG_RATES}
    return [LiveExplorer(CHAPTER, CHAPTER, "Cost per million tokens", _chart, controls, NUMBERS, expected)]
