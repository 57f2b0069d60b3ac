"""Chapter 12: the calibrated roofline behind plan(efficiency="measured") and its error on the H100 data."""

import json
import math

import numpy as np
import pytest
import sympy as sp

import servingmath as sm
from servingmath.analysis import reality_check as rc
from servingmath.calibration import MEASURED
from servingmath.calibration.fit import h100_efficiency
from servingmath.calibration.fit import peak_efficiency
from servingmath.cli import main
from servingmath.core import formulas as f
from servingmath.core.symbols import B, C, K, N, P, S, W_hbm, W_mm, b_w, kv, nu, w_s
from servingmath.data import measured

EFF = h100_efficiency()
H100 = sm.get_chip("h100")
LAYER = dict(P=sm.get_model("llama-3-70b").layer_params, b_w=2, kv=rc.layer_kv_per_token(), K=8)


def test_constants_are_physical_fractions_and_rates():
    for value in (EFF.hbm, EFF.flops, EFF.flops_fp8, EFF.matmul_hbm):
        assert 0.5 < value < 1
    assert EFF.matmul_hbm < EFF.hbm  # a matmul streams weights slower than a plain read
    assert 2e10 < EFF.stream_bw < 1e11  # one stream: tens of GB/s
    assert 1 < EFF.overlap < 12


def test_datasheet_fractions_come_from_the_median_peaks():
    assert EFF.hbm == pytest.approx(measured.peak_spread("hbm_read_sum")[0] / H100.hbm_bw)
    assert EFF.flops == pytest.approx(measured.peak_spread("matmul_bf16")[0] / H100.flops_bf16)
    assert EFF.flops_fp8 == pytest.approx(measured.peak_spread("matmul_fp8")[0] / H100.flops("fp8"))
    assert peak_efficiency().hbm == EFF.hbm


def test_calibrated_step_reduces_to_the_roofline():
    """Enough streams and perfect overlap give back the book's roofline step (with W_mm = W_hbm)."""
    roofline = f.step_time.expr
    limit = f.step_time_calibrated.expr.subs({w_s: sp.oo, W_mm: W_hbm})
    values = {B: 300, S: 4096, kv: 4096, N: 1, K: 8, P: 855638016, b_w: 2, C: 9.89e14, W_hbm: 3.35e12}
    big_nu = float(limit.subs(values).subs(nu, 200))
    assert big_nu == pytest.approx(float(roofline.subs(values)), rel=1e-3)
    summed = float(limit.subs(values).subs(nu, 1))  # nu = 1: no overlap, the times add
    assert summed == pytest.approx(float((f.kv_load_time.expr + f.step_flops_time.expr
                                          + f.param_load_time.expr).subs(values)), rel=1e-9)


def test_saturation_batch_is_where_the_stream_limit_stops():
    b_sat = f.attention_saturation_batch(K=8, N=1, W_hbm=3e12, w_s=4e10)
    assert f.attention_streams_bandwidth(B=b_sat, K=8, N=1, W_hbm=3e12, w_s=4e10) == pytest.approx(3e12)
    assert f.attention_streams_bandwidth(B=b_sat / 2, K=8, N=1, W_hbm=3e12, w_s=4e10) == pytest.approx(1.5e12)


def test_error_on_the_decode_grid_is_about_the_noise():
    errors = rc.grid_errors()
    assert errors["calibrated"].median < 0.03 and errors["calibrated"].p90 < 0.07
    assert errors["calibrated"].median < errors["peaks"].median < errors["ideal"].median
    assert errors["calibrated"].p90 < errors["peaks"].p90 < errors["ideal"].p90


@pytest.mark.parametrize("weights", ["bf16", "fp8"])
def test_out_of_sample_grids_with_cuda_graphs(weights):
    errors = rc.grid_errors(weights, graphs=True)
    assert errors["calibrated"].median < 0.1
    assert errors["calibrated"].median < errors["ideal"].median


def test_whole_model_within_ten_percent():
    data, pred = rc.full_model_prediction("calibrated")
    assert np.all(np.abs(pred / data["time_s"] - 1) < 0.1)
    assert rc.error_stats(pred, data["time_s"]).max < 0.1
    _, ideal = rc.full_model_prediction("ideal")
    assert np.all(ideal < pred)
    assert data["time_s"][0] == pytest.approx(0.0285, rel=0.01)  # the README's "~28.5 ms"


def test_step_time_accepts_arrays_and_batch_zero():
    batches = np.array([1.0, 16.0, 256.0])
    times = EFF.step_time(H100, batches, 8192, **LAYER)
    assert times.shape == (3,) and np.all(np.diff(times) > 0)
    assert EFF.step_time(H100, 0, 8192, **LAYER) == pytest.approx(LAYER["P"] * 2 / (H100.hbm_bw * EFF.matmul_hbm))


def test_decompose_adds_up():
    parts = EFF.decompose(H100, 64, 4096, **LAYER)
    assert parts["total"] >= parts["kv_read"] + max(parts["weight_read"], parts["flops"])
    assert parts["total"] <= parts["kv_read"] + parts["weight_read"] + parts["flops"]


def test_plan_measured_keeps_keys_and_uses_the_calibrated_step():
    setup = dict(chip="h100", chips=2, weights="fp8", compute="fp8", context=5250, batch=1, ici="ignore")
    ideal, real = sm.plan(**setup), sm.plan(efficiency="measured", **setup)
    assert set(ideal.to_dict()) == set(real.to_dict())
    assert real.step_time_s > ideal.step_time_s
    model = sm.get_model("llama-3-70b")
    expected = EFF.step_time(H100, 1, 5250, model.decode_param_count, 1, model.kv_bytes_per_token("fp8"), model.kv_heads,
                             2, "fp8")
    assert real.step_time_s == pytest.approx(expected)
    assert real.hbm_bw == pytest.approx(H100.hbm_bw * EFF.hbm)
    assert real.flops == pytest.approx(H100.flops("fp8") * EFF.flops_fp8)
    assert real.critical_batch == pytest.approx(EFF.critical_batch(H100, 1, "fp8"))


def test_plan_measured_handles_a_batch_that_does_not_fit():
    p = sm.plan(chip="h100", chips=1, weights="bf16", efficiency="measured")
    assert p.batch == 0 and not p.fits and math.isfinite(p.step_time_s)


def test_plan_measured_respects_a_flops_override():
    a = sm.plan(chip="h100", weights="fp8", batch=512, context=1024, efficiency="measured")
    b = sm.plan(chip="h100", weights="fp8", batch=512, context=1024, efficiency="measured", flops=H100.flops_bf16 / 4)
    assert b.step_time_s > a.step_time_s


def test_cli_measured_json_has_the_same_keys(capsys):
    assert main(["plan", "--chip", "h100", "--weights", "fp8", "--compute", "fp8", "--json"]) == 0
    ideal = json.loads(capsys.readouterr().out)
    assert main(["plan", "--chip", "h100", "--weights", "fp8", "--compute", "fp8", "--json",
                 "--efficiency", "measured"]) == 0
    real = json.loads(capsys.readouterr().out)
    assert set(ideal) == set(real) and real["efficiency"] == "measured"


def test_unknown_predictor():
    with pytest.raises(ValueError, match="^predictor: unknown"):
        rc.efficiency("optimistic")


def test_the_stored_calibration_is_the_fit():
    # the planner reads h100.toml (no NumPy at start-up); a change of data or fit must rewrite it
    assert MEASURED == h100_efficiency(), "calibration/h100.toml is out of date: run make calibration"
