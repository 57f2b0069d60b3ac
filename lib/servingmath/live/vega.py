"""SymPy expressions printed to Vega's expression language, so a page computes the library's formulas itself.

Vega's expression language is JavaScript's arithmetic with ``Math``'s functions as globals (``max``, ``ceil``,
``pow``). The printer is SymPy's JavaScript printer, strict (a function Vega lacks is an error, not a silent
mistake), with the ``Math.`` prefix dropped, floats printed exactly, and each symbol replaced by what holds its
value on the page: a parameter's name (a control) or ``datum.field`` (a row of a chart's data).
"""

import re

import sympy as sp
from sympy.printing.jscode import JavascriptCodePrinter

from ..core.formula import Formula

#: SymPy's name for a function → Vega's (only these print).
FUNCTIONS = {"Max": "max", "Min": "min", "ceiling": "ceil", "floor": "floor", "Abs": "abs", "exp": "exp", "log": "log",
             "sqrt": "sqrt"}


class VegaPrinter(JavascriptCodePrinter):
    """Strict: an unknown function raises instead of printing something Vega cannot run."""

    def __init__(self):
        super().__init__({"strict": True, "full_prec": True})
        self.known_functions = dict(FUNCTIONS)

    def _print_Pow(self, expr):
        if expr.exp == sp.S.Half:
            return f"sqrt({self._print(expr.base)})"
        if expr.exp == -1:
            return f"(1/{self.parenthesize(expr.base, 100)})"
        return f"pow({self._print(expr.base)}, {self._print(expr.exp)})"

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Rational(self, expr):
        return f"({expr.p}/{expr.q})"

    def _print_Infinity(self, expr):
        return "(1/0)"

    def _print_Pi(self, expr):
        return "PI"


def vega(expression, names: dict) -> str:
    """``expression`` (a ``Formula`` or a SymPy expression built from the library's) in Vega's expression language, each free symbol
    replaced by ``names[symbol name]`` (a parameter or ``datum.field``); a symbol left unnamed is an error."""
    expr = expression.expr if isinstance(expression, Formula) else expression
    missing = sorted(s.name for s in expr.free_symbols if s.name not in names)
    if missing:
        raise ValueError(f"names: no page value for the symbols {', '.join(missing)}")
    placeholders = {s: sp.Symbol(f"__{i}__") for i, s in enumerate(sorted(expr.free_symbols, key=lambda s: s.name))}
    text = VegaPrinter().doprint(expr.xreplace(placeholders))
    lookup = {f"__{i}__": f"({names[s.name]})" for i, s in enumerate(placeholders)}
    return re.sub(r"__\d+__", lambda m: lookup[m.group(0)], text)
