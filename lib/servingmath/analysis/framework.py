"""Latency targets, ICI verdicts and slice shapes for the planner (chapter 11, the decision framework).

A latency target bounds the time per output token: every sequence in a batch gets one token
per decode step, so the target bounds the step time. ``plan_for_target`` runs
``servingmath.plan`` and then picks the largest batch that both fits and meets the target
(``formulas.batch_for_step_time``), or says that none does and which larger slice would.
"""

from dataclasses import dataclass
import math

from ..core import formulas as f
from ..core.checks import check_number
from ..core.hardware import Chip
from ..core.models import Model
from ..core.precision import bytes_per_element
from .plan import Plan, ici_time_at, plan, roofline_at, step_time_at

#: Chips a GPU deployment may span when the planner looks for a larger slice (16 nodes of 8).
GPU_SEARCH_LIMIT = 128


def batch_for_target(p: Plan, target_s) -> int:
    """Largest batch that fits ``p``'s slice and whose step takes at most ``target_s`` seconds (0: none).

    A dense model's roofline step has the closed form ``formulas.batch_for_step_time``. An MoE or windowed
    model's step (``formulas.step_time_moe``), and any step with its collectives counted, has none, but it
    grows with the batch: bisect the whole batches.
    """
    target = check_number("target", target_s)
    if p.routing is not None or p.ici == "count":
        low, high = 0, p.max_batch           # step(low) meets the target (or low = 0); step(high + 1) need not
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if step_time_at(p, middle) <= target else (low, middle - 1)
        return low
    real = f.batch_for_step_time(C=p.flops, N=p.chips, P=p.decode_param_count, S=p.context, T_step=target,
                                 W_hbm=p.hbm_bw, b_w=bytes_per_element(p.weights, "weights"),
                                 kv=p.kv_bytes_per_token)
    batch = min(p.max_batch, math.floor(real)) if real >= 1 else 0
    while batch > 0 and step_time_at(p, batch) > target:   # guard against float rounding at the edge
        batch -= 1
    return batch


@dataclass(frozen=True)
class IciVerdict:
    """Step 5: does communication limit a model-parallel decode step on this slice? (chapter 08).

    The verdict comes from the step itself: the 4L collectives of a step against everything else it does
    (the KV and weight reads and the FLOPs). The article's per-matmul bounds are kept beside it as the
    rule of thumb they are, with the links the slice really has.
    """

    chips: int
    mesh_axes: int
    shape: str | None          # "4x8" on a 2D torus, None off one
    axis_wraparound: tuple | None  # per axis, whether it closes into a ring
    ici_time_s: float          # the step's collectives
    roofline_step_s: float     # the rest of the step
    latency_bound: bool        # each collective's hop latency exceeds its transfer time
    flops_bound: float         # the per-matmul Y_FLOPs with the slice's links
    hbm_bound: float | None    # the per-matmul Y_HBM (None without a batch)

    @property
    def binding(self) -> bool:
        """Whether the collectives take longer than the rest of the step (ICI-bound, even with overlap)."""
        return self.chips > 1 and self.ici_time_s > self.roofline_step_s

    @property
    def safe(self) -> bool:
        return not self.binding

    @property
    def share(self) -> float:
        """The collectives' share of the step with them counted."""
        return self.ici_time_s / (self.ici_time_s + self.roofline_step_s)

    @property
    def threshold(self) -> float:
        """The per-matmul rule: ICI binds beyond the larger of Y_FLOPs and Y_HBM."""
        return max(self.flops_bound, self.hbm_bound or 0.0)


def ici_verdict(p: Plan, model: Model, chip: Chip) -> IciVerdict:
    """Step 5 for plan ``p`` of ``model`` on ``chip``: the step model of chapter 08, and the per-matmul rule."""
    w_c = p.links[0]
    b_a = bytes_per_element(p.compute, "compute")
    per_link = dict(M=1, W_ici=w_c, b_a=b_a)     # the slice's links, all axes together
    y_flops = f.ici_flops_bound(C=p.flops, F=model.d_ff, **per_link)
    y_hbm = (f.ici_hbm_bound(B=p.batch, F=model.d_ff, W_hbm=p.hbm_bw, b_w=bytes_per_element(p.weights, "weights"),
                             **per_link) if p.batch else None)
    return IciVerdict(chips=p.chips, mesh_axes=p.mesh_axes, shape=chip.shape_name(p.chips),
                      axis_wraparound=chip.axis_wraparound(p.chips), ici_time_s=p.ici_time_s,
                      roofline_step_s=p.roofline_step_s, latency_bound=p.ici_latency_bound, flops_bound=y_flops,
                      hbm_bound=y_hbm)


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


def ici_batch_limit(p: Plan, batch: int) -> int:
    """Largest batch up to ``batch`` at which ``p``'s step is not ICI-bound (0: none is)."""
    while batch >= 1 and p.chips > 1 and ici_time_at(p, batch) > roofline_at(p, batch):
        batch -= 1
    return batch


def plan_for_target(model: Model, chip: Chip, target_s=None, *, chips=None, mesh_axes=None, ici_safe=False,
                    **workload) -> TargetedPlan:
    """``plan`` with a latency target: the largest batch that fits and meets it.

    ``workload`` are ``plan``'s other arguments (weights, kv_dtype, compute, context, decode, ...) except
    ``batch``, which the planner picks. Without a target the batch is the largest that fits.
    When no batch meets the target, the plan shows one sequence (the fastest this slice can go)
    and ``slice_meeting_target`` names the smallest larger slice on which one sequence would.
    ``ici_safe=True`` also caps the batch where the step would become ICI-bound (step 5 as a constraint:
    its collectives longer than the rest of it); ``batch_reason`` is then "ICI" or, when even one sequence
    is too many, "ICI-bound".
    """
    if "batch" in workload:
        raise ValueError("batch: the planner picks the batch; give a target instead")
    target = None if target_s is None else check_number("target", target_s)
    full = plan(model, chip, chips=chips, batch="max", mesh_axes=mesh_axes, **workload)
    n, found = full.chips, None
    if full.max_batch < 1:
        batch, reason = "max", "does not fit"
    else:
        batch, reason = full.max_batch, "memory"
        if target is not None:
            batch = batch_for_target(full, target)
            reason = "memory" if batch == full.max_batch else "latency"
        if batch >= 1 and ici_safe:
            limit = ici_batch_limit(full, batch)
            if limit < batch:
                batch, reason = (limit, "ICI") if limit >= 1 else (1, "ICI-bound")
        if batch < 1:
            batch, reason = 1, "misses target"
            for size in _candidate_slices(chip, n):
                bigger = plan(model, chip, chips=size, batch="max", mesh_axes=mesh_axes, **workload)
                if bigger.max_batch >= 1 and step_time_at(bigger, 1) <= target:
                    found = size
                    break
    final = plan(model, chip, chips=n, batch=batch, mesh_axes=mesh_axes, **workload)
    return TargetedPlan(plan=final, target_s=target, batch_reason=reason, full=full,
                        step_at_one=step_time_at(full, 1), slice_meeting_target=found,
                        ici=ici_verdict(final, model, chip))
