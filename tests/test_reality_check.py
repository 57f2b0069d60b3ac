"""Chapter 12: the measured-data loaders, the public serving data, the figures and the exercise answers."""

import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import servingmath as sm
from servingmath.analysis import reality_check as rc
from servingmath import formulas as f
from servingmath.analysis.minimum_topology import topology_row
from servingmath.analysis.worked_numbers import worked_step
from servingmath.answers import answers
from servingmath.core.symbols import B, K, N, W_hbm, w_s
from servingmath.data import measured
from servingmath.present import reality_check as words
from servingmath.present.reality_check import decomposition_text
from servingmath.widgets import reality_check as views

BIB = (Path(__file__).resolve().parents[1] / "book" / "references.bib").read_text()


def test_over_runs_matches_each_run():
    grid = measured.over_runs("decode_layer")
    runs = np.array([measured.table("decode_layer", r)["time_us_median"] for r in measured.RUNS]) * 1e-6
    assert np.allclose(grid["time_s"], np.median(runs, axis=0))
    assert np.all(grid["time_lo_s"] <= grid["time_s"]) and np.all(grid["time_s"] <= grid["time_hi_s"])
    assert len(measured.over_runs("matmul_sweep", dtype="fp8")["batch"]) > 10


def test_loader_errors_name_the_parameter():
    with pytest.raises(ValueError, match="^weights:"):
        measured.decode_grid("fp8")
    with pytest.raises(ValueError, match="^colour:"):
        measured.over_runs("decode_layer", colour="red")
    with pytest.raises(ValueError, match="^run:"):
        measured.env("run9")


def test_public_rows_are_complete_and_cited():
    rows = measured.public_serving()
    assert len(rows) >= 12 and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert re.search(r"@\w+\{" + re.escape(row["source"]) + ",", BIB), row["source"]
        assert row["metric"] in rc.METRICS and row["value"] > 0 and row["where"]
        assert row["chip"] in sm.CHIPS and row["chips"] == row["tp"]
        assert row["tokens_per_s"] > 0 and row["system_chips"] >= row["chips"]
    assert {r["source"] for r in rows} == {"mlperf", "trtllm", "nim", "tpurecipes"}
    assert measured.public_serving(source="nim")[0]["chip"] == "h100"


def test_llama2_shape_differs_only_in_vocabulary():
    two, three = measured.public_model("llama-2-70b"), sm.get_model("llama-3-70b")
    assert two.layer_params == three.layer_params and two.vocab == 32000


def test_public_comparison():
    results = {r.row["id"]: r for r in rc.public_comparison()}
    for r in results.values():
        for prediction in (r.ideal, r.calibrated):
            assert 0 < prediction.fraction < 3
        assert r.calibrated.fraction >= r.ideal.fraction  # the calibrated prediction is slower
    # throughput per H100 falls with tensor parallelism (communication the roofline leaves out)
    tp = [results[f"trtllm-h100-tp{n}"].ideal.fraction for n in (1, 2, 4, 8)]
    assert tp[1] > tp[2] > tp[3]
    # Little's law: ~82 sequences per GPU in MLPerf's interactive run
    assert results["mlperf-v50-h200-interactive"].batch == 82
    assert not results["mlperf-v40-h200-server"].fits
    gap = rc.public_fractions(list(results.values()))
    assert gap.ids == tuple(results)
    assert gap.ideal_range[0] <= gap.ideal_median <= gap.ideal_range[1] <= gap.ideal.max()
    assert gap.calibrated_median >= gap.ideal_median


def test_knees_cancel_for_fp8():
    assert rc.spec_knee("bf16") == pytest.approx(rc.spec_knee("fp8"), rel=0.01)
    sweep = rc.matmul_sweep("fp8")
    assert (sweep.spec_knee, sweep.measured_knee) == (rc.spec_knee("fp8"), rc.measured_knee("fp8"))
    assert rc.measured_knee("fp8") == pytest.approx(rc.measured_knee("bf16"), rel=0.1)
    assert rc.measured_knee("bf16") < rc.spec_knee("bf16")


def test_ratio_matrix_layout():
    m = rc.ratio_matrix("ideal")
    assert m.shape == (len(rc.BATCHES), len(rc.CONTEXTS)) and np.isnan(m[-1, -1])
    assert np.nanmax(m) == pytest.approx(m[0, -1])  # batch 1 at 32k tokens is the worst point
    assert np.nanmin(m) > 1  # the datasheet roofline is always too fast


@pytest.mark.parametrize("view", [views.matmul_knee, views.grid_ratio, views.public_gap])
def test_static_figures_build(view):
    drawing, text = view(None)
    assert text and len(drawing.fig.axes) >= 1
    again, text2 = view(drawing)
    assert again is drawing and text2 == text


