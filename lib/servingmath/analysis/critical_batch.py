"""The critical batch (chapter 04): where a matmul's FLOPs catch up with its weight read.

B_crit per chip and precision pair (and the source's beta * alpha_hbm form), the roofline of one
x[B, D] @ W[D, F] over the batch with its exact ridge, and the measured H100 matmul sweep with the
knee the chip's measured or datasheet peaks predict.
"""

from dataclasses import dataclass

import numpy as np

from ..core import formulas as f
from ..core.checks import check_choice
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS, Model
from ..core.precision import bytes_per_element
from ..data import measured

#: Batches of the roofline: 1 to 4096, 25 points per octave.
BATCHES = 2.0 ** np.linspace(0, 12, 301)
#: The precision pairs (weights, FLOPs) of the article's table, plus int4 weights from the source.
PAIRS = (("bf16", "bf16"), ("int8", "bf16"), ("int8", "int8"), ("int4", "bf16"))
WEIGHTS = ("bf16", "fp8", "int8", "int4")
#: The measured peaks behind each swept dtype: (FLOP/s peak, weight dtype, FLOPs dtype).
SWEPT = {"bf16": ("matmul_bf16", "bf16", "bf16"), "fp8": ("matmul_fp8", "fp8", "fp8")}
#: Where the peaks of the measured roofline come from.
PEAK_SOURCES = ("measured", "datasheet")
#: The chip the sweep was measured on.
H100 = CHIPS[measured.MEASURED_ON]
V5E = CHIPS["tpu-v5e-article"]
LLAMA = MODELS["llama-3-70b"]


def critical_batch(chip: Chip, weights: str, compute: str) -> float:
    """B_crit = C b_w / (2 W_hbm) for one chip and precision pair."""
    return f.critical_batch(C=chip.flops(compute), W_hbm=chip.hbm_bw, b_w=bytes_per_element(weights, "weights"))


def critical_batch_source(chip: Chip, weights: str, compute: str, alpha_at: str | None = None) -> float:
    """The source's beta * alpha_hbm form, for comparison with ``critical_batch``; alpha_hbm = C / W_hbm is read
    at the FLOP/s of ``compute`` unless ``alpha_at`` names another format (the source's alpha is the bf16 one)."""
    C = chip.flops(compute if alpha_at is None else alpha_at)
    return f.critical_batch_source(C=C, W_hbm=chip.hbm_bw, b_w=bytes_per_element(weights, "weights"),
                                   b_a=bytes_per_element(compute, "compute"))


@dataclass(frozen=True)
class Roofline:
    """One D x F matmul on one chip over ``batches``: its two terms, their maximum, B_crit and the ridge."""

    chip: Chip
    model: Model
    weights: str
    compute: str
    b_w: float                 # bytes per weight
    flops: float               # peak FLOP/s in ``compute``
    batches: np.ndarray
    flops_time: np.ndarray     # s, FLOPs at peak
    bytes_time: np.ndarray     # s, weights and activations at HBM speed
    time: np.ndarray           # s, the larger of the two
    critical_batch: float
    ridge: float               # the exact crossing, activations counted
    ridge_time: float          # s
    pairs: tuple               # PAIRS, then (weights, compute)
    pair_critical: tuple       # B_crit of each pair on this chip


def roofline(chip: Chip = V5E, weights: str = "bf16", compute: str = "bf16", model: Model = LLAMA) -> Roofline:
    """The roofline of x[B, D] @ W[D, F] (the model's MLP width) and B_crit per precision pair on ``chip``."""
    check_choice("weights", weights, WEIGHTS)
    args = dict(C=chip.flops(compute), D=model.d_model, F=model.d_ff, W_hbm=chip.hbm_bw,
                b_w=bytes_per_element(weights, "weights"), b_a=bytes_per_element(compute, "compute"))
    ridge = f.matmul_ridge(**args)
    pairs = PAIRS + ((weights, compute),)
    return Roofline(
        chip=chip, model=model, weights=weights, compute=compute, b_w=args["b_w"], flops=args["C"], batches=BATCHES,
        flops_time=f.matmul_flops_time(B=BATCHES, C=args["C"], D=args["D"], F=args["F"]),
        bytes_time=f.matmul_bytes_time(B=BATCHES, D=args["D"], F=args["F"], W_hbm=args["W_hbm"], b_a=args["b_a"],
                                       b_w=args["b_w"]),
        time=f.matmul_time(B=BATCHES, **args), critical_batch=critical_batch(chip, weights, compute),
        ridge=ridge, ridge_time=f.matmul_time(B=ridge, **args), pairs=pairs,
        pair_critical=tuple(critical_batch(chip, w, c) for w, c in pairs))


