"""``Formula``: one SymPy expression and the numeric function generated from it.

The expression is built on first use, once per process: a derivation that solves an
equation runs when a chapter or a test first asks for that formula, not at import. The
scalar numeric function is the one printed from the expression into ``numeric.py``
(``codegen``; a test keeps the two in step), so evaluating a formula needs no SymPy work.
"""

from functools import cached_property
from operator import itemgetter
import sys

import sympy as sp

from . import numeric
from .symbols import equation, latex


class Formula:
    """A named quantity ``lhs = expr``; calling it evaluates the lambdified ``expr``.

    ``build`` is the SymPy expression, or a function of no arguments returning it (for
    expressions derived with ``solve``/``simplify``). ``f(**values)`` takes one keyword per
    free symbol (the symbol's name) and returns a float, or an array when any value is a
    NumPy array (the others broadcast against it).
    """

    def __init__(self, name: str, lhs: str, build, chapter: str, doc: str):
        self.name, self.lhs, self.chapter, self._build = name, lhs, chapter, build
        self.__doc__ = f"{doc} (derived in chapter {chapter})"

    @cached_property
    def expr(self) -> sp.Expr:
        return sp.sympify(self._build() if callable(self._build) else self._build)

    @cached_property
    def symbols(self) -> tuple:
        return tuple(sorted(self.expr.free_symbols, key=lambda s: s.name))

    @cached_property
    def arg_names(self) -> tuple:
        code = self._scalar.__code__
        return code.co_varnames[:code.co_argcount]

    @cached_property
    def _scalar(self):
        """The printed function from ``numeric.py``; a formula not printed yet is lambdified here."""
        printed = getattr(numeric, self.name, None)
        return printed if printed is not None else sp.lambdify(self.symbols, self.expr, modules="math")

    @cached_property
    def _array(self):
        return sp.lambdify(self.symbols, self.expr, modules="numpy")

    @cached_property
    def _get(self):
        getter = itemgetter(*self.arg_names)
        return getter if len(self.arg_names) > 1 else (lambda values: (getter(values),))

    def _ordered(self, values: dict) -> tuple:
        if len(values) == len(self.arg_names):
            try:
                return self._get(values)
            except KeyError:
                pass
        missing = [n for n in self.arg_names if n not in values]
        extra = [n for n in values if n not in self.arg_names]
        raise ValueError(f"{self.name}: needs {', '.join(self.arg_names)}"
                         + (f"; missing {', '.join(missing)}" if missing else "")
                         + (f"; unknown {', '.join(extra)}" if extra else ""))

    def __call__(self, **values):
        args = self._ordered(values)
        numpy = sys.modules.get("numpy")  # an argument can be an array only once the caller has loaded NumPy
        if numpy is not None:
            for a in args:
                if isinstance(a, numpy.ndarray):
                    return self._array(*numpy.broadcast_arrays(*args))
        return self._scalar(*args)

    def evalf(self, **values) -> float:
        """The same value through SymPy ``subs``/``evalf`` (the slow reference path)."""
        args = self._ordered(values)
        return float(self.expr.subs(dict(zip(self.symbols, args))).evalf())

    def latex(self) -> str:
        return equation(self.lhs, self.expr)

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex()}$"

    def __repr__(self):
        return f"Formula({self.name}: {self.lhs} = {self.expr})"
