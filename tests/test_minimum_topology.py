"""Chapter 05: minimum slices, the precision-invariance with HBM full, 44 sequences, the measured fp8 speed-up."""

import numpy as np
import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.analysis import minimum_topology as mt
from servingmath.article import ARTICLE_INPUTS, SOURCE_INPUTS, claims
from servingmath.core.symbols import B, HBM, N, P, W_hbm, b_kv, b_w, kv
from servingmath.present import minimum_topology as show
from servingmath.widgets import minimum_topology as views

V5E, LLAMA = sm.CHIPS["tpu-v5e-article"], sm.MODELS["llama-3-70b"]


@pytest.mark.parametrize("precision, needed, chips", [("bf16", 8.82, 16), ("int8", 4.41, 8), ("int4", 2.20, 4)])
def test_minimum_chips_and_slices(precision, needed, chips):
    row = mt.topology_row(precision)
    assert row.chips_needed == pytest.approx(needed, abs=0.005)
    assert row.chips == chips and row.batch == 42
    assert claims()[f"min-slice-{precision}"].exact == chips
    assert row.kv_room == pytest.approx(chips * V5E.hbm_bytes - row.weight_bytes)
    assert row.hbm_over_weights == pytest.approx(chips / row.chips_needed)


def test_stale_int4_chip_count():
    stale = mt.weight_chips(V5E, SOURCE_INPUTS["int4_params_old"], 1)
    assert round(stale, 2) == SOURCE_INPUTS["int4_chips_stale"]
    now = mt.weight_chips(V5E, ARTICLE_INPUTS["params"], 0.5)
    assert now == pytest.approx(2.1875)


def test_full_hbm_batch_and_step_do_not_depend_on_bytes_per_weight():
    k = sp.Symbol("k", positive=True)
    filled = {N: k * P * b_w / HBM, kv: f.kv_bytes_per_token.expr.subs(b_kv, b_w)}
    assert f.hbm_weights_ratio.expr.subs(filled) == k
    assert b_w not in sp.simplify(f.max_batch.expr.subs(filled)).free_symbols
    step = sp.simplify(f.step_time_memory_bound.expr.subs(B, f.batch_fill.expr).subs(filled))
    assert step == HBM / W_hbm == f.step_time_full_hbm.expr


def test_44_sequences_do_not_fit_43_and_42_do():
    kv_bf16 = LLAMA.kv_bytes_per_token("bf16")
    need = lambda b, params: f.total_bytes(B=b, P=params, S=8192, b_w=2, kv=kv_bf16)
    assert need(44, 70e9) > 16 * V5E.hbm_bytes >= need(43, 70e9)
    assert f.max_batch(HBM=V5E.hbm_bytes, N=16, P=70e9, S=8192, b_w=2, kv=kv_bf16) == 43
    assert f.max_batch(HBM=V5E.hbm_bytes, N=16, P=LLAMA.param_count, S=8192, b_w=2, kv=kv_bf16) == 42
    assert claims()["max-batch-full"].article_calc == 44


def test_speedup_table_matches_measurement_and_roofline():
    t = mt.speedup_table("run3")
    assert len(t.batch) == 18
    weights_dominate = t.kv_bytes < t.weight_bytes_bf16 / 4
    assert 1.5 < t.measured[weights_dominate].min() and t.measured.max() < 1.95
    assert t.measured[t.kv_bytes > t.weight_bytes_bf16].max() < 1.35
    assert np.all(t.predicted <= 2) and np.all(t.predicted > 1)
    big = (t.batch == 512) & (t.context == 8192)
    assert t.measured[big][0] == pytest.approx(1.07, abs=0.01)
    assert t.predicted[big][0] == pytest.approx(1.08, abs=0.01)


def test_topology_curves_meet_the_smallest_slice_rows():
    t = mt.topology("int8", 32768, sm.CHIPS["h100"])
    for p, row in t.rows.items():
        at = list(t.sizes).index(row.chips)
        assert t.curves[p].batch[at] == row.batch and t.curves[p].step[at] == pytest.approx(row.step)


def test_topology_view_updates_in_place_and_rejects_bad_input():
    drawing, text = views.topology()
    assert "42 sequences" in text
    fig = drawing.fig
    n_lines = [len(ax.lines) for ax in fig.axes]
    again, text = views.topology(drawing, precision="int4", context=32768, chip=sm.CHIPS["h100"])
    assert again is drawing and [len(ax.lines) for ax in fig.axes] == n_lines
    assert all(len(line) <= 88 for line in text.splitlines())
    for bad, name in ((dict(precision="fp8"), "precision"), (dict(context=0), "context"), (dict(chip="x"), "chip")):
        with pytest.raises(ValueError, match=f"^{name}"):
            views.topology(None, **bad)


def test_slice_sizes():
    assert mt.topology(chip=V5E).sizes == (1, 4, 8, 16, 32, 64, 128, 256)
    assert mt.topology(chip=sm.CHIPS["h100"]).sizes == (1, 2, 4, 8, 16, 32, 64, 128, 256)


def test_precision_speedup_view():
    drawing, text = views.precision_speedup()
    again, _ = views.precision_speedup(drawing)
    assert again is drawing and "1.07x to 1.94x" in text


def test_explorer_starts_at_the_chapters_choice():
    explorer = views.explorer()
    assert explorer.values() == {"precision": "bf16", "context": 8192, "chip": V5E}
    assert "42 sequences" in explorer.text.value


def test_tables_of_the_chapter_and_of_the_audit():
    rows = {p: mt.topology_row(p) for p in ("bf16", "int8", "int4")}
    assert [r[3] for r in show.slices_table(rows).rows] == ["16", "8", "4"]
    full = show.full_slices_table(rows, V5E)
    assert {r[3] for r in full.rows} == {"42"} and {r[5] for r in full.rows} == {"19.8 ms"}
    assert len(show.speedup_table(mt.speedup_table("run3")).rows) == 18
    (caption, audit), = show.audit_tables()
    assert [r[2] for r in audit.rows] == ["44", "43", "43", "42", "49"]
    assert audit.rows[1][3] == "19.51 ms" and "8,192 tokens" in caption