@dataclass(frozen=True)
class Sweep:
    """The measured matmul sweep of one dtype: per batch, the median, lowest and highest of the runs' times."""

    dtype: str
    batch: np.ndarray
    median: np.ndarray   # s
    lo: np.ndarray       # s
    hi: np.ndarray       # s
    flops: np.ndarray    # FLOPs of the kernel
    bytes: np.ndarray    # bytes it moves


def sweep(dtype: str, runs=measured.RUNS) -> Sweep:
    """The measured H100 sweep of x[B, 8192] @ W[8192, 28672] in ``dtype`` over ``runs``."""
    check_choice("dtype", dtype, SWEPT)
    data = measured.over_runs("matmul_sweep", runs, dtype=dtype)
    return Sweep(dtype=dtype, batch=data["batch"], median=data["time_s"], lo=data["time_lo_s"], hi=data["time_hi_s"],
                 flops=data["flops"], bytes=data["bytes"])


@dataclass(frozen=True)
class Peaks:
    """The H100's HBM bandwidth and FLOP/s per swept dtype, from the measurements or the datasheet."""

    source: str    # "measured" (the median of three runs) or "datasheet"
    hbm_bw: float  # B/s
    flops: dict    # swept dtype -> FLOP/s


def measured_peaks(peaks: str = "measured") -> Peaks:
    """The H100's peaks behind the sweep's roofline: the median of three runs, or the datasheet."""
    check_choice("peaks", peaks, PEAK_SOURCES)
    if peaks == "datasheet":
        return Peaks(peaks, H100.hbm_bw, {d: H100.flops(d) for d in SWEPT})
    return Peaks(peaks, measured.peak_spread("hbm_read_sum")[0],
                 {d: measured.peak_spread(SWEPT[d][0])[0] for d in SWEPT})


def bend(dtype: str, rise: float = 0.1, flat_up_to: int = 64) -> int:
    """The first swept batch whose median time exceeds the small-batch floor (the median up to ``flat_up_to``)
    by ``rise``: where the measured curve starts to bend, before its asymptotes cross."""
    s = sweep(dtype)
    floor = np.median(s.median[s.batch <= flat_up_to])
    return int(s.batch[s.median > (1 + rise) * floor][0])


def knee(dtype: str, peaks: str = "measured") -> float:
    """Where theory puts the knee of the measured sweep: B_crit from the H100's peaks."""
    rates = measured_peaks(peaks)
    _, weights, _ = SWEPT[check_choice("dtype", dtype, SWEPT)]
    return f.critical_batch(C=rates.flops[dtype], W_hbm=rates.hbm_bw, b_w=bytes_per_element(weights))


@dataclass(frozen=True)
class MeasuredRoofline:
    """The measured sweeps beside the roofline their chip's peaks draw, and the knees those peaks predict."""

    peaks: Peaks
    batches: np.ndarray
    lines: dict    # swept dtype -> roofline time per batch (s)
    knees: dict    # swept dtype -> B_crit from the peaks
    sweeps: dict   # swept dtype -> Sweep


def measured_roofline(peaks: str = "measured", model: Model = LLAMA) -> MeasuredRoofline:
    """The H100 matmul sweep (bf16 and fp8, three runs) against the roofline from the ``peaks``."""
    rates = measured_peaks(peaks)
    lines = {dtype: f.matmul_time(B=BATCHES, C=rates.flops[dtype], D=model.d_model, F=model.d_ff, W_hbm=rates.hbm_bw,
                                  b_a=bytes_per_element(compute), b_w=bytes_per_element(weights))
             for dtype, (_, weights, compute) in SWEPT.items()}
    return MeasuredRoofline(peaks=rates, batches=BATCHES, lines=lines, knees={d: knee(d, peaks) for d in SWEPT},
                            sweeps={d: sweep(d) for d in SWEPT})
