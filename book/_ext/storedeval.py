"""MyST inline expressions (``{eval}`...```) from the values stored in the notebooks.

The chapters are committed executed and the book does not run them (``execute.exclude_patterns``),
so myst-nb has no kernel to evaluate an inline expression in. ``make execute`` stores each
expression's value in its Markdown cell's ``user_expressions`` metadata, the format jupyterlab-myst
reads; this extension answers myst-nb's request for a value from there, so the book and JupyterLab
show the same numbers. An expression with no stored value is a build error (the build runs ``-W``).
It hooks myst-nb's client method ``eval_variable`` (myst-nb 1.x); `make book` renders every chapter
through it, and tests/test_prose.py checks the stored values.
"""

import re

import nbformat
from myst_nb.core.execute.base import EvalNameError, NotebookClientBase


def stored_value(self, name: str) -> list:
    """The stored output of the inline expression ``name`` in this notebook (an inline-executing client
    keeps its own method and asks its kernel)."""
    if not re.match(self.nb_config.eval_name_regex, name):
        raise EvalNameError(name)
    for cell in self.notebook.cells:
        for entry in cell.get("metadata", {}).get("user_expressions", []):
            if entry["expression"] == name and entry["result"].get("status") == "ok":
                return [nbformat.from_dict({"output_type": "execute_result", "execution_count": None,
                                            "data": entry["result"]["data"], "metadata": {}})]
    raise NotImplementedError(f"no stored value for {name!r}: run `make execute`")


def setup(app):
    NotebookClientBase.eval_variable = stored_value
    return {"parallel_read_safe": True, "parallel_write_safe": True}
