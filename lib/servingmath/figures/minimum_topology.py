"""Chapter 05 figures: max batch and step time over the slice size per precision, and the measured
bf16-vs-fp8 decode step of one layer against the roofline."""

import numpy as np

from ..analysis.minimum_topology import Speedup, Topology
from ..core.precision import SERVING_PRECISIONS
from ..present import minimum_topology as words
from ..present.units import thousands
from . import PRECISION_COLORS, Drawing, new_figure


def draw_topology(drawing: Drawing | None, t: Topology) -> Drawing:
    """Max batch (left) and decode step at that batch (right) over the slice size, for the three precisions."""
    if drawing is None:
        fig, (left, right) = new_figure(2, figsize=(8.4, 3.6))
        art = {"left": left, "right": right}
        for p in SERVING_PRECISIONS:
            color = PRECISION_COLORS[p]
            art[f"{p}_b"] = left.plot([], [], "-", color=color, label=f"{p} weights and KV")[0]
            art[f"{p}_t"] = right.plot([], [], "-", color=color, label=p)[0]
            art[f"{p}_bm"] = left.plot([], [], "o", color=color, ms=7, mfc="none")[0]
            art[f"{p}_tm"] = right.plot([], [], "o", color=color, ms=7, mfc="none")[0]
        art["full"] = right.axhline(t.step_full_hbm * 1e3, color="k", ls="--", lw=1, label="HBM / W_hbm")
        left.set(xscale="log", yscale="log", xlabel="chips N (valid slices)", ylabel="max batch (sequences)")
        right.set(xscale="log", xlabel="chips N (valid slices)", ylabel="decode step at max batch (ms)")
        for ax in (left, right):
            ax.minorticks_off()
        left.legend(loc="upper left", fontsize=8)
        right.legend(loc="upper left", fontsize=8)
        drawing = Drawing(fig, art)
    art = drawing.art
    for p in SERVING_PRECISIONS:
        curve, row = t.curves[p], t.rows[p]
        wide = 2.6 if p == t.precision else 1.0
        art[f"{p}_b"].set_data(curve.chips, curve.batch)
        art[f"{p}_t"].set_data(curve.chips, curve.step * 1e3)
        art[f"{p}_b"].set_linewidth(wide)
        art[f"{p}_t"].set_linewidth(wide)
        art[f"{p}_bm"].set_data([row.chips], [row.batch if row.batch else np.nan])
        art[f"{p}_tm"].set_data([row.chips], [row.step * 1e3])
    art["full"].set_ydata([t.step_full_hbm * 1e3] * 2)
    for ax in (art["left"], art["right"]):
        ax.set_xticks(t.sizes, thousands(t.sizes))
        ax.relim()
        ax.autoscale_view()
    art["right"].set_ylim(0, None)
    art["left"].set_title(words.topology_title(t), fontsize=9)
    art["right"].set_title("step at max batch (FLOPs in bf16)", fontsize=9)
    return drawing


def draw_precision_speedup(drawing: Drawing | None, s: Speedup) -> Drawing:
    """Speed-up of one layer's decode step from fp8 weights, against the batch, at each measured context."""
    contexts = sorted(set(s.context.astype(int)))
    if drawing is None:
        fig, ax = new_figure(1, figsize=(7.0, 3.8))
        art = {"ax": ax}
        for i, context in enumerate(contexts):
            art[f"{context}_m"] = ax.plot([], [], "o", color=f"C{i}", label=words.context_label(context, "measured"))[0]
            art[f"{context}_p"] = ax.plot([], [], "-", color=f"C{i}", lw=1.2,
                                          label=words.context_label(context, "roofline"))[0]
        ax.axhline(2, color="k", ls="--", lw=1, label="bytes halved: 2x")
        ax.axhline(1, color="k", lw=0.8)
        ax.set(xscale="log", xlabel="batch B (sequences)", ylabel="step time bf16 / fp8 weights", ylim=(0.9, 2.1))
        ax.minorticks_off()
        ax.legend(loc="lower left", fontsize=8)
        drawing = Drawing(fig, art)
    art = drawing.art
    for context in contexts:
        pick = s.context == context
        art[f"{context}_m"].set_data(s.batch[pick], s.measured[pick])
        art[f"{context}_p"].set_data(s.batch[pick], s.predicted[pick])
    batches = sorted(set(s.batch.astype(int)))
    art["ax"].set_xticks(batches, thousands(batches))
    art["ax"].set_xlim(min(batches) / 1.3, max(batches) * 1.3)
    art["ax"].set_title(words.speedup_title(s), fontsize=9)
    return drawing
