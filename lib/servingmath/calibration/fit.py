"""The roofline calibrated on a real chip: ``plan(efficiency="measured")`` (chapter 12).

Every number here comes from the shipped H100 measurements (``servingmath.measured``), each from
the experiment that isolates it, and none is fitted to the decode-step grid it is then judged on:

- ``hbm``: a streaming read (``hbm_read_sum``) over the datasheet bandwidth (median of three runs);
- ``flops`` / ``flops_fp8``: a large 8192^3 matmul over the datasheet FLOP/s, per dtype;
- ``matmul_hbm``: the bandwidth at which one matmul streams its weights at small batch (the flat
  part of the bf16 batch sweep, B <= 64), over the datasheet bandwidth. A matmul kernel reads its
  weights tile by tile and pays its start and its tail, so it streams slower than a plain read;
- ``stream_bw``: the bytes/s one attention stream (one sequence x one KV head) reaches. The
  attention kernel works on each (sequence, KV head) pair separately, and one pair keeps only so
  many bytes in flight (Little's law: bandwidth = bytes in flight / latency), so a batch of B
  sequences reads its cache at ``min(W, B K w_s)``. Measured where weights cancel: the time a
  decode step gains per extra context token at batches with few streams (B K <= 32);
- ``overlap``: the exponent nu of the soft roofline ``(T_bytes^nu + T_flops^nu)^(1/nu)`` that fits
  the bf16 matmul batch sweep (nu = 1 adds the two times, nu -> infinity is the ideal max).

The model is ``formulas.step_time_calibrated``; the decode grid is its test, not its input
(``analysis.reality_check`` runs that test). The fit runs once, when first asked for;
``python -m servingmath.calibration.fit`` writes its result to ``h100.toml``, which the planner reads.
"""

from functools import lru_cache
from pathlib import Path
import sys

import numpy as np

from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS
from ..core.precision import bytes_per_element
from ..data.measured import MEASURED_ON, decode_grid, over_runs, peak_spread
from .efficiency import Efficiency

#: Datasheet bandwidth and FLOP/s the H100 fractions are relative to.
H100 = CHIPS[MEASURED_ON]
LLAMA = MODELS["llama-3-70b"]
#: The sweep's shape: x[B, D] @ W[D, F] with LLaMA 3-70B's D and F.
SWEEP_D, SWEEP_F = LLAMA.d_model, LLAMA.d_ff
#: Batches of the sweep's flat part (weight read dominates) and of few attention streams.
FLAT_BATCHES = 64
FEW_STREAMS = 32




def peak_efficiency() -> Efficiency:
    """Only the datasheet fractions of the streaming read and of a large bf16 matmul (the plain scaling)."""
    return Efficiency(measured_on=H100.name, hbm=peak_spread("hbm_read_sum")[0] / H100.hbm_bw,
                      flops=peak_spread("matmul_bf16")[0] / H100.flops_bf16,
                      flops_fp8=peak_spread("matmul_fp8")[0] / H100.flops("fp8"))


def weight_stream_bandwidth(dtype: str = "bf16") -> float:
    """Bytes/s one x @ W streams at small batch: the sweep's flat part (B <= 64), median over runs and batches."""
    sweep = over_runs("matmul_sweep", dtype=dtype)
    flat = sweep["batch"] <= FLAT_BATCHES
    return float(np.median(sweep["bytes"][flat] / sweep["time_s"][flat]))


def stream_bandwidth() -> float:
    """Bytes/s one attention stream reaches: extra KV bytes / extra time between neighbouring contexts,
    at the batches with at most ``FEW_STREAMS`` streams, per stream; the median over those pairs."""
    grid = decode_grid()
    per_stream = []
    for b in np.unique(grid["batch"]):
        streams = b * LLAMA.kv_heads
        if streams > FEW_STREAMS:
            continue
        rows = np.flatnonzero(grid["batch"] == b)
        rows = rows[np.argsort(grid["context"][rows])]
        for i, j in zip(rows[:-1], rows[1:]):
            extra_bytes = grid["kv_bytes"][j] - grid["kv_bytes"][i]
            extra_time = grid["time_s"][j] - grid["time_s"][i]
            if extra_time > 0:
                per_stream.append(extra_bytes / extra_time / streams)
    return float(np.median(per_stream))


def sweep_prediction(eff: Efficiency, dtype: str = "bf16", hw: Chip = H100, batch=None) -> np.ndarray:
    """Calibrated time of the sweep's matmul x[B, 8192] @ W[8192, 28672] at each ``batch``."""
    v = eff.constants(hw, dtype)
    batch = over_runs("matmul_sweep", dtype=dtype)["batch"] if batch is None else np.asarray(batch, float)
    return f.matmul_time_calibrated(B=batch, C=v["C"], D=SWEEP_D, F=SWEEP_F, W_mm=v["W_mm"], b_a=2,
                                    b_w=bytes_per_element(dtype), nu=v["nu"])


def fit_overlap(eff: Efficiency, grid=np.arange(1.0, 12.01, 0.1)) -> float:
    """The exponent nu that best fits the bf16 matmul sweep (least median |log error|), given the rest."""
    sweep = over_runs("matmul_sweep", dtype="bf16")
    errors = []
    for nu in grid:
        trial = Efficiency(**{**eff.__dict__, "overlap": float(nu)})
        errors.append(np.median(np.abs(np.log(sweep_prediction(trial, "bf16") / sweep["time_s"]))))
    return float(np.round(grid[int(np.argmin(errors))], 1))


@lru_cache(maxsize=None)
def h100_efficiency() -> Efficiency:
    """The H100 calibration: datasheet fractions, matmul weight streaming, attention streams, overlap."""
    base = peak_efficiency()
    eff = Efficiency(measured_on=H100.name, hbm=base.hbm, flops=base.flops, flops_fp8=base.flops_fp8,
                     matmul_hbm=weight_stream_bandwidth("bf16") / H100.hbm_bw, stream_bw=stream_bandwidth())
    return Efficiency(**{**eff.__dict__, "overlap": fit_overlap(eff)})


def toml_text(eff: Efficiency) -> str:
    """``h100.toml``: the fitted record, each constant as Python writes the float (so it reads back exactly)."""
    lines = ["# The roofline calibrated on the shipped H100 measurements (chapter 12).",
             "# Written by `python -m servingmath.calibration.fit` (make calibration); do not edit.",
             "[efficiency]"]
    for key, value in eff.__dict__.items():
        lines.append(f"{key} = {value!r}" if not isinstance(value, str) else f'{key} = "{value}"')
    return "\n".join(lines) + "\n"


def main() -> int:
    target = Path(__file__).with_name("h100.toml")
    target.write_text(toml_text(h100_efficiency()), encoding="utf-8")
    print(f"wrote {target.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
