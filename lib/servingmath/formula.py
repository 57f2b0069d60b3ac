"""``Formula``: one SymPy expression and the numeric function generated from it."""

from operator import itemgetter

import numpy as np
import sympy as sp

from .symbols import latex


class Formula:
    """A named quantity ``lhs = expr``; calling it evaluates the lambdified ``expr``.

    ``f(**values)`` takes one keyword per free symbol (the symbol's name) and
    returns a float, or an array when any value is a NumPy array.
    """

    def __init__(self, name: str, lhs: str, expr: sp.Expr, chapter: str, doc: str):
        self.name, self.lhs, self.expr, self.chapter = name, lhs, sp.sympify(expr), chapter
        self.__doc__ = f"{doc} (derived in chapter {chapter})"
        self.symbols = tuple(sorted(self.expr.free_symbols, key=lambda s: s.name))
        self.arg_names = tuple(s.name for s in self.symbols)
        self._scalar = sp.lambdify(self.symbols, self.expr, modules="math")
        self._array = None
        getter = itemgetter(*self.arg_names)
        self._get = getter if len(self.arg_names) > 1 else (lambda values: (getter(values),))

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
        for a in args:
            if isinstance(a, np.ndarray):
                if self._array is None:
                    self._array = sp.lambdify(self.symbols, self.expr, modules="numpy")
                return self._array(*np.broadcast_arrays(*args))
        return self._scalar(*args)

    def evalf(self, **values) -> float:
        """The same value through SymPy ``subs``/``evalf`` (the slow reference path)."""
        args = self._ordered(values)
        return float(self.expr.subs(dict(zip(self.symbols, args))).evalf())

    def latex(self) -> str:
        return f"{self.lhs} = {latex(self.expr)}"

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex()}$"

    def __repr__(self):
        return f"Formula({self.name}: {self.lhs} = {self.expr})"
