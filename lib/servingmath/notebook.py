"""Notebook conveniences: one setup call per chapter, math display with the book's symbols, and the
numbers a chapter's text shows (``Prose``, read by MyST inline expressions).

The notebook's edge, like ``cli`` is the terminal's: it may import any layer.
"""

from types import SimpleNamespace

from IPython.display import Math
import matplotlib
from matplotlib_inline.backend_inline import set_matplotlib_formats

from . import __version__
from .core.symbols import equation, latex

FIGURE_STYLE = {
    "figure.figsize": (7.0, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "axes.titley": 1.0,  # a fixed title position: placing it automatically costs a layout pass per draw
    "svg.hashsalt": "servingmath",
}


def setup(quiet: bool = False) -> None:
    """Deterministic figures (PNG, fixed size and style) and the library version printed once."""
    matplotlib.rcParams.update(FIGURE_STYLE)
    set_matplotlib_formats("png")
    if not quiet:
        print(f"servingmath {__version__}")


def math(lhs, rhs=None):
    """A displayable equation ``lhs = rhs`` (or one expression), with the book's symbol names."""
    left = lhs if isinstance(lhs, str) else latex(lhs)
    if rhs is None:
        return Math(left)
    return Math(f"{left} = {rhs}" if isinstance(rhs, str) else equation(left, rhs))


def boxed(lhs, rhs):
    """The chapter's result, boxed."""
    left = lhs if isinstance(lhs, str) else latex(lhs)
    right = rhs if isinstance(rhs, str) else latex(rhs)
    return Math(rf"\boxed{{{left} = {right}}}")


class Prose(SimpleNamespace):
    """The numbers a chapter's text shows, by name. A paragraph reads one with a MyST inline expression,
    ``{eval}`f"{prose.step_ms:.1f}"```, which the book and JupyterLab (jupyterlab-myst) both render."""

