"""Chapter 12 figures: the roofline against one real H100.

``draw_matmul_knee``: the matmul batch sweep against the datasheet roofline and the calibrated model.
``draw_grid_ratio``: measured / predicted over the decode grid, for the ideal roofline and the calibrated model.
``draw_decomposition``: one measured decode step and its predictions, split into KV read, weight read and FLOPs.
``draw_public_gap``: public serving measurements as a fraction of the planner's prediction.
"""

import numpy as np

from ..analysis.reality_check import BATCHES, CONTEXTS, PREDICTORS, DecodePoint, GridComparison, PublicGap
from ..present.reality_check import ROW_LABELS, context_tick, decomposition_title, ratio_cell
from . import Drawing, new_figure

RATIO_LIMIT = 2.0  # the colour scale runs from 1/2 to 2 (log scale)
RATIO_TICKS = (0.5, 0.71, 1, 1.41, 2)
#: The parts of a predicted step, as stacked bars: (``StepParts`` field, legend, colour).
PARTS = (("kv_read", "KV read", "C0"), ("weight_read", "weight read", "C1"),
         ("beyond_reads", "FLOPs and overlap beyond the weight read", "C2"))
MEASURED_ROW = len(PREDICTORS)


def _figure(figsize, **subplots):
    """Like ``new_figure(2)``, with options for the two axes (shared y, width ratios)."""
    fig, _ = new_figure(1, figsize=figsize)
    fig.clear()
    axes = fig.subplots(1, 2, **subplots)
    for ax in axes:
        ax.minorticks_off()
    return fig, axes


def _heatmap(ax, matrix, title, annotate=True):
    image = ax.imshow(np.log2(matrix).T, origin="lower", aspect="auto", cmap="RdBu_r",
                      vmin=-np.log2(RATIO_LIMIT), vmax=np.log2(RATIO_LIMIT))
    ax.set_xticks(range(len(BATCHES)), [str(b) for b in BATCHES], fontsize=7, rotation=90)
    ax.set_yticks(range(len(CONTEXTS)), [context_tick(c) for c in CONTEXTS])
    ax.set(xlabel="batch B (sequences)", ylabel="context S (tokens)", title=title)
    ax.grid(False)
    ax.minorticks_off()
    texts = []
    if annotate:
        for i in range(len(BATCHES)):
            for j in range(len(CONTEXTS)):
                texts.append(ax.text(i, j, ratio_cell(matrix[i, j]), ha="center", va="center", fontsize=6.5))
    return image, texts


def draw_grid_ratio(drawing: Drawing | None, g: GridComparison) -> Drawing:
    """Two heatmaps of measured / predicted decode-step time: the ideal roofline and the calibrated model."""
    if drawing is None:
        fig, (left, right) = new_figure(2, figsize=(9, 3.6))
        image, left_texts = _heatmap(left, g.ideal, "measured / ideal roofline")
        _, right_texts = _heatmap(right, g.calibrated, "measured / calibrated model")
        bar = fig.colorbar(image, ax=[left, right], shrink=0.9)
        bar.set_ticks(np.log2(RATIO_TICKS), labels=[f"{t:g}" for t in RATIO_TICKS])
        bar.set_label("measured / predicted")
        drawing = Drawing(fig, {"images": (left.images[0], right.images[0]), "texts": (left_texts, right_texts)})
    art = drawing.art
    for image, texts, matrix in zip(art["images"], art["texts"], (g.ideal, g.calibrated)):
        image.set_data(np.log2(matrix).T)
        for text, value in zip(texts, matrix.ravel()):
            text.set_text(ratio_cell(value))
    return drawing


def draw_matmul_knee(drawing: Drawing | None, sweeps: list) -> Drawing:
    """Time of x[B, 8192] @ W[8192, 28672] over B, one panel per ``MatmulSweep`` (bf16, fp8): measured,
    the datasheet roofline and the calibrated model, with both knees."""
    if drawing is None:
        fig, axes = _figure((9, 3.6), sharey=True)
        art = {"ideal": [], "calibrated": []}
        for ax, s in zip(axes, sweeps):
            ax.errorbar(s.batch, s.time_s * 1e6, yerr=[(s.time_s - s.time_lo_s) * 1e6, (s.time_hi_s - s.time_s) * 1e6],
                        fmt="o", ms=3, color="k", label="measured (median, range of 3 runs)")
            art["ideal"].append(ax.plot(s.dense, s.ideal * 1e6, color="C0", label="datasheet roofline")[0])
            art["calibrated"].append(ax.plot(s.dense, s.calibrated * 1e6, color="C3", ls="--",
                                             label="calibrated model")[0])
            ax.axvline(s.spec_knee, color="C0", lw=0.8, ls=":")
            ax.axvline(s.measured_knee, color="k", lw=0.8, ls=":")
            ax.set(xscale="log", yscale="log", xlabel="batch B (rows of x)", title=f"{s.dtype} weights, {s.dtype} FLOPs")
            ax.minorticks_off()
        axes[0].set_ylabel("time (µs)")
        axes[0].legend(loc="upper left", fontsize=8)
        drawing = Drawing(fig, art)
    for line, s in zip(drawing.art["ideal"], sweeps):
        line.set_ydata(s.ideal * 1e6)
    for line, s in zip(drawing.art["calibrated"], sweeps):
        line.set_ydata(s.calibrated * 1e6)
    return drawing


