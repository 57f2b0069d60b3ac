"""Answers to the exercises of chapter 10, disaggregated serving."""

from ..analysis.disaggregated_serving import LLAMA, V5E, hit_rate_for_ratio, split
from ..analysis.plan import ARTICLE_MODE, plan
from . import Answer

EXPLORER_DEFAULTS = dict(prompt=8192, decode=512, ttft=2.0, tpot=0.05, decode_chips=16)


def tpot_batch(tpot: float = 0.015, chips: int = 16, prompt: int = 8192, decode: int = 512) -> int:
    """Largest bf16 decode batch on ``chips`` v5e chips whose step meets ``tpot`` and fits in HBM."""
    return split(LLAMA, V5E, prompt=prompt, decode=decode, tpot=tpot, decode_chips=chips).decode_batch


ANSWERS = {
    "disaggregated-serving-1": Answer(
        lambda: plan(LLAMA, V5E, **ARTICLE_MODE, weights="int8", chips=8, batch=32, context=8192, decode=512).prefill_decode_ratio,
        "prefill servers per decode server", 0.02,
        "Compute the prefill:decode ratio for one consistent configuration."),
    "disaggregated-serving-2": Answer(lambda: hit_rate_for_ratio(1.0, **EXPLORER_DEFAULTS),
                                      "fraction of prompt tokens served from the cache", 0.01,
                                      "Size the pools for a prefix-cache hit rate."),
    "disaggregated-serving-3": Answer(tpot_batch, "sequences", 0.001,
                                      "Find the decode batch that meets a time-per-token target."),
}
