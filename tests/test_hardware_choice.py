"""Chapter 01: FLOPs and bytes per dollar, break-even prices, cost per token, and the explorer view."""

import math

import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.article import claims
from servingmath.figures.hardware_choice import (CHIPS, break_even_price, cost_view, default_price, metrics,
                                                 operating_points)
from servingmath.symbols import B, T_step, U, r


def test_flops_per_dollar_reproduces_the_articles_table():
    # the article's FLOP/s and prices give 3.3e17, 3.93e17 and 5.91e17 (not the printed 5.8e17)
    assert math.isclose(claims()["flops-per-dollar-h100"].article_calc, 3.3e17, rel_tol=1e-9)
    assert math.isclose(metrics("tpu-v5p")["flops_per_dollar"], 4.59e14 * 3600 / 4.2)
    v5e = metrics("tpu-v5e")["flops_per_dollar"]
    assert f"{v5e:.3g}" == "5.91e+17" and abs(v5e - 5.8e17) / 5.8e17 > 0.015
    assert math.isclose(metrics("h100")["flops_per_dollar"], 9.89e14 * 3600 / 10.8)


def test_chips_without_a_price_have_no_metric_until_given_one():
    for name in ("tpu-v6e", "h200", "b200"):
        assert sm.get_chip(name).price_per_hour is None
        assert metrics(name)["flops_per_dollar"] is None
        assert metrics(name, 2.0)["bytes_per_dollar"] == f.bytes_per_dollar(W_hbm=sm.get_chip(name).hbm_bw, c=2.0)


@pytest.mark.parametrize("chip", CHIPS)
@pytest.mark.parametrize("metric", ["flops", "bytes"])
def test_break_even_price_ties_with_v5e(chip, metric):
    price = break_even_price(chip, metric)
    key = f"{metric}_per_dollar"
    assert math.isclose(metrics(chip, price)[key], metrics("tpu-v5e")[key], rel_tol=1e-12)


def test_default_price_is_the_source_price_or_the_flops_tie():
    assert default_price("h100") == 10.8
    assert default_price("tpu-v6e") == break_even_price("tpu-v6e", "flops")


def test_cost_per_token_is_bytes_per_token_over_bytes_per_dollar_when_memory_bound():
    """The chapter's derivation: cost x (bytes/$) = bytes read per generated token / U."""
    rate = f.tokens_per_s_per_chip.expr.subs(T_step, f.step_time_memory_bound.expr)
    product = sp.simplify(f.cost_per_million_tokens.expr.subs(r, rate) * f.bytes_per_dollar.expr)
    assert sp.simplify(product - 10**6 * f.total_bytes.expr / (B * U)) == 0
    p = sm.plan(chip="tpu-v5e", chips=8, weights="int8", kv="int8", context=8192, batch=32)
    per_token = p.total_bytes / p.batch
    assert math.isclose(p.cost_per_million_tokens, 1e6 * per_token / metrics("tpu-v5e")["bytes_per_dollar"],
                        rel_tol=1e-9)


def test_compute_ceiling_is_c_over_2p():
    points = operating_points("tpu-v5e")
    assert math.isclose(points["compute_ceiling"], 1.97e14 / (2 * sm.get_model("llama-3-70b").param_count))
    assert points["workload_chips"] == 8 and points["workload"] < points["compute_ceiling"]


def test_view_updates_in_place_and_reports_numbers():
    fig, text = cost_view(None)
    assert "$1.46 per million tokens" in text and "5.91e+17" in text
    bars = fig._servingmath["flops"]
    fig2, text2 = cost_view(fig, chip="tpu-v6e", price=3.0, utilisation=0.5, rate=500)
    assert fig2 is fig and fig._servingmath["flops"] is bars
    assert "no price in the sources" in text2 and "$3.33 per million tokens" in text2
    assert bars[CHIPS.index("tpu-v6e")].get_width() > 1.8


@pytest.mark.parametrize("bad, message", [({"price": 0}, "price: must be > 0"),
                                          ({"utilisation": 1.5}, "utilisation: must be in (0, 1]"),
                                          ({"rate": -1}, "rate: must be > 0"),
                                          ({"chip": "tpu-v9"}, "chip: unknown 'tpu-v9'")])
def test_view_rejects_bad_input_with_one_line(bad, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cost_view(None, **bad)


def test_answers_are_registered_and_checked():
    assert sm.check("hardware-choice-1", break_even_price("tpu-v6e", "flops"), quiet=True)
    assert sm.check("hardware-choice-2", 1e6 * 1.2 / (3600 * 235 * 0.6), quiet=True)
    assert not sm.check("hardware-choice-3", 1.46, quiet=True)
