"""Thin slider wiring: controls in, a pure view function out (every chapter's explorer).

A view is ``view(fig, **values) -> (fig, text)``: it draws on ``fig`` (``None`` the
first time: create it) by updating artists in place, and returns the numbers as text.
If it raises ``ValueError``, the explorer shows that message in place of the figure
and recovers as soon as the controls are valid again.
"""

import html
import io

import ipywidgets as widgets
from PIL import Image


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


class Explorer:
    """Sliders and dropdowns wired to a view; ``.widget`` is what a notebook displays."""

    def __init__(self, controls: dict, view, title: str = ""):
        self.controls, self.view, self.fig = controls, view, None
        self.image = widgets.Image(format="png")
        self.text = widgets.HTML()
        self.message = widgets.HTML()
        for control in controls.values():
            control.observe(self._changed, names="value")
        header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        self.widget = widgets.VBox(header + [widgets.HBox(list(controls.values()),
                                                          layout=widgets.Layout(flex_flow="row wrap")),
                                             self.message, self.image, self.text])
        self.update()

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        try:
            self.fig, text = self.view(self.fig, **self.values())
        except ValueError as err:
            self.message.value = f'<p role="alert" style="color:#b00020">{html.escape(str(err))}</p>'
            self.image.layout.display = "none"
            self.text.value = ""
            return
        self.message.value = ""
        self.image.layout.display = None
        self.image.value = png(self.fig)
        self.text.value = f"<pre>{html.escape(text)}</pre>"

    def _changed(self, _change) -> None:
        self.update()

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


def slider(description, value, lo, hi, step=1, **kw):
    """An integer slider that updates on release (so one move is one recompute)."""
    return widgets.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                             continuous_update=False, style={"description_width": "initial"}, **kw)


def log_slider(description, value, lo, hi, **kw):
    """A slider over powers of two (batch, context), showing the value itself."""
    options = [2**k for k in range(lo, hi + 1)]
    return widgets.SelectionSlider(options=options, value=value, description=description,
                                   continuous_update=False, style={"description_width": "initial"}, **kw)


def dropdown(description, options, value):
    return widgets.Dropdown(options=options, value=value, description=description,
                            style={"description_width": "initial"})
