"""Chapter 08's words: its tables, the explorer's text and titles, the bars' labels (from ``analysis.ici_bounds``)."""

import textwrap

from ..analysis.ici_bounds import ACTIVATIONS, IciCase
from ..core.hardware import Chip
from .tables import Table, table
from .units import duration, ms, num

#: Characters of a line of text the page shows in monospace.
WIDTH = 80

#: The bars of the left panel, in order: what each time per matmul is.
BARS = ("FLOPs", "weight read\n(HBM)", "weights + KV\nper collective", "ICI")


def bar_label(microseconds: float) -> str:
    return num(microseconds)


def bars_title(case: IciCase, chip: Chip) -> str:
    return (f"B = {case.batch}, Y = {case.chips} ({chip.shape_name(case.chips)}), M = {case.mesh_axes}, "
            f"{'wraparound' if case.wraparound else 'no wraparound'}: {case.matmul_bound}-bound per matmul")


def bounds_title(case: IciCase) -> str:
    return f"ICI binds above orange and blue ({case.weights}, S = {case.context:,})"


def mesh_axes_table(cases: list) -> Table:
    """Y_FLOPs and Y_HBM for the same batch sharded over one and over two mesh axes."""
    batch = cases[0].batch
    return table([(c.mesh_axes, num(c.y_flops), num(c.y_hbm)) for c in cases],
                 ("mesh axes M", "Y_FLOPs (chips)", f"Y_HBM at B = {batch} (chips)"))


def readings_table(readings: list) -> Table:
    """Where ICI binds under each reading of the bounds (``analysis.ici_bounds.readings``)."""
    chips = readings[0].chips
    return table([(r.assumptions, num(r.y_flops), num(r.y_other), num(r.threshold),
                   "ICI-bound" if r.ici_bound else "not ICI-bound") for r in readings],
                 ("assumptions", "Y_FLOPs", "Y_HBM (or Y_HBM+KV)", "ICI binds beyond", f"{chips} chips are"))


def slice_links_table(links: list, chip: Chip) -> Table:
    """Each slice's axes (ring or line), what a collective over both axes gets, and alpha and beta."""
    rows = [(f"{chip.shape_name(s.chips)} ({s.chips})", " x ".join("ring" if w else "line" for w in s.axis_wraparound),
             f"{s.w_ici:.3g} B/s", s.hops, num(s.alpha), num(s.beta)) for s in links]
    return table(rows, ("slice", "axes", "W_c", "hops", "alpha = C/W_c", "beta = W_hbm/W_c"),
                 title=f"wraparound only on axes of at least {chip.wraparound_from} chips; W_c sums both axes' links")


def step_budget_table(case: IciCase) -> Table:
    """One decode step's times: its FLOPs, HBM reads, roofline, collectives, and the step both ways."""
    rows = [("matmul FLOPs", case.step_flops), ("weight read (HBM)", case.step_params),
            ("KV-cache read (HBM)", case.step_kv), ("roofline step: KV + max(FLOPs, weights)", case.step_time),
            (f"ICI, {case.collectives} collectives", case.step_ici),
            ("step, collectives on the critical path", case.step_counted),
            ("step, collectives overlapped", case.step_overlapped)]
    return table([(name, f"{t * 1e3:.2f} ms") for name, t in rows], ("per decode step", "time"))


def matmul_check_table(cases: dict) -> Table:
    """Per-matmul times of ``{label: IciCase}`` side by side, with the slowest of the three."""
    us = lambda t: f"{t * 1e6:.2f} µs"
    first = next(iter(cases.values()))
    return table([(label, us(c.t_math), us(c.t_hbm), us(c.t_ici), c.matmul_bound) for label, c in cases.items()],
                 (f"B = {first.batch} on {first.chips} chips", "T_math", "T_hbm", "T_ici", "per matmul"))


def _wrap(lines: list) -> str:
    """Each line folded at ``WIDTH`` characters, its continuation indented."""
    return "\n".join(textwrap.fill(line, WIDTH, subsequent_indent="  ") for line in lines)


def ici_text(case: IciCase, chip: Chip) -> str:
    """The numbers of ``ici_case`` as the explorer prints them, folded to the page's width."""
    axes = "axis" if case.mesh_axes == 1 else "axes"
    return _wrap([
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
