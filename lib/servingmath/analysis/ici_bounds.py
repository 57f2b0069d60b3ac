"""The ICI bounds (chapter 08): FLOPs, HBM and ICI time of one model-parallel matmul, the bounds on the
chips, and the collectives of a whole decode step.

A Y-way model-parallel matmul gathers or scatters its B x D activations over the slice's links. ICI
binds only beyond the larger of two sharding degrees: where the communication catches up with the
FLOPs (Y_FLOPs) and where it catches up with the weight read (Y_HBM). Counting the KV-cache read
of a decode step raises the second one (Y_HBM+KV); an axis without a wraparound link halves its
bandwidth. A whole step runs 4L collectives, each its bytes over the links plus a latency per hop
(``formulas.collective_time``): the planner's communication term.
"""

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..core import formulas as f
from ..core.checks import check_choice, check_count
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS, Model
from ..core.precision import SERVING_PRECISIONS, bytes_per_element
from ..core.symbols import B
from .doubling_topology import MIN_CHIPS

#: How a case picks its links: "slice" takes whatever links the slice has; "on"/"off" force them.
WRAPAROUND = ("slice", "on", "off")
#: The activations gathered over ICI (b_a = 2).
ACTIVATIONS = "bf16"
#: Batches the bounds' curves span: 1 ... 2048.
BATCHES = 2.0 ** np.linspace(0, 11, 111)

V5E, LLAMA = CHIPS["tpu-v5e-article"], MODELS["llama-3-70b"]


@dataclass(frozen=True)
class IciCase:
    """Every time and bound of chapter 08 for one batch on one slice (Y = chips, model parallel)."""

    model: Model
    weights: str         # weights and KV cache stored alike
    context: int
    batch: int
    chips: int
    mesh_axes: int
    wraparound: bool     # every axis the collectives use closes into a ring
    w_ici: float         # bytes/s into each chip over the axes the collectives use (W_c)
    hops: int            # hops of one collective
    t_hop: float         # latency per hop
    t_coll: float        # one collective of the step: bytes over W_c, (N-1)/N of them, plus its hops
    t_math: float        # per matmul
    t_hbm: float
    t_hbm_kv: float      # per collective, weights and KV caches
    t_ici: float
    y_flops: float
    y_hbm: float
    y_hbm_kv: float
    step_flops: float    # per step
    step_params: float
    step_kv: float
    step_reads: float    # weights + KV caches at HBM speed
    step_time: float     # KV read + max(FLOPs, weight read): the roofline step, without its collectives
    step_ici: float      # the step's 4L collectives

    @property
    def step_counted(self) -> float:
        """The step with its collectives on the critical path (the planner's ``--ici count``)."""
        return f.step_time_ici(T_step=self.step_time, T_ici=self.step_ici)

    @property
    def step_overlapped(self) -> float:
        """The step if the collectives hid perfectly behind the reads and FLOPs (the other bound)."""
        return f.step_time_ici_overlap(T_step=self.step_time, T_ici=self.step_ici)

    @property
    def latency_share(self) -> float:
        """The hops' share of one collective."""
        return self.hops * self.t_hop / self.t_coll

    @property
    def collectives(self) -> int:
        """Collectives of one decode step: ``ICI_COLLECTIVES_PER_LAYER`` per layer."""
        return f.ICI_COLLECTIVES_PER_LAYER * self.model.layers

    @property
    def matmul_bound(self) -> str:
        times = {"FLOPs": self.t_math, "HBM": self.t_hbm, "ICI": self.t_ici}
        return max(times, key=times.get)

    @property
    def step_bound(self) -> str:
        if self.step_ici > self.step_time:
            return "ICI"
        return "HBM" if self.step_params >= self.step_flops else "FLOPs and KV read"

    @property
    def y_threshold(self) -> float:
        """Chips beyond which ICI is slower than both the FLOPs and the weight read."""
        return max(self.y_flops, self.y_hbm)

    @property
    def y_threshold_kv(self) -> float:
        return max(self.y_flops, self.y_hbm_kv)


