"""The latency-throughput frontier (chapter 11): the decode step of every batch that fits, per precision and slice.

Each point is ``plan``'s step model at one batch (``step_time_at``) with its parts: the weight read and the
matmul FLOPs, which overlap (the larger binds), the KV read and the collectives, which add to it.
"""

from dataclasses import dataclass

import numpy as np

from ..core import formulas as f
from ..core.checks import check_choice, check_count, check_number
from ..core.hardware import Chip
from ..core.models import Model
from ..core.precision import bytes_per_element
from .plan import Plan, ici_time_at, plan, step_time_at

#: The precisions the frontier compares: (weights, KV cache), each stored in the same format.
PRECISIONS = {"bf16": ("bf16", "bf16"), "int8": ("int8", "int8"), "int4": ("int4", "int4")}
#: Most batches one curve samples (geometrically from 1 to the max batch, both ends kept).
FRONTIER_POINTS = 120
#: The source's "about 2x the latency": a knee is the largest batch within this factor of one sequence's step.
LATENCY_FACTOR = 2


@dataclass(frozen=True)
class StepPoint:
    """One decode step on the frontier: its batch, its time and throughput, and its parts (seconds)."""

    batch: int
    step_time_s: float
    tokens_per_s_per_chip: float
    weight_read_s: float
    flops_s: float
    kv_read_s: float
    ici_s: float

    @property
    def binding(self) -> str:
        """Which of the two overlapping terms sets the step: "weight read" or "FLOPs"."""
        return "FLOPs" if self.flops_s > self.weight_read_s else "weight read"


@dataclass(frozen=True)
class Frontier:
    """One precision on one slice: step time and throughput per chip (and the step's parts) over the batch."""

    precision: str
    plan: Plan                  # the slice at its max batch
    batches: np.ndarray
    step_time_s: np.ndarray
    tokens_per_s_per_chip: np.ndarray
    weight_read_s: np.ndarray
    flops_s: np.ndarray
    kv_read_s: np.ndarray
    ici_s: np.ndarray

    @property
    def chips(self) -> int:
        return self.plan.chips

    @property
    def max_batch(self) -> int:
        return self.plan.max_batch


def _parts(p: Plan, batches) -> dict:
    """The step of ``p``'s deployment at ``batches`` (a number or an array) and its parts."""
    b_w = bytes_per_element(p.weights, "weights")
    n, P, ones = p.chips, p.decode_param_count, np.ones_like(batches, dtype=float)
    step = step_time_at(p, batches)
    return dict(step_time_s=step, tokens_per_s_per_chip=f.tokens_per_s_per_chip(B=batches, N=n, T_step=step),
                weight_read_s=f.param_load_time(N=n, P=P, W_hbm=p.hbm_bw, b_w=b_w) * ones,
                flops_s=f.step_flops_time(B=batches, C=p.flops, N=n, P=P),
                kv_read_s=f.kv_load_time(B=batches, N=n, S=p.context, W_hbm=p.hbm_bw, kv=p.kv_bytes_per_token),
                ici_s=ici_time_at(p, batches) * ones)


def frontier(model: Model, chip: Chip, precision="int8", chips=None, context=8192, compute="bf16",
             points=FRONTIER_POINTS) -> Frontier:
    """``model`` on ``chips`` chips of ``chip`` (``None``: the smallest slice that holds it) at every sampled batch
    from 1 to the max that fits, as ``plan`` times it (collectives counted, 10 % of HBM kept back)."""
    weights, kv_dtype = PRECISIONS[check_choice("precision", precision, PRECISIONS)]
    points = check_count("points", points)
    p = plan(model, chip, chips=chips, weights=weights, kv_dtype=kv_dtype, compute=compute, context=context)
    if p.routing is not None:
        raise ValueError(f"model: the frontier's step parts are for dense models; {model.name} is not one")
    if p.max_batch < 1:
        raise ValueError(f"chips: {p.chips} {chip.name} chips hold no {precision} sequence of {p.context:,} tokens "
                         f"beside the weights")
    batches = np.unique(np.geomspace(1, p.max_batch, min(p.max_batch, points)).round().astype(int))
    return Frontier(precision=precision, plan=p, batches=batches, **_parts(p, batches))


def frontiers(model: Model, chip: Chip, context=8192, compute="bf16", precisions=tuple(PRECISIONS),
              points=FRONTIER_POINTS) -> list:
    """A ``Frontier`` for each precision on each of ``chip``'s slices that holds the weights and one sequence."""
    found = []
    for precision in precisions:
        weights, kv_dtype = PRECISIONS[check_choice("precision", precision, PRECISIONS)]
        for n in chip.slices:
            if plan(model, chip, chips=n, weights=weights, kv_dtype=kv_dtype, compute=compute,
                    context=context).max_batch >= 1:
                found.append(frontier(model, chip, precision, n, context, compute, points))
    return found


def point_at(fr: Frontier, batch) -> StepPoint:
    """The step of ``fr``'s slice at ``batch`` sequences, or at its max batch when ``batch`` does not fit."""
    batch = min(check_count("batch", batch), fr.max_batch)
    return StepPoint(batch=batch, **{k: float(v) for k, v in _parts(fr.plan, batch).items()})


@dataclass(frozen=True)
class Knee:
    """A frontier's landmarks: one sequence, the largest batch within ``factor`` of its step, the full slice."""

    precision: str
    chips: int
    factor: float
    one: StepPoint
    knee: StepPoint
    full: StepPoint

    @property
    def knee_gain(self) -> float:
        """Throughput per chip at the knee over one sequence's (cost per token falls by as much)."""
        return self.knee.tokens_per_s_per_chip / self.one.tokens_per_s_per_chip

    @property
    def full_gain(self) -> float:
        return self.full.tokens_per_s_per_chip / self.one.tokens_per_s_per_chip

    @property
    def full_slowdown(self) -> float:
        """The full slice's step over one sequence's."""
        return self.full.step_time_s / self.one.step_time_s


def knee(fr: Frontier, factor=LATENCY_FACTOR) -> Knee:
    """The landmarks of ``fr``: the knee is the largest batch whose step is within ``factor`` of one sequence's."""
    factor = check_number("factor", factor)
    if factor < 1:
        raise ValueError(f"factor: a step is never faster than one sequence's; expected >= 1, got {factor}")
    every = np.arange(1, fr.max_batch + 1)
    steps = step_time_at(fr.plan, every)
    batch = int(every[np.searchsorted(steps, factor * steps[0], side="right") - 1])
    return Knee(precision=fr.precision, chips=fr.chips, factor=factor, one=point_at(fr, 1),
                knee=point_at(fr, batch), full=point_at(fr, fr.max_batch))
