"""Chapter 03: BS=32, 8k context, int8 on TPU v5e: memory, slice, step terms, the explorer view."""

import math

import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.analysis.worked_numbers import kv_read_equals_weight_read, roofline_step, step_terms, worked_step
from servingmath.article import claims
from servingmath.core.symbols import B, N, T_step
from servingmath.present.worked_numbers import audit_tables, memory_table, step_terms_table
from servingmath.widgets.worked_numbers import explorer, step_view

BS32 = dict(chip="tpu-v5e-article", weights="int8", kv_dtype="int8", context=8192, batch=32)


def test_step_terms_add_up_to_the_step_time_formula():
    for chips in (8, 16):
        p = sm.plan(chips=chips, **BS32, ici="ignore", reserve=0)
        t = step_terms(p)
        assert math.isclose(t.step, p.step_time_s, rel_tol=1e-12)
        assert math.isclose(t.step, t.kv + max(t.flops, t.params), rel_tol=1e-12)
        assert t.flops < t.params and not t.flops_win  # memory-bound at B = 32


def test_the_max_in_the_step_is_flops_against_weight_read():
    (mx,) = f.step_time.expr.atoms(sp.Max)
    assert set(mx.args) == {f.step_flops_time.expr, f.param_load_time.expr}
    assert sp.simplify(f.step_time.expr - f.kv_load_time.expr - mx) == 0
    assert sp.solve(sp.Eq(*mx.args), B) == [f.critical_batch.expr]


def test_the_memory_bound_branch_and_the_chip_count_cancelling():
    """The chapter's SymPy: substituting the weight read for the Max, and N leaving tokens/s/chip."""
    flops, weights = f.step_flops_time.expr, f.param_load_time.expr
    memory_bound = f.step_time.expr.subs(sp.Max(flops, weights), weights)
    assert memory_bound != f.step_time.expr
    assert sp.simplify(memory_bound - f.step_time_memory_bound.expr) == 0
    per_chip = sp.simplify(f.tokens_per_s_per_chip.expr.subs(T_step, memory_bound))
    assert N not in per_chip.free_symbols


def test_the_chapters_memory_and_step_tables():
    p = sm.plan(chips=8, **BS32, ici="ignore", reserve=0)
    memory = memory_table(p)
    assert "chips' worth of HBM   total / 16 GB         7.09" in memory and "8 chips (2x4)" in memory
    assert "HBM left on it        activations, runtime  14.5 GB" in memory
    steps = step_terms_table(step_terms(p), p)
    assert steps.headers[-1] == "B = 32, N = 8" and "step          max(weights, FLOPs) + KV  17.4 ms" in steps


def test_the_audit_takes_the_roundings_apart_one_input_at_a_time():
    ((caption, text),) = audit_tables()
    assert "one at a time" in caption and text.headers == ["inputs", "memory", "step", "tok/s/chip"]
    rows = [r[1:] for r in text.rows]
    assert rows[0] == ["111.9 GB", "17.28 ms", "231.5"] and rows[1] == ["", "17 ms", "235.3"]
    assert rows[-2] == ["113.5 GB", "17.35 ms", "230.5"] and rows[-1][1:] == ["17.14 ms", "233.3"]
    r = roofline_step(70e9, 160e3, 8.1e11, step=0.017)
    assert r.step == 0.017 and math.isclose(r.tokens_per_s_per_chip, 32 / 8 / 0.017)


def test_kv_read_equals_weight_read_at_the_kv_crossover_batch():
    (batch,) = sp.solve(sp.Eq(f.kv_load_time.expr, f.param_load_time.expr), B)
    assert sp.simplify(batch - f.kv_crossover_batch.expr) == 0
    assert f"{kv_read_equals_weight_read():.1f}" == "51.8"


def test_flops_term_is_2_8_ms_against_10_8_ms_weight_read_with_the_articles_inputs():
    v5e, P = sm.get_chip("tpu-v5e-article"), 70e9
    flops = f.step_flops_time(B=32, C=v5e.flops_bf16, N=8, P=P)
    weights = f.param_load_time(N=8, P=P, W_hbm=v5e.hbm_bw, b_w=1)
    assert f"{flops * 1e3:.2g}" == "2.8" and f"{weights * 1e3:.3g}" == "10.8"


def test_worked_numbers_claims():
    c = claims()
    assert f"{c['kv-bs32'].article_calc / 1e9:.3g}" == "41.9" and f"{c['kv-bs32'].exact / 1e9:.3g}" == "42.9"
    assert f"{c['step-bs32'].article_calc * 1e3:.3g}" == "17.3"
    assert f"{c['tput-bs32'].article_calc:.3g}" == "235"
    assert sm.get_chip("tpu-v5e-article").smallest_slice(c["chips-bs32"].exact) == 8
    assert not sm.get_chip("tpu-v5e-article").is_valid_slice(7)


def test_view_default_and_in_place_update():
    drawing, text = step_view(None)
    assert "fits: needs 113.5 GB, has 128.0 GB" in text and "= 17.4 ms\nmemory-bound: B = 32" in text
    assert "230 tokens/s/chip" in text
    bar = drawing.art["parts"]["bars"]["step_kv"]
    drawing2, text2 = step_view(drawing, batch=512, context=512)
    assert drawing2 is drawing and drawing.art["parts"]["bars"]["step_kv"] is bar and "compute-bound" in text2
    assert worked_step(batch=512, context=512).terms.flops_win


def test_configuration_that_does_not_fit_is_an_answer():
    drawing, text = step_view(None, weights="bf16", kv_dtype="bf16", chips=8)
    assert "does not fit: needs 227.0 GB, has 128.0 GB" in text
    assert not drawing.art["parts"]["bars"]["step_max"].get_visible()
    _, text = step_view(drawing, chips=16, weights="bf16", kv_dtype="bf16")
    assert "fits: needs 227.0 GB, has 256.0 GB" in text


def test_explorer_shows_the_default_configuration():
    ex = explorer()
    assert set(ex.controls) == {"batch", "context", "weights", "kv_dtype", "chips"}
    assert "230 tokens/s/chip" in ex.text.value


@pytest.mark.parametrize("bad, message", [({"chips": 7}, "chips: 7 is not a valid tpu-v5e-article slice"),
                                          ({"batch": 0}, "batch: must be > 0"),
                                          ({"weights": "fp4"}, "weights: unknown 'fp4'")])
def test_bad_input_is_a_one_line_value_error(bad, message):
    with pytest.raises(ValueError, match=message):
        step_view(None, **bad)


def test_answers_are_registered():
    article = sm.plan(chip="tpu-v5e-article", weights="bf16", kv_dtype="bf16", batch=32, ici="ignore", reserve=0)
    assert sm.check("worked-numbers-1", article.step_time_s, quiet=True)
    assert sm.check("worked-numbers-2", 51.8, quiet=True)
    assert sm.check("worked-numbers-3", 268, quiet=True)
