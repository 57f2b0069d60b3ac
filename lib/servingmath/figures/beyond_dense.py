"""Chapter 13 figure: the weight bytes an MoE decode step reads against the batch, and the step's parts.

Left, the bytes read per step (log-log) rise from the active weights at B = 1 to every weight once the
batch touches all experts; two flat lines are the dense models beside it: one as large (it reads every
weight at any batch) and one with the same FLOPs (it reads the active weights). Right, the parts of the
step at the chosen batch: the weight read and the FLOPs overlap (the smaller drawn faded), the KV read
adds to the larger, and the bottom bar stacks what the step takes.
"""

from matplotlib.ticker import MaxNLocator
import numpy as np

from ..analysis.beyond_dense import DecodeStep
from ..present import beyond_dense as words
from ..present.units import thousands
from . import Drawing, new_figure, show_step, step_bars

BATCH_TICKS = (1, 4, 16, 64, 256, 1024, 4096, 16384)


def _ticks(lo: float, hi: float) -> list:
    """1-2-5 ticks between ``lo`` and ``hi`` (a log axis spanning less than two decades needs more than 10^n)."""
    found = []
    for exponent in range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1):
        found += [m * 10.0**exponent for m in (1, 2, 5) if lo <= m * 10.0**exponent <= hi]
    return found


def _create(r: DecodeStep) -> Drawing:
    fig, (read, parts) = new_figure(2, figsize=(8.6, 3.6))
    gb = lambda x: x / 1e9
    art = {
        "read": read, "parts": parts,
        "curve": read.plot(r.batches, gb(r.read), color="C0", lw=2, label="this MoE model")[0],
        "all": read.axhline(gb(r.all_bytes), color="C3", ls="--", lw=1, label="dense, same size"),
        "active": read.axhline(gb(r.active_bytes), color="C7", ls=":", lw=1.5, label="dense, same FLOPs"),
        "point": read.plot([r.batch], [gb(r.read_at)], "o", color="C0")[0],
        "crit": read.axvline(r.critical.moe, color="C1", ls="-.", lw=1, label=r"MoE $B_{\mathrm{crit}}$"),
        "parts_bars": step_bars(parts, fontsize=8),
    }
    read.set(xscale="log", yscale="log", xlabel="batch B (sequences per step)",
             ylabel="weights read per step (GB)", xlim=(1, BATCH_TICKS[-1]))
    read.set_xticks(BATCH_TICKS, thousands(BATCH_TICKS), fontsize=8)
    read.legend(loc="center right", fontsize=8)
    parts.xaxis.set_major_locator(MaxNLocator(4))
    fig.get_layout_engine().set(rect=(0, 0, 0.97, 1))   # room for the last tick label when the axis rescales
    for ax in (read, parts):
        ax.minorticks_off()
    return Drawing(fig, art)


def draw_decode_step(drawing: Drawing | None, r: DecodeStep) -> Drawing:
    """Draw (or update in place) the weight read of ``r`` over the batch and its step's parts."""
    drawing = _create(r) if drawing is None else drawing
    art = drawing.art
    gb = lambda x: x / 1e9
    art["curve"].set_ydata(gb(r.read))
    art["all"].set_ydata([gb(r.all_bytes)] * 2)
    art["active"].set_ydata([gb(r.active_bytes)] * 2)
    art["point"].set_data([r.batch], [gb(r.read_at)])
    art["crit"].set_xdata([r.critical.moe] * 2)
    lo, hi = gb(r.active_bytes) / 1.6, gb(r.all_bytes) * 1.6
    ticks = _ticks(lo, hi)
    art["read"].set_ylim(lo, hi)
    art["read"].set_yticks(ticks, words.gb_tick_labels(ticks))
    art["read"].set_title(words.read_title(r), fontsize=8)

    labels = [" " + words.bar_label(seconds) for seconds in (r.weight_time, r.flops_time, r.kv_time, r.step_time)]
    show_step(art["parts_bars"], r.weight_time * 1e3, r.flops_time * 1e3, r.kv_time * 1e3, labels)
    art["parts"].set_xlim(0, 1.35 * r.step_time * 1e3)
    art["parts"].set_title(words.parts_title(r), fontsize=8)
    return drawing
