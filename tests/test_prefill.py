"""Chapter 09 (prefill): its formulas, the measured MFU, the figure functions and the exercise answers."""

import numpy as np
import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.analysis.prefill import (attention_crossover, chunked_prefill, continuous_batch, measured_prefill_mfu,
                                          prefill_curves, prefill_numbers)
from servingmath.article import claims
from servingmath.core.symbols import C, MFU, N, P, T, T_prefill, T_step, W_hbm, b_w
from servingmath.data import measured
from servingmath.figures.prefill import draw_measured_mfu
from servingmath.present.prefill import measured_text
from servingmath.widgets.prefill import explorer, prefill_view

LLAMA, V5E, H100 = sm.get_model("llama-3-70b"), sm.get_chip("tpu-v5e-article"), sm.get_chip("h100")


def test_prefill_time_is_matmul_flops_over_the_achieved_rate():
    assert sp.simplify(f.prefill_time.expr - f.prefill_matmul_flops.expr / (N * C * MFU)) == 0


def test_attention_share_and_mfu_are_consistent_with_the_prefill_time():
    assert sp.simplify(f.attention_flops_share.expr
                       - f.prefill_attention_flops.expr / f.prefill_matmul_flops.expr) == 0
    back = f.prefill_time_with_attention.expr.subs(MFU, f.prefill_mfu.expr)
    assert sp.simplify(back - T_prefill) == 0
    assert sp.simplify(f.prefill_time.expr.subs(MFU, f.prefill_mfu_matmul.expr) - T_prefill) == 0


def test_article_prefill_reproduces_0_91_s_and_0_917_exact():
    c = claims()["prefill-8k"]
    assert c.article_calc == pytest.approx(0.9096, abs=1e-4)
    assert c.exact == pytest.approx(0.9168, abs=1e-4)
    here = prefill_numbers(chips=16, mfu=0.4, prompt=8192)
    assert here.ttft_matmul == pytest.approx(c.exact, rel=1e-12)
    assert here.ttft == pytest.approx(c.exact * (1 + here.share), rel=1e-12)
    assert here.share == pytest.approx(0.0761, abs=1e-4)
    assert here.tokens_per_s == pytest.approx(8192 / here.ttft) and here.fits
    assert not prefill_numbers(chips=8, prompt=8192).fits


def test_curves_match_the_single_prompt():
    here = prefill_numbers(chips=64, mfu=0.6, weights="int8", prompt=32768)
    curves = prefill_curves(here, np.array([8192.0, 32768.0]))
    assert curves.ttft[1] == pytest.approx(here.ttft) and curves.ttft_matmul[1] == pytest.approx(here.ttft_matmul)
    assert curves.share[1] == pytest.approx(here.share)
    assert curves.crossover == pytest.approx(attention_crossover(here.model, 0.1))


def test_attention_reaches_ten_percent_at_10765_tokens():
    assert attention_crossover(LLAMA, 0.1) == pytest.approx(10765.44, abs=0.01)
    assert attention_crossover(LLAMA, 1.0) == pytest.approx(LLAMA.param_count / (64 * 128 * 80))


def test_measured_mfu_is_total_flops_over_time_over_the_bf16_peak():
    data = measured_prefill_mfu(H100)
    matmul_only = []
    for run in measured.RUNS:
        table = measured.table("prefill_layer", run)
        assert np.all(table["layer_params"] == LLAMA.layer_params)
        # the file's attention FLOPs are the library's formula for one layer
        np.testing.assert_allclose(table["attn_flops"], f.prefill_attention_flops(
            H=128.0, L=1.0, N_q=64.0, T=table["tokens"]))
        direct = (table["matmul_flops"] + table["attn_flops"]) / (table["time_us_median"] * 1e-6) / H100.flops_bf16
        np.testing.assert_allclose(data.runs[run], direct, rtol=1e-12)
        matmul_only.append(table["matmul_flops"] / (table["time_us_median"] * 1e-6) / H100.flops_bf16)
    np.testing.assert_allclose(data.matmul_median, np.median(matmul_only, axis=0), rtol=1e-12)
    i8k = int(np.flatnonzero(data.tokens == 8192)[0])
    assert 0.6 < data.median[i8k] < 0.7 and data.at(8192) == data.median[i8k]
    assert data.low[i8k] <= data.median[i8k] <= data.high[i8k]
    assert data.median[0] < 0.4 < data.median[1:].min()  # only the 128-token prompt falls below 40 %
    assert np.all(data.matmul_median <= data.median)
    assert data.critical_batch == pytest.approx(f.critical_batch(C=H100.flops_bf16, W_hbm=H100.hbm_bw, b_w=2))


