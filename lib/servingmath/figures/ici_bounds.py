"""Chapter 08 figure: FLOPs, HBM and ICI time of one model-parallel matmul, and the ICI bounds on the chips."""

from dataclasses import dataclass

import numpy as np

from .. import formulas as f
from ..checks import check_choice, check_count
from ..chips import check_chips, get_chip
from ..display import ms, num
from ..models import get_model
from ..precision import bytes_per_element
from . import explorer, new_figure
from .doubling_topology import shape_name, slice_shape

WRAPAROUND = ("slice", "on", "off")   # "slice": whatever links the slice has
WEIGHTS = ("bf16", "int8", "int4")
ACTIVATIONS = "bf16"                  # the activations gathered over ICI (b_a = 2)
BATCHES = 2.0 ** np.linspace(0, 11, 111)


def has_wraparound(chips: int, chip="tpu-v5e") -> bool:
    """True when every axis of the 2D slice is long enough to have a wraparound link."""
    hw = get_chip(chip)
    if hw.wraparound_from is None:
        return True
    return all(axis >= hw.wraparound_from for axis in slice_shape(chips))


def ici_bandwidth(chip, wraparound: bool) -> float:
    """ICI bandwidth per link a collective gets: both directions of a ring, or one way along a line."""
    hw = get_chip(chip)
    return hw.ici_bw_bidi if wraparound else hw.ici_bw_oneway


@dataclass(frozen=True)
class IciCase:
    batch: int
    chips: int
    mesh_axes: int
    wraparound: bool
    w_ici: float
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
    step_ici: float

    @property
    def matmul_bound(self) -> str:
        times = {"FLOPs": self.t_math, "HBM": self.t_hbm, "ICI": self.t_ici}
        return max(times, key=times.get)

    @property
    def step_bound(self) -> str:
        work = self.step_kv + max(self.step_flops, self.step_params)
        if self.step_ici > work:
            return "ICI"
        return "HBM" if self.step_params >= self.step_flops else "FLOPs and KV read"

    @property
    def y_threshold(self) -> float:
        """Chips beyond which ICI is slower than both the FLOPs and the weight read."""
        return max(self.y_flops, self.y_hbm)

    @property
    def y_threshold_kv(self) -> float:
        return max(self.y_flops, self.y_hbm_kv)


def _check(batch, chips, mesh_axes, wraparound, context, weights, hw):
    batch = check_count("batch", batch)
    context = check_count("context", context)
    chips = check_chips(hw, chips)
    if chips < 4:
        raise ValueError(f"chips: model parallelism needs a slice of at least 4 chips, got {chips}")
    if mesh_axes not in (1, 2):
        raise ValueError(f"mesh_axes: a 2D slice is sharded over 1 or 2 axes, got {mesh_axes!r}")
    check_choice("wraparound", wraparound, WRAPAROUND)
    check_choice("weights", weights, WEIGHTS)
    return batch, chips, context


