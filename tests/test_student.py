"""The student edition (tools/student.py): solutions gone, exercises kept, outputs cleared."""

import hashlib
import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))          # student.py imports its sibling prose.py
import prose  # noqa: E402
_spec = importlib.util.spec_from_file_location("student", ROOT / "tools" / "student.py")
student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student)

EXERCISE_LABEL = re.compile(r"\{exercise(?:-start)?\}[^\n]*\n(?::[a-z-]+:[^\n]*\n)*?:label: *([\w-]+)")


def _nb(*cells, widgets=True):
    nb = nbformat.v4.new_notebook()
    for kind, source, *outputs in cells:
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            cell = nbformat.v4.new_code_cell(source, execution_count=3)
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=o) for o in outputs]
            nb.cells.append(cell)
    if widgets:
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def _text(nb):
    return "\n".join(cell.source for cell in nb.cells)


GATED = _nb(
    ("md", "# Title\n\nIntro."),
    ("code", "x = 1\nprint(x)", "1\n"),
    ("md", "## Exercises\n\n```{exercise}\n:label: demo-1\nCompute the thing.\n```\n\n"
           "```{solution-start} demo-1\n:class: dropdown\n```\n\nSECRET reasoning."),
    ("code", "secret_answer = 42", "42\n"),
    ("md", "More SECRET prose.\n\n```{solution-end}\n```\n\n"
           ":::{exercise}\n:label: demo-2\nAnother one.\n:::\n\n"
           ":::{solution} demo-2\n:class: dropdown\nSECRET in one block.\n:::\n\nAfter the exercises."),
    ("md", "```{solution-start} demo-2\n```"),
    ("code", "print('SECRET code')", "SECRET code\n"),
    ("md", "```{solution-end}\n```"),
    ("md", "## References"),
)


def test_gated_and_block_solutions_are_removed_exercises_kept():
    out = student.student_notebook(GATED)
    text = _text(out)
    assert "SECRET" not in text and "secret_answer" not in text
    assert "{solution" not in text and "dropdown" not in text
    assert EXERCISE_LABEL.findall(text) == ["demo-1", "demo-2"]
    assert "Compute the thing." in text and "Another one." in text
    assert "After the exercises." in text and "## References" in text and "x = 1" in text
    # the cells that were only solution are dropped, not left empty
    assert all(cell.source.strip() for cell in out.cells)


def test_outputs_counts_and_widget_state_are_cleared():
    out = student.student_notebook(GATED)
    code = [c for c in out.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert "widgets" not in out.metadata
    nbformat.validate(out)


def test_a_student_note_follows_the_title():
    out = student.student_notebook(GATED)
    assert out.cells[0].source.startswith("# Title")
    assert "student-edition" in out.cells[1].metadata["tags"]
    assert "servingmath.check" in out.cells[1].source


def test_the_source_notebook_is_not_modified():
    before = nbformat.writes(GATED)
    student.student_notebook(GATED)
    assert nbformat.writes(GATED) == before


@pytest.mark.parametrize("bad", [
    _nb(("md", "```{solution-start} x\n```\n\nno end")),
    _nb(("md", "```{solution} x\nnever closed")),
])
def test_broken_solution_markup_is_an_error(bad):
    with pytest.raises(ValueError):
        student.student_notebook(bad)


def test_make_student_writes_every_chapter(tmp_path):
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in CHAPTERS}
    assert student.main(["--out", str(tmp_path / "student")]) == 0
    out = tmp_path / "student"
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in CHAPTERS]
    if (ROOT / "chapters" / "data").is_dir():
        assert {p.name for p in (ROOT / "chapters" / "data").iterdir()} <= {p.name for p in (out / "data").iterdir()}
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in CHAPTERS} == digests


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_student_edition(path):
    original = nbformat.read(path, as_version=4)
    out = student.student_notebook(original)
    text = _text(out)
    assert EXERCISE_LABEL.findall(text) == EXERCISE_LABEL.findall(_text(original))
    assert not re.search(r"\{solution(-start|-end)?\}", text)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in out.cells if c.cell_type == "code")
    # every solution code cell of the chapter is gone, every other code cell kept
    kept = {c.source for c in out.cells if c.cell_type == "code" and not prose.is_prose_cell(c)}
    solution_code = _solution_code(original)
    assert not (kept & solution_code)
    assert kept == {c.source for c in original.cells if c.cell_type == "code" and not prose.is_prose_cell(c)} \
        - solution_code
    # the text keeps its stored numbers; the last cell lists only those the student edition still shows
    assert out.cells[-1].source.count("print(") == len(prose.all_expressions(out))
    for cell in out.cells:
        stored = [e["expression"] for e in cell.metadata.get("user_expressions", [])]
        assert stored == prose.expressions(cell)
    headings = lambda nb: re.findall(r"^#{1,3} .+$", _text(nb), re.M)
    assert set(headings(out)) >= {h for h in headings(original) if "olution" not in h}


def _solution_code(nb):
    """Sources of the code cells between {solution-start} and {solution-end} (an independent reading)."""
    inside, found = False, set()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for marker in re.findall(r"\{solution-(start|end)\}", cell.source):
                inside = marker == "start"
        elif inside:
            found.add(cell.source)
    return found
