"""Chapter 08: the ICI bounds: solved forms, the KV-aware bound, wraparound, the claims, figure and answers."""

import numpy as np
import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.analysis.ici_bounds import bound_curves, ici_case, kv_bound_floor, readings, slice_links
from servingmath.present.ici_bounds import ici_text
from servingmath.answers import answers, check
from servingmath.article import claims
from servingmath.core.symbols import B, C, F, L, M, N, S, W_c, W_hbm, W_ici, Y, b_a, b_w, t_hop
from servingmath.widgets.ici_bounds import explorer, ici_bars

LLAMA, V5E = sm.get_model("llama-3-70b"), sm.get_chip("tpu-v5e-article")
alpha, beta = sp.symbols("alpha beta", positive=True)


def test_bounds_reduce_to_the_articles_forms():
    assert sp.simplify(f.ici_flops_bound.expr.subs(b_a, 2).subs(C, alpha * W_ici) - F * M / alpha) == 0
    assert sp.simplify(f.ici_hbm_bound.expr.subs({b_a: 2, b_w: 2}).subs(W_hbm, beta * W_ici)
                       - F * M / (B * beta)) == 0
    assert sp.simplify(f.ici_flops_bound_source.expr.subs(alpha, f.ici_alpha.expr)
                       - f.ici_flops_bound.expr.subs(b_a, 2)) == 0
    assert sp.simplify(f.ici_hbm_bound_source.expr.subs(beta, f.ici_beta.expr)
                       - f.ici_hbm_bound.expr.subs({b_a: 2, b_w: 2})) == 0


def test_the_larger_bound_is_the_hbm_one_below_the_critical_batch():
    ratio = sp.simplify(f.ici_hbm_bound.expr / f.ici_flops_bound.expr)
    assert sp.simplify(ratio - f.critical_batch.expr / B) == 0


def test_kv_bound_is_the_solve_of_its_times_and_levels_off():
    solved = sp.solve(sp.Eq(f.ici_time_hbm_kv.expr, f.ici_time_comms.expr), Y)[0]
    assert sp.simplify(solved - f.ici_hbm_kv_bound.expr) == 0
    # the step's collectives, bytes only, over many chips: 4L times the per-matmul form with W_c = M W_ici
    bandwidth_only = sp.limit(f.ici_step_time_comms.expr.subs(t_hop, 0), N, sp.oo)
    assert sp.simplify(bandwidth_only - 4 * L * f.ici_time_comms.expr.subs(W_ici, W_c / M)) == 0
    no_cache = f.ici_hbm_kv_bound.expr.subs(S, 0)
    assert sp.limit(f.ici_hbm_kv_bound.expr, B, sp.oo) != 0 and sp.limit(no_cache, B, sp.oo) == 0


def test_wraparound_and_bandwidth():
    assert not V5E.wraparound(32) and not V5E.wraparound(16) and not V5E.wraparound(128)
    assert V5E.wraparound(256)
    assert V5E.ici_bandwidth(False) == V5E.ici_bw_bidi / 2 == V5E.ici_bw_oneway


def test_slice_links_halve_the_bandwidth_without_wraparound():
    full, open_ = slice_links(256, V5E), slice_links(32, V5E)
    assert full.shape == (16, 16) and full.axis_wraparound == (True, True) and full.w_ici == 2 * V5E.ici_bw_bidi
    assert full.alpha == pytest.approx(2188.9 / 2, abs=0.05) and full.beta == pytest.approx(4.5)
    assert open_.shape == (4, 8) and open_.axis_wraparound == (False, False) and (full.hops, open_.hops) == (16, 10)
    assert open_.alpha == pytest.approx(2 * full.alpha) and open_.beta == pytest.approx(2 * full.beta)
    assert slice_links(128, V5E).axis_wraparound == (False, True)       # wraparound is per axis


def test_cases_reproduce_the_articles_and_the_sources_numbers():
    assert ici_case(143, 32, 2, "on").y_flops == pytest.approx(26.2, abs=0.05)
    assert ici_case(143, 32, 1, "on").y_hbm == pytest.approx(22.28, abs=0.005)
    assert ici_case(143, 32, 2, "on").y_hbm == pytest.approx(44.56, abs=0.005)
    nowrap = ici_case(143, 32, 2, "slice")
    assert not nowrap.wraparound and nowrap.y_hbm == pytest.approx(22.28, abs=0.005)
    assert nowrap.y_flops == pytest.approx(13.1, abs=0.05) and nowrap.y_hbm_kv == pytest.approx(77.5, abs=0.05)
    b64 = ici_case(64, 32, 1, "on")
    assert b64.t_ici == pytest.approx(11.65e-6, rel=1e-3) and b64.t_math == pytest.approx(4.77e-6, rel=1e-3)
    assert b64.matmul_bound == "HBM" and ici_case(64, 32, 1, "off").matmul_bound == "ICI"
    at_max = ici_case(138, 32, 2, "slice")
    assert at_max.matmul_bound == "ICI" and at_max.step_bound == "HBM"
    # one collective: (N-1)/N of the per-matmul bytes over W_c, plus 3 + 7 hops of 1 us on the open 4x8
    assert at_max.t_coll == pytest.approx(at_max.t_ici * 31 / 32 + 10e-6) and at_max.hops == 10
    assert at_max.step_ici == pytest.approx(320 * at_max.t_coll) and at_max.collectives == 320
    assert at_max.step_overlapped == at_max.step_time < at_max.step_counted == at_max.step_time + at_max.step_ici
    assert at_max.step_time == pytest.approx(at_max.step_kv + max(at_max.step_flops, at_max.step_params))
    assert at_max.step_reads == pytest.approx(at_max.step_kv + at_max.step_params)