def ici_case(batch=138, chips=32, mesh_axes=2, wraparound="slice", context=8192, weights="bf16",
             model="llama-3-70b", chip="tpu-v5e") -> IciCase:
    """Every time and bound of chapter 08 for one batch on one slice (Y = chips, model parallel)."""
    m, hw = get_model(model), get_chip(chip)
    batch, chips, context = _check(batch, chips, mesh_axes, wraparound, context, weights, hw)
    wrap = has_wraparound(chips, hw) if wraparound == "slice" else wraparound == "on"
    W = ici_bandwidth(hw, wrap)
    b_w, b_a = bytes_per_element(weights, "weights"), bytes_per_element(ACTIVATIONS)
    kvt = m.kv_bytes_per_token(weights)
    C, P, D, F, L = hw.flops_bf16, m.param_count, m.d_model, m.d_ff, m.layers
    common = dict(M=mesh_axes, W_ici=W, b_a=b_a)
    return IciCase(
        batch=batch, chips=chips, mesh_axes=mesh_axes, wraparound=wrap, w_ici=W,
        t_math=f.ici_time_math(B=batch, C=C, D=D, F=F, Y=chips),
        t_hbm=f.ici_time_hbm(D=D, F=F, W_hbm=hw.hbm_bw, Y=chips, b_w=b_w),
        t_hbm_kv=f.ici_time_hbm_kv(B=batch, L=L, P=P, S=context, W_hbm=hw.hbm_bw, Y=chips, b_w=b_w, kv=kvt),
        t_ici=f.ici_time_comms(B=batch, D=D, **common),
        y_flops=f.ici_flops_bound(C=C, F=F, **common),
        y_hbm=f.ici_hbm_bound(B=batch, F=F, W_hbm=hw.hbm_bw, b_w=b_w, **common),
        y_hbm_kv=f.ici_hbm_kv_bound(B=batch, D=D, L=L, P=P, S=context, W_hbm=hw.hbm_bw, b_w=b_w, kv=kvt, **common),
        step_flops=f.step_flops_time(B=batch, C=C, N=chips, P=P),
        step_params=f.param_load_time(N=chips, P=P, W_hbm=hw.hbm_bw, b_w=b_w),
        step_kv=f.kv_load_time(B=batch, N=chips, S=context, W_hbm=hw.hbm_bw, kv=kvt),
        step_ici=f.ici_step_time_comms(B=batch, D=D, L=L, **common),
    )


def bound_curves(chips=32, mesh_axes=2, wraparound="slice", context=8192, weights="bf16", model="llama-3-70b",
                 chip="tpu-v5e", batches=BATCHES):
    """Y_FLOPs, Y_HBM and Y_HBM+KV over an array of batches (the right panel of the figure)."""
    m, hw = get_model(model), get_chip(chip)
    wrap = has_wraparound(chips, hw) if wraparound == "slice" else wraparound == "on"
    one = np.ones_like(batches)
    b_w, kvt = bytes_per_element(weights, "weights"), m.kv_bytes_per_token(weights)
    common = dict(M=mesh_axes * one, W_ici=ici_bandwidth(hw, wrap) * one, b_a=bytes_per_element(ACTIVATIONS) * one)
    y_flops = f.ici_flops_bound(C=hw.flops_bf16 * one, F=m.d_ff * one, **common)
    y_hbm = f.ici_hbm_bound(B=batches, F=m.d_ff * one, W_hbm=hw.hbm_bw * one, b_w=b_w * one, **common)
    y_hbm_kv = f.ici_hbm_kv_bound(B=batches, D=m.d_model * one, L=m.layers * one, P=m.param_count * one,
                                  S=context * one, W_hbm=hw.hbm_bw * one, b_w=b_w * one, kv=kvt * one, **common)
    return y_flops, y_hbm, y_hbm_kv


BARS = ("FLOPs", "weight read\n(HBM)", "weights + KV\nper collective", "ICI")
BAR_COLORS = ("C1", "C0", "#9ecae1", "C3")


