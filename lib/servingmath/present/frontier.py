"""Chapter 11's frontier in words: the knees of each precision and slice, and one step's parts."""

from ..analysis.frontier import Frontier, StepPoint
from ..core.hardware import Chip
from .decision_framework import slice_name
from .tables import Table, table
from .units import ms, num


def knee_table(knees: list) -> Table:
    """One row per ``Knee``: one sequence, the largest batch within the factor of its step, and the full slice."""
    factor = f"{knees[0].factor:g}x" if knees else "2x"
    rows = [(k.precision, k.chips, ms(k.one.step_time_s), num(k.one.tokens_per_s_per_chip), k.knee.batch,
             f"{k.knee_gain:.0f}x", k.full.batch, ms(k.full.step_time_s), f"{k.full_gain:.0f}x",
             f"{k.full_slowdown:.1f}x", k.full.binding) for k in knees]
    return table(rows, ("precision", "chips", "step at B=1", "tokens/s/chip at B=1", f"B within {factor} the step",
                        "throughput gain there", "max B", "step at max B", "throughput gain at max B",
                        "step at max B over B=1", "binds at max B"))


def frontier_title(fr: Frontier, chip: Chip) -> str:
    """The breakdown's title: the selected precision, slice and context."""
    return f"{fr.precision} on {slice_name(chip, fr.chips)}, context {fr.plan.context:,}"


def point_text(fr: Frontier, pt: StepPoint, chip: Chip, asked=None) -> str:
    """The selected step in four lines (each under 80 characters): where it is, its time, its parts."""
    fits = "" if asked is None or asked <= pt.batch else f" ({asked} do not fit)"
    other = "FLOPs" if pt.binding == "weight read" else "weight read"
    hidden = pt.flops_s if pt.binding == "weight read" else pt.weight_read_s
    shown = pt.weight_read_s if pt.binding == "weight read" else pt.flops_s
    return "\n".join([
        f"{frontier_title(fr, chip)}; batch {pt.batch} of {fr.max_batch}{fits}",
        f"step {ms(pt.step_time_s)}: {num(pt.tokens_per_s_per_chip)} tokens/s/chip",
        f"{pt.binding} {ms(shown)} binds ({other} {ms(hidden)} overlaps it)",
        f"then KV read {ms(pt.kv_read_s)}, collectives {ms(pt.ici_s)}",
    ])
