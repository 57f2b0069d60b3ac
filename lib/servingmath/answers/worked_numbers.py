"""Answers to the exercises of chapter 03, working the numbers (BS=32, 8k context, int8)."""

import sympy as sp

from .. import formulas as f
from ..models import get_model
from ..plan import plan
from ..precision import bytes_per_element
from ..symbols import B, P, S, b_w, kv
from . import Answer

_70B = get_model("llama-3-70b")


def kv_read_equals_weight_read(context: int = 8192, weights: str = "int8", kv_dtype: str = "int8") -> float:
    """Batch at which reading the KV caches takes as long as reading the weights (solved in SymPy)."""
    batch = sp.solve(sp.Eq(f.kv_load_time.expr, f.param_load_time.expr), B)[0]
    return float(batch.subs({P: _70B.param_count, S: context, kv: _70B.kv_bytes_per_token(kv_dtype),
                             b_w: bytes_per_element(weights, "weights")}))


ANSWERS = {
    "worked-numbers-1": Answer(lambda: plan(chip="tpu-v5e", weights="bf16", kv="bf16", context=8192,
                                            batch=32).step_time_s, "seconds", 0.02,
                               "Find the smallest slice that holds a configuration and its decode step time."),
    "worked-numbers-2": Answer(kv_read_equals_weight_read, "sequences", 0.01,
                               "Split a decode step into its weight, KV and FLOPs terms."),
    "worked-numbers-3": Answer(lambda: plan(chip="tpu-v5e", chips=8, weights="int8", kv="int8", context=8192,
                                            batch="max").tokens_per_s_per_chip, "tokens per second per chip", 0.02,
                               "Compute throughput per chip from the memory-bound step time."),
}
