"""What a reader of a chapter sees: no code output past the right edge of the page, no cell that only asserts,
and solutions that show their method instead of calling a hidden answer."""

import ast
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))
#: Characters of monospace text a code output holds on the page (688 px at 8.4 px a character, at the
#: browser tests' 1280 px window); rendered tables (text/html) wrap instead.
WIDTH = 80
HIDDEN = {"remove-cell", "remove-input"}


def _visible_code(nb):
    return [c for c in nb.cells if c.cell_type == "code" and not HIDDEN & set(c.metadata.get("tags", []))]


def _shown_text(cell):
    """The monospace text a code cell's outputs put on the page."""
    if "remove-output" in cell.metadata.get("tags", []) or "remove-cell" in cell.metadata.get("tags", []):
        return ""
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append(output["text"])
        elif "data" in output and not {"text/html", "text/latex", "image/png", "text/markdown"} & set(output["data"]):
            texts.append(output["data"].get("text/plain", ""))
    return "\n".join(texts)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_output_runs_past_the_page(path):
    nb = nbformat.read(path, as_version=4)
    wide = [line for cell in nb.cells for line in _shown_text(cell).splitlines() if len(line) > WIDTH]
    assert not wide, f"{len(wide)} output lines wider than {WIDTH} characters, e.g. {wide[0]!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_reader_sees_no_asserts(path):
    nb = nbformat.read(path, as_version=4)
    checks = [c.source[:60] for c in _visible_code(nb) if any(isinstance(s, ast.Assert) for s in ast.parse(c.source).body)]
    assert not checks, f"checks of agreement belong in the tests or a hidden cell: {checks}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_solutions_do_not_call_the_answer_key(path):
    nb = nbformat.read(path, as_version=4)
    calls = [c.source[:60] for c in nb.cells if c.cell_type == "code"
             and ("servingmath.answers" in c.source or "from servingmath import answers" in c.source)]
    assert not calls, f"a solution shows its method: {calls}"
