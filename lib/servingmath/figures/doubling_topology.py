"""Chapter 07 figure: tokens/s/chip at the largest batch that fits, against the slice size, by precision."""

import math

import numpy as np

from ..analysis.doubling_topology import Sweep
from ..present.doubling_topology import rate_title, slice_label
from . import PRECISION_COLORS, Drawing, new_figure


def _create(s: Sweep) -> Drawing:
    fig, (left, right) = new_figure(2, figsize=(8.6, 3.6))
    art = {"left": left, "right": right, "rate": {}, "ceil": {}, "gain": {}}
    for d in s.points:
        art["rate"][d] = left.plot(s.sizes, s.rate[d], "o-", color=PRECISION_COLORS[d], ms=4, label=f"{d}")[0]
        art["ceil"][d] = left.axhline(s.limits[d].ceiling, color=PRECISION_COLORS[d], ls=":", lw=1)
        art["gain"][d] = right.plot(s.sizes[1:], s.gain[d], "o-", color=PRECISION_COLORS[d], ms=4, label=f"{d}")[0]
    art["here"] = left.plot([s.chips], [s.here.tokens_per_s_per_chip], "o", ms=11, mfc="none", mec="k", mew=1.5)[0]
    art["here_gain"] = right.plot([s.chips], [1.0], "o", ms=11, mfc="none", mec="k", mew=1.5)[0]
    right.axhline(1.0, color="k", lw=1, ls="--")
    right.text(s.sizes[-1], 1.0, "linear: no gain per chip ", ha="right", va="top", fontsize=8)
    labels = [slice_label(s.chip, n) for n in s.sizes]
    left.set(xscale="log", xlabel="chips (slice)", ylabel="tokens/s per chip at max batch")
    left.set_xticks(s.sizes, labels)
    right.set(xscale="log", xlabel="doubled to this slice (from half the chips)",
              ylabel="tokens/s/chip gain from doubling (x)")
    right.set_xticks(s.sizes[1:], labels[1:])
    for ax in (left, right):
        ax.minorticks_off()
    right.legend(loc="upper right", fontsize=8, title="weights = KV", title_fontsize=8)
    return Drawing(fig, art)


def draw_throughput_vs_chips(drawing: Drawing | None, s: Sweep) -> Drawing:
    """Tokens/s/chip at max batch over the slices for each precision (left), and the per-chip gain of
    doubling the slice (right); the sweep's ``weights`` and ``chips`` pick the highlighted point."""
    drawing = _create(s) if drawing is None else drawing
    art = drawing.art
    for d in s.points:
        width = 2.2 if d == s.weights else 1.0
        art["rate"][d].set_ydata(s.rate[d])
        art["rate"][d].set_linewidth(width)
        art["ceil"][d].set_ydata([s.limits[d].ceiling] * 2)
        art["gain"][d].set_ydata(s.gain[d])
        art["gain"][d].set_linewidth(width)
    k = s.index
    art["here"].set_data([s.chips], [s.here.tokens_per_s_per_chip])
    art["here_gain"].set_data([s.chips], [s.gain[s.weights][k - 1] if k else math.nan])
    art["left"].set_title(rate_title(s), fontsize=9)
    art["right"].set_title("above 1: super-linear total throughput", fontsize=9)
    for ax in (art["left"], art["right"]):
        ax.relim()
        ax.autoscale_view()
    highest = np.nanmax([np.nanmax(g) if np.isfinite(g).any() else 1.0 for g in s.gain.values()])
    art["right"].set_ylim(0.9, max(1.1, highest + 0.05))   # room under 1 for the label of the linear line
    return drawing
