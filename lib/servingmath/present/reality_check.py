"""Chapter 12's words: its tables, the figures' texts, titles and cell labels (from ``analysis.reality_check``)."""

import math

from ..analysis.prefill import MeasuredMfu
from ..analysis.reality_check import PREDICTORS, DecodePoint, FullModel, GridComparison, PublicGap
from ..calibration import Efficiency
from ..calibration.fit import FEW_STREAMS, FLAT_BATCHES
from .tables import Table, table
from .units import ms, num

#: What each peak experiment measures (``analysis.reality_check.peaks``).
PEAK_LABELS = {"hbm_read_sum": "HBM, streaming read (B/s)", "hbm_copy": "HBM, copy (B/s)",
               "matmul_bf16": "8192^3 matmul, bf16 (FLOP/s)", "matmul_fp8": "8192^3 matmul, fp8 (FLOP/s)"}

#: How the decomposition names each predictor's bar (in ``PREDICTORS`` order), and the measured one.
ROW_LABELS = {"ideal": "datasheet roofline", "peaks": "x measured peaks", "calibrated": "calibrated model",
              "measured": "measured"}


def peaks_table(peaks: list) -> Table:
    """Each peak (``Peak``) against the datasheet: the median of three runs, their range, the efficiency."""
    rows = [(PEAK_LABELS[p.key], num(p.datasheet), num(p.median), f"{num(p.low)} - {num(p.high)}",
             f"{p.efficiency:.1%}", f"{p.low / p.datasheet:.1%} - {p.high / p.datasheet:.1%}") for p in peaks]
    return table(rows, ("peak", "datasheet", "measured (median)", "range of 3 runs", "efficiency",
                        "efficiency range"))


def constants_table(eff: Efficiency) -> Table:
    """The calibrated model's constants and the experiment each comes from."""
    rows = [("W_hbm / datasheet", f"{eff.hbm:.3f}", "streaming read (peaks), median of 3 runs"),
            ("C / datasheet, bf16", f"{eff.flops:.3f}", "8192^3 bf16 matmul (peaks)"),
            ("C / datasheet, fp8", f"{eff.flops_fp8:.3f}", "8192^3 fp8 matmul (peaks)"),
            ("W_mm / datasheet", f"{eff.matmul_hbm:.3f}", f"bf16 matmul sweep, flat part (B <= {FLAT_BATCHES})"),
            ("w_s", f"{num(eff.stream_bw)} B/s", f"decode grid: extra time per extra context token, "
                                                 f"B K <= {FEW_STREAMS} streams"),
            ("nu", f"{eff.overlap:g}", "fitted to the bf16 matmul sweep")]
    return table(rows, ("constant", f"{eff.measured_on.upper()} value", "measured by"))


def errors_table(errors: dict) -> Table:
    """Median and 90th-percentile error of each predictor on each grid (``{grid: grid_errors(...)}``), with the
    runs' own spread where a grid has three runs."""
    rows = []
    for grid, err in errors.items():
        for kind in ("ideal", "peaks", "calibrated", "run spread"):
            name = PREDICTORS.get(kind, "noise: spread of the runs")
            one_run = kind == "run spread" and "run 3" in grid
            rows.append((grid, name, "one run" if one_run else f"{err[kind].median:.1%}",
                         "one run" if one_run else f"{err[kind].p90:.1%}"))
    return table(rows, ("decode grid", "model", "median error", "90th percentile"))


def full_model_table(m: FullModel) -> Table:
    """The whole model's measured steps beside each predictor's, and the calibrated model's error."""
    rows = [(int(b), f"{int(s):,}", f"{t * 1e3:.2f}", *(f"{m.predicted[k][i] * 1e3:.2f}" for k in PREDICTORS),
             f"{m.error()[i]:+.1%}") for i, (b, s, t) in enumerate(zip(m.batch, m.context, m.measured))]
    return table(rows, ("batch", "context", "measured ms", *(f"{PREDICTORS[k]} ms" for k in PREDICTORS),
                        "calibrated error"))


def prefill_table(pf: MeasuredMfu, article_mfu: float) -> Table:
    """The measured prefill MFU of one layer per prompt length, against the article's assumption."""
    rows = [(f"{int(t):,}", f"{m:.1%}", f"{lo:.1%} - {hi:.1%}", f"{m / article_mfu:.2f}")
            for t, m, lo, hi in zip(pf.tokens, pf.median, pf.low, pf.high)]
    return table(rows, ("prompt T", "MFU (median of 3 runs)", "range", f"vs the article's {article_mfu:.0%}"))


