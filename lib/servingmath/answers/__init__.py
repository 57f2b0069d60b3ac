"""The answer checker: ``servingmath.check("kv-cache-1", my_answer)``.

Each chapter's module here maps its exercise labels to an ``Answer`` whose value the
library computes. The checker says correct or how far off, never the answer itself.
"""

from dataclasses import dataclass
import importlib
import pkgutil


@dataclass(frozen=True)
class Answer:
    value: object        # a callable returning the number (computed when checked)
    unit: str            # what the answer is expected in, e.g. "GB (1e9 bytes)"
    rel_tol: float = 0.02
    objective: str = ""  # the learning objective the exercise practises


def answers() -> dict:
    """Every registered answer, by exercise label."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        found.update(importlib.import_module(f"{__name__}.{info.name}").ANSWERS)
    return found


def check(label: str, answer, quiet: bool = False) -> bool:
    """Print whether ``answer`` to exercise ``label`` is right (within its tolerance), and return it."""
    table = answers()
    if label not in table:
        raise ValueError(f"label: unknown exercise {label!r}; labels look like 'kv-cache-1'")
    expected = table[label]
    try:
        given = float(answer)
    except (TypeError, ValueError):
        raise ValueError(f"answer: expected a number, got {answer!r}") from None
    truth = float(expected.value())
    error = (given - truth) / truth
    ok = abs(error) <= expected.rel_tol
    if not quiet:
        if ok:
            print(f"{label}: correct (within {expected.rel_tol:.0%}); units: {expected.unit}")
        else:
            direction = "high" if error > 0 else "low"
            print(f"{label}: not yet: {abs(error):.0%} too {direction} (units: {expected.unit})")
    return ok
