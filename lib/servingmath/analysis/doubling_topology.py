"""Doubling the topology (chapter 07): tokens/s/chip at the largest batch that fits, against the slice size.

Doubling a slice more than doubles the HBM left for KV caches (the weights are paid once per model
copy), so the batch more than doubles and, while the step stays memory-bound, so does the total
throughput. Past ``N*`` chips the filling batch exceeds the critical batch and the gain per chip is gone.
"""

from dataclasses import dataclass
import math

import numpy as np

from ..core import formulas as f
from ..core.checks import check_choice, check_count
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS, Model
from ..core.precision import SERVING_PRECISIONS, bytes_per_element

#: Decode tokens per request of the chapter's QPS figures.
DECODE = 512
#: Chips a model-parallel slice has at least (the chapter's and the explorers' smallest slice).
MIN_CHIPS = 4

V5E, LLAMA = CHIPS["tpu-v5e-article"], MODELS["llama-3-70b"]


@dataclass(frozen=True)
class Point:
    """One model copy on ``chips`` chips at the largest batch whose KV caches fit."""

    chips: int
    weights: str
    compute: str
    context: int
    batch: int              # 0: the weights (or one sequence) do not fit
    step: float             # seconds per decode step (nan when nothing fits)
    tokens_per_s: float     # of the model copy
    tokens_per_s_per_chip: float
    qps_per_chip: float
    critical_batch: float
    kv_room: float          # bytes left for KV caches (negative: the weights alone overflow)

    @property
    def fits(self) -> bool:
        return self.batch >= 1

    @property
    def bound(self) -> str:
        return "compute" if self.batch > self.critical_batch else "memory"

    @property
    def overflow(self) -> float:
        """Bytes by which the weights alone overflow the slice's HBM (0 when they fit)."""
        return max(0.0, -self.kv_room)


def at_max_batch(chips, weights="bf16", context=8192, compute="bf16", model: Model = LLAMA, chip: Chip = V5E,
                 decode=DECODE) -> Point:
    """Batch, step time and throughput of ``model`` on ``chips`` chips with HBM filled by KV caches."""
    b_w = bytes_per_element(weights, "weights")
    kvt = model.kv_bytes_per_token(weights)
    C = chip.flops(compute)
    room = f.kv_room(HBM=chip.hbm_bytes, N=chips, P=model.param_count, b_w=b_w)
    batch = max(0, int(f.max_batch(HBM=chip.hbm_bytes, N=chips, P=model.param_count, S=context, b_w=b_w, kv=kvt)))
    crit = f.critical_batch(C=C, W_hbm=chip.hbm_bw, b_w=b_w)
    if not batch:
        return Point(chips, weights, compute, context, 0, math.nan, math.nan, math.nan, math.nan, crit, room)
    step = f.step_time(B=batch, C=C, N=chips, P=model.decode_param_count, S=context, W_hbm=chip.hbm_bw, b_w=b_w, kv=kvt)
    return Point(chips, weights, compute, context, batch, step, f.tokens_per_s(B=batch, T_step=step),
                 f.tokens_per_s_per_chip(B=batch, N=chips, T_step=step),
                 f.qps_per_chip(B=batch, G=decode, N=chips, T_step=step), crit, room)


@dataclass(frozen=True)
class Doubling:
    """What doubling a slice from ``half`` to ``full`` chips (each at its max batch) gains."""

    half: Point
    full: Point
    total_gain: float       # tokens/s of the model copy, full over half
    per_chip_gain: float    # tokens/s/chip, full over half (above 1: super-linear total throughput)


def doubling(half: Point, full: Point) -> Doubling:
    return Doubling(half=half, full=full, total_gain=full.tokens_per_s / half.tokens_per_s,
                    per_chip_gain=full.tokens_per_s_per_chip / half.tokens_per_s_per_chip)


@dataclass(frozen=True)
class Superlinear:
    """Where doubling stops paying per chip, for one precision."""

    chips: float            # N*: the chips at which the full-HBM batch reaches B_crit
    ceiling: float          # the compute-bound tokens/s/chip beyond N*


def superlinear_limit(weights="bf16", context=8192, compute="bf16", model: Model = LLAMA,
                      chip: Chip = V5E) -> Superlinear:
    """N* (chips where the full-HBM batch reaches B_crit) and the compute-bound tokens/s/chip ceiling."""
    b_w, kvt, C = bytes_per_element(weights, "weights"), model.kv_bytes_per_token(weights), chip.flops(compute)
    n_star = f.superlinear_chips(C=C, HBM=chip.hbm_bytes, P=model.param_count, S=context, W_hbm=chip.hbm_bw,
                                 b_w=b_w, kv=kvt)
    ceiling = f.tokens_per_s_per_chip_compute_bound(C=C, P=model.param_count, S=context, W_hbm=chip.hbm_bw, kv=kvt)
    return Superlinear(chips=n_star, ceiling=ceiling)


def model_parallel_slices(chip: Chip) -> list:
    """The chip's valid slices of at least ``MIN_CHIPS`` chips."""
    return [n for n in chip.slices if n >= MIN_CHIPS]


@dataclass(frozen=True)
class Sweep:
    """Every precision at max batch over the slices, and the highlighted one (``weights`` on ``chips``)."""

    model: Model
    chip: Chip
    context: int
    weights: str            # the highlighted precision
    chips: int              # the highlighted slice
    sizes: list             # the slices, ascending
    points: dict            # precision -> [Point per slice]
    rate: dict              # precision -> tokens/s/chip per slice
    gain: dict              # precision -> tokens/s/chip gain reaching each slice (from the second) from half of it
    limits: dict            # precision -> Superlinear

    @property
    def index(self) -> int:
        return self.sizes.index(self.chips)

    @property
    def here(self) -> Point:
        return self.points[self.weights][self.index]

    @property
    def half(self) -> Point | None:
        """The highlighted precision on half the highlighted slice (None on the smallest slice)."""
        return self.points[self.weights][self.index - 1] if self.index else None

    @property
    def doubled(self) -> Doubling | None:
        """Doubling to the highlighted slice from half of it (None unless both hold a sequence)."""
        half = self.half
        return doubling(half, self.here) if half is not None and half.fits and self.here.fits else None


def sweep(weights="bf16", context=8192, chips=32, model: Model = LLAMA, chip: Chip = V5E,
          precisions=SERVING_PRECISIONS) -> Sweep:
    """Tokens/s/chip at max batch over the model-parallel slices for each precision (bf16 FLOPs)."""
    check_choice("weights", weights, precisions)
    context = check_count("context", context)
    chips = chip.check_slice(chips)
    sizes = model_parallel_slices(chip)
    if chips not in sizes:
        raise ValueError(f"chips: pick a slice of at least {MIN_CHIPS} chips ({', '.join(map(str, sizes))})")
    points = {d: [at_max_batch(n, d, context, model=model, chip=chip) for n in sizes] for d in precisions}
    rate = {d: np.array([p.tokens_per_s_per_chip for p in points[d]]) for d in precisions}
    return Sweep(model=model, chip=chip, context=context, weights=weights, chips=chips, sizes=sizes, points=points,
                 rate=rate, gain={d: rate[d][1:] / rate[d][:-1] for d in precisions},
                 limits={d: superlinear_limit(d, context, model=model, chip=chip) for d in precisions})
