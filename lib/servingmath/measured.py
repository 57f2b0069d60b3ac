"""The shipped H100 measurements (chapters 04, 05 and 12); see ``data/measured/h100/README.md``."""

import csv
from functools import lru_cache
from importlib import resources

import numpy as np

RUNS = ("run1", "run2", "run3")
_ROOT = resources.files("servingmath") / "data" / "measured" / "h100"


@lru_cache(maxsize=None)
def _read(relative: str) -> dict:
    with (_ROOT / relative).open() as handle:
        rows = list(csv.DictReader(handle))
    columns = {}
    for key in rows[0]:
        values = [row[key] for row in rows]
        try:
            columns[key] = np.array([float(v) for v in values])
        except ValueError:
            columns[key] = np.array(values)
    return columns


def table(name: str, run: str = "run1") -> dict:
    """Columns of ``<run>/<name>.csv`` as NumPy arrays (numbers as float64, text as str).

    ``run`` is one of ``RUNS`` or ``"full-model"``.
    """
    if run not in RUNS + ("full-model",):
        raise ValueError(f"run: unknown {run!r}; choose one of {', '.join(RUNS)}, full-model")
    return {k: v.copy() for k, v in _read(f"{run}/{name}.csv").items()}


def peaks(run: str = "run1") -> dict:
    """Measured peaks of one run: ``{"hbm_read_sum": B/s, "matmul_bf16": FLOP/s, ...}``."""
    data = table("peaks", run)
    return dict(zip(data["what"], data["value"]))


def peak_spread(what: str) -> tuple:
    """(median, min, max) of one peak over the three runs."""
    values = np.array([peaks(run)[what] for run in RUNS])
    return float(np.median(values)), float(values.min()), float(values.max())