def _metric(metric: str, value: float) -> str:
    return f"{value * 1e3:.1f} ms" if metric in ("itl_s", "tpot_s", "ttft_s") else f"{value:,.0f} tok/s/chip"


def public_table(results: list) -> Table:
    """Each public measurement (``PublicResult``) beside the ideal and the calibrated planner."""
    rows = [(r.row["id"], r.row["chip"], r.row["chips"], r.batch if r.row["concurrency"] is None
             else r.row["concurrency"], _metric(r.row["metric"], r.value),
             _metric(r.row["metric"], r.ideal.predicted), _metric(r.row["metric"], r.calibrated.predicted),
             f"{r.ideal.fraction:.2f}", f"{r.calibrated.fraction:.2f}", "" if r.fits else "no")
            for r in results]
    return table(rows, ("measurement", "chip", "N", "batch", "measured", "ideal", "calibrated", "of ideal",
                        "of calibrated", "fits?"))


def conditions_table(results: list) -> Table:
    """Where each public measurement comes from and what it leaves unstated."""
    rows = [(r.row["id"], r.row["conditions"], r.row["kv_note"] + (f"; {r.row['isl_note']}" if r.row["isl_note"]
                                                                    else ""), r.row["where"]) for r in results]
    return table(rows, ("measurement", "conditions", "KV cache and input", "where"))


def v5e_table(steps: list) -> Table:
    """The v5e steps of chapters 03-07 (``Recalibrated``): the roofline against the H100's fractions."""
    rows = [(s.label, s.chapters, s.ideal.batch, ms(s.ideal.step_time_s), ms(s.calibrated.step_time_s),
             f"{s.step_ratio:.2f}", f"{s.ideal.tokens_per_s_per_chip:,.0f}",
             f"{s.calibrated.tokens_per_s_per_chip:,.0f}", f"{s.throughput_ratio:.2f}") for s in steps]
    return table(rows, ("v5e step, 8k context", "chapters", "batch", "roofline step", "calibrated step", "step ratio",
                        "roofline tok/s/chip", "calibrated tok/s/chip", "throughput ratio"))


def context_tick(context) -> str:
    return f"{int(context):,}"


def ratio_cell(value: float) -> str:
    """A heatmap cell: measured / predicted to two decimals ("" where nothing was measured)."""
    return "" if math.isnan(value) else f"{value:.2f}"


def knee_text(sweeps: list) -> str:
    """Where each sweep (``MatmulSweep``) bends: the datasheet's knee and the measured one."""
    return "\n".join(f"{s.dtype}: knee of the datasheet at B = {s.spec_knee:.0f}, "
                     f"of the measurement at B = {s.measured_knee:.0f}" for s in sweeps)


def grid_text(g: GridComparison) -> str:
    """The errors of the ideal roofline and of the calibrated model on one grid."""
    ideal, calibrated = g.errors["ideal"], g.errors["calibrated"]
    return (f"{g.grid}: |predicted / measured - 1| over {g.points} points\n"
            f"ideal roofline: median {ideal.median:.1%}, 90th percentile {ideal.p90:.1%}\n"
            f"calibrated model: median {calibrated.median:.1%}, 90th percentile {calibrated.p90:.1%}")


def decomposition_title(d: DecodePoint) -> str:
    return f"{d.grid}: B = {d.batch}, S = {d.context:,}"


def decomposition_text(d: DecodePoint) -> str:
    """The measured step and each prediction in parts, in microseconds."""
    lines = [f"measured {d.measured * 1e6:.0f} µs (runs {d.low * 1e6:.0f}-{d.high * 1e6:.0f})"]
    for predictor in PREDICTORS:
        p = d.parts[predictor]
        lines.append(f"{ROW_LABELS[predictor]}: {p.total * 1e6:.0f} µs = KV {p.kv_read * 1e6:.0f} + weights "
                     f"{p.weight_read * 1e6:.0f} (FLOPs alone {p.flops * 1e6:.0f}); "
                     f"measured / predicted {d.ratio(predictor):.2f}")
    return "\n".join(lines)


def public_gap_text(g: PublicGap) -> str:
    """How far the public measurements fall below each prediction."""
    low, high = g.ideal_range
    return (f"fraction of the ideal roofline: median {g.ideal_median:.2f} (range {low:.2f}-{high:.2f}); "
            f"of the calibrated planner: median {g.calibrated_median:.2f}")
