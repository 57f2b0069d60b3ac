"""Input checks shared by the API, the CLI, model files and the explorers.

Every check raises ``ValueError`` with one line that starts with the
parameter's name, so a reader sees what to fix (the CLI prints the same line).
"""

import math
import numbers


def _describe(value):
    return repr(value) if isinstance(value, str) else str(value)


def check_number(name: str, value, *, positive=True, allow_zero=False) -> float:
    """A finite real number (> 0 by default); strings such as '8.1e11' are parsed, never evaluated."""
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a number, got {value}")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise ValueError(f"{name}: expected a number, got {value!r}") from None
    elif isinstance(value, numbers.Real):
        number = float(value)
    else:
        raise ValueError(f"{name}: expected a number, got {_describe(value)}")
    if not math.isfinite(number):
        raise ValueError(f"{name}: must be finite, got {_describe(value)}")
    if positive and (number < 0 or (number == 0 and not allow_zero)):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: must be {bound}, got {_describe(value)}")
    return number


def check_count(name: str, value, *, allow_zero=False) -> int:
    """A whole number of things (chips, sequences, tokens, layers): a positive integer."""
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("+-").isdigit():
            raise ValueError(f"{name}: expected a whole number, got {value!r}")
        value = int(text)
    number = check_number(name, value, allow_zero=allow_zero)
    if number != int(number):
        raise ValueError(f"{name}: expected a whole number, got {_describe(value)}")
    return int(number)


def check_fraction(name: str, value) -> float:
    """A fraction in (0, 1], such as an MFU or an efficiency."""
    number = check_number(name, value)
    if number > 1:
        raise ValueError(f"{name}: must be in (0, 1], got {_describe(value)}")
    return number


def check_choice(name: str, value, choices) -> str:
    """One of a fixed set of names."""
    if value not in choices:
        listed = ", ".join(sorted(choices))
        raise ValueError(f"{name}: unknown {_describe(value)}; choose one of {listed}")
    return value
