"""Answers to the exercises of chapter 02, the KV cache."""

import sympy as sp

from .. import formulas as f
from ..chips import get_chip
from ..models import get_model
from ..precision import bytes_per_element
from ..symbols import B, P, S, b_w, kv
from . import Answer

_70B, _8B, _V5E = get_model("llama-3-70b"), get_model("llama-3-8b"), get_chip("tpu-v5e")


def crossover_context(model, batch: int, dtype: str = "bf16") -> float:
    """Context at which ``batch`` sequences' KV caches weigh as much as the weights (same dtype)."""
    context = sp.solve(sp.Eq(f.kv_cache_bytes.expr, f.param_bytes.expr), S)[0]
    return float(context.subs({B: batch, kv: model.kv_bytes_per_token(dtype), P: model.param_count,
                               b_w: bytes_per_element(dtype)}))


ANSWERS = {
    "kv-cache-1": Answer(lambda: _8B.kv_bytes_per_token("bf16"), "bytes per token", 0.001,
                         "Compute KV bytes per token from a model's attention shapes."),
    "kv-cache-2": Answer(lambda: f.max_batch(HBM=_V5E.hbm_bytes, N=16, P=_70B.param_count, S=32768, b_w=1,
                                             kv=_70B.kv_bytes_per_token("int8")), "sequences", 0.001,
                         "Size a batch's KV caches against the HBM left beside the weights."),
    "kv-cache-3": Answer(lambda: crossover_context(_70B, 16, "bf16"), "tokens of context", 0.01,
                         "Find where the KV cache overtakes the weights."),
}
