"""Latency targets, ICI verdicts and slice shapes for the planner (chapter 11, the decision framework).

A latency target bounds the time per output token: every sequence in a batch gets one token
per decode step, so the target bounds the step time. ``plan_for_target`` runs
``servingmath.plan`` and then picks the largest batch that both fits and meets the target
(``formulas.batch_for_step_time``), or says that none does and which larger slice would.
"""

from dataclasses import dataclass
import math

from ..core import formulas as f
from ..core.checks import check_count, check_number
from ..core.hardware import Chip
from ..core.models import Model
from ..core.precision import bytes_per_element
from .plan import Plan, plan, step_time_at

#: Chips a GPU deployment may span when the planner looks for a larger slice (16 nodes of 8).
GPU_SEARCH_LIMIT = 128


def batch_for_target(p: Plan, target_s) -> int:
    """Largest batch that fits ``p``'s slice and whose step takes at most ``target_s`` seconds (0: none).

    A dense model's step has the closed form ``formulas.batch_for_step_time``. An MoE or windowed model's
    step (``formulas.step_time_moe``) has none, but it grows with the batch: bisect the whole batches.
    """
    target = check_number("target", target_s)
    if p.routing is not None:
        low, high = 0, p.max_batch           # step(low) meets the target (or low = 0); step(high + 1) need not
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if step_time_at(p, middle) <= target else (low, middle - 1)
        return low
    real = f.batch_for_step_time(C=p.flops, N=p.chips, P=p.param_count, S=p.context, T_step=target,
                                 W_hbm=p.hbm_bw, b_w=bytes_per_element(p.weights, "weights"),
                                 kv=p.kv_bytes_per_token)
    batch = min(p.max_batch, math.floor(real)) if real >= 1 else 0
    while batch > 0 and step_time_at(p, batch) > target:   # guard against float rounding at the edge
        batch -= 1
    return batch


@dataclass(frozen=True)
class IciVerdict:
    """Is a Y-way model-parallel layout limited by its ICI links? (chapter 08)."""

    chips: int
    mesh_axes: int
    flops_bound: float         # Y where the activations' comms catch up with the matmul FLOPs
    hbm_bound: float | None    # Y where they catch up with the weight read (None without a batch)
    threshold: float           # ICI binds only beyond the larger of the two
    safe: bool
    wraparound: bool           # False: some axis is an open line, with about half the bandwidth
    threshold_no_wrap: float | None  # the threshold with one-way link bandwidth (None with wraparound)
    safe_no_wrap: bool | None

    @property
    def binding(self) -> bool:
        """Whether the slice is ICI-bound once the missing wraparound links are taken into account."""
        return not (self.safe if self.wraparound else self.safe_no_wrap)


def _bounds(p: Plan, d_ff: int, mesh_axes: int, w_ici: float) -> tuple:
    b_a = bytes_per_element(p.compute, "compute")
    y_flops = f.ici_flops_bound(C=p.flops, F=d_ff, M=mesh_axes, W_ici=w_ici, b_a=b_a)
    y_hbm = (f.ici_hbm_bound(B=p.batch, F=d_ff, M=mesh_axes, W_hbm=p.hbm_bw, W_ici=w_ici, b_a=b_a,
                             b_w=bytes_per_element(p.weights, "weights")) if p.batch else None)
    return y_flops, y_hbm, max(y_flops, y_hbm or 0.0)


def ici_verdict(p: Plan, model: Model, chip: Chip, mesh_axes: int | None = None,
                ici_overridden: bool = False) -> IciVerdict:
    """The corrected step 5: Y-way sharding is ICI-bound only beyond max(Y_FLOPs, Y_HBM).

    ``model`` and ``chip`` are the plan's: the bounds need the MLP width and the links.
    ``ici_overridden``: the chip's bidirectional link bandwidth is a reader's figure, taken as achieved.
    """
    axes = chip.mesh_axes(p.chips) if mesh_axes is None else check_count("mesh_axes", mesh_axes)
    y_flops, y_hbm, threshold = _bounds(p, model.d_ff, axes, chip.ici_bw_bidi)
    wrap = p.chips == 1 or ici_overridden or chip.wraparound(p.chips)
    no_wrap = None if wrap else _bounds(p, model.d_ff, axes, chip.ici_bw_oneway)[2]
    return IciVerdict(chips=p.chips, mesh_axes=axes, flops_bound=y_flops, hbm_bound=y_hbm, threshold=threshold,
                      safe=p.chips <= threshold, wraparound=wrap, threshold_no_wrap=no_wrap,
                      safe_no_wrap=None if wrap else p.chips <= no_wrap)


