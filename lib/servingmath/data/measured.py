"""The shipped H100 measurements (chapters 04, 05 and 12); see ``data/measured/h100/README.md``.

Also the published serving numbers of 70B-class models that chapter 12 sets against the planner
(``public_serving()``, from ``data/public_serving.csv``, each row with its source).
"""

import csv
from functools import lru_cache
from importlib import resources
import json
from pathlib import Path

import numpy as np

from ..core.models import PRESETS as MODELS, Model

#: The chip the shipped measurements were taken on (a preset name).
MEASURED_ON = "h100"
RUNS = ("run1", "run2", "run3")
_ROOT = resources.files(__package__) / "measured" / MEASURED_ON


@lru_cache(maxsize=None)
def _read(relative: str) -> dict:
    return _columns(_ROOT / relative)


def _columns(path) -> dict:
    with path.open() as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    if not rows:  # a header only (e.g. an experiment the machine could not run)
        return {key: np.array([]) for key in reader.fieldnames or ()}
    columns = {}
    for key in rows[0]:
        values = [row[key] for row in rows]
        try:
            columns[key] = np.array([float(v) for v in values])
        except ValueError:
            columns[key] = np.array(values)
    return columns


def read(path) -> dict:
    """Columns of one CSV file with the shipped layout, e.g. one written by ``tools/measure_gpu.py``.

    Same form as ``table``: NumPy arrays by column name (numbers as float64, text as str).
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path: no such file {str(path)!r}")
    return _columns(path)


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


def over_runs(name: str, runs=RUNS, **where) -> dict:
    """One measurement repeated over ``runs``: its columns plus the time's median, min and max over the runs.

    ``where`` keeps the rows whose column equals a value (``dtype="bf16"``, ``weights="fp8"``).
    Times come back in seconds: ``time_s`` (median over the runs), ``time_lo_s``, ``time_hi_s``.
    """
    tables = [table(name, run) for run in runs]
    first = tables[0]
    keep = np.ones(len(next(iter(first.values()))), dtype=bool)
    for column, value in where.items():
        if column not in first:
            raise ValueError(f"{column}: no such column in {name}")
        keep &= first[column] == value
    times = np.array([t["time_us_median"][keep] for t in tables]) * 1e-6
    out = {k: v[keep] for k, v in first.items() if k not in ("time_us_median", "time_us_min")}
    out.update(time_s=np.median(times, axis=0), time_lo_s=times.min(axis=0), time_hi_s=times.max(axis=0))
    return out


def decode_grid(weights: str = "bf16", graphs: bool = False) -> dict:
    """The decode-step grid of one LLaMA 3-70B layer (batch x context), times over the runs.

    ``graphs=False``: ``decode_layer.csv`` of the three runs (bf16, eager PyTorch);
    ``graphs=True``: ``decode_layer_graphs.csv`` of run3 (``weights`` bf16 or fp8, CUDA graphs).
    """
    if graphs:
        return over_runs("decode_layer_graphs", ("run3",), weights=weights)
    if weights != "bf16":
        raise ValueError(f"weights: the eager grid is bf16 only, got {weights!r} (use graphs=True for fp8)")
    return over_runs("decode_layer")


def full_model() -> dict:
    """The whole 70B-shaped model (80 fp8 layers + LM head) decoding on one H100, one CUDA graph per step."""
    return over_runs("full_model_fp8", ("full-model",))


def env(run: str = "run1") -> dict:
    """The machine a run was measured on (``env.json``): GPU name, SMs, memory bytes, driver, clocks."""
    if run not in RUNS + ("full-model",):
        raise ValueError(f"run: unknown {run!r}; choose one of {', '.join(RUNS)}, full-model")
    return json.loads((_ROOT / run / "env.json").read_text())


# --- Public serving measurements of 70B-class models (chapter 12) ---------------------------------

_PUBLIC = resources.files(__package__) / "public_serving.csv"
_COUNTS = ("chips", "tp", "system_chips", "concurrency")
_NUMBERS = ("isl", "osl", "value", "tokens_per_s")


@lru_cache(maxsize=None)
def _public_rows() -> tuple:
    with _PUBLIC.open() as handle:
        rows = [row for row in csv.DictReader(line for line in handle if not line.startswith("#"))]
    for row in rows:
        for key in _COUNTS:
            row[key] = None if row[key] == "" else int(row[key])
        for key in _NUMBERS:
            row[key] = None if row[key] == "" else float(row[key])
    return tuple(rows)


def public_serving(**where) -> list:
    """Published serving measurements of 70B-class models (MLPerf, TensorRT-LLM, NIM, vLLM on TPU).

    One dict per measurement, from ``data/public_serving.csv``: ``id``, ``source`` (bib key), ``what``,
    ``model``, ``chip``, ``chips`` (per model copy), ``tp``, ``system_chips`` (the chips ``tokens_per_s``
    is for), ``weights``, ``kv`` (the dtype the planner uses; ``kv_note`` says if the source states it),
    ``compute``, ``isl``/``osl`` (input/output tokens; ``isl`` may be an upper bound, see ``isl_note``),
    ``concurrency`` (``None`` for max-throughput runs), ``metric`` (``itl_s``, ``tpot_s``, ``ttft_s`` or
    ``output_tokens_per_s``), ``value`` (SI: seconds or tokens/s), ``tokens_per_s`` (output tokens/s of
    the ``system_chips`` measured with it), ``conditions`` and ``where`` (the file or page it is from).
    Keyword filters keep matching rows, e.g. ``source="nim"``.
    """
    rows = [dict(row) for row in _public_rows()]
    for column, value in where.items():
        if rows and column not in rows[0]:
            raise ValueError(f"{column}: no such column in public_serving.csv")
        rows = [row for row in rows if row[column] == value]
    return rows


#: LLaMA 2-70B, which MLPerf serves: the 70B shape with a 32k vocabulary (not a preset).
LLAMA_2_70B = Model("llama-2-70b", 80, 8192, 28672, 64, 8, 128, 32000,
                    source="Meta's Hugging Face config.json (LLaMA 2-70B)")


def public_model(name: str) -> Model:
    """The model a public measurement served: a preset, or LLaMA 2-70B."""
    return LLAMA_2_70B if name == LLAMA_2_70B.name else MODELS[name]
