"""Print every formula's numeric function from its SymPy expression into ``numeric.py``.

``python -m servingmath.core.codegen`` (``make formulas``) rewrites the file; a unit test
fails when it no longer matches the expressions. The planner then evaluates a formula
without building or lambdifying its expression, so a CLI plan starts fast.
"""

from pathlib import Path
import sys

from sympy.printing.pycode import PythonCodePrinter

from . import formulas

TARGET = Path(__file__).with_name("numeric.py")
HEADER = '''"""The numeric function of every formula, printed from its SymPy expression (``core/formulas.py``).

Written by ``python -m servingmath.core.codegen`` (``make formulas``); do not edit. A unit test
fails when a function here no longer matches its expression.
"""

import math
'''


def source() -> str:
    """The text of ``numeric.py`` for the formulas as they stand."""
    printer = PythonCodePrinter({"fully_qualified_modules": True, "standard": "python3"})
    parts = [HEADER]
    for name, formula in formulas.FORMULAS.items():
        body = printer.doprint(formula.expr)
        args = ", ".join(symbol.name for symbol in formula.symbols)
        parts.append(f"\n\ndef {name}({args}):\n    return {body}\n")
    return "".join(parts)


def main() -> int:
    TARGET.write_text(source(), encoding="utf-8")
    print(f"wrote {TARGET.name}: {len(formulas.FORMULAS)} functions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
