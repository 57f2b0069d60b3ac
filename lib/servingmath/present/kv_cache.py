"""Chapter 02 in words: the KV-cache explorer's titles and text."""

from ..analysis.kv_cache import KvMemory
from .units import gb, num


def context_title(r: KvMemory) -> str:
    return f"batch {r.batch}, KV in {r.kv_dtype}"


def batch_title(r: KvMemory) -> str:
    return f"context {r.context:,}, KV in {r.kv_dtype}"


def memory_text(r: KvMemory) -> str:
    return (f"{r.model.name}: KV = {r.kv_bytes_per_token:,.0f} B/token ({r.kv_dtype}); "
            f"one {r.context:,}-token sequence = {gb(r.sequence_bytes)}\n"
            f"batch {r.batch}: KV caches {gb(r.cache_bytes)} vs weights {gb(r.weight_bytes)} ({r.weights})\n"
            f"the caches outgrow the weights beyond {num(r.crossover_batch)} sequences at this context")
