"""Chapter 08: the ICI bounds: solved forms, the KV-aware bound, wraparound, the claims, figure and answers."""

import numpy as np
import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.answers import answers, check
from servingmath.article import claims
from servingmath.figures.ici_bounds import bound_curves, has_wraparound, ici_bandwidth, ici_bars, ici_case
from servingmath.symbols import B, C, F, M, S, W_hbm, W_ici, Y, b_a, b_w

LLAMA, V5E = sm.get_model("llama-3-70b"), sm.get_chip("tpu-v5e")
alpha, beta = sp.symbols("alpha beta", positive=True)


def test_bounds_reduce_to_the_articles_forms():
    assert sp.simplify(f.ici_flops_bound.expr.subs(b_a, 2).subs(C, alpha * W_ici) - F * M / alpha) == 0
    assert sp.simplify(f.ici_hbm_bound.expr.subs({b_a: 2, b_w: 2}).subs(W_hbm, beta * W_ici)
                       - F * M / (B * beta)) == 0


def test_the_larger_bound_is_the_hbm_one_below_the_critical_batch():
    ratio = sp.simplify(f.ici_hbm_bound.expr / f.ici_flops_bound.expr)
    assert sp.simplify(ratio - f.critical_batch.expr / B) == 0


def test_kv_bound_is_the_solve_of_its_times_and_levels_off():
    solved = sp.solve(sp.Eq(f.ici_time_hbm_kv.expr, f.ici_time_comms.expr), Y)[0]
    assert sp.simplify(solved - f.ici_hbm_kv_bound.expr) == 0
    assert sp.simplify(f.ici_step_time_comms.expr / f.ici_time_comms.expr) == 4 * sp.Symbol("L", positive=True)
    no_cache = f.ici_hbm_kv_bound.expr.subs(S, 0)
    assert sp.limit(f.ici_hbm_kv_bound.expr, B, sp.oo) != 0 and sp.limit(no_cache, B, sp.oo) == 0


def test_wraparound_and_bandwidth():
    assert not has_wraparound(32, V5E) and not has_wraparound(16, V5E) and not has_wraparound(128, V5E)
    assert has_wraparound(256, V5E)
    assert ici_bandwidth(V5E, False) == V5E.ici_bw_bidi / 2 == V5E.ici_bw_oneway


def test_cases_reproduce_the_articles_and_the_sources_numbers():
    assert ici_case(143, 32, 2, "on").y_flops == pytest.approx(26.2, abs=0.05)
    assert ici_case(143, 32, 1, "on").y_hbm == pytest.approx(22.28, abs=0.005)
    assert ici_case(143, 32, 2, "on").y_hbm == pytest.approx(44.56, abs=0.005)
    nowrap = ici_case(143, 32, 2, "slice")
    assert not nowrap.wraparound and nowrap.y_hbm == pytest.approx(22.28, abs=0.005)
    assert nowrap.y_flops == pytest.approx(13.1, abs=0.05) and nowrap.y_hbm_kv == pytest.approx(77.8, abs=0.05)
    b64 = ici_case(64, 32, 1, "on")
    assert b64.t_ici == pytest.approx(11.65e-6, rel=1e-3) and b64.t_math == pytest.approx(4.77e-6, rel=1e-3)
    assert b64.matmul_bound == "HBM" and ici_case(64, 32, 1, "off").matmul_bound == "ICI"
    at_max = ici_case(138, 32, 2, "slice")
    assert at_max.matmul_bound == "ICI" and at_max.step_bound == "HBM"
    assert at_max.step_ici == pytest.approx(4 * LLAMA.layers * at_max.t_ici)


def test_ici_claims():
    c = claims()
    assert round(c["ici-flops-bound"].article_calc) == 26 and round(c["ici-hbm-bound"].exact, 1) == 22.3
    assert c["ici-verdict"].exact == pytest.approx(44.6, abs=0.05) and "78 chips" in c["ici-verdict"].note
    assert c["ici-b64-t-math"].exact == pytest.approx(4.77e-6, rel=1e-3)
    assert c["ici-b64-t-ici"].show(c["ici-b64-t-ici"].exact) == "11.65 µs"


def test_bound_curves_match_the_scalar_cases():
    y_f, y_h, y_hk = bound_curves(32, 2, "slice", batches=np.array([64.0, 138.0]))
    case = ici_case(138, 32, 2, "slice")
    assert y_f[1] == pytest.approx(case.y_flops) and y_h[1] == pytest.approx(case.y_hbm)
    assert y_hk[1] == pytest.approx(case.y_hbm_kv)


def test_figure_updates_in_place():
    fig, text = ici_bars(None)
    assert "ICI hidden behind the HBM reads" in text and "25.1 µs" in text
    bars = list(fig.axes[0].patches)
    fig2, text2 = ici_bars(fig, batch=64, mesh_axes=1, wraparound="on")
    assert fig2 is fig and list(fig.axes[0].patches) == bars
    assert "HBM-bound" in text2


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
