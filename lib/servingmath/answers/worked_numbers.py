"""Answers to the exercises of chapter 03, working the numbers (BS=32, 8k context, int8)."""

from ..analysis.plan import ARTICLE_MODE, plan
from ..analysis.worked_numbers import LLAMA, V5E, kv_read_equals_weight_read
from . import Answer

ANSWERS = {
    "worked-numbers-1": Answer(lambda: plan(LLAMA, V5E, **ARTICLE_MODE, weights="bf16", kv_dtype="bf16", context=8192,
                                            batch=32).step_time_s, "seconds", 0.02,
                               "Find the smallest slice that holds a configuration and its decode step time."),
    "worked-numbers-2": Answer(kv_read_equals_weight_read, "sequences", 0.01,
                               "Split a decode step into its weight, KV and FLOPs terms."),
    "worked-numbers-3": Answer(lambda: plan(LLAMA, V5E, **ARTICLE_MODE, chips=8, weights="int8", kv_dtype="int8", context=8192,
                                            batch="max").tokens_per_s_per_chip, "tokens per second per chip", 0.02,
                               "Compute throughput per chip from the memory-bound step time."),
}
