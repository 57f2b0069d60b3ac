"""Chapter 01 figure: what a chip-hour buys, as FLOPs, as bytes read, and as tokens.

``draw_cost`` draws the cost of a million tokens against the tokens/s/chip a deployment
reaches (left) and, for every chip of the chapter's table, FLOPs per dollar beside HBM bytes
per dollar relative to TPU v5e (right), from an ``analysis.hardware_choice.TokenCost``.
Chips without a price show "no price in the sources".
"""

import numpy as np

from ..analysis.hardware_choice import TokenCost
from ..present import hardware_choice as words
from . import Drawing, new_figure


def _create(r: TokenCost) -> Drawing:
    fig, (left, right) = new_figure(2, figsize=(8, 4.2))
    y = np.arange(len(r.table))
    zeros = np.zeros(len(r.table))
    art = {
        "left": left, "right": right,
        "curve": left.plot(r.rates, r.curve, color="C0", label="cost at this price")[0],
        "beyond": left.plot(r.rates, r.curve, color="0.6", ls="--", label="beyond the ceiling: unreachable")[0],
        "point": left.plot([r.rate], [r.cost], "o", color="C0", label="your tokens/s/chip")[0],
        "ceiling": left.axvline(r.points.compute_ceiling, color="C3", ls="--", label="compute ceiling C/(2P)"),
        "workload": left.axvline(r.points.workload, color="C2", ls=":", lw=2, label="B=32, 8k, int8 (chapter 3)"),
        "flops": right.barh(y - 0.2, zeros, height=0.38, color="C1", label="FLOPs per $"),
        "bytes": right.barh(y + 0.2, zeros, height=0.38, color="C4", label="HBM bytes per $"),
        "missing": [right.text(0.03, i, "", va="center", fontsize=8, color="0.35") for i in y],
    }
    left.set(xscale="log", yscale="log", xlabel="tokens/s/chip (LLaMA 3-70B)", ylabel="$ per million tokens")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize=8, frameon=False)
    right.axvline(1.0, color="0.3", lw=0.8)
    right.invert_yaxis()
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=1, fontsize=8, frameon=False)
    right.set_title("what a dollar buys", fontsize=10)
    for ax in (left, right):
        ax.minorticks_off()
    return Drawing(fig, art)


def draw_cost(drawing: Drawing | None, r: TokenCost) -> Drawing:
    """Draw (or update in place) the cost curve and the per-dollar bars of ``r``."""
    drawing = _create(r) if drawing is None else drawing
    art = drawing.art
    art["curve"].set_ydata(np.where(r.reachable, r.curve, np.nan))
    art["beyond"].set_ydata(np.where(r.reachable, np.nan, r.curve))
    art["point"].set_data([r.rate], [r.cost])
    art["ceiling"].set_xdata([r.points.compute_ceiling] * 2)
    art["workload"].set_xdata([r.points.workload] * 2)
    for i, (row, missing) in enumerate(zip(r.table, words.missing_labels(r))):
        art["flops"][i].set_width(row.flops or 0)
        art["bytes"][i].set_width(row.bytes or 0)
        art["missing"][i].set_text(missing)
    art["right"].set_yticks(np.arange(len(r.table)), words.chip_labels(r), fontsize=8)
    art["right"].set_xlabel(words.reference_label(r))
    art["left"].set_title(words.cost_title(r), fontsize=10)
    for ax in (art["left"], art["right"]):
        ax.relim()
        ax.autoscale_view()
    return drawing
