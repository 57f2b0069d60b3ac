"""Chapter 02: the KV bytes from the cache's shapes, the cache by number format, GQA against calculators."""

import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.analysis.kv_cache import by_format, crossover_context, kv_memory
from servingmath.core.symbols import H, K, L, S, b_kv, kv
from servingmath.present.kv_cache import format_table, sizes_table

LLAMA = sm.get_model("llama-3-70b")


def test_two_arrays_of_shape_l_s_k_h_are_the_librarys_cache_of_a_sequence():
    from_shapes = 2 * sp.Mul(L, S, K, H) * b_kv
    library = f.kv_bytes_per_sequence.expr.subs(kv, f.kv_bytes_per_token.expr)
    assert sp.simplify(from_shapes - library) == 0
    assert (from_shapes / S).subs({K: 8, H: 128, L: 80, b_kv: 1}) == 163840


def test_the_cache_by_number_format():
    rows = {r.dtype: r for r in by_format(LLAMA, context=8192)}
    assert rows["int8"].per_token == 163840 and rows["bf16"].per_token == 2 * rows["int8"].per_token
    assert rows["int8"].per_sequence == 163840 * 8192
    text = format_table(by_format(LLAMA))
    assert "int8      163,840 B     163.8 kB (160.0 KiB)  1.34 GB (1.25 GiB)" in text
    with pytest.raises(ValueError, match="context: must be > 0"):
        by_format(LLAMA, context=0)


def test_sizes_are_shown_as_multiples_of_the_first():
    text = sizes_table({"GQA": 2.0e9, "MHA": 16.0e9}, "one sequence")
    assert "MHA           16.00 GB (14.90 GiB)  8x" in text and text.headers[0] == "one sequence"


def test_the_caches_of_53_sequences_outweigh_the_int8_weights_at_8k():
    r = kv_memory(LLAMA, kv_dtype="int8", weights="int8", context=8192, batch=32)
    assert f"{r.crossover_batch:.1f}" == "52.6" and r.cache_bytes < r.weight_bytes
    assert kv_memory(LLAMA, context=8192, batch=53).cache_bytes > r.weight_bytes


def test_answers_are_registered_and_checked():
    assert sm.check("kv-cache-1", 131072, quiet=True)
    assert sm.check("kv-cache-2", 34, quiet=True) and not sm.check("kv-cache-2", 42, quiet=True)
    assert sm.check("kv-cache-3", crossover_context(LLAMA, 16, "bf16"), quiet=True)
