"""Chapter 10 (disaggregated serving): the ratio, its extensions, the split of pools and the answers."""

import math
import time

import pytest
import sympy as sp

import servingmath as sm
from servingmath.analysis.disaggregated_serving import (Reading, hit_rate_for_ratio, kv_transfer, mooncake_gap,
                                                        ratio_curves, reported_ratios, split)
from servingmath.article import ARTICLE_INPUTS, claims
from servingmath.core import formulas as f
from servingmath.core.hardware import A800
from servingmath.core.symbols import N, T, T_prefill, h
from servingmath.data.disaggregated import MOONCAKE, REPORTED
from servingmath.present.disaggregated_serving import SOURCE_PD, reported_rows, split_text
from servingmath.widgets.disaggregated_serving import explorer, split_view

DEFAULTS = dict(prompt=8192, decode=512, ttft=2.0, tpot=0.05, decode_chips=16)
MOONCAKE_NODES = dict(chip=A800, prompt=MOONCAKE["prompt"], decode=MOONCAKE["decode"], ttft=MOONCAKE["ttft"],
                      tpot=MOONCAKE["tpot"], decode_chips=8, prefill_chips=8)


def test_ratio_solves_the_steady_state_balance():
    p, g = sp.symbols("p g", positive=True)
    solution = sp.solve(sp.Eq(p / T_prefill, g * f.decode_requests_per_s.expr), p)[0] / g
    assert sp.simplify(solution - f.prefill_decode_ratio.expr) == 0


def test_cached_prefill_reduces_to_the_full_prefill_and_is_the_difference_of_two():
    assert sp.simplify(f.prefill_time_cached.expr.subs(h, 0) - f.prefill_time_with_attention.expr) == 0
    full = f.prefill_time_with_attention.expr
    assert sp.simplify(f.prefill_time_cached.expr - (full - full.subs(T, h * T))) == 0
    n = sp.solve(sp.Eq(f.prefill_time_cached.expr, T_prefill), N)[0]
    assert sp.simplify(n - f.prefill_chips_for_ttft.expr) == 0


def test_chip_ratio_is_the_server_ratio_times_the_server_sizes():
    n_p = sp.Symbol("n_p", positive=True)
    servers = f.prefill_decode_ratio.expr.subs(T_prefill, f.prefill_time_cached.expr.subs(N, n_p))
    assert sp.simplify(servers * n_p / N - f.prefill_decode_chip_ratio.expr) == 0
    for s in (split(**DEFAULTS), split(**{**DEFAULTS, "ttft": 0.25}), split(**MOONCAKE_NODES)):
        assert s.chip_ratio == pytest.approx(s.server_ratio * s.prefill_chips / s.decode_chips, rel=1e-12)


def test_article_ratio_readings():
    c = claims()["pd-ratio"]
    assert c.article_calc == pytest.approx(3.35, abs=0.005)
    consistent = sm.plan(chip="tpu-v5e-article", weights="bf16", chips=16, batch=32, context=8192, decode=512,
                         ici="ignore", reserve=0)
    assert consistent.prefill_decode_ratio == pytest.approx(c.exact, rel=1e-12)
    source = f.prefill_decode_ratio(B=SOURCE_PD["batch_used"], G=512, T_prefill=ARTICLE_INPUTS["prefill_091s"],
                                    T_step=SOURCE_PD["step"])
    assert source == pytest.approx(2.99, abs=0.005)
    int8 = sm.plan(chip="tpu-v5e-article", weights="int8", chips=8, batch=32, context=8192, decode=512, ici="ignore",
                   reserve=0)
    assert int8.step_time_s == pytest.approx(consistent.step_time_s, rel=1e-12)
    assert int8.prefill_decode_ratio == pytest.approx(2 * c.exact, rel=1e-12)


def test_split_defaults_and_targets():
    base = split(**DEFAULTS)
    assert (base.decode_batch, base.prefill_chips, base.batch_limit) == (40, 16, "HBM")
    assert base.server_ratio == pytest.approx(3.914, abs=1e-3)
    tight = split(**{**DEFAULTS, "tpot": 0.015})
    assert tight.decode_batch == 18 and tight.batch_limit == "time per token" and tight.step_time <= 0.015
    fast = split(**{**DEFAULTS, "ttft": 0.25})
    assert fast.prefill_chips == 64 and fast.meets_ttft
    assert fast.chip_ratio == pytest.approx(base.chip_ratio, rel=1e-12)
    assert split(**{**DEFAULTS, "hit": 0.5}).server_ratio < base.server_ratio / 1.9