def _decomposition_figure(d: DecodePoint, matrix) -> Drawing:
    fig, (left, right) = _figure((9, 3.4), width_ratios=(1.3, 1))
    bars = {}
    for n, predictor in enumerate(PREDICTORS):
        start = 0.0
        for key, label, color in PARTS:
            width = getattr(d.parts[predictor], key)
            bars[predictor, key] = left.barh(n, width * 1e6, left=start * 1e6, color=color,
                                             label=label if n == 0 else None)[0]
            start += width
    bars["measured"] = left.barh(MEASURED_ROW, d.measured * 1e6, color="0.4")[0]
    whisker = left.errorbar([d.measured * 1e6], [MEASURED_ROW], xerr=[[0.0], [0.0]], fmt="none", color="k", capsize=4)
    left.set_yticks(range(MEASURED_ROW + 1), [ROW_LABELS[k] for k in (*PREDICTORS, "measured")])
    left.invert_yaxis()
    left.set_xlabel("time of one layer's decode step (µs)")
    fig.legend(loc="outside lower center", ncols=3, fontsize=7)
    image, _ = _heatmap(right, matrix, "measured / calibrated model", annotate=False)
    marker = right.plot([0], [0], "s", ms=12, mfc="none", mec="k", mew=2)[0]
    return Drawing(fig, {"bars": bars, "whisker": whisker, "left": left, "right": right, "image": image,
                         "marker": marker})


def draw_decomposition(drawing: Drawing | None, d: DecodePoint, matrix) -> Drawing:
    """One measured decode step of one layer beside its predictions (KV read, weight read, the rest), and
    where it sits on ``matrix``, the grid's measured / calibrated."""
    drawing = _decomposition_figure(d, matrix) if drawing is None else drawing
    art = drawing.art
    for predictor in PREDICTORS:
        start = 0.0
        for key, _, _ in PARTS:
            width = getattr(d.parts[predictor], key)
            art["bars"][predictor, key].set_x(start * 1e6)
            art["bars"][predictor, key].set_width(width * 1e6)
            start += width
    art["bars"]["measured"].set_width(d.measured * 1e6)
    segments = art["whisker"].lines[2][0]
    segments.set_segments([[[d.low * 1e6, MEASURED_ROW], [d.high * 1e6, MEASURED_ROW]]])
    top = max(d.high, *(sum(getattr(p, key) for key, _, _ in PARTS) for p in d.parts.values()))
    art["left"].set_xlim(0, top * 1e6 * 1.08)
    art["left"].set_title(decomposition_title(d))
    art["image"].set_data(np.log2(matrix).T)
    art["marker"].set_data([BATCHES.index(d.batch)], [CONTEXTS.index(d.context)])
    return drawing


def draw_public_gap(drawing: Drawing | None, g: PublicGap) -> Drawing:
    """Public measurements as a fraction of the planner's prediction, ideal and calibrated."""
    if drawing is None:
        fig, ax = new_figure(1, figsize=(8, 4.6))
        y = np.arange(len(g.ids))
        ideal = ax.barh(y - 0.2, g.ideal, height=0.4, color="C0", label="of the ideal roofline")
        calibrated = ax.barh(y + 0.2, g.calibrated, height=0.4, color="C3", label="of the calibrated planner")
        ax.axvline(1, color="k", lw=0.8)
        ax.set_yticks(y, g.ids, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("measured speed / predicted speed")
        ax.legend(loc="lower right", fontsize=8)
        ax.minorticks_off()
        drawing = Drawing(fig, {"ideal": ideal, "calibrated": calibrated})
    for bars, values in ((drawing.art["ideal"], g.ideal), (drawing.art["calibrated"], g.calibrated)):
        for bar, value in zip(bars, values):
            bar.set_width(value)
    return drawing
