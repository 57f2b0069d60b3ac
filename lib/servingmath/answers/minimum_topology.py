"""Answers to the exercises of chapter 05, minimum topology by precision."""

import sympy as sp

from ..analysis.minimum_topology import weight_chips
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS
from ..core.models import PRESETS as MODELS
from ..core.symbols import b_w, kv
from . import Answer

_70B, _405B, _V5E = MODELS["llama-3-70b"], MODELS["llama-3.1-405b"], CHIPS["tpu-v5e-article"]


def smallest_slice_405b_int8() -> int:
    """Smallest v5e slice whose HBM holds LLaMA 3.1-405B's int8 weights (KV cache left out)."""
    return _V5E.smallest_slice(weight_chips(_V5E, _405B.param_count, 1))


def max_batch_32k_int8() -> int:
    """Sequences of 32,768 tokens beside LLaMA 3-70B's int8 weights on a v5e 2x4, KV cache in int8."""
    return int(f.max_batch(HBM=_V5E.hbm_bytes, N=8, P=_70B.param_count, S=32768, b_w=1,
                           kv=_70B.kv_bytes_per_token("int8")))


def speedup_when_kv_equals_weights() -> float:
    """Memory-bound speed-up from halving bytes per weight when the KV read equals the bf16 weight read."""
    t = f.step_time_memory_bound.expr
    ratio = t.subs(b_w, 2) / t.subs(b_w, 1)
    kv_equal = sp.solve(sp.Eq(f.kv_cache_bytes.expr, f.param_bytes.expr.subs(b_w, 2)), kv)[0]
    return float(sp.simplify(ratio.subs(kv, kv_equal)))


ANSWERS = {
    "minimum-topology-1": Answer(smallest_slice_405b_int8, "chips", 0.001,
                                 "Find the minimum chips and the smallest valid slice for a precision."),
    "minimum-topology-2": Answer(max_batch_32k_int8, "sequences", 0.001,
                                 "Compute the max batch that fits beside the weights."),
    "minimum-topology-3": Answer(speedup_when_kv_equals_weights, "times faster (bf16 step / int8 step)", 0.01,
                                 "Predict when fewer bytes per weight speed a decode step up."),
}
