"""Chapter 04 figures: the roofline of one matmul over the batch, and the measured H100 sweep against it."""

from ..analysis.critical_batch import SWEPT, MeasuredRoofline, Roofline
from ..present import critical_batch as words
from ..present.units import thousands
from . import Drawing, new_figure

#: Batches labelled on the log axes.
BATCH_TICKS = (1, 4, 16, 64, 256, 1024, 4096)


def draw_roofline(drawing: Drawing | None, r: Roofline) -> Drawing:
    """Time of x[B, D] @ W[D, F] against B (left) and B_crit per precision pair on the chip (right)."""
    us = lambda seconds: seconds * 1e6
    if drawing is None:
        fig, (left, right) = new_figure(2, figsize=(8.4, 3.6))
        art = {
            "flops": left.plot(r.batches, us(r.flops_time), "--", color="C1", lw=1, label="FLOPs at peak")[0],
            "bytes": left.plot(r.batches, us(r.bytes_time), "--", color="C0", lw=1, label="bytes at HBM speed")[0],
            "time": left.plot(r.batches, us(r.time), color="k", lw=2, label="roofline: the larger")[0],
            "crit": left.axvline(r.critical_batch, color="C3", ls=":", label=r"$B_{\mathrm{crit}}$"),
            "ridge": left.plot([r.ridge], [us(r.ridge_time)], "o", color="C3", ms=5)[0],
            "bars": right.bar(range(len(r.pairs)), r.pair_critical, color=["C7"] * (len(r.pairs) - 1) + ["C3"]),
            "left": left, "right": right,
        }
        art["labels"] = [right.text(i, h, words.bar_label(h), ha="center", va="bottom", fontsize=8)
                         for i, h in enumerate(r.pair_critical)]
        left.set(xscale="log", yscale="log", xlabel="batch B (tokens per step)",
                 ylabel=r"time of one $D\times F$ matmul (µs)")
        left.set_xticks(BATCH_TICKS, thousands(BATCH_TICKS))
        left.minorticks_off()
        left.legend(loc="upper left", fontsize=8)
        right.set_ylabel(r"$B_{\mathrm{crit}}$ (tokens)")
        right.grid(axis="x", visible=False)
        drawing = Drawing(fig, art)
    art = drawing.art
    art["flops"].set_ydata(us(r.flops_time))
    art["bytes"].set_ydata(us(r.bytes_time))
    art["time"].set_ydata(us(r.time))
    art["crit"].set_xdata([r.critical_batch, r.critical_batch])
    art["ridge"].set_data([r.ridge], [us(r.ridge_time)])
    for bar, label, h in zip(art["bars"], art["labels"], r.pair_critical):
        bar.set_height(h)
        label.set_position((label.get_position()[0], h))
        label.set_text(words.bar_label(h))
    right, left = art["right"], art["left"]
    right.set_xticks(range(len(r.pairs)), words.pair_labels(r), fontsize=7)
    right.set_ylim(0, 1.2 * max(r.pair_critical))
    right.set_title(r.chip.label, fontsize=9)
    left.set_title(words.roofline_title(r), fontsize=9)
    left.relim()
    left.autoscale_view()
    return drawing


def draw_measured_roofline(drawing: Drawing | None, m: MeasuredRoofline) -> Drawing:
    """The measured H100 matmul sweep (bf16 and fp8, median and range of three runs) on the roofline."""
    if drawing is None:
        fig, ax = new_figure(1, figsize=(7.4, 4.0))
        art = {"ax": ax}
        for i, dtype in enumerate(SWEPT):
            data, color = m.sweeps[dtype], f"C{i}"
            art[f"{dtype}_pts"] = ax.errorbar(data.batch, data.median * 1e6,
                                              yerr=[(data.median - data.lo) * 1e6, (data.hi - data.median) * 1e6],
                                              fmt="o", ms=3.5, color=color, capsize=2, lw=1,
                                              label=words.sweep_label(dtype))
            art[f"{dtype}_line"] = ax.plot(m.batches, m.lines[dtype] * 1e6, color=color, lw=1.5,
                                           label=f"{dtype}: roofline")[0]
            art[f"{dtype}_knee"] = ax.axvline(m.knees[dtype], color=color, ls=":", lw=1.2)
        ax.set(xscale="log", yscale="log", xlabel="batch B (rows of x)",
               ylabel=words.sweep_ylabel(), xlim=(0.8, 5200))
        ax.set_xticks(BATCH_TICKS, thousands(BATCH_TICKS))
        ax.minorticks_off()
        ax.legend(loc="upper left", fontsize=8)
        drawing = Drawing(fig, art)
    art = drawing.art
    for dtype in SWEPT:
        art[f"{dtype}_line"].set_ydata(m.lines[dtype] * 1e6)
        art[f"{dtype}_knee"].set_xdata([m.knees[dtype]] * 2)
    art["ax"].set_title(words.measured_title(m), fontsize=9)
    return drawing
