"""Chapter 02 in words: the KV bytes by number format, cache sizes side by side, the explorer's titles and text."""

from ..analysis.kv_cache import KvMemory
from .tables import Table, table
from .units import gb, gb_gib, kb_kib, num


def format_table(formats) -> Table:
    """KV bytes per token, decimal and binary, and per sequence (``analysis.kv_cache.by_format``)."""
    return table([(k.dtype, f"{k.per_token:,.0f} B", kb_kib(k.per_token), gb_gib(k.per_sequence)) for k in formats],
                 ("KV dtype", "KV per token", "decimal / binary", f"one {formats[0].context:,}-token sequence"))


def sizes_table(sizes: dict, what: str) -> Table:
    """Cache sizes ``{label: bytes}``, each beside its multiple of the first."""
    first = next(iter(sizes.values()))
    return table([(label, gb_gib(size), f"{size / first:.0f}x") for label, size in sizes.items()],
                 (what, "size", "vs first"))


def context_title(r: KvMemory) -> str:
    return f"batch {r.batch}, KV in {r.kv_dtype}"


def batch_title(r: KvMemory) -> str:
    return f"context {r.context:,}, KV in {r.kv_dtype}"


def memory_text(r: KvMemory) -> str:
    return (f"{r.model.name}: KV = {r.kv_bytes_per_token:,.0f} B/token ({r.kv_dtype}); "
            f"one {r.context:,}-token sequence = {gb(r.sequence_bytes)}\n"
            f"batch {r.batch}: KV caches {gb(r.cache_bytes)} vs weights {gb(r.weight_bytes)} ({r.weights})\n"
            f"the caches outgrow the weights beyond {num(r.crossover_batch)} sequences at this context")
