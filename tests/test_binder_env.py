"""The Binder environment is the tested environment.

Binder (repo2docker) builds the launch image from `requirements.txt` alone, on the Python of
`runtime.txt`. This test does the same in a fresh virtual environment (seconds: uv installs the
pinned wheels) and runs nbval on every chapter in it (the book's regression test: every output
compared with the committed notebook, after `tests/nbval_sanitize.cfg`). The committed notebooks
come from a fresh-kernel run (`make execute`), so this is the second run in a row: it proves the
notebooks deterministic and the Binder environment equivalent to the tested one.
It is slow, so it runs only when asked: `make binder` (part of `make test`) sets
SERVINGMATH_BINDER_TEST=1.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))
WORKERS = 2
UV = Path(sys.executable).parent / "uv"

pytestmark = pytest.mark.skipif(os.environ.get("SERVINGMATH_BINDER_TEST") != "1",
                                reason="slow: builds a fresh virtualenv (run with make binder)")



def _run(cmd, **kw):
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def binder_python(tmp_path_factory):
    """A fresh virtualenv with `pip install -r requirements.txt` and nothing else."""
    venv = tmp_path_factory.mktemp("binder") / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    # uv resolves and installs what pip would (in seconds, not minutes); the closure test below shows
    # that it added nothing the pins do not name
    _run([UV, "pip", "install", "--quiet", "--python", python, "-r", "requirements.txt"])
    return python


def _names(lines) -> dict:
    """{normalized name: version} of ``name==version`` lines."""
    pins = (line.split("==") for line in lines if "==" in line and not line.startswith("#"))
    return {re.sub(r"[-_.]+", "-", name).lower(): version.split()[0] for name, version in pins}


def test_the_pins_are_the_whole_closure(binder_python):
    """Everything installed is pinned, at its pin (Binder's pip adds no unpinned package)."""
    pinned = _names((ROOT / "requirements.txt").read_text().splitlines())
    installed = _names(_run([UV, "pip", "freeze", "--python", binder_python]).splitlines())
    for own in ("servingmath", "pip", "setuptools"):   # the library (from lib/) and the venv's installers
        installed.pop(own, None)
    assert installed == pinned, {name: (pinned.get(name), installed.get(name))
                                 for name in pinned.keys() | installed.keys() if pinned.get(name) != installed.get(name)}


def test_runtime_matches_the_tested_python(binder_python):
    pinned = (ROOT / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", pinned), f"runtime.txt: {pinned!r}"
    version = _run([binder_python, "-c", "import sys; print('python-%d.%d' % sys.version_info[:2])"]).strip()
    assert version == pinned, f"runtime.txt pins {pinned}, the tested environment runs {version}"


def test_requirements_are_consistent(binder_python):
    _run([binder_python, "-m", "pip", "check"])
    _run([binder_python, "-c", "import servingmath, ipywidgets, matplotlib, sympy, numpy"])


def test_every_chapter_passes_nbval_in_the_binder_environment(binder_python):
    env = dict(os.environ, PATH=f"{binder_python.parent}{os.pathsep}{os.environ['PATH']}",
               VIRTUAL_ENV=str(binder_python.parent.parent), PYTHONNOUSERSITE="1")
    env.pop("PYTHONPATH", None)
    done = subprocess.run([binder_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                           "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
                           "-n", str(WORKERS), "--dist", "loadfile", *map(str, CHAPTERS)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-6000:]
