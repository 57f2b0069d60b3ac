"""Chapter 11's frontier: its points are the planner's, monotone in the batch, up to the max batch that fits."""

import numpy as np
import pytest

import servingmath as sm
from servingmath.analysis.frontier import PRECISIONS, frontier, frontiers, knee, point_at
from servingmath.analysis.plan import step_time_at
from servingmath.present.frontier import knee_table, point_text
from servingmath.widgets.frontier import frontier_view

LLAMA, V5E = sm.get_model("llama-3-70b"), sm.get_chip("tpu-v5e")
CASES = [("bf16", 16, 8192), ("int8", 8, 8192), ("int8", 64, 2048), ("int4", 256, 32768)]


@pytest.mark.parametrize("precision, chips, context", CASES)
def test_the_points_are_the_planners_at_the_same_batch(precision, chips, context):
    fr = frontier(LLAMA, V5E, precision, chips, context)
    weights, kv = PRECISIONS[precision]
    for i in np.linspace(0, len(fr.batches) - 1, 6).astype(int):
        p = sm.plan(model=LLAMA, chip=V5E, chips=chips, weights=weights, kv_dtype=kv, context=context,
                    batch=int(fr.batches[i]))
        assert fr.step_time_s[i] == pytest.approx(p.step_time_s, rel=1e-12)
        assert fr.tokens_per_s_per_chip[i] == pytest.approx(p.tokens_per_s_per_chip, rel=1e-12)
        assert fr.ici_s[i] == pytest.approx(p.ici_time_s, rel=1e-12)
        roofline = fr.kv_read_s[i] + max(fr.weight_read_s[i], fr.flops_s[i])
        assert roofline == pytest.approx(p.roofline_step_s, rel=1e-12)


@pytest.mark.parametrize("precision, chips, context", CASES)
def test_throughput_rises_and_latency_never_falls_with_the_batch(precision, chips, context):
    fr = frontier(LLAMA, V5E, precision, chips, context)
    assert np.all(np.diff(fr.batches) > 0)
    assert np.all(np.diff(fr.tokens_per_s_per_chip) > 0)
    assert np.all(np.diff(fr.step_time_s) >= 0)


@pytest.mark.parametrize("precision, chips, context", CASES)
def test_the_curve_runs_from_one_sequence_to_the_max_batch_that_fits(precision, chips, context):
    fr = frontier(LLAMA, V5E, precision, chips, context)
    weights, kv = PRECISIONS[precision]
    fits = lambda b: sm.plan(model=LLAMA, chip=V5E, chips=chips, weights=weights, kv_dtype=kv, context=context,
                             batch=b).fits
    assert fr.batches[0] == 1 and fr.batches[-1] == fr.max_batch
    assert fits(fr.max_batch) and not fits(fr.max_batch + 1)


def test_every_slice_that_holds_the_weights_and_only_those():
    found = {(fr.precision, fr.chips) for fr in frontiers(LLAMA, V5E, 8192)}
    for precision, (weights, kv) in PRECISIONS.items():
        for n in V5E.slices:
            holds = sm.plan(model=LLAMA, chip=V5E, chips=n, weights=weights, kv_dtype=kv).max_batch >= 1
            assert ((precision, n) in found) == holds
    assert ("bf16", 8) not in found and ("int4", 4) in found


def test_the_knee_is_the_largest_batch_within_twice_one_sequences_step():
    fr = frontier(LLAMA, V5E, "int8", 32, 8192)
    k = knee(fr)
    one = step_time_at(fr.plan, 1)
    assert step_time_at(fr.plan, k.knee.batch) <= 2 * one < step_time_at(fr.plan, k.knee.batch + 1)
    # throughput per chip is B / (N T_step): at twice the step, the gain is half the batch
    assert k.knee_gain == pytest.approx(k.knee.batch * one / k.knee.step_time_s, rel=1e-12)
    assert k.full.batch == fr.max_batch


def test_the_selected_point_stops_at_the_max_batch():
    fr = frontier(LLAMA, V5E, "bf16", 16, 8192)
    assert point_at(fr, 10**6).batch == fr.max_batch
    pt = point_at(fr, 7)
    assert pt.step_time_s == pytest.approx(sm.plan(model=LLAMA, chip=V5E, chips=16, batch=7).step_time_s, rel=1e-12)
    assert pt.binding == "weight read" and point_at(frontier(LLAMA, V5E, "int4", 256), 2000).binding == "FLOPs"


@pytest.mark.parametrize("call, name", [
    (lambda: frontier(LLAMA, V5E, "fp8"), "precision"),
    (lambda: frontier(LLAMA, V5E, "bf16", chips=4), "chips"),
    (lambda: frontier(LLAMA, V5E, "bf16", chips=3), "chips"),
    (lambda: frontier(LLAMA, V5E, context=0), "context"),
    (lambda: frontier(LLAMA, V5E, points=-2), "points"),
    (lambda: frontier(sm.get_model("mixtral-8x7b"), V5E), "model"),
    (lambda: point_at(frontier(LLAMA, V5E), 0), "batch"),
    (lambda: knee(frontier(LLAMA, V5E), 0.5), "factor"),
])
def test_bad_input_raises_one_line_naming_the_parameter(call, name):
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value).startswith(f"{name}:") and "\n" not in str(err.value)


def test_the_words_fit_the_page():
    knees = [knee(fr) for fr in frontiers(LLAMA, V5E, 8192)]
    assert len(knee_table(knees).rows) == len(knees)
    fr = frontier(LLAMA, V5E, "int8", 16)
    text = point_text(fr, point_at(fr, 10**5), V5E, asked=10**5)
    assert "do not fit" in text and max(map(len, text.splitlines())) <= 80


def test_the_view_draws_and_words_the_selected_step():
    drawing, text = frontier_view(None, context=2048, precision="int4", chips=8, batch=32)
    drawing, again = frontier_view(drawing, context=2048, precision="int4", chips=8, batch=32)
    assert text == again and "int4 on 8 chips" in text and "batch 32" in text
    assert len(drawing.fig.axes) == 2