def test_ici_claims():
    c = claims()
    assert round(c["ici-flops-bound"].article_calc) == 26 and round(c["ici-hbm-bound"].exact, 1) == 22.3
    assert c["ici-verdict"].exact == pytest.approx(22.28, abs=0.005) and "77 chips" in c["ici-verdict"].note
    assert c["ici-b64-t-math"].exact == pytest.approx(4.77e-6, rel=1e-3)
    assert c["ici-b64-t-ici"].show(c["ici-b64-t-ici"].exact) == "11.65 µs"


def test_bound_curves_match_the_scalar_cases():
    curves = bound_curves(32, 2, "slice", batches=np.array([64.0, 138.0]))
    case = ici_case(138, 32, 2, "slice")
    assert curves.y_flops == pytest.approx(case.y_flops) and curves.y_hbm[1] == pytest.approx(case.y_hbm)
    assert curves.y_hbm_kv[1] == pytest.approx(case.y_hbm_kv)


def test_kv_bound_floor_is_the_large_batch_limit():
    floor = kv_bound_floor(8192, 2, False)
    assert ici_case(1_000_000, 32, 2, "off").y_hbm_kv == pytest.approx(floor, rel=1e-3)
    assert kv_bound_floor(8192, 2, True) == pytest.approx(2 * floor)


def test_figure_updates_in_place():
    drawing, text = ici_bars(None)
    assert "HBM-bound; step 30.6 ms with the collectives counted" in " ".join(text.split()) and "25.1 µs" in text
    bars = list(drawing.fig.axes[0].patches)
    drawing2, text2 = ici_bars(drawing, batch=64, mesh_axes=1, wraparound="on")
    assert drawing2 is drawing and list(drawing.fig.axes[0].patches) == bars
    assert "HBM-bound" in text2


def test_explorer_has_the_chapters_controls():
    ex = explorer()
    assert ex.values() == {"batch": 138, "chips": 32, "mesh_axes": 2, "wraparound": "slice", "weights": "bf16"}
    assert "25.1 µs" in ex.text.value


@pytest.mark.parametrize("bad, name", [(dict(chips=1), "chips"), (dict(chips=12), "chips"),
                                       (dict(mesh_axes=3), "mesh_axes"), (dict(wraparound="maybe"), "wraparound"),
                                       (dict(batch=0), "batch"), (dict(weights="fp4"), "weights")])
def test_figure_rejects_bad_input(bad, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        ici_bars(None, **bad)


def test_answers_check():
    table = answers()
    for label in ("ici-bounds-1", "ici-bounds-2", "ici-bounds-3"):
        value = float(table[label].value())
        assert check(label, value, quiet=True) and not check(label, value * 1.2, quiet=True)
    assert table["ici-bounds-1"].value() == pytest.approx(11.54, abs=0.01)
    assert table["ici-bounds-3"].value() == pytest.approx(56.9, abs=0.05)


def test_the_sources_per_matmul_example_by_hand():
    # T_ici = 2 B D / W_ici = 2 x 64 x 8192 / 9e10 = 11.6 us (one axis, bidirectional links)
    assert f.ici_time_comms(B=64, D=8192, M=1, W_ici=9e10, b_a=2) == pytest.approx(2 * 64 * 8192 / 9e10)
    assert 2 * 64 * 8192 / 9e10 == pytest.approx(11.65e-6, rel=1e-3)


def test_the_collectives_latency_bound_is_the_sources_b_d_over_45000_on_a_large_ring():
    # a ring of N chips with wraparound: N/2 hops of t_hop, W_c = 2 W_1 (both directions of a link)
    W_1 = sp.Symbol("W_1", positive=True)
    threshold = f.collective_latency_batch.expr.subs({sp.Symbol("n_hop", nonnegative=True): N / 2, W_c: 2 * W_1})
    chips = sp.limit(threshold / N, N, sp.oo)          # B_lat grows like N: B_lat / N -> t_hop W_1 / (b_a D)
    per_chip = chips.subs({t_hop: 1e-6, W_1: 4.5e10, b_a: 1})
    assert sp.simplify(per_chip * sp.Symbol("D", positive=True)) == pytest.approx(45_000)


def test_one_chip_moves_nothing_and_a_collective_never_gets_cheaper_on_a_longer_line():
    assert f.ici_step_time_comms(B=64, D=8192, L=80, N=1, W_c=9e10, b_a=2, n_hop=0, t_hop=1e-6) == 0
    times = [f.collective_time(B=64, D=8192, N=n, W_c=4.5e10, b_a=2, n_hop=n - 1, t_hop=1e-6) for n in range(2, 65)]
    assert times == sorted(times)


def test_the_bounds_solve_the_per_matmul_times():
    y_flops = sp.solve(sp.Eq(f.ici_time_math.expr, f.ici_time_comms.expr), Y)[0]
    y_hbm = sp.solve(sp.Eq(f.ici_time_hbm.expr, f.ici_time_comms.expr), Y)[0]
    assert sp.simplify(y_flops - f.ici_flops_bound.expr) == 0 and sp.simplify(y_hbm - f.ici_hbm_bound.expr) == 0


def test_each_corrected_assumption_moves_the_verdict():
    rows = readings(143, 32, 8192)
    assert [r.ici_bound for r in rows] == [True, False, True, False]
    assert rows[0].threshold == pytest.approx(22.28, abs=0.01) and rows[1].threshold == pytest.approx(44.6, abs=0.1)
    assert rows[3].threshold > rows[2].threshold > rows[2].y_flops


def test_the_explorers_text_fits_the_page():
    for chips in (16, 32, 256):
        text = ici_text(ici_case(138, chips, 2, "slice", 8192), V5E)
        assert max(len(line) for line in text.splitlines()) <= 80 and "ICI catches up" in text