def test_decomposition_updates_in_place():
    drawing, text = views.decomposition(None)
    axes = list(drawing.fig.axes)
    assert len(axes) <= 2
    drawing2, text2 = views.decomposition(drawing, grid="fp8, CUDA graphs (run 3)", batch=512, context=8192)
    assert drawing2 is drawing and list(drawing.fig.axes) == axes and text2 != text
    assert "measured" in text2
    assert text2 == decomposition_text(rc.point("fp8, CUDA graphs (run 3)", 512, 8192))


def test_decomposition_rejects_unmeasured_points():
    with pytest.raises(ValueError, match="^batch: 192 at context 4,096"):
        views.decomposition(None, grid="fp8, CUDA graphs (run 3)", batch=192, context=4096)
    with pytest.raises(ValueError, match="^data:"):
        views.decomposition(None, grid="int4")


def test_point_parts_match_the_model():
    p = rc.point("bf16, eager (3 runs)", 1, 32768)
    assert p.parts["calibrated"].total > 1.5 * p.parts["ideal"].total  # the stream limit of batch 1
    assert p.ratio("calibrated") == pytest.approx(1, abs=0.1)
    ideal = p.parts["ideal"]
    assert ideal.total == pytest.approx(ideal.kv_read + max(ideal.weight_read, ideal.flops), rel=1e-12)
    assert ideal.beyond_reads == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("label", ["reality-check-1", "reality-check-2", "reality-check-3"])
def test_answers_check(label, capsys):
    truth = answers()[label].value()
    assert sm.check(label, truth)
    assert not sm.check(label, truth * 1.5)


def test_answer_values():
    assert answers()["reality-check-2"].value() == pytest.approx(81.8, abs=0.1)
    assert 5 < answers()["reality-check-1"].value() < 12


def test_read_loads_a_file_like_table(tmp_path):
    shipped = Path(measured.__file__).parent / "measured" / "h100" / "run1" / "peaks.csv"
    a, b = measured.read(shipped), measured.table("peaks", "run1")
    assert a.keys() == b.keys() and np.array_equal(a["value"], b["value"])
    empty = tmp_path / "full_model_fp8.csv"
    empty.write_text("weights,batch,context\n")
    assert measured.read(empty)["batch"].size == 0
    with pytest.raises(ValueError, match="^path:"):
        measured.read(tmp_path / "missing.csv")


def test_the_saturation_batch_the_chapter_solves_is_the_library_formula():
    solved = sp.solve(sp.Eq(W_hbm, w_s * B * K / N), B)[0]
    assert sp.simplify(solved - f.attention_saturation_batch.expr) == 0


def test_peaks_are_the_calibration_fractions():
    by_key = {p.key: p for p in rc.peaks()}
    eff = rc.efficiency("peaks")
    assert by_key["hbm_read_sum"].efficiency == pytest.approx(eff.hbm)
    assert by_key["matmul_fp8"].efficiency == pytest.approx(eff.flops_fp8)
    assert all(p.low <= p.median <= p.high < p.datasheet for p in by_key.values())


def test_full_model_comparison_is_the_prediction():
    m = rc.full_model_comparison()
    assert np.array_equal(m.predicted["calibrated"], rc.full_model_prediction("calibrated")[1])
    assert np.all(np.abs(m.error()) < 0.1) and np.all(m.predicted["ideal"] < m.measured)


def test_v5e_steps_are_the_chapters_steps_recalibrated():
    steps = {s.label: s for s in rc.v5e_steps()}
    assert len(steps) == 4
    assert steps["BS=32, int8, 2x4"].ideal.step_time_s == pytest.approx(worked_step().terms.step, rel=1e-12)
    for precision, mesh in (("bf16", "4x4"), ("int8", "2x4"), ("int4", "2x2")):
        row, s = topology_row(precision), steps[f"HBM full, {precision}, {mesh}"]
        assert (row.chips, row.batch) == (s.ideal.chips, s.ideal.batch) == (s.calibrated.chips, s.calibrated.batch)
        assert s.ideal.step_time_s == pytest.approx(row.step, rel=1e-12)
    for s in steps.values():
        assert s.calibrated.efficiency_measured_on == "h100" and s.ideal.efficiency == "ideal"
        assert 1.1 < s.step_ratio < 1.35 and s.throughput_ratio == pytest.approx(1 / s.step_ratio)
    table = words.v5e_table(list(steps.values()))
    assert len(table.rows) == 4 and table.html.startswith('<table class="sm-table">')
