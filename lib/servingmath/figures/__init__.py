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
