"""Displayed equations fit the page: a long sum breaks between its terms into aligned lines."""

import sympy as sp

from servingmath import formulas as f
from servingmath.core.symbols import LINE, equation, latex


def test_a_short_formula_stays_on_one_line():
    assert equation("T", f.step_time.expr) == f"T = {latex(f.step_time.expr)}"


def test_a_long_sum_breaks_into_lines_holding_every_term_in_order():
    expr = f.moe_param_count.expr
    text = equation("P", expr)
    assert text.startswith(r"\begin{aligned} P &= ") and text.count(r"\\ &\quad") >= 1
    terms = [latex(t) for t in expr.as_ordered_terms()]
    positions = [text.index(t) for t in terms]
    assert positions == sorted(positions)
    lines = text.split(r"\\")
    assert len(lines) <= len(str(expr)) // (LINE // 2)


def test_a_negative_term_keeps_its_sign():
    x, y = sp.symbols("x y", positive=True)
    long = sum(sp.Symbol(f"a_{i}") * x for i in range(12)) - y
    assert " - y" in equation("z", long)
