"""Chapter 07's words: the tables of rooms, limits and doublings, the explorer's text, its titles and the slice
labels (from ``analysis.doubling_topology``)."""

from ..analysis.critical_batch import critical_batch
from ..analysis.doubling_topology import Sweep, doubling
from ..core.hardware import Chip
from .tables import Table, table
from .units import ms, num


def rooms_table(points: dict, chip: Chip) -> Table:
    """``{chips: Point}``: each slice's HBM, the room its weights leave for KV caches, and the batch that fits."""
    return table([(f"{chip.shape_name(n)} ({n} chips)", f"{n * chip.hbm_bytes / 1e9:.0f} GB", f"{p.kv_room / 1e9:.1f} GB",
                   p.batch) for n, p in points.items()],
                 ("slice", "HBM", "left for KV", f"max batch at {next(iter(points.values())).context:,} tokens"))


def limits_table(limits: dict, chip: Chip) -> Table:
    """``{precision: Superlinear}``: B_crit (bf16 FLOPs), N* and the compute-bound ceiling of each precision."""
    return table([(d, num(critical_batch(chip, d, "bf16")), num(s.chips), f"{s.ceiling:.0f}") for d, s in limits.items()],
                 ("weights = KV (bf16 FLOPs)", "B_crit", "N* (chips)", "ceiling (tokens/s/chip)"))


def doubling_table(points: dict, chip: Chip) -> Table:
    """``{(precision, chips): Point}``: each slice at its max batch, its regime, and the gain of doubling into it."""
    rows = []
    for (d, n), p in points.items():
        half = points.get((d, n // 2))
        gain = doubling(half, p) if half is not None else None
        rows.append((d, f"{chip.shape_name(n)} ({n})", p.batch, ms(p.step), p.bound, num(p.tokens_per_s_per_chip),
                     num(p.qps_per_chip), f"x{gain.total_gain:.2f} / x{gain.per_chip_gain:.2f}" if gain else "-"))
    return table(rows, ("weights = KV", "slice", "max batch", "step", "matmuls", "tokens/s/chip", "QPS/chip",
                        "doubling: total / per chip"))


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
             f"{here.chips} chips ({hw.shape_name(here.chips)}): {here.batch} sequences fit; step {ms(here.step)}, "
             f"{here.bound}-bound (B_crit {num(here.critical_batch)})",
             f"{num(here.tokens_per_s_per_chip)} tokens/s/chip, QPS/chip {num(here.qps_per_chip)}"]
    gain = s.doubled
    if gain is not None:
        lines += [f"doubled from {half.chips} chips ({hw.shape_name(half.chips)}: {half.batch} sequences, "
                  f"{num(half.tokens_per_s_per_chip)} tokens/s/chip):",
                  f"x{gain.total_gain:.2f} total, x{gain.per_chip_gain:.2f} per chip"]
    elif half is not None:
        lines.append(f"half the slice ({half.chips} chips) holds no sequence: doubling is what makes it fit")
    lines += [f"per-chip throughput rises with N up to N* = {num(limit.chips)} chips,",
              f"then stays at the compute-bound ceiling of {num(limit.ceiling)} tokens/s/chip"]
    return "\n".join(lines)
