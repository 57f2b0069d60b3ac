"""Thin slider wiring: controls in, a view out (every chapter's explorer).

A view is ``view(drawing, **values) -> (drawing, text)``: an edge of the library, it turns a
chip's or model's name into its record (``get_chip``/``get_model``; a control's value already is
one), then the controls' values into an analysis result, draws it (``servingmath.figures``; ``drawing`` is ``None`` the
first time) and words it (``servingmath.present``). Each chapter's module here holds its
view and its controls, built from the presets. If a view raises ``ValueError``, the
explorer shows that message in place of the figure and recovers as soon as the controls
are valid again.
"""

import html
import importlib
import pkgutil

from IPython.display import display
import ipywidgets as widgets

from ..figures import png

_EXPLORER_VIEWS = []


def explorer(view):
    """Mark a view that a chapter's explorer drives (the benchmarks time each of them)."""
    _EXPLORER_VIEWS.append(view)
    return view


def explorer_views() -> list:
    """Every view wired to an explorer, across the chapters' modules."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return list(_EXPLORER_VIEWS)


class Explorer:
    """Sliders and dropdowns wired to a view; ``.widget`` is what a notebook displays."""

    def __init__(self, controls: dict, view, title: str = ""):
        self.controls, self.view, self.drawing = controls, view, None
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
            self.drawing, text = self.view(self.drawing, **self.values())
        except ValueError as err:
            self.message.value = f'<p role="alert" style="color:#b00020">{html.escape(str(err))}</p>'
            self.image.layout.display = "none"
            self.text.value = ""
            return
        self.message.value = ""
        self.image.layout.display = None
        self.image.value = png(self.drawing.fig)
        self.text.value = f"<pre>{html.escape(text)}</pre>"

    def _changed(self, _change) -> None:
        self.update()

    def _ipython_display_(self):
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
