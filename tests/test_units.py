"""Dimensions: every formula adds, compares and rounds only like with like, and key results have their unit.

Each symbol gets its dimension as a monomial of three base symbols (bytes, seconds, dollars;
FLOPs, tokens, sequences, chips and layers are counts). Walking a formula's SymPy expression,
a sum, a max/min or a soft maximum must combine terms of one dimension, and rounding and
exponents apply to dimensionless numbers or keep the dimension of their argument.
"""

import pytest
import sympy as sp

from servingmath.core import formulas as f
from servingmath.core import symbols as s

byte, second, dollar = sp.symbols("byte second dollar", positive=True)

DIMENSIONS = {
    s.b_w: byte, s.b_kv: byte, s.b_a: byte, s.kv: byte, s.HBM: byte,
    s.C: 1 / second, s.W_hbm: byte / second, s.W_ici: byte / second, s.W_mm: byte / second, s.w_s: byte / second,
    s.c: dollar / second, s.r: 1 / second,
    s.T_step: second, s.T_prefill: second, s.T_ici: second, s.t_hop: second, s.W_c: byte / second,
    s.kv_seq: byte, s.W_link: byte / second, s.lam: 1 / second,
}
#: alpha and beta are the source's pure numbers: alpha = C / W_ici reads FLOPs per byte where a bf16
#: activation's 2 bytes cancel a multiply-add's 2 FLOPs (the bf16 forms M F / alpha, M F / (B beta)).
COUNTS = (s.B, s.S, s.T, s.G, s.N, s.Y, s.M, s.n_hop, s.L, s.D, s.F, s.N_q, s.K, s.H, s.V, s.n_emb, s.P, s.U, s.h, s.nu, s.MFU,
          s.alpha, s.beta,
          # chapter 13: experts, widths, layer counts and parameter counts are counts too
          s.E, s.k, s.L_e, s.F_s, s.F_e, s.n_mlp, s.P_attn, s.P_e, s.P_x, s.P_vis, s.P_act, s.P_dense,
          s.r_q, s.r_kv, s.H_n, s.H_r, s.H_v, s.L_w, s.S_w,
          # chapter 09: a prefill chunk's tokens
          s.T_c)


def dimension(expr):
    """The dimension of ``expr``, or AssertionError where it combines unlike terms."""
    if expr.is_Number:
        return sp.Integer(1)
    if expr.is_Symbol:
        assert expr in DIMENSIONS or expr in COUNTS, f"no dimension for {expr}"
        return DIMENSIONS.get(expr, sp.Integer(1))
    if isinstance(expr, (sp.Add, sp.Max, sp.Min)):
        dims = {sp.simplify(dimension(a)) for a in expr.args}
        assert len(dims) == 1, f"{expr.func.__name__} of unlike terms {dims} in {expr}"
        return dims.pop()
    if isinstance(expr, sp.Mul):
        return sp.Mul(*(dimension(a) for a in expr.args))
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if dimension(exponent) != 1:
            raise AssertionError(f"exponent with a dimension in {expr}")
        if exponent.is_Number:
            return dimension(base) ** exponent
        assert dimension(base) == 1 or exponent.free_symbols <= {s.nu}, f"dimensioned base {expr}"
        return dimension(base) ** exponent
    if isinstance(expr, (sp.floor, sp.ceiling)):
        return dimension(expr.args[0])
    raise AssertionError(f"unexpected {expr.func.__name__} in {expr}")


def soft_dimension(expr):
    """As ``dimension``, reading (a^nu + b^nu)^(1/nu) as a soft maximum of a and b."""
    return dimension(expr.replace(lambda e: isinstance(e, sp.Pow) and e.exp == 1 / s.nu and isinstance(e.base, sp.Add),
                                  lambda e: sp.Max(*(term.base for term in e.base.args))))


@pytest.mark.parametrize("name", sorted(f.FORMULAS))
def test_every_formula_is_dimensionally_consistent(name):
    soft_dimension(f.FORMULAS[name].expr)


EXPECTED = {
    "step_time": second, "prefill_time": second, "kv_load_time": second, "ici_time_comms": second,
    "kv_bytes_per_token": byte, "total_bytes": byte, "kv_room": byte, "param_bytes": byte,
    "critical_batch": 1, "max_batch": 1, "ici_flops_bound": 1, "ici_hbm_bound": 1, "min_chips": 1,
    "tokens_per_s_per_chip": 1 / second, "qps_per_chip": 1 / second, "flops_per_dollar": 1 / dollar,
    "cost_per_million_tokens": dollar, "prefill_decode_ratio": 1, "step_time_calibrated": second,
    "ici_flops_bound_source": 1, "ici_hbm_bound_source": 1,
    "collective_time": second, "ici_step_time_comms": second, "collective_latency_batch": 1, "step_time_ici": second,
    "step_time_ici_overlap": second, "prefill_ici_time": second, "prefill_time_ici": second, "decode_param_count": 1,
    # chapter 13
    "moe_param_count": 1, "moe_active_param_count": 1, "experts_touched": 1, "weight_bytes_read": byte,
    "kv_bytes_per_token_mla": byte, "kv_bytes_per_sequence_windowed": byte, "total_bytes_seq": byte,
    "max_batch_seq": 1, "min_chips_seq": 1, "step_time_moe": second, "step_time_calibrated_moe": second,
    "moe_critical_batch_gap": second,
}


@pytest.mark.parametrize("name, unit", sorted(EXPECTED.items()))
def test_key_results_have_their_unit(name, unit):
    assert sp.simplify(soft_dimension(f.FORMULAS[name].expr) - unit) == 0


def test_a_window_compared_with_a_context_in_bytes_is_caught():
    # Min(S, S_w) compares tokens with tokens; a window written in bytes would not pass
    with pytest.raises(AssertionError, match="unlike terms"):
        dimension(sp.Min(s.S, s.S_w * s.b_kv))


def test_a_formula_that_adds_bytes_to_seconds_is_caught():
    with pytest.raises(AssertionError, match="unlike terms"):
        dimension(s.P * s.b_w + s.T_step)
