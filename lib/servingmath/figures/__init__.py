"""Drawing only: each chapter's module draws analysis results on a figure it creates or updates.

A drawing function takes a ``Drawing`` (``None`` the first time: create it) and a result from
``servingmath.analysis``, updates the artists in place and returns the ``Drawing``. Nothing here
computes a serving quantity.
"""

from dataclasses import dataclass, field
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

#: One colour per serving precision (weights and KV in the same format), the same in every figure.
PRECISION_COLORS = {"bf16": "C0", "int8": "C1", "int4": "C2", "fp8": "C3"}
#: The parts of a decode step (chapters 03 and 13): colours, and the bars' rows top to bottom.
STEP_COLORS = {"weights": "C0", "flops": "C1", "kv": "C2"}
STEP_ROWS = ("weight read", "matmul FLOPs", "KV read", "step")


@dataclass
class Drawing:
    """A figure and the artists a drawing function updates in place when it is called again."""

    fig: Figure
    art: dict = field(default_factory=dict)


def new_figure(ncols=1, **kw):
    """A figure outside pyplot (nothing is shown until a notebook displays it), and its axes.

    Minor ticks are off: on a log axis their labels cost more to draw than the data.
    """
    fig = Figure(layout="constrained", **kw)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols)
    for ax in fig.axes:
        ax.minorticks_off()
    return fig, axes


def step_bars(ax, fontsize=9) -> dict:
    """Horizontal bars of a decode step's parts on ``ax``: weight read, FLOPs, KV read, and the step.

    The weight read and the FLOPs overlap, so the step's bar stacks the larger of the two and the KV read.
    """
    y = list(range(len(STEP_ROWS)))
    bars = {key: ax.barh(y[i], 0, height=0.6, color=STEP_COLORS[key])[0]
            for i, key in enumerate(("weights", "flops", "kv"))}
    bars["step_max"] = ax.barh(y[3], 0, height=0.6, color=STEP_COLORS["weights"], edgecolor="black")[0]
    bars["step_kv"] = ax.barh(y[3], 0, height=0.6, color=STEP_COLORS["kv"], edgecolor="black")[0]
    ax.set_yticks(y, STEP_ROWS)
    ax.invert_yaxis()
    ax.set_xlabel("milliseconds per decode step")
    return {"bars": bars, "labels": [ax.text(0, i, "", va="center", ha="left", fontsize=fontsize) for i in y]}


def show_step(parts: dict, weights_ms: float, flops_ms: float, kv_ms: float, texts) -> float:
    """Set ``step_bars``' widths and labels (``texts``: one per row); returns the step's bar length in ms."""
    bars, flops_win = parts["bars"], flops_ms > weights_ms
    for key, width in (("weights", weights_ms), ("flops", flops_ms), ("kv", kv_ms)):
        bars[key].set_width(width)
    bars["weights"].set_alpha(0.35 if flops_win else 1.0)
    bars["flops"].set_alpha(1.0 if flops_win else 0.35)
    top = max(weights_ms, flops_ms)
    bars["step_max"].set_width(top)
    bars["step_max"].set_facecolor(STEP_COLORS["flops"] if flops_win else STEP_COLORS["weights"])
    bars["step_kv"].set_x(top)
    bars["step_kv"].set_width(kv_ms)
    for label, width, text in zip(parts["labels"], (weights_ms, flops_ms, kv_ms, top + kv_ms), texts):
        label.set_x(width)
        label.set_text(text)
    return top + kv_ms


def png(fig) -> bytes:
    """Render a figure to PNG bytes: the redraw an explorer pays per update.

    The first render lays the figure out; later ones keep that layout (a
    constrained layout costs more than the drawing itself).
    """
    fig.canvas.draw()
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")
        _freeze_axis_labels(fig)
    buffer = io.BytesIO()
    width, height = fig.canvas.get_width_height(physical=True)
    Image.frombuffer("RGBA", (width, height), fig.canvas.buffer_rgba()).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _freeze_axis_labels(fig) -> None:
    """Pin each axis label where the first draw put it (placing it costs a pass over every tick label)."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            label = axis.label
            anchor = label.get_transform().transform(label.get_position())
            axis.set_label_coords(*ax.transAxes.inverted().transform(anchor))
