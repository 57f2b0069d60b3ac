"""Chapter 01: FLOPs and bytes per dollar, break-even prices, cost per token, and the explorer view."""

import math

import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.analysis.hardware_choice import (TABLE, break_even_price, compare, default_price,
                                                  operating_points, per_dollar, tie_prices, token_cost)
from servingmath.article import claims
from servingmath.core.hardware import PRESETS as CHIPS
from servingmath.core.symbols import B, C, T_step, U, c, r
from servingmath.present.hardware_choice import per_dollar_table, tie_price_table
from servingmath.widgets.hardware_choice import cost_view, explorer

V5E, V5P, V6E, H100 = CHIPS["tpu-v5e"], CHIPS["tpu-v5p"], CHIPS["tpu-v6e"], CHIPS["h100"]


def test_flops_per_dollar_reproduces_the_articles_table():
    # the article's FLOP/s and prices give 3.3e17, 3.93e17 and 5.91e17 (not the printed 5.8e17)
    assert math.isclose(claims()["flops-per-dollar-h100"].article_calc, 3.3e17, rel_tol=1e-9)
    assert math.isclose(per_dollar(V5P).flops_per_dollar, 4.59e14 * 3600 / 4.2)
    v5e = per_dollar(V5E).flops_per_dollar
    assert f"{v5e:.3g}" == "5.91e+17" and abs(v5e - 5.8e17) / 5.8e17 > 0.015
    assert math.isclose(per_dollar(H100).flops_per_dollar, 9.89e14 * 3600 / 10.8)


def test_chips_without_a_price_have_no_metric_until_given_one():
    for name in ("tpu-v6e", "h200", "b200"):
        chip = CHIPS[name]
        assert chip.price_per_hour is None
        assert per_dollar(chip).flops_per_dollar is None
        assert per_dollar(chip, 2.0).bytes_per_dollar == f.bytes_per_dollar(W_hbm=chip.hbm_bw, c=2.0)


def test_the_table_compares_every_chip_with_v5e_and_leaves_the_unpriced_empty():
    rows = {row.chip.name: row for row in compare()}
    assert rows["tpu-v5e"].flops == rows["tpu-v5e"].bytes == 1.0
    assert math.isclose(rows["h100"].bytes, per_dollar(H100).bytes_per_dollar / per_dollar(V5E).bytes_per_dollar)
    assert rows["tpu-v6e"].flops is None and rows["tpu-v6e"].bytes is None
    table = per_dollar_table(compare())
    assert "tpu-v5p  4.59e+14  2.76e+12  $4.2   3.93e+17  2.37e+15  0.67      0.96" in table
    assert "tpu-v6e  9.18e+14  1.64e+12  none   n/a" in table


@pytest.mark.parametrize("chip", TABLE, ids=lambda c: c.name)
@pytest.mark.parametrize("metric", ["flops", "bytes"])
def test_break_even_price_ties_with_v5e(chip, metric):
    price = break_even_price(chip, metric)
    key = f"{metric}_per_dollar"
    assert math.isclose(getattr(per_dollar(chip, price), key), getattr(per_dollar(V5E), key), rel_tol=1e-12)


def test_the_chapters_tie_price_expression_gives_the_break_even_price():
    target = sp.Symbol("target", positive=True)
    (tie,) = sp.solve(sp.Eq(f.flops_per_dollar.expr, target), c)
    v5e = per_dollar(V5E).flops_per_dollar
    assert math.isclose(float(tie.subs({C: V6E.flops_bf16, target: v5e})), break_even_price(V6E, "flops"))


def test_tie_prices_of_the_unpriced_chips():
    ties = tie_prices([V6E])
    assert ties[0].flops == break_even_price(V6E, "flops") and ties[0].bytes == break_even_price(V6E, "bytes")
    assert "TPU v6e (Trillium)              $5.59            $2.40" in tie_price_table(ties)


def test_default_price_is_the_source_price_or_the_flops_tie():
    assert default_price(H100) == 10.8
    assert default_price(V6E) == break_even_price(V6E, "flops")


def test_cost_per_token_is_bytes_per_token_over_bytes_per_dollar_when_memory_bound():
    """The chapter's derivation: cost x (bytes/$) = bytes read per generated token / U."""
    rate = f.tokens_per_s_per_chip.expr.subs(T_step, f.step_time_memory_bound.expr)
    product = sp.simplify(f.cost_per_million_tokens.expr.subs(r, rate) * f.bytes_per_dollar.expr)
    assert sp.simplify(product - 10**6 * f.total_bytes.expr / (B * U)) == 0
    p = sm.plan(chip="tpu-v5e", chips=8, weights="int8", kv_dtype="int8", context=8192, batch=32, ici="ignore")
    per_token = (p.weight_bytes_read + p.kv_bytes) / p.batch     # what a step reads, per sequence
    assert math.isclose(p.cost_per_million_tokens, 1e6 * per_token / per_dollar(V5E).bytes_per_dollar,
                        rel_tol=1e-9)


def test_compute_ceiling_is_c_over_2p():
    points = operating_points(V5E)
    assert math.isclose(points.compute_ceiling, 1.97e14 / (2 * sm.get_model("llama-3-70b").param_count))
    assert points.workload_chips == 8 and points.workload < points.compute_ceiling


def test_the_cost_curve_is_unreachable_beyond_the_ceiling():
    result = token_cost(V5E, utilisation=0.5)
    assert result.reachable.any() and not result.reachable.all()
    assert (result.rates[result.reachable] <= result.points.compute_ceiling).all()
    assert math.isclose(result.curve[0], f.cost_per_million_tokens(U=0.5, c=1.2, r=result.rates[0]))


def test_view_updates_in_place_and_reports_numbers():
    drawing, text = cost_view(None)
    assert "$1.67 per million tokens" in text and "5.91e+17" in text
    bars = drawing.art["flops"]
    drawing2, text2 = cost_view(drawing, chip=V6E, price=3.0, utilisation=0.5, rate=500)
    assert drawing2 is drawing and drawing.art["flops"] is bars
    assert "no price in the sources" in text2 and "$3.33 per million tokens" in text2
    assert bars[TABLE.index(V6E)].get_width() > 1.8


def test_explorer_reprices_a_new_chip():
    ex = explorer()
    assert ex.controls["price"].value == 1.2 and "TPU v5e at $1.20" in ex.text.value
    ex.controls["chip"].value = V6E
    assert ex.controls["price"].value == round(break_even_price(V6E, "flops"), 2)
    assert "TPU v6e (Trillium) at $5.59" in ex.text.value


@pytest.mark.parametrize("bad, message", [({"price": 0}, "price: must be > 0"),
                                          ({"utilisation": 1.5}, "utilisation: must be in (0, 1]"),
                                          ({"rate": -1}, "rate: must be > 0"),
                                          ({"chip": "tpu-v9"}, "chip: unknown 'tpu-v9'")])
def test_view_rejects_bad_input_with_one_line(bad, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cost_view(None, **bad)


def test_answers_are_registered_and_checked():
    assert sm.check("hardware-choice-1", break_even_price(V6E, "flops"), quiet=True)
    assert sm.check("hardware-choice-2", 1e6 * 1.2 / (3600 * 235 * 0.6), quiet=True)
    assert not sm.check("hardware-choice-3", 1.46, quiet=True)
