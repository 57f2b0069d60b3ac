"""Every SymPy expression agrees with its lambdified numeric function, and the derived forms are right."""

import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from servingmath import formulas as f
from servingmath.core import codegen, numeric
from servingmath.core.symbols import B, C, F, M, N, T, T_prefill, W_hbm, W_ici, alpha, b_a, b_w, beta, h
from servingmath.core.symbols import G, MFU, P, S, T_c, T_step, W_link, kv, lam

RNG = np.random.default_rng(20261126)


def _inputs(formula, n):
    """n sets of positive inputs (moderate, so exponents such as a calibration exponent cannot overflow)."""
    return [{name: float(RNG.uniform(0.5, 20)) for name in formula.arg_names} for _ in range(n)]


@pytest.mark.parametrize("name", sorted(f.FORMULAS))
def test_numeric_function_equals_sympy_expression(name):
    formula = f.FORMULAS[name]
    for values in _inputs(formula, 25):
        numeric = formula(**values)
        # SymPy's own evaluation of the expression at 30 digits (xreplace: ``Formula.evalf``'s subs, faster)
        reference = float(formula.expr.xreplace({s: sp.Float(values[s.name], 30) for s in formula.symbols}).evalf())
        if formula.expr.has(sp.floor, sp.ceiling):
            # rounding functions: compare the unrounded argument's neighbourhood, not float noise
            assert abs(numeric - reference) <= 1
        else:
            assert math.isclose(numeric, reference, rel_tol=1e-9), (values, numeric, reference)


@pytest.mark.parametrize("name", sorted(f.FORMULAS))
def test_array_path_equals_scalar_path(name):
    formula = f.FORMULAS[name]
    sets = _inputs(formula, 6)
    arrays = {k: np.array([s[k] for s in sets]) for k in formula.arg_names}
    vector = np.asarray(formula(**arrays), dtype=float)
    scalar = np.array([formula(**s) for s in sets], dtype=float)
    np.testing.assert_allclose(vector, scalar, rtol=1e-12)


def test_missing_or_unknown_argument_is_a_clear_error():
    with pytest.raises(ValueError, match="critical_batch: needs C, W_hbm, b_w; missing b_w"):
        f.critical_batch(C=1.0, W_hbm=1.0)
    with pytest.raises(ValueError, match="unknown X"):
        f.critical_batch(C=1.0, W_hbm=1.0, b_w=1.0, X=2)


def test_critical_batch_is_solved_from_the_two_step_terms():
    assert sp.simplify(f.critical_batch.expr - C * b_w / (2 * W_hbm)) == 0


def test_ici_bounds_reduce_to_the_sources_bf16_forms():
    bf16 = {b_a: 2, b_w: 2}
    assert sp.simplify(f.ici_flops_bound.expr.subs(bf16) - M * F * W_ici / C) == 0
    assert sp.simplify(f.ici_hbm_bound.expr.subs(bf16) - M * F * W_ici / (B * W_hbm)) == 0


def test_ici_flops_bound_does_not_depend_on_precision_when_activations_shrink_with_flops():
    # int8 FLOPs: C doubles and activations take one byte, so the bound is unchanged
    bf16 = f.ici_flops_bound(C=1.97e14, F=28672, M=1, W_ici=9e10, b_a=2)
    int8 = f.ici_flops_bound(C=3.94e14, F=28672, M=1, W_ici=9e10, b_a=1)
    assert math.isclose(bf16, int8)


def test_step_time_is_memory_bound_below_and_compute_bound_above_the_critical_batch():
    common = dict(C=1.97e14, N=8, P=70e9, S=8192, W_hbm=8.1e11, b_w=1, kv=163840)
    crit = f.critical_batch(C=1.97e14, W_hbm=8.1e11, b_w=1)
    below = f.step_time(B=math.floor(crit), **common)
    assert math.isclose(below, f.step_time_memory_bound(**{k: v for k, v in common.items() if k != "C"},
                                                        B=math.floor(crit)))
    above = f.step_time(B=math.ceil(crit) + 50, **common)
    assert above > f.step_time_memory_bound(**{k: v for k, v in common.items() if k != "C"},
                                            B=math.ceil(crit) + 50)


