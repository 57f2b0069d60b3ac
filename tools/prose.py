"""The numbers in a chapter's text: its MyST inline expressions and the values stored with them.

A Markdown cell shows a number as ``{eval}`f"{prose.name:.1f}"```. The last code cell of each chapter
(tagged ``prose-values``, hidden in the book) prints every such expression with its value, a tab
between, one ``print`` per expression; ``make
execute`` writes it, runs the chapter, and stores each value in its Markdown cell's
``user_expressions`` metadata, the format jupyterlab-myst reads (so JupyterLab shows the numbers
before anything runs) and the book's ``storedeval`` extension reads (so the book shows the same).
"""

import re

import nbformat

EVAL = re.compile(r"\{eval\}`([^`]+)`")
TAG = "prose-values"
HEADER = ("# The numbers this chapter's text shows: `make execute` stores each with its paragraph, and the\n"
          "# tests compare them with this cell's output.\n")


def expressions(cell) -> list:
    """The inline expressions of one Markdown cell, in order, each once."""
    return list(dict.fromkeys(EVAL.findall(cell.source))) if cell.cell_type == "markdown" else []


def all_expressions(nb) -> list:
    found = []
    for cell in nb.cells:
        found.extend(e for e in expressions(cell) if e not in found)
    return found


def is_prose_cell(cell) -> bool:
    return cell.cell_type == "code" and TAG in cell.metadata.get("tags", [])


def set_prose_cell(nb) -> None:
    """Put the ``prose-values`` cell, listing every expression of the text, at the end of ``nb``."""
    nb.cells = [cell for cell in nb.cells if not is_prose_cell(cell)]
    lines = "".join(f"print({e!r}, {e}, sep=\"\\t\")\n" for e in all_expressions(nb))
    cell = nbformat.v4.new_code_cell(HEADER + lines.rstrip("\n"))
    cell.metadata["tags"] = ["remove-cell", TAG]
    cell.id = TAG
    nb.cells.append(cell)


def printed_values(nb) -> dict:
    """Expression -> the text it shows, from the ``prose-values`` cell's output."""
    (cell,) = [c for c in nb.cells if is_prose_cell(c)]
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")
    return dict(line.split("\t", 1) for line in text.splitlines())


def entry(expression: str, value: str) -> dict:
    """One ``user_expressions`` entry as JupyterLab writes it (the kernel's reply for a string)."""
    return {"expression": expression, "result": {"status": "ok", "data": {"text/plain": repr(value)}, "metadata": {}}}


def store(nb) -> None:
    """Store each Markdown cell's values in its ``user_expressions`` metadata (removed where it has none)."""
    values = printed_values(nb)
    for cell in nb.cells:
        found = expressions(cell)
        if found:
            cell.metadata["user_expressions"] = [entry(e, values[e]) for e in found]
        else:
            cell.metadata.pop("user_expressions", None)


def prune(cell) -> None:
    """Keep only the stored values of expressions still in the cell's text (after a solution is cut out)."""
    kept = set(expressions(cell))
    entries = [e for e in cell.metadata.get("user_expressions", []) if e["expression"] in kept]
    if entries:
        cell.metadata["user_expressions"] = entries
    else:
        cell.metadata.pop("user_expressions", None)