@explorer
def ici_bars(fig=None, batch=138, chips=32, mesh_axes=2, wraparound="slice", context=8192, weights="bf16",
             model="llama-3-70b", chip="tpu-v5e"):
    """Per-matmul times (left) and the sharding degrees where ICI catches up, against the batch (right)."""
    hw = get_chip(chip)
    case = ici_case(batch, chips, mesh_axes, wraparound, context, weights, model, hw)
    y_f, y_h, y_hk = bound_curves(case.chips, mesh_axes, wraparound, context, weights, model, hw)
    heights = np.array([case.t_math, case.t_hbm, case.t_hbm_kv, case.t_ici]) * 1e6
    binding = {"FLOPs": 0, "HBM": 1, "ICI": 3}[case.matmul_bound]
    if fig is None:
        fig, (left, right) = new_figure(2, figsize=(8.8, 3.8))
        art = {"left": left, "right": right}
        art["bars"] = left.bar(range(4), heights, color=BAR_COLORS)
        art["bars"][2].set_hatch("//")
        art["labels"] = [left.text(i, h, "", ha="center", va="bottom", fontsize=8) for i, h in enumerate(heights)]
        left.set_xticks(range(4), BARS, fontsize=8)
        left.set_ylabel("time per matmul (µs)")
        left.grid(axis="x", visible=False)
        art["y_f"] = right.plot(BATCHES, y_f, color="C1", label=r"$Y_{\mathrm{FLOPs}}$")[0]
        art["y_h"] = right.plot(BATCHES, y_h, color="C0", label=r"$Y_{\mathrm{HBM}}$ (weights)")[0]
        art["y_hk"] = right.plot(BATCHES, y_hk, color="C0", ls="--", label=r"$Y_{\mathrm{HBM+KV}}$")[0]
        art["y"] = right.axhline(chips, color="k", ls=":", lw=1, label="Y = chips")
        art["here"] = right.plot([batch], [chips], "o", color="k", ms=6)[0]
        right.set(xscale="log", yscale="log", xlabel="batch B (sequences)",
                  ylabel="chips Y where ICI catches up")
        right.set_xticks([1, 4, 16, 64, 256, 1024], ["1", "4", "16", "64", "256", "1,024"])
        right.minorticks_off()
        right.legend(loc="upper right", fontsize=8)
        fig._servingmath = art
    art = fig._servingmath
    top = heights.max()
    for i, (bar, label, h) in enumerate(zip(art["bars"], art["labels"], heights)):
        bar.set_height(h)
        bar.set_edgecolor("k" if i == binding else "none")
        bar.set_linewidth(2.0 if i == binding else 0.0)
        label.set_position((i, h))
        label.set_text(f"{h:.3g}")
    art["left"].set_ylim(0, top * 1.18)
    art["left"].set_title(f"B = {batch}, Y = {chips} ({shape_name(chips)}), M = {mesh_axes}, "
                          f"{'wraparound' if case.wraparound else 'no wraparound'}: "
                          f"{case.matmul_bound}-bound per matmul", fontsize=9)
    art["y_f"].set_ydata(y_f)
    art["y_h"].set_ydata(y_h)
    art["y_hk"].set_ydata(y_hk)
    art["y"].set_ydata([chips] * 2)
    art["here"].set_data([batch], [chips])
    art["right"].set_title(f"ICI binds above orange and blue ({weights}, S = {context:,})", fontsize=9)
    art["right"].relim()
    art["right"].autoscale_view()
    return fig, ici_text(case, weights, context, model)


def ici_text(case: IciCase, weights="bf16", context=8192, model="llama-3-70b") -> str:
    """The numbers of ``ici_case`` as the explorer prints them."""
    m = get_model(model)
    us = lambda t: f"{t * 1e6:.3g} µs"
    axes = "axis" if case.mesh_axes == 1 else "axes"
    return "\n".join([
        f"{m.name}, {weights} weights, {ACTIVATIONS} activations, context {context:,}: Y = {case.chips} chips "
        f"({shape_name(case.chips)}) sharded over M = {case.mesh_axes} {axes}; wraparound "
        f"{'on' if case.wraparound else 'off'}, so W_ici = {num(case.w_ici)} B/s",
        f"per matmul (B = {case.batch}): FLOPs {us(case.t_math)}, weight read {us(case.t_hbm)}, "
        f"ICI {us(case.t_ici)}: {case.matmul_bound}-bound",
        f"per step: FLOPs {ms(case.step_flops)}, weight read {ms(case.step_params)} + KV read "
        f"{ms(case.step_kv)}, ICI {ms(case.step_ici)} ({f.ICI_COLLECTIVES_PER_LAYER * m.layers} collectives): "
        + ("ICI-bound" if case.step_bound == "ICI" else
           f"ICI hidden behind the {'HBM reads' if case.step_bound == 'HBM' else 'FLOPs and the KV read'}"),
        f"ICI catches up beyond max(Y_FLOPs {num(case.y_flops)}, Y_HBM {num(case.y_hbm)}) = "
        f"{num(case.y_threshold)} chips on the weights alone; counting the KV read, beyond "
        f"max(Y_FLOPs, Y_HBM+KV {num(case.y_hbm_kv)}) = {num(case.y_threshold_kv)}",
    ])
