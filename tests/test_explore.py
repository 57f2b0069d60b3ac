"""The explorer wiring: bad input shows a message in place of the figure and recovers; nothing is eval'd."""

import inspect
from pathlib import Path

import ipywidgets as widgets
import pytest

import servingmath
from servingmath.core.checks import check_count, check_number
from servingmath.figures import Drawing, png
from servingmath.widgets import Explorer, explorer_views, kv_cache


def make_explorer():
    batch = widgets.IntText(value=32)
    return Explorer({"batch": batch, "context": widgets.IntText(value=8192)}, kv_cache.kv_memory), batch


def test_valid_input_shows_figure_and_numbers():
    explorer, _ = make_explorer()
    assert bytes(explorer.image.value).startswith(b"\x89PNG") and "batch 32" in explorer.text.value
    assert explorer.message.value == ""


def test_bad_input_shows_one_line_message_and_recovers():
    explorer, batch = make_explorer()
    drawing = explorer.drawing
    assert isinstance(drawing, Drawing)
    batch.value = -4
    assert "batch: must be &gt; 0" in explorer.message.value
    assert explorer.image.layout.display == "none" and explorer.text.value == ""
    batch.value = 64
    assert explorer.message.value == "" and explorer.image.layout.display is None
    assert "batch 64" in explorer.text.value
    assert explorer.drawing is drawing and explorer.drawing.fig is drawing.fig  # updated in place, not re-created


def test_view_updates_artists_in_place():
    drawing, _ = kv_cache.kv_memory(None, batch=8)
    line = drawing.art["bat_pt"]
    drawing2, text = kv_cache.kv_memory(drawing, batch=128)
    assert drawing2 is drawing and drawing.art["bat_pt"] is line and "batch 128" in text
    assert png(drawing.fig).startswith(b"\x89PNG")


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "2**10", "1e3*2", "sqrt(2)"])
def test_user_text_is_parsed_never_evaluated(text):
    with pytest.raises(ValueError):
        check_number("hbm_bw", text)
    with pytest.raises(ValueError):
        check_count("chips", text)


def test_library_never_evals_or_sympifies_user_input():
    root = Path(servingmath.__file__).parent
    for path in root.rglob("*.py"):
        source = path.read_text()
        assert "eval(" not in source.replace(".evalf(", "").replace("def evalf(", ""), path
        assert "exec(" not in source, path
        if "sympify(" in source:
            assert path.name == "formula.py", path  # only on the library's own expressions


def _bad_inputs():
    """(view, parameter, bad value) for every numeric and named parameter of every explorer's view.

    A model or chip parameter takes a record or a preset's name (a view is an edge), so a bad name is tried too.
    """
    for view in explorer_views():
        for name, param in list(inspect.signature(view).parameters.items())[1:]:
            default = param.default
            if isinstance(default, bool) or default is None:
                continue
            if isinstance(default, (int, float)):
                bads = (-1, 0.5 if isinstance(default, int) else -0.5, float("nan"), float("inf"))
            elif isinstance(default, str) or name in ("model", "chip"):
                bads = ("no-such-thing",)
            else:
                continue
            for bad in bads:
                yield pytest.param(view, name, bad, id=f"{view.__name__}-{name}-{bad}")


@pytest.mark.parametrize("view, name, bad", list(_bad_inputs()))
def test_every_explorer_answers_bad_input_with_one_line(view, name, bad):
    try:
        drawing, text = view(None, **{name: bad})
    except ValueError as err:
        assert str(err) and "\n" not in str(err) and "Traceback" not in str(err)
        if name in ("model", "chip"):
            assert str(err).startswith(f"{name}: unknown 'no-such-thing'")
        return
    # a value that is merely unusual (a fraction where one is allowed) must still give finite numbers
    assert "nan" not in text.lower().split() and "inf" not in text.lower().split()
