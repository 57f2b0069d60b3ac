"""Chapter 07's words: the explorer's text, its titles and the slice labels (from ``analysis.doubling_topology``)."""

from ..analysis.doubling_topology import Sweep
from ..core.hardware import Chip
from .units import ms, num


def slice_label(chip: Chip, chips: int) -> str:
    """A tick label: the chip count over the slice's shape, "32\\n4x8"."""
    return f"{chips}\n{chip.shape_name(chips)}"


def rate_title(s: Sweep) -> str:
    return f"context {s.context:,}; dotted: compute-bound ceiling"


def sweep_text(s: Sweep) -> str:
    """The explorer's text: the highlighted point, what doubling to it gained, and where gains stop."""
    here, half, limit, hw = s.here, s.half, s.limits[s.weights], s.chip
    head = f"{s.weights} weights and KV cache, bf16 FLOPs, context {s.context:,}, {hw.name}"
    if not here.fits:
        return (f"{head}\n{here.chips} chips ({hw.shape_name(here.chips)}): no sequence fits"
                + (f" (the weights overflow HBM by {here.overflow / 1e9:.1f} GB)" if here.overflow else
                   " (one sequence's cache is larger than the HBM left)"))
    lines = [head,
             f"{here.chips} chips ({hw.shape_name(here.chips)}): {here.batch} sequences fit; step {ms(here.step)} "
             f"({here.bound}-bound matmuls, B_crit {num(here.critical_batch)}); "
             f"{num(here.tokens_per_s_per_chip)} tokens/s/chip, QPS/chip {num(here.qps_per_chip)}"]
    gain = s.doubled
    if gain is not None:
        lines.append(f"doubled from {half.chips} ({hw.shape_name(half.chips)}, {half.batch} sequences, "
                     f"{num(half.tokens_per_s_per_chip)} tokens/s/chip): x{gain.total_gain:.2f} total, "
                     f"x{gain.per_chip_gain:.2f} per chip")
    elif half is not None:
        lines.append(f"half the slice ({half.chips} chips) holds no sequence: doubling is what makes it fit")
    lines.append(f"per-chip throughput rises with N up to N* = {num(limit.chips)} chips, then stays at the "
                 f"compute-bound ceiling of {num(limit.ceiling)} tokens/s/chip")
    return "\n".join(lines)
