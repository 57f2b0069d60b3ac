"""The numbers in the chapters' text: one MyST inline expression each, its value stored with the paragraph
(what JupyterLab and the book show), and listed in the chapter's last cell (what nbval re-computes)."""

import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import prose  # noqa: E402  (tools/prose.py)

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))
PATTERN = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["nb_eval_name_regex"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_number_in_the_text_is_stored_and_listed(path):
    nb = nbformat.read(path, as_version=4)
    found = prose.all_expressions(nb)
    assert found, "a chapter's text shows its numbers"
    assert prose.is_prose_cell(nb.cells[-1]) and "remove-cell" in nb.cells[-1].metadata["tags"]
    values = prose.printed_values(nb)
    assert list(values) == found, "the last cell lists exactly the text's expressions: run `make execute`"
    for cell in nb.cells:
        expected = [prose.entry(e, values[e]) for e in prose.expressions(cell)]
        assert cell.metadata.get("user_expressions", []) == expected, cell.source[:80]
    assert all(re.match(PATTERN, e) for e in found), [e for e in found if not re.match(PATTERN, e)]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_markup_that_jupyterlab_cannot_render(path):
    text = "".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    assert not re.findall(r"\{(glue[:a-z]*|doc)\}", text)


def test_the_pattern_refuses_anything_but_a_formatted_prose_value():
    for bad in ('__import__("os")', 'f"{open(1)}"', 'f"{prose.x.__class__}"', "prose.x"):
        assert not re.match(PATTERN, bad)
    assert re.match(PATTERN, 'f"{prose.step_ms:.1f}"') and re.match(PATTERN, 'f"{prose.batch}"')


def test_a_cut_solution_takes_its_numbers_with_it():
    cell = nbformat.v4.new_markdown_cell('kept {eval}`f"{prose.a}"`')
    cell.metadata["user_expressions"] = [prose.entry('f"{prose.a}"', "1"), prose.entry('f"{prose.b}"', "2")]
    prose.prune(cell)
    assert cell.metadata["user_expressions"] == [prose.entry('f"{prose.a}"', "1")]
