"""Make the student edition: the chapter notebooks without solutions and without outputs.

Usage: python tools/student.py [--out student] [chapters/NN-slug.ipynb ...]   (what `make student` runs)

Every solution, gated (``{solution-start} label`` ... ``{solution-end}``, with the code cells
between them) or in one block (``{solution} label``), is removed; the exercises stay. Outputs,
execution counts and the saved widget state are cleared, so students run the cells themselves; the
numbers stored with the text stay, and the last cell lists only the text's remaining numbers.
Files the chapters read (``chapters/data/``) are copied beside the notebooks.
"""

import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat

import prose

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{([a-z-]+)\}")
NOTE = ("> **Student edition.** The solutions are not in this notebook. Run the cells from the top; "
        "check a numeric answer with `servingmath.check(\"<label>\", answer)`, which says whether it is "
        "right, or how far off, without giving the answer away.")


class SolutionFilter:
    """Drops solution blocks from a sequence of cells; a gated block can span several cells."""

    def __init__(self):
        self.inside = False  # between {solution-start} and {solution-end}

    def markdown(self, text: str) -> str:
        """The markdown text with every solution part removed."""
        lines, kept, i = text.split("\n"), [], 0
        while i < len(lines):
            match = FENCE.match(lines[i])
            name = match.group(2) if match else None
            if name in ("solution-start", "solution-end", "solution"):
                i = _skip_directive(lines, i, match.group(1))
                if name == "solution-start":
                    self.inside = True
                elif name == "solution-end":
                    self.inside = False
                continue
            if not self.inside:
                kept.append(lines[i])
            i += 1
        return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")


def _skip_directive(lines, start, fence) -> int:
    """Index of the line after the directive that opens at ``start`` (its closing fence included)."""
    char, width = fence[0], len(fence)
    for j in range(start + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped and set(stripped) == {char} and len(stripped) >= width:
            return j + 1
    raise ValueError(f"unclosed directive at line {start + 1}: {lines[start].strip()!r}")


def student_notebook(nb):
    """A copy of the notebook without solutions, outputs or widget state."""
    nb = nbformat.from_dict(nb)
    solutions, cells = SolutionFilter(), []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = solutions.markdown(cell.source)
            if text.strip():
                cell.source = text
                prose.prune(cell)
                cells.append(cell)
        elif not solutions.inside:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
                cell.metadata.pop("execution", None)
            cells.append(cell)
    if solutions.inside:
        raise ValueError("a {solution-start} has no {solution-end}")
    note = nbformat.v4.new_markdown_cell(NOTE, id="student-edition")
    note.metadata["tags"] = ["student-edition"]
    nb.cells = cells[:1] + [note] + cells[1:]
    prose.set_prose_cell(nb)      # a solution's numbers leave with it
    nb.metadata.pop("widgets", None)
    return nb


def build(notebooks, out: Path) -> list:
    """Write the student edition of ``notebooks`` into ``out`` (replaced); returns the written paths."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for path in notebooks:
        nb = student_notebook(nbformat.read(path, as_version=4))
        target = out / path.name
        nbformat.write(nb, target)
        written.append(target)
    sources = {path.parent for path in notebooks}
    for folder in sources:
        for extra in folder.iterdir():
            if extra.suffix == ".ipynb" or extra.name.startswith(".") or extra.name == "__pycache__":
                continue
            copy = shutil.copytree if extra.is_dir() else shutil.copy2
            copy(extra, out / extra.name)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="chapter notebooks (default: chapters/*.ipynb)")
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="output folder (replaced)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))
    written = build(notebooks, args.out)
    shown = args.out.resolve()
    shown = shown.relative_to(Path.cwd()) if shown.is_relative_to(Path.cwd()) else shown
    print(f"student edition: {len(written)} notebooks in {shown}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
