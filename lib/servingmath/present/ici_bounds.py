"""Chapter 08's words: the explorer's text and titles, the bars' labels (from ``analysis.ici_bounds``)."""

from ..analysis.ici_bounds import ACTIVATIONS, IciCase
from ..core.hardware import Chip
from .units import duration, ms, num

#: The bars of the left panel, in order: what each time per matmul is.
BARS = ("FLOPs", "weight read\n(HBM)", "weights + KV\nper collective", "ICI")


def bar_label(microseconds: float) -> str:
    return num(microseconds)


def bars_title(case: IciCase, chip: Chip) -> str:
    return (f"B = {case.batch}, Y = {case.chips} ({chip.shape_name(case.chips)}), M = {case.mesh_axes}, "
            f"{'wraparound' if case.wraparound else 'no wraparound'}: {case.matmul_bound}-bound per matmul")


def bounds_title(case: IciCase) -> str:
    return f"ICI binds above orange and blue ({case.weights}, S = {case.context:,})"


def ici_text(case: IciCase, chip: Chip) -> str:
    """The numbers of ``ici_case`` as the explorer prints them."""
    axes = "axis" if case.mesh_axes == 1 else "axes"
    return "\n".join([
        f"{case.model.name}, {case.weights} weights, {ACTIVATIONS} activations, context {case.context:,}: "
        f"Y = {case.chips} chips ({chip.shape_name(case.chips)}) sharded over M = {case.mesh_axes} {axes}; "
        f"wraparound {'on' if case.wraparound else 'off'}: a collective gets W_c = {num(case.w_ici)} B/s and "
        f"{case.hops} hops",
        f"per matmul (B = {case.batch}): FLOPs {duration(case.t_math)}, weight read {duration(case.t_hbm)}, "
        f"ICI {duration(case.t_ici)}: {case.matmul_bound}-bound",
        f"per step: FLOPs {ms(case.step_flops)}, weight read {ms(case.step_params)} + KV read "
        f"{ms(case.step_kv)}, ICI {ms(case.step_ici)} ({case.collectives} collectives of "
        f"{duration(case.t_coll)}, {case.latency_share:.0%} of it hop latency): "
        + ("ICI-bound" if case.step_bound == "ICI" else
           f"{'HBM' if case.step_bound == 'HBM' else 'FLOPs and KV read'}-bound; step {ms(case.step_counted)} "
           f"with the collectives counted, {ms(case.step_overlapped)} if they overlapped"),
        f"ICI catches up beyond max(Y_FLOPs {num(case.y_flops)}, Y_HBM {num(case.y_hbm)}) = "
        f"{num(case.y_threshold)} chips on the weights alone; counting the KV read, beyond "
        f"max(Y_FLOPs, Y_HBM+KV {num(case.y_hbm_kv)}) = {num(case.y_threshold_kv)}",
    ])
