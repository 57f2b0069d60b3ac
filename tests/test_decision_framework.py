"""Chapter 11: the latency target, the ICI verdict, the plan card, the article's recipe and the tradeoff table."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

import servingmath as sm
from servingmath import plan_for_target
from servingmath.analysis.decision_framework import (curve, ici_comparison, recipe_comparison, snippet_max_batch,
                                                     tradeoff_rows)
from servingmath.analysis.framework import batch_for_target, ici_verdict
from servingmath.analysis.plan import step_time_at
from servingmath.answers.decision_framework import ex2_chips, ex3_best, flops_per_token
from servingmath.core import formulas as f
from servingmath.core.symbols import B, T_step
from servingmath.present.decision_framework import plan_card, recipe_rows
from servingmath.widgets.decision_framework import decision_framework, explorer

DEFAULTS = dict(model="llama-3-70b", chip="tpu-v5e-article", weights="int8", kv_dtype="int8", compute="bf16", context=8192,
                ici="ignore", reserve=0)
LLAMA, V5E, H100 = sm.get_model("llama-3-70b"), sm.get_chip("tpu-v5e-article"), sm.get_chip("h100")


def _words(card: str) -> str:
    """The plan card as one line (its results wrap at the page's width)."""
    return " ".join(card.split())


# --- the formulas of the chapter ---------------------------------------------------------------

def test_the_step_is_the_kv_read_plus_the_larger_of_flops_and_weight_read():
    parts = f.kv_load_time.expr + sp.Max(f.step_flops_time.expr, f.param_load_time.expr)
    assert sp.simplify(f.step_time.expr - parts) == 0


def test_batch_for_step_time_is_the_smaller_of_the_two_solved_bounds():
    kv_read = f.kv_load_time.expr
    roots = [sp.solve(sp.Eq(kv_read + term, T_step), B)[0] for term in (f.step_flops_time.expr, f.param_load_time.expr)]
    assert f.batch_for_step_time.expr == sp.Min(*roots)


@pytest.mark.parametrize("model, chip", [("llama-3-70b", "tpu-v5e"), ("llama-3.1-405b", "tpu-v5e-source"),
                                         ("llama-3-8b", "h100")])
def test_the_plan_card_fits_the_page(model, chip):
    _, card = decision_framework(None, model=model, chip=chip, target_ms=15)
    assert max(map(len, card.splitlines())) <= 80

def test_batch_for_step_time_is_where_each_branch_of_the_step_meets_the_target():
    kv_read = f.kv_load_time.expr
    for term in (f.step_flops_time.expr, f.param_load_time.expr):
        root = sp.solve(sp.Eq(kv_read + term, T_step), B)[0]
        assert root in f.batch_for_step_time.expr.args


def test_batch_for_ici_inverts_the_hbm_ici_bound():
    values = dict(F=28672, M=2, W_hbm=8.1e11, W_ici=9e10, b_a=2, b_w=2)
    b = f.batch_for_ici(Y=32, **values)
    assert f.ici_hbm_bound(B=b, **values) == pytest.approx(32)


def test_article_pd_expression_drops_g_and_inverts_b():
    ratio = f.prefill_decode_ratio_article.expr / f.prefill_decode_ratio.expr
    assert sp.simplify(ratio - sp.Symbol("G", positive=True) / B**2) == 0


@settings(max_examples=40, deadline=None, derandomize=True)
@given(model=st.sampled_from(sorted(sm.MODELS)), chip=st.sampled_from(["tpu-v5e-article", "tpu-v5e-source", "h100", "h200"]),
       weights=st.sampled_from(["bf16", "int8", "int4"]), context=st.integers(128, 65536),
       target_ms=st.floats(1, 200))
def test_planned_batch_is_the_largest_that_meets_the_target(model, chip, weights, context, target_ms):
    full = sm.plan(model=model, chip=chip, weights=weights, context=context)
    b = batch_for_target(full, target_ms / 1e3)
    assert 0 <= b <= full.max_batch
    if b:
        assert step_time_at(full, b) <= target_ms / 1e3
    if b < full.max_batch:
        assert step_time_at(full, b + 1) > target_ms / 1e3


# --- the planner ---------------------------------------------------------------------------------

def test_default_plan_with_a_15_ms_target():
    tp = plan_for_target(0.015, **DEFAULTS)
    assert tp.plan.chips == 8 and tp.full.max_batch == 42
    assert tp.plan.batch == 20 and tp.batch_reason == "latency" and tp.meets_target
    assert tp.plan.step_time_s == pytest.approx(0.014868, rel=1e-4)
    assert tp.plan.tokens_per_s_per_chip == pytest.approx(168.1, abs=0.1)


def test_no_target_takes_the_max_batch_as_plan_does():
    tp = plan_for_target(None, **DEFAULTS)
    assert tp.batch_reason == "memory" and tp.plan.batch == sm.plan(**DEFAULTS).max_batch


def test_a_target_no_batch_meets_names_a_larger_slice():
    tp = plan_for_target(0.010, **DEFAULTS)
    assert tp.batch_reason == "misses target" and not tp.meets_target
    assert tp.plan.batch == 1 and tp.step_at_one > 0.010
    assert tp.slice_meeting_target == 16
    assert "no batch meets the target" in _words(plan_card(tp, V5E))


def test_a_target_no_slice_meets():
    tp = plan_for_target(1e-4, **DEFAULTS)
    assert tp.slice_meeting_target is None
    assert "no slice of this chip is fast enough" in _words(plan_card(tp, V5E))


def test_a_deployment_that_does_not_fit_gives_a_card_not_an_error():
    tp = plan_for_target(0.015, model="llama-3-70b", chip="tpu-v5e-article", chips=4, weights="bf16", reserve=0)
    assert tp.batch_reason == "does not fit" and not tp.plan.fits
    assert "does not fit" in _words(plan_card(tp, V5E))
    drawing, text = decision_framework(None, chips=4, weights="bf16", kv_dtype="bf16")
    assert "does not fit" in text
    assert drawing.art["note"].get_text().startswith(f"does not fit: needs {tp.plan.bytes_needed / 1e9:.1f} GB, has ")
    assert len(curve(tp.plan).batches) == 0


def test_batch_is_not_a_planner_argument():
    with pytest.raises(ValueError, match="^batch: "):
        plan_for_target(0.015, batch=8, **DEFAULTS)


# --- ICI ---------------------------------------------------------------------------------------------

def test_slice_shapes_and_wraparound():
    assert [V5E.shape_name(n) for n in (1, 4, 8, 16, 32, 64, 128, 256)] == [
        "1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"]
    assert H100.shape_name(8) is None
    assert not V5E.wraparound(128) and V5E.wraparound(256)
    assert V5E.mesh_axes(16) == 2 and H100.mesh_axes(8) == 1
    assert V5E.mesh_axes(1) == 1


def test_step_5_is_the_step_model_and_the_per_matmul_rule_uses_the_slices_own_links():
    cmp = ici_comparison(LLAMA, V5E, chips=32, weights="bf16")
    assert cmp.batch == 138
    assert cmp.corrected == pytest.approx(max(cmp.flops, cmp.hbm))
    # a 4x8 has no wraparound: both axes' one-way links, 2 x 4.5e10 B/s, halve the rule's 46.17
    assert cmp.corrected == pytest.approx(46.17 / 2, abs=0.01) and cmp.corrected < 32
    assert cmp.article == pytest.approx(23.09, abs=0.01)
    # the step says otherwise: 320 collectives take 11.0 ms against 19.7 ms of reads, so not ICI-bound
    assert cmp.ici_time_s == pytest.approx(0.01099, abs=1e-5) and cmp.roofline_step_s > cmp.ici_time_s and cmp.safe


def test_ici_safe_caps_the_batch_where_the_collectives_catch_up_with_the_rest_of_the_step():
    tp = plan_for_target(None, model="llama-3-70b", chip="tpu-v5e", chips=16, weights="int8", context=512,
                         ici_safe=True)
    assert tp.batch_reason == "ICI" and tp.plan.batch == 70 < tp.full.max_batch and tp.ici.safe
    over = sm.plan(model="llama-3-70b", chip="tpu-v5e", chips=16, weights="int8", context=512, batch=71)
    assert over.ici_bound and not ici_verdict(over, LLAMA, sm.get_chip("tpu-v5e")).safe


def test_latency_bound_collectives_leave_no_safe_batch_on_a_large_slice():
    tp = plan_for_target(None, model="llama-3-70b", chip="tpu-v5e", chips=64, weights="int8", ici_safe=True)
    assert tp.batch_reason == "ICI-bound" and tp.plan.batch == 1 and tp.ici.latency_bound and tp.ici.binding


# --- the article's recipe, the tradeoff table, the source's code -----------------------------------

def test_recipe_side_by_side_for_bf16():
    steps = {s.step: s for s in recipe_comparison()}
    assert sorted(steps) == [1, 2, 3, 4, 5, 6]
    assert (steps[2].article, steps[2].corrected) == (9, 16)
    assert (steps[3].article, steps[3].article_chips, steps[3].corrected, steps[3].corrected_chips) == (1, 9, 42, 16)
    assert steps[6].corrected == pytest.approx(3.18, abs=0.01)
    assert steps[5].corrected == pytest.approx(0.178, abs=0.001) and steps[5].corrected_safe
    rows = {r[0].split()[0]: r for r in recipe_rows(recipe_comparison(), V5E)}
    assert rows["2"][2] == "9 chips" and rows["2"][4] == "16 chips (4x4)"
    assert rows["3"][2] == "1 on 9 chips" and rows["3"][4] == "42 on 16 chips"
    assert float(rows["6"][4]) == pytest.approx(3.18, abs=0.01)


@pytest.mark.parametrize("context, max_b, lat1_ms, latmax_ms", [
    (2048, 554, 5.36, 38.78), (4096, 277, 5.39, 26.47), (8192, 138, 5.44, 20.25),
    (16384, 69, 5.54, 19.45), (32768, 34, 5.74, 19.25)])
def test_tradeoff_table_matches_the_recomputed_source(context, max_b, lat1_ms, latmax_ms):
    row = {r.context: r for r in tradeoff_rows()}[context]
    assert row.max_batch == max_b
    assert row.latency_1 * 1e3 == pytest.approx(lat1_ms, abs=0.005)
    assert row.latency_max * 1e3 == pytest.approx(latmax_ms, abs=0.005)
    assert row.kv_over_flops == (context > 2048)


def test_source_snippet_plots_a_quarter_of_the_batch():
    assert snippet_max_batch(8192) == 34
    assert {r.context: r for r in tradeoff_rows()}[8192].snippet_latency == pytest.approx(8.81e-3, abs=1e-5)


# --- the view ------------------------------------------------------------------------------------------

def test_view_updates_in_place_and_rejects_bad_input():
    drawing, text = decision_framework()
    fig = drawing.fig
    artists = list(fig.axes[0].lines)
    drawing2, text2 = decision_framework(drawing, model=sm.get_model("llama-3-8b"), chip=H100, target_ms=None)
    assert drawing2 is drawing and list(fig.axes[0].lines) == artists and len(fig.axes) == 1
    assert "PLAN  llama-3-8b" in text2 and "no latency target" in text2
    assert not drawing.art["target"].get_visible()
    with pytest.raises(ValueError, match="^target_ms: "):
        decision_framework(drawing, target_ms=-5)
    with pytest.raises(ValueError, match="^chips: "):
        decision_framework(drawing, chips=3)


def test_curve_ends_at_the_max_batch_and_holds_the_planned_point():
    tp = plan_for_target(0.015, **DEFAULTS)
    c = curve(tp.plan)
    assert c.batches[0] == 1 and c.batches[-1] == tp.full.max_batch
    i = list(c.batches).index(tp.plan.batch)
    assert c.step_time_s[i] == pytest.approx(tp.plan.step_time_s, rel=1e-12)
    assert c.tokens_per_s_per_chip[i] == pytest.approx(tp.plan.tokens_per_s_per_chip, rel=1e-12)


def test_explorer_offers_the_presets_and_extra_models():
    tiny = sm.get_model("llama-3-8b")
    ex = explorer(models=[("another", tiny)])
    assert ex.text.value.startswith("<pre>PLAN  llama-3-70b on")
    ex.controls["model"].value = tiny
    assert "PLAN  llama-3-8b" in ex.text.value


def test_card_names_every_step_and_its_chapter():
    text = decision_framework()[1]
    for label in ("1 B_crit", "2 topology", "3 batch", "4 latency", "5 ICI", "6 P:G"):
        assert label in text
    for chapter in ("01", "03", "04", "05", "06", "07", "08", "09", "10"):
        assert chapter in text


def test_custom_model_from_a_hugging_face_config(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text('{"num_hidden_layers": 2, "hidden_size": 256, "intermediate_size": 512, '
                    '"num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000}')
    drawing, text = decision_framework(None, model=sm.load_model_file(path), chip=H100, target_ms=5)
    assert "PLAN  tiny on" in text


# --- the exercises ---------------------------------------------------------------------------------------

def test_exercise_answers():
    assert flops_per_token() == pytest.approx(8.117e11, rel=1e-3)
    assert ex2_chips() == 16
    best = ex3_best()
    # with the collectives counted, 15 ms leaves one sequence on 64 chips, or an ICI-bound 25 on 128
    assert (best.plan.chips, best.plan.batch) == (64, 1) and best.ici.latency_bound
    assert best.plan.tokens_per_s_per_chip == pytest.approx(1.04, abs=0.01)
    loose = ex3_best(ici_safe=False)
    assert (loose.plan.chips, loose.plan.batch) == (128, 25) and loose.ici.binding
    assert loose.plan.tokens_per_s_per_chip == pytest.approx(13.07, abs=0.01)
    for label in ("decision-framework-1", "decision-framework-2", "decision-framework-3"):
        assert label in sm.answers.answers()


def test_all_numbers_finite_over_the_explorer_grid():
    for chip in ("tpu-v5e-article", "h100"):
        for weights in ("bf16", "int4"):
            for target in (None, 5.0, 50.0):
                tp = plan_for_target(None if target is None else target / 1e3, model="llama-3-70b", chip=chip,
                                     weights=weights, context=32768)
                assert all(math.isfinite(v) for v in tp.plan.to_dict().values() if isinstance(v, float))
                assert np.isfinite(tp.ici.threshold)


@pytest.mark.parametrize("model, chip", [("mixtral-8x7b", "h100"), ("deepseek-v3", "h200"), ("gpt-oss-120b", "h100")])
def test_a_latency_target_for_an_moe_model_takes_the_largest_batch_that_meets_it(model, chip):
    tp = sm.plan_for_target(0.03, model=model, chip=chip, weights="fp8", compute="fp8")
    p = tp.plan
    assert p.fits and p.step_time_s <= 0.03
    if p.batch < tp.full.max_batch:   # one more sequence would miss the target
        assert step_time_at(tp.full, p.batch + 1) > 0.03