def _candidate_slices(hw: Chip, above: int) -> list:
    sizes = list(hw.slices)
    if hw.slice_step:
        sizes += list(range(hw.slice_step * 2, GPU_SEARCH_LIMIT + 1, hw.slice_step))
    return sorted(s for s in set(sizes) if s > above)


@dataclass(frozen=True)
class TargetedPlan:
    """A plan at the batch the target allows, and what the planner decided on the way."""

    plan: Plan                      # the deployment at the chosen batch
    target_s: float | None          # time per output token asked for (None: no target, batch = max)
    batch_reason: str               # "memory", "latency", "ICI", "misses target", "ICI-bound", "does not fit"
    full: Plan                      # the same slice at its max batch (steps 2-4 of the framework)
    step_at_one: float              # the fastest step this slice allows (one sequence)
    slice_meeting_target: int | None  # smallest larger slice where one sequence meets the target
    ici: IciVerdict

    @property
    def meets_target(self) -> bool | None:
        if self.target_s is None:
            return None
        return self.plan.fits and self.plan.step_time_s <= self.target_s


def ici_batch_limit(p: Plan, model: Model, chip: Chip, mesh_axes: int) -> float | None:
    """Largest batch at which ``p``'s slice stays ICI-safe (None: any batch is, the FLOPs bound covers it)."""
    b_a = bytes_per_element(p.compute, "compute")
    if p.chips == 1 or p.chips <= f.ici_flops_bound(C=p.flops, F=model.d_ff, M=mesh_axes, W_ici=chip.ici_bw_bidi,
                                                    b_a=b_a):
        return None
    return f.batch_for_ici(F=model.d_ff, M=mesh_axes, W_hbm=p.hbm_bw, W_ici=chip.ici_bw_bidi, Y=p.chips, b_a=b_a,
                           b_w=bytes_per_element(p.weights, "weights"))


def plan_for_target(model: Model, chip: Chip, target_s=None, *, chips=None, mesh_axes=None, ici_safe=False,
                    **workload) -> TargetedPlan:
    """``plan`` with a latency target: the largest batch that fits and meets it.

    ``workload`` are ``plan``'s other arguments (weights, kv_dtype, compute, context, decode, ...) except
    ``batch``, which the planner picks. Without a target the batch is the largest that fits.
    When no batch meets the target, the plan shows one sequence (the fastest this slice can go)
    and ``slice_meeting_target`` names the smallest larger slice on which one sequence would.
    ``ici_safe=True`` also caps the batch where the slice would become ICI-bound (step 5 as a
    constraint, with the bidirectional link bandwidth); ``batch_reason`` is then "ICI" or, when even
    one sequence is too many, "ICI-bound".
    """
    if "batch" in workload:
        raise ValueError("batch: the planner picks the batch; give a target instead")
    target = None if target_s is None else check_number("target", target_s)
    full = plan(model, chip, chips=chips, batch="max", **workload)
    n, found = full.chips, None
    axes = chip.mesh_axes(n) if mesh_axes is None else check_count("mesh_axes", mesh_axes)
    if full.max_batch < 1:
        batch, reason = "max", "does not fit"
    else:
        batch, reason = full.max_batch, "memory"
        if target is not None:
            batch = batch_for_target(full, target)
            reason = "memory" if batch == full.max_batch else "latency"
        if batch >= 1 and ici_safe:
            limit = ici_batch_limit(full, model, chip, axes)
            if limit is not None and limit < batch:
                batch, reason = (int(limit), "ICI") if limit >= 1 else (1, "ICI-bound")
        if batch < 1:
            batch, reason = 1, "misses target"
            for size in _candidate_slices(chip, n):
                bigger = plan(model, chip, chips=size, batch="max", **workload)
                if bigger.max_batch >= 1 and step_time_at(bigger, 1) <= target:
                    found = size
                    break
    final = plan(model, chip, chips=n, batch=batch, mesh_axes=axes, **workload)
    return TargetedPlan(plan=final, target_s=target, batch_reason=reason, full=full,
                        step_at_one=step_time_at(full, 1), slice_meeting_target=found,
                        ici=ici_verdict(final, model, chip, axes, ici_overridden="ici_bw_bidi" in chip.overridden))
