"""Chapter 11's frontier: step time against throughput per chip for each precision and slice (log axes), and the
parts of the selected step as bars."""

from matplotlib.lines import Line2D

from ..analysis.frontier import Frontier, StepPoint
from ..core.hardware import Chip
from ..present.frontier import frontier_title
from . import PRECISION_COLORS, STEP_COLORS, Drawing, new_figure

#: The collectives' colour (the other parts keep ``STEP_COLORS``).
ICI_COLOR = "C4"
ROWS = ("weight read", "matmul FLOPs", "KV read", "collectives", "step")


def _create(precisions) -> Drawing:
    fig, (ax, bars) = new_figure(2, figsize=(10.0, 4.0))
    ax.set(xscale="log", yscale="log", xlabel="throughput (tokens/s per chip)",
           ylabel="latency (ms per output token)")
    ax.legend(handles=[Line2D([], [], color=PRECISION_COLORS[p], label=p) for p in precisions]
              + [Line2D([], [], ls="none", marker="o", color="black", label="selected step")],
              loc="upper left", fontsize=8, title="weights and KV", title_fontsize=8)
    y = list(range(len(ROWS)))
    parts = {key: bars.barh(y[i], 0, height=0.6, color=color)[0]
             for i, (key, color) in enumerate((("weights", STEP_COLORS["weights"]), ("flops", STEP_COLORS["flops"]),
                                               ("kv", STEP_COLORS["kv"]), ("ici", ICI_COLOR)))}
    stack = {key: bars.barh(y[-1], 0, height=0.6, edgecolor="black")[0] for key in ("top", "kv", "ici")}
    stack["kv"].set_facecolor(STEP_COLORS["kv"])
    stack["ici"].set_facecolor(ICI_COLOR)
    bars.set_yticks(y, ROWS)
    bars.invert_yaxis()
    bars.set_xlabel("milliseconds per decode step")
    art = {"ax": ax, "bars": bars, "parts": parts, "stack": stack, "curves": [],
           "point": ax.plot([], [], "o", color="black", ms=7, zorder=5)[0],
           "labels": [bars.text(0, i, "", va="center", ha="left", fontsize=8) for i in y]}
    return Drawing(fig, art)


def _draw_curves(art, frontiers: list, selected: Frontier) -> None:
    ax = art["ax"]
    for artist in art["curves"]:
        artist.remove()
    art["curves"] = []
    for fr in frontiers:
        chosen = fr.precision == selected.precision and fr.chips == selected.chips
        color = PRECISION_COLORS[fr.precision]
        art["curves"] += ax.plot(fr.tokens_per_s_per_chip, fr.step_time_s * 1e3, color=color,
                                 lw=2.4 if chosen else 1.0, alpha=1.0 if chosen else 0.55)
        art["curves"].append(ax.text(fr.tokens_per_s_per_chip[-1], fr.step_time_s[-1] * 1e3, f" {fr.chips}",
                                     color=color, fontsize=7, va="center"))


def _draw_parts(art, pt: StepPoint) -> None:
    parts, stack = art["parts"], art["stack"]
    widths = {"weights": pt.weight_read_s, "flops": pt.flops_s, "kv": pt.kv_read_s, "ici": pt.ici_s}
    flops_bind = pt.binding == "FLOPs"
    for key, seconds in widths.items():
        parts[key].set_width(seconds * 1e3)
    parts["weights"].set_alpha(0.35 if flops_bind else 1.0)
    parts["flops"].set_alpha(1.0 if flops_bind else 0.35)
    top = max(pt.weight_read_s, pt.flops_s) * 1e3
    stack["top"].set_width(top)
    stack["top"].set_facecolor(STEP_COLORS["flops" if flops_bind else "weights"])
    stack["kv"].set(x=top, width=pt.kv_read_s * 1e3)
    stack["ici"].set(x=top + pt.kv_read_s * 1e3, width=pt.ici_s * 1e3)
    ends = [w * 1e3 for w in widths.values()] + [pt.step_time_s * 1e3]
    texts = [f" {e:.2f}" + (" (binds)" if i == (1 if flops_bind else 0) else "") for i, e in enumerate(ends)]
    for label, end, text in zip(art["labels"], ends, texts):
        label.set_x(end)
        label.set_text(text)
    art["bars"].set_xlim(0, pt.step_time_s * 1e3 * 1.3)


def draw_frontier(drawing: Drawing | None, frontiers: list, selected: Frontier, pt: StepPoint,
                  chip: Chip) -> Drawing:
    """Every frontier in ``frontiers`` (``analysis.frontier.frontiers``; ``selected`` drawn bold, each labelled with
    its chips) and the parts of the step ``pt`` of ``selected``: the weight read and the FLOPs overlap, so the
    step's bar stacks the larger of the two (drawn solid), the KV read and the collectives."""
    drawing = _create(sorted({fr.precision for fr in frontiers}, key=list(PRECISION_COLORS).index)) \
        if drawing is None else drawing
    art = drawing.art
    _draw_curves(art, frontiers, selected)
    art["point"].set_data([pt.tokens_per_s_per_chip], [pt.step_time_s * 1e3])
    ax = art["ax"]
    ax.relim()
    ax.autoscale_view()
    _draw_parts(art, pt)
    art["bars"].set_title(f"{frontier_title(selected, chip)}, batch {pt.batch}", fontsize=9)
    ax.set_title(f"{selected.plan.model} on {chip.label}: every slice that holds the weights", fontsize=9)
    return drawing
