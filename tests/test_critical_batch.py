"""Chapter 04: the critical batch, the source's beta*alpha form, the matmul ridge and the measured sweep."""

import numpy as np
import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.analysis import critical_batch as cb
from servingmath.article import claims
from servingmath.core.symbols import B, C, D, F, W_hbm, b_a, b_w
from servingmath.present import critical_batch as show
from servingmath.widgets import critical_batch as views

V5E, V5E_SOURCE, H100 = sm.CHIPS["tpu-v5e-article"], sm.CHIPS["tpu-v5e-source"], sm.CHIPS["h100"]


def test_critical_batch_solves_the_two_matmul_terms_of_the_step():
    mlp = next(t for t in f.step_time.expr.args if isinstance(t, sp.Max))
    compute = next(a for a in mlp.args if C in a.free_symbols)
    memory = next(a for a in mlp.args if W_hbm in a.free_symbols)
    assert sp.solve(sp.Eq(compute, memory), B) == [f.critical_batch.expr]
    assert sp.solve(sp.Eq(f.step_flops_time.expr, f.param_load_time.expr), B) == [f.critical_batch.expr]
    ridge = sp.solve(sp.Eq(f.matmul_flops_time.expr, f.matmul_bytes_time.expr), B)
    assert len(ridge) == 1 and sp.simplify(ridge[0] - f.matmul_ridge.expr) == 0


@pytest.mark.parametrize("weights, compute, at81, at82", [
    ("bf16", "bf16", 243.2, 240.2), ("int8", "bf16", 121.6, 120.1),
    ("int8", "int8", 243.2, 240.2), ("int4", "bf16", 60.8, 60.1)])
def test_critical_batch_by_precision_on_both_v5e_bandwidths(weights, compute, at81, at82):
    assert cb.critical_batch(V5E, weights, compute) == pytest.approx(at81, abs=0.05)
    assert cb.critical_batch(V5E_SOURCE, weights, compute) == pytest.approx(at82, abs=0.05)


def test_source_beta_alpha_form_agrees_only_for_bf16_activations():
    assert sp.simplify(f.critical_batch_source.expr / f.critical_batch.expr) == 2 / b_a
    for pair in (("bf16", "bf16"), ("int8", "bf16"), ("int4", "bf16")):
        assert cb.critical_batch_source(V5E, *pair) == pytest.approx(cb.critical_batch(V5E, *pair))
    assert cb.critical_batch_source(V5E, "int8", "int8") == pytest.approx(486.4, abs=0.05)
    assert cb.critical_batch_source(V5E_SOURCE, "int8", "int8") == pytest.approx(480.5, abs=0.05)


def test_matmul_terms_and_ridge():
    assert f.matmul_time.expr == sp.Max(f.matmul_flops_time.expr, f.matmul_bytes_time.expr)
    limit = sp.limit(sp.limit(f.matmul_ridge.expr, D, sp.oo), F, sp.oo)
    assert sp.simplify(limit - f.critical_batch.expr) == 0
    ridge = f.matmul_ridge(C=V5E.flops_bf16, D=8192, F=28672, W_hbm=V5E.hbm_bw, b_a=2, b_w=2)
    assert ridge == pytest.approx(252.86, abs=0.01)
    both = dict(C=V5E.flops_bf16, D=8192, F=28672, W_hbm=V5E.hbm_bw, b_a=2, b_w=2)
    assert f.matmul_flops_time(B=ridge, **{k: both[k] for k in "CDF"}) == pytest.approx(
        f.matmul_bytes_time(B=ridge, D=8192, F=28672, W_hbm=V5E.hbm_bw, b_a=2, b_w=2))
    assert cb.roofline(V5E).ridge == ridge


def test_roofline_is_the_larger_term_and_bars_are_each_pairs_critical_batch():
    r = cb.roofline(H100, "fp8", "fp8")
    assert np.array_equal(r.time, np.maximum(r.flops_time, r.bytes_time))
    assert r.pairs[-1] == ("fp8", "fp8") and r.pair_critical[-1] == r.critical_batch
    assert r.pair_critical[:-1] == tuple(cb.critical_batch(H100, w, c) for w, c in cb.PAIRS)


def test_claims_of_the_chapter():
    c = claims()
    assert c["bcrit-bf16"].stated_value == 240 and c["bcrit-bf16"].article_calc == pytest.approx(243.2, abs=0.05)
    assert c["bcrit-int8-bf16"].exact == pytest.approx(121.6, abs=0.05)


def test_sweep_spread_over_three_runs():
    s = cb.sweep("bf16")
    assert s.batch[0] == 1 and s.batch[-1] == 4096 and len(s.batch) == 24
    assert np.all(s.lo <= s.median) and np.all(s.median <= s.hi)
    assert cb.sweep("fp8").batch[0] == 16
    with pytest.raises(ValueError, match="dtype"):
        cb.sweep("int4")


def test_measured_knees_and_fp8_cancellation():
    assert cb.knee("bf16") == pytest.approx(250, abs=1)
    assert cb.knee("fp8") == pytest.approx(223, abs=1)
    # the datasheet's fp8 rate is twice bf16, so fp8 weights with fp8 FLOPs keep the bf16 knee
    assert cb.knee("fp8", "datasheet") == pytest.approx(cb.knee("bf16", "datasheet"), rel=0.001)
    with pytest.raises(ValueError, match="peaks"):
        cb.knee("bf16", "guess")


def test_roofline_view_updates_in_place_and_rejects_bad_input():
    drawing, text = views.roofline()
    assert "243.2" in text
    fig = drawing.fig
    lines, patches = len(fig.axes[0].lines), len(fig.axes[1].patches)
    again, text = views.roofline(drawing, chip=H100, weights="fp8", compute="fp8")
    assert again is drawing and again.fig is fig and len(fig.axes) == 2
    assert len(fig.axes[0].lines) == lines and len(fig.axes[1].patches) == patches
    assert "295.4" in text
    assert all(len(line) <= 88 for line in text.splitlines())
    for bad, name in ((dict(chip="tpu-v9"), "chip"), (dict(weights="fp4"), "weights"),
                      (dict(compute="int4"), "compute")):
        with pytest.raises(ValueError, match=f"^{name}"):
            views.roofline(None, **bad)


def test_measured_roofline_view():
    drawing, text = views.measured_roofline()
    assert "B = 250" in text and "B = 223" in text
    again, text = views.measured_roofline(drawing, peaks="datasheet")
    assert again is drawing and "B = 295" in text


def test_explorer_starts_at_the_chapters_choice():
    explorer = views.explorer()
    assert explorer.values() == {"chip": V5E, "weights": "int8", "compute": "bf16"}
    assert "121.6" in explorer.text.value


def test_tables_of_the_chapter_and_of_the_audit():
    by_precision = show.precision_table(V5E)
    assert [r[-1] for r in by_precision.rows] == ["243.2", "121.6", "243.2", "60.8"]
    assert by_precision._repr_html_().startswith('<table class="sm-table">')
    assert [r[1:] for r in show.knee_table().rows] == [["250", "295"], ["223", "295"]]
    assert [r[-1] for r in show.peaks_table().rows] == ["91%", "77%", "68%"]
    (caption, audit), = show.audit_tables()
    assert "beta" in caption and audit.rows[2][1:] == ["243.2", "240.2", "486.4", "243.2"]
