"""Chapter 03: BS=32, 8k context, int8 on TPU v5e: memory, slice, step terms, the explorer view."""

import math

import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.article import claims
from servingmath.figures.worked_numbers import step_terms, step_view
from servingmath.symbols import B

BS32 = dict(chip="tpu-v5e", weights="int8", kv="int8", context=8192, batch=32)


def test_step_terms_add_up_to_the_step_time_formula():
    for chips in (8, 16):
        p = sm.plan(chips=chips, **BS32)
        t = step_terms(p)
        assert math.isclose(t["step"], p.step_time_s, rel_tol=1e-12)
        assert t["flops"] < t["params"]  # memory-bound at B = 32


def test_the_max_in_the_step_is_flops_against_weight_read():
    (mx,) = f.step_time.expr.atoms(sp.Max)
    assert set(mx.args) == {f.step_flops_time.expr, f.param_load_time.expr}
    assert sp.simplify(f.step_time.expr - f.kv_load_time.expr - mx) == 0
    assert sp.solve(sp.Eq(*mx.args), B) == [f.critical_batch.expr]


def test_flops_term_is_2_8_ms_against_10_8_ms_weight_read_with_the_articles_inputs():
    v5e, P = sm.get_chip("tpu-v5e"), 70e9
    flops = f.step_flops_time(B=32, C=v5e.flops_bf16, N=8, P=P)
    weights = f.param_load_time(N=8, P=P, W_hbm=v5e.hbm_bw, b_w=1)
    assert f"{flops * 1e3:.2g}" == "2.8" and f"{weights * 1e3:.3g}" == "10.8"


def test_worked_numbers_claims():
    c = claims()
    assert f"{c['kv-bs32'].article_calc / 1e9:.3g}" == "41.9" and f"{c['kv-bs32'].exact / 1e9:.3g}" == "42.9"
    assert f"{c['step-bs32'].article_calc * 1e3:.3g}" == "17.3"
    assert f"{c['tput-bs32'].article_calc:.3g}" == "235"
    assert sm.get_chip("tpu-v5e").smallest_slice(c["chips-bs32"].exact) == 8
    assert not sm.get_chip("tpu-v5e").is_valid_slice(7)


def test_view_default_and_in_place_update():
    fig, text = step_view(None)
    assert "fits: needs 113.5 GB, has 128.0 GB" in text and "= 17.5 ms\nmemory-bound: B = 32" in text
    assert "228 tokens/s/chip" in text
    bar = fig._servingmath["bars"]["step_kv"]
    fig2, text2 = step_view(fig, batch=512, context=512)
    assert fig2 is fig and fig._servingmath["bars"]["step_kv"] is bar and "compute-bound" in text2


def test_configuration_that_does_not_fit_is_an_answer():
    fig, text = step_view(None, weights="bf16", kv="bf16", chips=8)
    assert "does not fit: needs 227.0 GB, has 128.0 GB" in text
    assert not fig._servingmath["bars"]["step_max"].get_visible()
    _, text = step_view(fig, chips=16, weights="bf16", kv="bf16")
    assert "fits: needs 227.0 GB, has 256.0 GB" in text


@pytest.mark.parametrize("bad, message", [({"chips": 7}, "chips: 7 is not a valid tpu-v5e slice"),
                                          ({"batch": 0}, "batch: must be > 0"),
                                          ({"weights": "fp4"}, "weights: unknown 'fp4'")])
def test_bad_input_is_a_one_line_value_error(bad, message):
    with pytest.raises(ValueError, match=message):
        step_view(None, **bad)


def test_answers_are_registered():
    assert sm.check("worked-numbers-1", sm.plan(weights="bf16", kv="bf16", batch=32).step_time_s, quiet=True)
    assert sm.check("worked-numbers-2", 52.6, quiet=True)
    assert sm.check("worked-numbers-3", 268, quiet=True)