def _check(batch, chips, mesh_axes, wraparound, context, weights, hw: Chip) -> tuple:
    batch = check_count("batch", batch)
    context = check_count("context", context)
    chips = hw.check_slice(chips)
    if chips < MIN_CHIPS:
        raise ValueError(f"chips: model parallelism needs a slice of at least {MIN_CHIPS} chips, got {chips}")
    if mesh_axes not in (1, 2):
        raise ValueError(f"mesh_axes: a 2D slice is sharded over 1 or 2 axes, got {mesh_axes!r}")
    check_choice("wraparound", wraparound, WRAPAROUND)
    check_choice("weights", weights, SERVING_PRECISIONS)
    return batch, chips, context


def _wraparound(chip: Chip, chips: int, wraparound: str) -> bool | None:
    """The links forced on every axis ("on"/"off"), or None: what each axis of the slice has."""
    return None if wraparound == "slice" else wraparound == "on"


def ici_case(batch=138, chips=32, mesh_axes=2, wraparound="slice", context=8192, weights="bf16",
             model: Model = LLAMA, chip: Chip = V5E) -> IciCase:
    """Every time and bound of chapter 08 for one batch on one slice (Y = chips, model parallel)."""
    batch, chips, context = _check(batch, chips, mesh_axes, wraparound, context, weights, chip)
    forced = _wraparound(chip, chips, wraparound)
    W, hops = chip.collective_links(chips, mesh_axes, forced)
    wrap = chip.wraparound(chips) if forced is None else forced
    b_w, b_a = bytes_per_element(weights, "weights"), bytes_per_element(ACTIVATIONS)
    kvt = model.kv_bytes_per_token(weights)
    C, P, D, F, L = chip.flops_bf16, model.decode_param_count, model.d_model, model.d_ff, model.layers
    common = dict(M=1, W_ici=W, b_a=b_a)           # W already sums the links of the axes used
    links = dict(N=chips, W_c=W, b_a=b_a, n_hop=hops, t_hop=chip.ici_hop_latency or 0.0)
    step = dict(B=batch, N=chips, P=P, S=context, W_hbm=chip.hbm_bw, b_w=b_w, kv=kvt)
    return IciCase(
        model=model, weights=weights, context=context, batch=batch, chips=chips, mesh_axes=mesh_axes, wraparound=wrap,
        w_ici=W, hops=hops, t_hop=links["t_hop"], t_coll=f.collective_time(B=batch, D=D, **links),
        t_math=f.ici_time_math(B=batch, C=C, D=D, F=F, Y=chips),
        t_hbm=f.ici_time_hbm(D=D, F=F, W_hbm=chip.hbm_bw, Y=chips, b_w=b_w),
        t_hbm_kv=f.ici_time_hbm_kv(B=batch, L=L, P=P, S=context, W_hbm=chip.hbm_bw, Y=chips, b_w=b_w, kv=kvt),
        t_ici=f.ici_time_comms(B=batch, D=D, **common),
        y_flops=f.ici_flops_bound(C=C, F=F, **common),
        y_hbm=f.ici_hbm_bound(B=batch, F=F, W_hbm=chip.hbm_bw, b_w=b_w, **common),
        y_hbm_kv=f.ici_hbm_kv_bound(B=batch, D=D, L=L, P=P, S=context, W_hbm=chip.hbm_bw, b_w=b_w, kv=kvt, **common),
        step_flops=f.step_flops_time(B=batch, C=C, N=chips, P=P),
        step_params=f.param_load_time(N=chips, P=P, W_hbm=chip.hbm_bw, b_w=b_w),
        step_kv=f.kv_load_time(B=batch, N=chips, S=context, W_hbm=chip.hbm_bw, kv=kvt),
        step_reads=f.step_time_memory_bound(**step),
        step_time=f.step_time(C=C, **step),
        step_ici=f.ici_step_time_comms(B=batch, D=D, L=L, **links),
    )


@dataclass(frozen=True)
class BoundCurves:
    """The sharding degrees where ICI catches up, against the batch (the right panel of the figure)."""

    batches: np.ndarray
    y_flops: float           # the same at every batch
    y_hbm: np.ndarray
    y_hbm_kv: np.ndarray


