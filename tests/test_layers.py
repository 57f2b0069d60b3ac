"""The library's layers: imports run one way, none hides inside a function, planning needs no drawing."""

import ast
from pathlib import Path
import subprocess
import sys

import pytest

ROOT = Path(__file__).resolve().parents[1] / "lib" / "servingmath"

#: Each layer may import the layers before it (and itself); the edges may import everything.
LAYERS = ("core", "data", "calibration", "analysis", "article", "present", "figures", "live", "widgets")
EDGES = ("api", "answers", "cli", "notebook", "__main__", "__init__")
#: The layers below the drawing: none of them may load a plotting or widget library.
BELOW_DRAWING = LAYERS[:LAYERS.index("figures")]


def _modules() -> dict:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> list:
    """(library module imported, line, at module level?) for every import statement in ``path``."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        found += [(t, node.lineno, id(node) in top) for t in targets]
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_inside_a_function(name):
    inner = [(target, line) for target, line, at_top in _imports(name, MODULES[name]) if not at_top]
    assert not inner, f"{name} imports inside a function: {inner}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _layer(n) in LAYERS))
def test_layers_import_only_the_layers_below(name):
    rank = LAYERS.index(_layer(name))
    for target, line, _ in _imports(name, MODULES[name]):
        if target in MODULES and target != "servingmath":
            layer = _layer(target)
            assert layer in LAYERS and LAYERS.index(layer) <= rank, f"{name}:{line} imports {target} ({layer})"


def test_the_import_graph_has_no_cycle():
    graph = {name: {t for t, _, _ in _imports(name, path) if t in MODULES and t not in (name, "servingmath")}
             for name, path in MODULES.items()}
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            assert state.get(nxt) != "open", " -> ".join(stack[stack.index(nxt):] + [nxt])
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _layer(n) == "answers"))
def test_the_answer_checker_imports_no_presentation(name):
    for target, line, _ in _imports(name, MODULES[name]):
        if target in MODULES:
            assert _layer(target) in LAYERS[:LAYERS.index("article")] + ("answers",), f"{name}:{line} imports {target}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _layer(n) in BELOW_DRAWING))
def test_below_the_figures_nothing_imports_a_plotting_or_widget_library(name):
    for target, line, _ in _imports(name, MODULES[name]):
        assert target.split(".")[0] not in ("matplotlib", "ipywidgets", "IPython", "PIL", "altair"), f"{name}:{line}"


PROBE = """
import sys
import servingmath
servingmath.plan(chip="h100", weights="fp8", compute="fp8", efficiency="measured")
servingmath.plan_for_target(0.02, weights="int8")
servingmath.check("kv-cache-1", 131072, quiet=True)
from servingmath import cli
cli.main(["plan", "--json"])
print(sorted(m for m in ("matplotlib", "ipywidgets", "IPython", "PIL") if m in sys.modules))
"""


def test_planning_and_answer_checking_load_no_drawing_library():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
