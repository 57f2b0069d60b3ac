"""Answers to the exercises of chapter 10, disaggregated serving."""

import math

from .. import formulas as f
from ..chips import get_chip
from ..figures.disaggregated_serving import hit_rate_for_ratio
from ..models import get_model
from ..plan import plan
from . import Answer

_70B, _V5E = get_model("llama-3-70b"), get_chip("tpu-v5e")
EXPLORER_DEFAULTS = dict(prompt=8192, decode=512, ttft=2.0, tpot=0.05, decode_chips=16)


def tpot_batch(tpot: float = 0.015, chips: int = 16, context: int = 8192 + 512) -> int:
    """Largest bf16 decode batch on ``chips`` v5e chips whose step meets ``tpot`` and fits in HBM."""
    kv = _70B.kv_bytes_per_token("bf16")
    in_time = math.floor(f.batch_for_step_time(C=_V5E.flops_bf16, N=chips, P=_70B.param_count, S=context,
                                               T_step=tpot, W_hbm=_V5E.hbm_bw, b_w=2, kv=kv))
    in_hbm = int(f.max_batch(HBM=_V5E.hbm_bytes, N=chips, P=_70B.param_count, S=context, b_w=2, kv=kv))
    return min(in_time, in_hbm)


ANSWERS = {
    "disaggregated-serving-1": Answer(
        lambda: plan(weights="int8", chips=8, batch=32, context=8192, decode=512).prefill_decode_ratio,
        "prefill servers per decode server", 0.02,
        "Compute the prefill:decode ratio for one consistent configuration."),
    "disaggregated-serving-2": Answer(lambda: hit_rate_for_ratio(1.0, **EXPLORER_DEFAULTS),
                                      "fraction of prompt tokens served from the cache", 0.01,
                                      "Size the pools for a prefix-cache hit rate."),
    "disaggregated-serving-3": Answer(tpot_batch, "sequences", 0.001,
                                      "Find the decode batch that meets a time-per-token target."),
}
