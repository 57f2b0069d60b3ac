"""Figures of the chapters: pure functions ``view(fig, **values) -> (fig, text)``.

Called with ``fig=None`` a view creates its figure; called again it updates the
same artists in place. The static figure of a chapter and its explorer use the same view.
"""

import importlib
import pkgutil

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

_EXPLORER_VIEWS = []


def explorer(view):
    """Mark a view that a chapter's explorer drives (the benchmarks time each of them)."""
    _EXPLORER_VIEWS.append(view)
    return view


def explorer_views() -> list:
    """Every view wired to an explorer, across all figure modules."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return list(_EXPLORER_VIEWS)


def new_figure(ncols=1, **kw):
    """A figure outside pyplot (nothing is shown until a notebook displays it).

    Minor ticks are off: on a log axis their labels cost more to draw than the data.
    """
    fig = Figure(layout="constrained", **kw)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols)
    for ax in fig.axes:
        ax.minorticks_off()
    return fig, axes
