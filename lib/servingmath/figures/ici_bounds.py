"""Chapter 08 figure: FLOPs, HBM and ICI time of one model-parallel matmul, and the ICI bounds on the chips."""

import numpy as np

from ..analysis.ici_bounds import BoundCurves, IciCase
from ..core.hardware import Chip
from ..present.ici_bounds import BARS, bar_label, bars_title, bounds_title
from . import Drawing, new_figure

BAR_COLORS = ("C1", "C0", "#9ecae1", "C3")
#: Which bar is outlined for each bound of a matmul.
BOUND_BAR = {"FLOPs": 0, "HBM": 1, "ICI": 3}


def _heights(case: IciCase) -> np.ndarray:
    """The bars' heights in µs."""
    return np.array([case.t_math, case.t_hbm, case.t_hbm_kv, case.t_ici]) * 1e6


def _create(case: IciCase, curves: BoundCurves) -> Drawing:
    fig, (left, right) = new_figure(2, figsize=(8.8, 3.8))
    heights = _heights(case)
    art = {"left": left, "right": right}
    art["bars"] = left.bar(range(4), heights, color=BAR_COLORS)
    art["bars"][2].set_hatch("//")
    art["labels"] = [left.text(i, h, "", ha="center", va="bottom", fontsize=8) for i, h in enumerate(heights)]
    left.set_xticks(range(4), BARS, fontsize=8)
    left.set_ylabel("time per matmul (µs)")
    left.grid(axis="x", visible=False)
    ends = curves.batches[[0, -1]]
    art["y_f"] = right.plot(ends, [curves.y_flops] * 2, color="C1", label=r"$Y_{\mathrm{FLOPs}}$")[0]
    art["y_h"] = right.plot(curves.batches, curves.y_hbm, color="C0", label=r"$Y_{\mathrm{HBM}}$ (weights)")[0]
    art["y_hk"] = right.plot(curves.batches, curves.y_hbm_kv, color="C0", ls="--", label=r"$Y_{\mathrm{HBM+KV}}$")[0]
    art["y"] = right.axhline(case.chips, color="k", ls=":", lw=1, label="Y = chips")
    art["here"] = right.plot([case.batch], [case.chips], "o", color="k", ms=6)[0]
    right.set(xscale="log", yscale="log", xlabel="batch B (sequences)", ylabel="chips Y where ICI catches up")
    right.set_xticks([1, 4, 16, 64, 256, 1024], ["1", "4", "16", "64", "256", "1,024"])
    right.minorticks_off()
    right.legend(loc="upper right", fontsize=8)
    return Drawing(fig, art)


def draw_ici_bars(drawing: Drawing | None, case: IciCase, curves: BoundCurves, chip: Chip) -> Drawing:
    """Per-matmul times (left) and the sharding degrees where ICI catches up, against the batch (right)."""
    drawing = _create(case, curves) if drawing is None else drawing
    art = drawing.art
    heights = _heights(case)
    binding = BOUND_BAR[case.matmul_bound]
    for i, (bar, label, h) in enumerate(zip(art["bars"], art["labels"], heights)):
        bar.set_height(h)
        bar.set_edgecolor("k" if i == binding else "none")
        bar.set_linewidth(2.0 if i == binding else 0.0)
        label.set_position((i, h))
        label.set_text(bar_label(h))
    art["left"].set_ylim(0, heights.max() * 1.18)
    art["left"].set_title(bars_title(case, chip), fontsize=9)
    art["y_f"].set_ydata([curves.y_flops] * 2)
    art["y_h"].set_ydata(curves.y_hbm)
    art["y_hk"].set_ydata(curves.y_hbm_kv)
    art["y"].set_ydata([case.chips] * 2)
    art["here"].set_data([case.batch], [case.chips])
    art["right"].set_title(bounds_title(case), fontsize=9)
    art["right"].relim()
    art["right"].autoscale_view()
    return drawing