def test_eviction_example_of_the_source():
    assert f.tokens_evicted_per_step(B=32, T=8192, G=4096) == 96
    assert f.sequences_finished_per_step(B=32, G=4096) == 32 / 4096
    demand = f.sequences_finished_per_step.expr * T_prefill / T_step
    assert sp.simplify(demand - f.prefill_decode_ratio.expr) == 0


def test_prefill_view_updates_in_place_and_rejects_bad_input():
    drawing, text = prefill_view(None)
    lines = [len(ax.lines) for ax in drawing.fig.axes]
    drawing2, text2 = prefill_view(drawing, prompt=32768, chips=64, mfu=0.6, weights="int8")
    assert drawing2 is drawing and [len(ax.lines) for ax in drawing.fig.axes] == lines
    assert "0.987 s with attention" in text and text2 != text
    with pytest.raises(ValueError, match="^chips: 8 x tpu-v5e-article hold"):
        prefill_view(None, chips=8)
    with pytest.raises(ValueError, match="^chips: 12 is not a valid"):
        prefill_view(None, chips=12)
    with pytest.raises(ValueError, match="^mfu:"):
        prefill_view(None, mfu=1.5)
    with pytest.raises(ValueError, match="^prompt:"):
        prefill_view(None, prompt=0)


def test_measured_figure_builds():
    data = measured_prefill_mfu(H100)
    drawing = draw_measured_mfu(None, data)
    assert len(drawing.fig.axes) == 1 and draw_measured_mfu(drawing, data) is drawing
    assert "40%" in measured_text(data)


def test_explorer_takes_the_mfu_in_percent():
    ex = explorer()
    assert ex.values() == {"prompt": 8192, "chips": 16, "mfu": 40, "weights": "bf16"}
    assert "0.987 s with attention" in ex.text.value
    ex.controls["mfu"].value = 80
    assert "MFU 80%" in ex.text.value


def test_answers_check():
    assert sm.check("prefill-3", 576, quiet=True)
    assert sm.check("prefill-2", 107654, quiet=True)
    assert sm.check("prefill-1", 0.245, quiet=True)
    assert not sm.check("prefill-1", 0.917, quiet=True)


def test_the_settled_batch_obeys_littles_law_and_every_token_comes_out():
    for rate in (0.5, 2, 4):
        c = continuous_batch(rate, decode=512, chips=16)
        assert c.batch == pytest.approx(rate * 512 * c.step_time, rel=1e-12)
        assert c.tokens_per_s_per_chip == pytest.approx(rate * 512 / 16, rel=1e-12)
    assert continuous_batch(3).batch == pytest.approx(24.16, abs=0.01) and continuous_batch(3).max_batch == 42
    with pytest.raises(ValueError, match="rate"):
        continuous_batch(100)
    with pytest.raises(ValueError, match="rate"):
        continuous_batch(-1)


def test_a_chunk_up_to_the_critical_batch_rides_free():
    free = chunked_prefill(512).free_chunk
    assert free == pytest.approx(f.critical_batch(C=V5E.flops_bf16, W_hbm=V5E.hbm_bw, b_w=2) - 32, rel=1e-12)
    at_free = chunked_prefill(int(free))
    assert at_free.rise == 0 and at_free.steps == 39
    c = chunked_prefill(512)
    assert c.steps == 16 and c.rise == pytest.approx(0.01326, rel=1e-3)
    assert c.prefill_time == pytest.approx(16 * c.step_time_chunked)
    with pytest.raises(ValueError, match="chunk"):
        chunked_prefill(0)


def test_the_derivations_the_chapter_shows():
    crossover = sp.solve(sp.Eq(2 * T * P / (N * C), P * b_w / (N * W_hbm)), T)[0]
    assert sp.simplify(crossover - f.critical_batch.expr) == 0
    demand = f.sequences_finished_per_step.expr * T_prefill / T_step
    assert sp.simplify(demand - f.prefill_decode_ratio.expr) == 0
    assert sp.simplify(f.prefill_matmul_flops.expr / (N * C * MFU) - f.prefill_time.expr) == 0
