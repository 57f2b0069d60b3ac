"""Chapter 12's words: the figures' texts, titles and cell labels (from ``analysis.reality_check``)."""

import math

from ..analysis.reality_check import PREDICTORS, DecodePoint, GridComparison, PublicGap

#: How the decomposition names each predictor's bar (in ``PREDICTORS`` order), and the measured one.
ROW_LABELS = {"ideal": "datasheet roofline", "peaks": "x measured peaks", "calibrated": "calibrated model",
              "measured": "measured"}


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
