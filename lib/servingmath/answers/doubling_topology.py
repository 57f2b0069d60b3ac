"""Answers to the exercises of chapter 07, doubling the topology."""

from ..analysis.doubling_topology import at_max_batch, doubling, superlinear_limit
from . import Answer


def per_chip_gain(small: int, weights: str = "bf16", context: int = 8192) -> float:
    """Tokens/s/chip on 2 x ``small`` chips over tokens/s/chip on ``small`` chips, each at its max batch."""
    return doubling(at_max_batch(small, weights, context), at_max_batch(2 * small, weights, context)).per_chip_gain


ANSWERS = {
    "doubling-topology-1": Answer(lambda: per_chip_gain(16, "bf16", 32768), "x (ratio of tokens/s/chip)", 0.01,
                                  "Compute max batch and per-chip throughput before and after doubling a slice."),
    "doubling-topology-2": Answer(lambda: superlinear_limit("int8", 8192).chips, "chips (a real number)", 0.02,
                                  "Find where per-chip gains stop being super-linear (the full-HBM batch reaches B_crit)."),
    "doubling-topology-3": Answer(lambda: at_max_batch(8, "int4", 8192).step * 1e3, "ms", 0.02,
                                  "Tell which regime (memory- or compute-bound) a doubled configuration runs in."),
}