def test_mooncake_workload_gives_about_41_to_1():
    s = split(**MOONCAKE_NODES)
    assert s.decode_batch == 98 and s.server_ratio == pytest.approx(41.07, abs=0.01)
    assert hit_rate_for_ratio(1.0, **MOONCAKE_NODES) == pytest.approx(0.978, abs=0.001)
    hit = hit_rate_for_ratio(1.0, **DEFAULTS)
    assert split(**{**DEFAULTS, "hit": hit}).server_ratio == pytest.approx(1.0, rel=1e-9)
    assert hit_rate_for_ratio(100.0, **DEFAULTS) is None


def test_reported_ratios():
    assert [round(r, 2) for r in reported_ratios()] == [2.30, 1.67, 2.00, 1.00, 0.75, 1.00]
    rows = reported_rows()
    assert len(rows) == len(REPORTED)
    assert [r[3] for r in rows] == ["2.30", "1.67", "2.00", "1.00", "0.75", "1.00"]
    assert rows[-1][2] == "%d:%d" % MOONCAKE["best_ratio"]


@pytest.mark.parametrize("bad, message", [
    (dict(hit=1.0), "^hit: must be below 1"),
    (dict(hit=-0.1), "^hit:"),
    (dict(tpot=0.005), "^tpot: 5 ms is less than"),
    (dict(decode_chips=8), "^decode_chips: 8 x tpu-v5e-article hold"),
    (dict(decode_chips=12), "^chips: 12 is not a valid"),
    (dict(ttft=0.01), "^ttft: 0.01 s needs"),
    (dict(prompt=0), "^prompt:"),
])
def test_split_rejects_bad_input_with_one_line(bad, message):
    with pytest.raises(ValueError, match=message):
        split(**{**DEFAULTS, **bad})


def test_curves_are_the_split_at_each_point_and_nan_where_nothing_splits():
    curves = ratio_curves(**DEFAULTS)
    at_half = list(curves.hits).index(0.5)
    assert curves.servers_by_hit[at_half] == split(**{**DEFAULTS, "hit": 0.5}).server_ratio
    assert curves.chips_by_prompt[0] == split(**{**DEFAULTS, "prompt": 512}).chip_ratio
    assert math.isnan(ratio_curves(**{**DEFAULTS, "ttft": 0.1}).servers_by_prompt[-1])


def test_split_view_updates_in_place_quickly():
    drawing, text = split_view(None, **DEFAULTS)
    fig = drawing.fig
    lines = [len(ax.lines) for ax in fig.axes]
    start = time.perf_counter()
    drawing2, text2 = split_view(drawing, **{**DEFAULTS, "hit": 0.5, "tpot": 0.015})
    assert time.perf_counter() - start < 0.5
    assert drawing2 is drawing and drawing2.fig is fig and [len(ax.lines) for ax in fig.axes] == lines
    assert "3.91 servers" in text and text2 != text
    assert text == split_text(split(**DEFAULTS))


def test_explorer_converts_percent_and_milliseconds():
    ex = explorer()
    assert "3.91 servers" in ex.text.value
    ex.controls["hit"].value = 50
    assert f"{split(**{**DEFAULTS, 'hit': 0.5}).server_ratio:.3g} servers" in ex.text.value


def test_answers_check():
    assert sm.check("disaggregated-serving-1", 6.54, quiet=True)
    assert sm.check("disaggregated-serving-2", 0.7575, quiet=True)
    assert sm.check("disaggregated-serving-3", 18, quiet=True)
    assert not sm.check("disaggregated-serving-3", 40, quiet=True)


def test_the_consistent_reading_is_the_claims_exact_value():
    consistent = sm.plan(chip=sm.get_chip("tpu-v5e-article"), weights="bf16", chips=16, batch=32, context=8192, decode=512, **sm.ARTICLE_MODE)
    reading = Reading("bf16", consistent.prefill_time_s, consistent.batch, consistent.step_time_s, decode=512)
    assert reading.ratio == pytest.approx(claims()["pd-ratio"].exact, rel=1e-12)


def test_an_8k_bf16_cache_over_dcn_is_a_twentieth_of_its_prefill():
    move = kv_transfer("DCN", 16 * 3.125e9, 0.9168)
    assert move.bytes == 327_680 * 8192 and move.bytes / 1e9 == pytest.approx(2.68, abs=0.005)
    assert move.time == pytest.approx(0.05369, rel=1e-3) and move.share == pytest.approx(move.time / 0.9168)
    assert move.exposed == pytest.approx(move.time / 80)
    assert kv_transfer("DCN", 16 * 3.125e9, 0.9168, kv_dtype="int8").time == pytest.approx(move.time / 2)
    with pytest.raises(ValueError, match="w_link"):
        kv_transfer("DCN", 0, 1.0)


def test_the_mooncake_gap_reproduces_the_chapters_rows():
    naive, rows, hit = mooncake_gap(MOONCAKE_NODES)
    assert [round(r, 1) for _, r in rows] == [36.0, 41.1, 21.8] and hit == pytest.approx(0.978, abs=0.001)
    assert naive.server_ratio == rows[1][1]
