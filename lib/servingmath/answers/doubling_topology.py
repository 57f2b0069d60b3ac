"""Answers to the exercises of chapter 07, doubling the topology."""

from .. import formulas as f
from ..chips import get_chip
from ..figures.doubling_topology import at_max_batch
from ..models import get_model
from . import Answer

_70B, _V5E = get_model("llama-3-70b"), get_chip("tpu-v5e")


def per_chip_gain(small: int, weights: str = "bf16", context: int = 8192) -> float:
    """Tokens/s/chip on 2 x ``small`` chips over tokens/s/chip on ``small`` chips, each at its max batch."""
    return (at_max_batch(2 * small, weights, context).tokens_per_s_per_chip
            / at_max_batch(small, weights, context).tokens_per_s_per_chip)


ANSWERS = {
    "doubling-topology-1": Answer(lambda: per_chip_gain(16, "bf16", 32768), "x (ratio of tokens/s/chip)", 0.01,
                                  "Compute max batch and per-chip throughput before and after doubling a slice."),
    "doubling-topology-2": Answer(lambda: f.superlinear_chips(C=_V5E.flops_bf16, HBM=_V5E.hbm_bytes,
                                                              P=_70B.param_count, S=8192, W_hbm=_V5E.hbm_bw,
                                                              b_w=1, kv=_70B.kv_bytes_per_token("int8")),
                                  "chips (a real number)", 0.02,
                                  "Find where per-chip gains stop being super-linear (the full-HBM batch reaches B_crit)."),
    "doubling-topology-3": Answer(lambda: at_max_batch(8, "int4", 8192).step * 1e3, "ms", 0.02,
                                  "Tell which regime (memory- or compute-bound) a doubled configuration runs in."),
}
