"""The live explorers' specifications: the printed Vega expressions and the chart each chapter page embeds
(the browser tests run them and compare every number with the library)."""

import math

import pytest
import sympy as sp

from servingmath import formulas as f
from servingmath.live import explorers
from servingmath.live.vega import vega

LIVE = explorers()


def _evaluate(text: str, values: dict) -> float:
    """A printed Vega expression evaluated with Python's math (the functions share their names)."""
    scope = {name: getattr(math, name) for name in ("ceil", "floor", "exp", "log", "sqrt", "pow")}
    scope |= {"max": max, "min": min, "abs": abs, "PI": math.pi}
    return eval(text, scope, dict(values))  # a test of our own printed text, never user input


@pytest.mark.parametrize("formula", [f.step_time, f.min_chips, f.kv_crossover_batch, f.critical_batch],
                         ids=lambda x: x.name)
def test_a_printed_formula_gives_the_library_value(formula):
    values = {s.name: 1.0 + 0.37 * i for i, s in enumerate(formula.symbols)}
    printed = vega(formula, {name: name for name in values})
    assert _evaluate(printed, values) == pytest.approx(formula(**values), rel=1e-12)


def test_unnamed_symbols_and_unknown_functions_are_refused():
    with pytest.raises(ValueError, match="names: no page value for the symbols"):
        vega(f.min_chips, {})
    x = sp.Symbol("x")
    with pytest.raises(Exception):
        vega(sp.besselj(0, x), {"x": "x"})


@pytest.mark.parametrize("key", sorted(LIVE))
def test_every_live_explorer_has_a_valid_spec_and_its_numbers(key):
    live = LIVE[key]
    spec = live.spec()      # Altair validates it against the Vega-Lite schema
    assert all(f'"name": "{name}"' in spec for name in live.controls)
    first = {name: values[0] for name, values in live.controls.items()}
    assert set(live.expected(**first)) == set(live.numbers)
    assert all(len(line) < 100 for line in live.text(first))
