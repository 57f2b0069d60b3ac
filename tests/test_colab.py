"""Every chapter opens on Colab with the library installed by its first code cell, run here with the
``google.colab`` module faked and pip replaced by a recorder."""

import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))


def _first_code_cell(path):
    return next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")


def _run(source, monkeypatch, on_colab):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append((cmd, kw)))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(source, "<colab cell>", "exec"), {})
    return calls


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_first_cell_installs_the_library_on_colab(path, monkeypatch):
    cell = _first_code_cell(path)
    assert {"remove-cell", "colab-install"} <= set(cell.metadata.get("tags", [])), "the book must hide it"
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    (cmd, kw), = _run(cell.source, monkeypatch, on_colab=True)
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"] and kw.get("check") is True
    assert cmd[-1] == f"servingmath @ git+{repo['url']}@{repo['branch']}#subdirectory=lib"
    assert not _run(cell.source, monkeypatch, on_colab=False), "outside Colab the cell must do nothing"
