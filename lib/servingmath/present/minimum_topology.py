"""Chapter 05 in words: the topology explorer's title and text, and the measured fp8 speed-up's."""

from ..analysis.minimum_topology import Speedup, Topology
from ..core.precision import SERVING_PRECISIONS
from .units import gb, ms, num


def topology_title(t: Topology) -> str:
    return f"{t.chip.label}, context {t.context:,}; circles: smallest slice"


def topology_text(t: Topology) -> str:
    r = t.rows[t.precision]
    return (f"{t.precision} weights: {gb(r.weight_bytes)} = {num(r.chips_needed)} chips of "
            f"{gb(t.chip.hbm_bytes)} -> smallest slice {r.chips}\n"
            f"max batch at {t.context:,} tokens: {r.batch} sequences; step {ms(r.step)} "
            f"(HBM/W_hbm {ms(t.step_full_hbm)})\n"
            "on their smallest slices: " + ", ".join(f"{p} {t.rows[p].batch} on {t.rows[p].chips}"
                                                      for p in SERVING_PRECISIONS))


def context_label(context: int, what: str) -> str:
    """A legend entry of the speed-up figure: one context, ``what`` = "measured" or "roofline"."""
    return f"context {context:,}: {what}"


def speedup_title(s: Speedup) -> str:
    return f"One LLaMA 3-70B layer on one H100 ({s.run}, CUDA graphs); roofline: {s.chip.label}"


def speedup_text(s: Speedup) -> str:
    return (f"speed-up from fp8 weights, measured: {num(s.measured.min())}x to {num(s.measured.max())}x\n"
            f"roofline ({s.chip.name}): {num(s.predicted.min())}x to {num(s.predicted.max())}x")