def bound_curves(chips=32, mesh_axes=2, wraparound="slice", context=8192, weights="bf16", model: Model = LLAMA,
                 chip: Chip = V5E, batches: np.ndarray = BATCHES) -> BoundCurves:
    """Y_FLOPs, Y_HBM and Y_HBM+KV over an array of batches."""
    W, _ = chip.collective_links(chips, mesh_axes, _wraparound(chip, chips, wraparound))
    b_w, kvt = bytes_per_element(weights, "weights"), model.kv_bytes_per_token(weights)
    common = dict(M=1, W_ici=W, b_a=bytes_per_element(ACTIVATIONS))
    return BoundCurves(
        batches=batches,
        y_flops=f.ici_flops_bound(C=chip.flops_bf16, F=model.d_ff, **common),
        y_hbm=f.ici_hbm_bound(B=batches, F=model.d_ff, W_hbm=chip.hbm_bw, b_w=b_w, **common),
        y_hbm_kv=f.ici_hbm_kv_bound(B=batches, D=model.d_model, L=model.layers, P=model.decode_param_count, S=context,
                                    W_hbm=chip.hbm_bw, b_w=b_w, kv=kvt, **common))


@dataclass(frozen=True)
class SliceLinks:
    """The links of one slice: its shape, which axes wrap around, and what a collective gets."""

    chips: int
    shape: tuple             # (short axis, long axis)
    axis_wraparound: tuple   # per axis: closes into a ring
    w_ici: float             # bytes/s into each chip over both axes (W_c)
    hops: int                # hops of one collective over both axes
    alpha: float             # C / W_c (bf16)
    beta: float              # W_hbm / W_c


def slice_links(chips: int, chip: Chip = V5E) -> SliceLinks:
    W, hops = chip.collective_links(chips)
    return SliceLinks(chips=chips, shape=chip.shape(chips), axis_wraparound=chip.axis_wraparound(chips), w_ici=W,
                      hops=hops, alpha=f.ici_alpha(C=chip.flops_bf16, W_ici=W), beta=f.ici_beta(W_hbm=chip.hbm_bw, W_ici=W))


def kv_bound_floor(context: int = 8192, mesh_axes: int = 2, wraparound: bool = False, weights="bf16",
                   model: Model = LLAMA, chip: Chip = V5E) -> float:
    """Y_HBM+KV as the batch grows without bound (the weights' share vanishes; the KV read's stays)."""
    limit = sp.limit(f.ici_hbm_kv_bound.expr, B, sp.oo)
    values = dict(D=model.d_model, L=model.layers, M=mesh_axes, S=context, W_hbm=chip.hbm_bw,
                  W_ici=chip.ici_bandwidth(wraparound), b_a=bytes_per_element(ACTIVATIONS),
                  b_w=bytes_per_element(weights, "weights"), kv=model.kv_bytes_per_token(weights))
    return float(limit.subs({s: values[s.name] for s in limit.free_symbols}))


@dataclass(frozen=True)
class Reading:
    """One reading of where ICI binds on a slice: which two bounds it compares and how it combines them."""

    assumptions: str
    y_flops: float
    y_other: float           # Y_HBM, or Y_HBM+KV once the KV read is counted
    threshold: float         # the sharding degree beyond which this reading calls the slice ICI-bound
    chips: int

    @property
    def ici_bound(self) -> bool:
        return self.chips > self.threshold


def readings(batch: int = 143, chips: int = 32, context: int = 8192, model: Model = LLAMA,
             chip: Chip = V5E) -> list:
    """The article's verdict on a slice as each of its assumptions is corrected in turn: both bounds on M = 2
    axes, the max instead of the min, the slice's missing wraparound, the KV-cache read."""
    case = lambda axes, wrap: ici_case(batch, chips, axes, wrap, context, model=model, chip=chip)
    mixed_flops, mixed_hbm, wrap, nowrap = case(2, "on"), case(1, "on"), case(2, "on"), case(2, "off")
    rows = [("the article: M = 2 and M = 1 mixed, min", mixed_flops.y_flops, mixed_hbm.y_hbm, min),
            ("M = 2 for both, max", wrap.y_flops, wrap.y_hbm, max),
            ("+ no wraparound on the slice", nowrap.y_flops, nowrap.y_hbm, max),
            (f"+ the KV-cache read ({context:,} tokens)", nowrap.y_flops, nowrap.y_hbm_kv, max)]
    return [Reading(label, y_f, y_o, pick(y_f, y_o), chips) for label, y_f, y_o, pick in rows]