def test_printed_numeric_functions_match_the_expressions():
    # numeric.py is written from the expressions by codegen: an edited formula without a rewrite fails here
    assert (Path(numeric.__file__).read_text(encoding="utf-8") == codegen.source()), \
        "core/numeric.py is out of date: run make formulas"


def test_the_sources_alpha_beta_forms_are_the_bf16_bounds():
    bf16 = {b_a: 2, b_w: 2}
    assert sp.simplify(f.ici_flops_bound_source.expr.subs(alpha, C / W_ici) - f.ici_flops_bound.expr.subs(bf16)) == 0
    assert sp.simplify(f.ici_hbm_bound_source.expr.subs(beta, W_hbm / W_ici) - f.ici_hbm_bound.expr.subs(bf16)) == 0


def test_cached_prefill_is_the_whole_prompt_minus_the_cached_prefix():
    whole = f.prefill_time_with_attention.expr
    assert sp.simplify(f.prefill_time_cached.expr - (whole - whole.subs(T, h * T))) == 0


def test_prefill_chips_for_ttft_solve_the_cached_prefill_for_n():
    chips = sp.solve(sp.Eq(f.prefill_time_cached.expr, T_prefill), N)[0]
    assert sp.simplify(chips - f.prefill_chips_for_ttft.expr) == 0


def test_the_slow_reference_path_agrees_with_the_numeric_one():
    values = dict(B=32, C=1.97e14, N=8, P=70e9, S=8192, W_hbm=8.1e11, b_w=1, kv=163840)
    assert math.isclose(f.step_time.evalf(**values), f.step_time(**values), rel_tol=1e-12)


def test_the_continuous_batch_obeys_littles_law_with_its_own_step():
    batch = f.continuous_batch.expr
    step = f.step_time_memory_bound.expr.subs(B, batch)
    assert sp.simplify(f.decode_batch_littles_law.expr.subs(T_step, step) - batch) == 0
    # every arriving request's G tokens come out: tokens/s/chip is lam G / N, whatever the step
    per_chip = f.tokens_per_s_per_chip.expr.subs({T_step: step, B: batch})
    assert sp.simplify(per_chip - lam * G / N) == 0
    assert f.continuous_batch(G=512, N=16, P=7e10, S=8192, W_hbm=8.1e11, b_w=2, kv=327680, lam=1e-9) > 0


def test_a_chunk_rides_free_up_to_the_critical_batch_less_the_batch():
    assert sp.simplify(f.free_chunk.expr - (f.critical_batch.expr - B)) == 0
    values = dict(B=32, C=1.97e14, N=16, P=7e10, S=8192, W_hbm=8.1e11, b_w=2, kv=327680)
    free = f.free_chunk(B=32, C=1.97e14, W_hbm=8.1e11, b_w=2)
    assert math.isclose(f.step_time_chunked(**values, T_c=free), f.step_time(**values), rel_tol=1e-12)
    assert f.step_time_chunked(**values, T_c=2 * free) > f.step_time(**values)
    assert f.chunked_prefill_steps(T=8192, T_c=512) == 16 and f.chunked_prefill_steps(T=8193, T_c=512) == 17
    assert T_c in f.step_time_chunked.symbols


def test_the_kv_transfer_share_of_a_matmul_prefill_does_not_depend_on_the_prompt():
    share = f.kv_transfer_share.expr.subs(T_prefill, f.prefill_time.expr).subs(S, T)
    assert sp.simplify(share - kv * N * C * MFU / (2 * P * W_link)) == 0


def test_a_transfer_shorter_than_the_prefill_leaves_one_layer_exposed():
    common = dict(L=80, S=8192, kv=327680)
    short = f.kv_transfer_exposed(**common, T_prefill=1.0, W_link=5e10)
    assert math.isclose(short, f.kv_transfer_time(S=8192, kv=327680, W_link=5e10) / 80, rel_tol=1e-12)
    slow = f.kv_transfer_exposed(**common, T_prefill=0.01, W_link=5e10)
    assert math.isclose(slow, f.kv_transfer_time(S=8192, kv=327680, W_link=5e10) - 0.01 + 0.01 / 80, rel_tol=1e-12)
