"""Chapter 12's views: the matmul knee, the grid's error, the public gap, and the decomposition explorer."""

from ..analysis.reality_check import (BATCHES, CONTEXTS, GRIDS, grid_comparison, matmul_sweep, point, public_comparison,
                                      public_fractions, ratio_matrix)
from ..calibration.fit import H100
from ..core.hardware import Chip, get_chip
from ..figures import Drawing
from ..figures.reality_check import draw_decomposition, draw_grid_ratio, draw_matmul_knee, draw_public_gap
from ..present.reality_check import decomposition_text, grid_text, knee_text, public_gap_text
from . import Explorer, dropdown
from . import explorer as explorer_view

DEFAULT_GRID = "bf16, eager (3 runs)"


def matmul_knee(drawing: Drawing | None = None, chip: Chip = H100) -> tuple:
    """The matmul batch sweep, bf16 and fp8, against the roofline and the calibrated model of ``chip``."""
    chip = get_chip(chip)
    sweeps = [matmul_sweep(dtype, chip) for dtype in ("bf16", "fp8")]
    return draw_matmul_knee(drawing, sweeps), knee_text(sweeps)


def grid_ratio(drawing: Drawing | None = None, grid=DEFAULT_GRID) -> tuple:
    """measured / predicted over one decode grid, for the ideal roofline and the calibrated model."""
    g = grid_comparison(grid)
    return draw_grid_ratio(drawing, g), grid_text(g)


def public_gap(drawing: Drawing | None = None) -> tuple:
    """Public measurements as a fraction of the planner's prediction, ideal and calibrated."""
    g = public_fractions(public_comparison())
    return draw_public_gap(drawing, g), public_gap_text(g)


@explorer_view
def decomposition(drawing: Drawing | None = None, grid=DEFAULT_GRID, batch=1, context=32768) -> tuple:
    """One measured decode step of one layer beside its predictions: KV read, weight read, FLOPs."""
    d = point(grid, batch, context)
    return draw_decomposition(drawing, d, ratio_matrix("calibrated", grid)), decomposition_text(d)


def explorer() -> Explorer:
    """The chapter's explorer: a measured decode step of a grid, at a batch and a context."""
    return Explorer({"grid": dropdown("data", list(GRIDS), DEFAULT_GRID),
                     "batch": dropdown("batch B", list(BATCHES), 1),
                     "context": dropdown("context S", list(CONTEXTS), 32768)},
                    decomposition, title="One measured decode step, decomposed")
