"""Chapter 13, beyond dense LLaMA: the chapter's numbers against hand calculations, its explorer, its answers."""

import math

import numpy as np
import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.analysis import beyond_dense as bd
from servingmath.answers import answers
from servingmath.core.symbols import B, C, E, L_e, P_dense, P_e, k
from servingmath.figures import png
from servingmath.present import beyond_dense as words
from servingmath.present.tables import Table
from servingmath.widgets import beyond_dense as views

MIXTRAL, DEEPSEEK, QWEN = (sm.get_model(n) for n in ("mixtral-8x7b", "deepseek-v3", "qwen3-235b-a22b"))
GPTOSS, GEMMA = sm.get_model("gpt-oss-120b"), sm.get_model("gemma-3-27b")
H200, V5P = sm.get_chip("h200"), sm.get_chip("tpu-v5p")


# --- parameters --------------------------------------------------------------------------------------
def test_mixtral_total_and_active_by_hand():
    D, L, V, E_, k_, F_e = 4096, 32, 32000, 8, 2, 14336
    attention = 2 * D * 128 * (32 + 8)           # Q and O for 32 heads, K and V for 8
    expert = 3 * D * F_e                          # gate, up, down
    router = D * E_
    total = L * (attention + E_ * expert + router) + 2 * V * D
    active = L * (attention + k_ * expert + router) + 2 * V * D
    s = bd.param_split(MIXTRAL)
    assert (s.total, s.active) == (total, active) == (46_702_526_464, 12_879_659_008)
    assert abs(s.total / 46.7e9 - 1) < 0.005 and abs(s.active / 12.9e9 - 1) < 0.005   # Mistral's figures
    assert s.dense + s.routed_active == s.active and s.total_over_active == pytest.approx(total / active)


def test_deepseek_total_and_active_near_the_report():
    s = bd.param_split(DEEPSEEK)
    assert abs(s.total / 671e9 - 1) < 0.001 and abs(s.active / 37e9 - 1) < 0.02
    assert s.expert == 3 * 7168 * 2048


def test_a_dense_model_is_refused_in_one_line():
    with pytest.raises(ValueError, match=r"^model: llama-3-70b is not a mixture of experts"):
        bd.param_split(sm.get_model("llama-3-70b"))


# --- experts touched -----------------------------------------------------------------------------------
@pytest.mark.parametrize("model", list(bd.MOE_MODELS.values()), ids=lambda m: m.name)
def test_experts_touched_is_k_at_one_token_and_e_for_a_huge_batch(model):
    assert bd.experts_touched(model, 1) == pytest.approx(model.experts_per_token)
    assert bd.experts_touched(model, 10**6) == pytest.approx(model.experts)
    # the bytes read: the active weights at B = 1, every weight for a huge batch (an untied input embedding
    # is only gathered)
    embedding = model.active_param_count - model.decode_param_count
    assert bd.weight_bytes_read(model, "bf16", 1) == pytest.approx(2 * model.decode_param_count)
    assert bd.weight_bytes_read(model, "bf16", 10**6) == pytest.approx(2 * (model.param_count - embedding))


def test_experts_touched_by_hand():
    assert bd.experts_touched(QWEN, 16) == pytest.approx(128 * (1 - (120 / 128) ** 16))
    # two tokens: 2k minus the expected overlap k^2/E
    assert bd.experts_touched(DEEPSEEK, 2) == pytest.approx(2 * 8 - 8**2 / 256)


def test_the_derivation_of_the_chapter_matches_the_library():
    miss_one = sp.combsimp(sp.binomial(E - 1, k) / sp.binomial(E, k))
    library = f.experts_touched.expr.subs(sp.Max(0, 1 - k / E), 1 - k / E)
    assert sp.simplify(E * (1 - miss_one**B) - library) == 0
    series = sp.series(library, k, 0, 3).removeO()
    assert sp.simplify(series - (B * k - B * (B - 1) * k**2 / (2 * E))) == 0


def test_the_critical_gap_rescales_to_b_minus_b_all_plus_c_q_to_the_b():
    """The identity chapter 13 shows before solving with Lambert's W."""
    q = sp.Symbol("q", positive=True)
    gap = f.moe_critical_batch_gap.expr.subs(sp.Max(0, 1 - k / E), q)
    all_experts = f.moe_critical_batch_all_experts.expr
    c = all_experts * L_e * E * P_e / (P_dense + L_e * E * P_e)
    assert sp.simplify(gap * C / (2 * (P_dense + L_e * k * P_e)) - (B - all_experts + c * q**B)) == 0


def test_touched_rows_rise_to_every_expert():
    rows = bd.touched_rows(DEEPSEEK, "fp8")
    assert [r.batch for r in rows] == list(bd.TABLE_BATCHES)
    assert all(a.touched < b.touched for a, b in zip(rows, rows[1:]))
    assert rows[0].read == pytest.approx(DEEPSEEK.decode_param_count) and rows[-1].read_share > 0.9999


# --- critical batch ------------------------------------------------------------------------------------
def test_moe_critical_batch_is_the_root_and_about_p_over_p_act_times_dense():
    c = bd.critical_batch(DEEPSEEK, H200, "fp8")
    assert c.dense == pytest.approx(1.979e15 / (2 * 4.8e12))
    moe = DEEPSEEK.routing_symbols
    gap = f.moe_critical_batch_gap(B=c.moe, C=1.979e15, W_hbm=4.8e12, b_w=1, **moe)
    assert abs(gap) < 1e-9 * (c.moe / c.dense)
    embedding = DEEPSEEK.active_param_count - DEEPSEEK.decode_param_count
    assert c.ratio == pytest.approx((DEEPSEEK.param_count - embedding) / DEEPSEEK.decode_param_count, rel=1e-9)
    assert c.touched == pytest.approx(DEEPSEEK.experts)
    # the planner finds the same root
    p = sm.plan("deepseek-v3", "h200", weights="fp8", compute="fp8", kv_dtype="bf16")
    assert p.critical_batch == pytest.approx(c.moe, rel=1e-9)


def test_mixtral_critical_batch_by_bisection():
    """An independent root: bisect 2 B P_act / C = b_w R(B) / W by hand."""
    C, W = H200.flops("fp8"), H200.hbm_bw
    dense, expert, E_, k_, L_e = MIXTRAL.routing_symbols["P_dense"], MIXTRAL.expert_params, 8, 2, 32
    gap = lambda b: 2 * b * MIXTRAL.decode_param_count / C - (dense + L_e * expert * E_ * (1 - (1 - k_ / E_) ** b)) / W
    lo, hi = 1.0, 1e5
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if gap(mid) < 0 else (lo, mid)
    assert bd.critical_batch(MIXTRAL, H200, "fp8").moe == pytest.approx(lo, rel=1e-9)
    assert answers()["beyond-dense-3"].value() == pytest.approx(lo, rel=1e-9)


def test_a_chips_8_bit_format():
    assert [bd.eight_bit(c) for c in bd.CHAPTER_CHIPS.values()] == ["int8", "int8", "fp8"]
    assert bd.compute_for("int4") == "bf16" and bd.compute_for("fp8") == "fp8"


# --- MLA -------------------------------------------------------------------------------------------
def test_deepseek_mla_cache_by_hand():
    m = bd.mla_cache(DEEPSEEK, "bf16")
    assert m.latent == (512 + 64) * 61 * 2 == 70_272
    assert m.per_head == 128 * (128 + 64 + 128) * 61 * 2 == 4_997_120
    assert m.calculator == 2 * 128 * (7168 // 128) * 61 * 2 == 1_748_992
    assert m.gqa_heads == pytest.approx(2.25)
    with pytest.raises(ValueError, match=r"^model: mixtral-8x7b has no latent attention"):
        bd.mla_cache(MIXTRAL)


# --- sliding windows ----------------------------------------------------------------------------------
def test_window_cache_by_hand():
    w = bd.window_cache(GPTOSS, "bf16", contexts=(64, 128, 131072))
    per_layer_token = 2 * 8 * 64 * 2
    assert list(w.ratio[:2]) == [1.0, 1.0]            # within the window, nothing is dropped
    assert w.windowed[2] == per_layer_token * (18 * 131072 + 18 * 128)
    g = bd.window_cache(GEMMA)
    assert g.long_context_ratio == pytest.approx(10 / 62) and g.ratio[-1] > g.long_context_ratio
    with pytest.raises(ValueError, match=r"^model: deepseek-v3 has no sliding-window layers"):
        bd.window_cache(DEEPSEEK)
    with pytest.raises(ValueError, match=r"^context: must be > 0"):
        bd.window_cache(GEMMA, contexts=(0,))


# --- the decode step and its formulas -----------------------------------------------------------
def test_the_step_is_its_parts():
    parts = f.kv_load_time_seq.expr + sp.Max(f.step_flops_time_moe.expr, f.weight_read_time.expr)
    assert sp.simplify(parts - f.step_time_moe.expr) == 0
    s = bd.decode_step(DEEPSEEK, H200, "fp8", context=8192, batch=64)
    assert s.step_time == pytest.approx(s.kv_time + max(s.weight_time, s.flops_time) + s.ici_time) and s.ici_time > 0
    assert s.bound == "memory" and s.chips == 8 and s.read_at == pytest.approx(bd.weight_bytes_read(DEEPSEEK, "fp8", 64))
    big = bd.decode_step(MIXTRAL, V5P, "int8", context=1024, batch=4096)
    assert big.bound == "compute" and big.flops_time > big.weight_time


# --- present: nothing wider than the page ------------------------------------------------------------
def test_tables_fit_the_page():
    plans = [sm.plan("deepseek-v3", "h200", weights="fp8", compute="fp8", kv_dtype="bf16"),
             sm.plan("deepseek-v3", "h200", chips=8, weights="bf16", kv_dtype="bf16"),
             sm.plan("qwen3-235b-a22b", "tpu-v5e", weights="int8", compute="int8", kv_dtype="bf16")]
    tables = [words.params_table([bd.param_split(m) for m in bd.MOE_MODELS.values()]),
              words.touched_table(bd.touched_rows(DEEPSEEK, "fp8"), "fp8"),
              words.critical_table([bd.critical_batch(m, c, bd.eight_bit(c)) for m in bd.MOE_MODELS.values()
                                    for c in bd.CHAPTER_CHIPS.values()]),
              words.mla_table(bd.mla_cache()), words.window_table([bd.window_cache(GPTOSS), bd.window_cache(GEMMA)]),
              words.plans_table(plans), words.plan_warnings(plans)]
    for t in tables:   # the page renders them as HTML tables, which wrap
        assert isinstance(t, Table) and t.html.startswith("<table") and t.rows
    assert words.WIDTH == 80
    for model in bd.MOE_MODELS.values():   # the explorer's text is plain: it must fit the page as it is
        text = words.step_text(bd.decode_step(model, V5P, "int8", context=1024, batch=4096))
        assert max(len(line) for line in text.splitlines()) <= words.WIDTH, text
    assert max(len(line) for line in words.step_text(bd.decode_step()).splitlines()) <= words.WIDTH
    assert tables[-2].rows[1][4] == "no"   # the bf16 deployment does not fit
    assert len(tables[-1].rows) == len({w for p in plans for w in p.warnings})


# --- the explorer ---------------------------------------------------------------------------------
def test_view_draws_and_updates_in_place():
    drawing, text = views.decode_step(None)
    curve = drawing.art["curve"]
    drawing2, text2 = views.decode_step(drawing, model="mixtral-8x7b", chip="tpu-v5e", weights="int8", batch=512)
    assert drawing2 is drawing and drawing.art["curve"] is curve
    assert "deepseek-v3" in text and "mixtral-8x7b on" in text2 and "batch 512" in text2
    assert png(drawing.fig).startswith(b"\x89PNG")


@pytest.mark.parametrize("name, bad, start", [
    ("batch", -1, "batch:"), ("batch", 0.5, "batch:"), ("context", float("nan"), "context:"),
    ("context", float("inf"), "context:"), ("weights", "no-such-thing", "weights:"),
    ("model", "no-such-thing", "model: unknown"), ("chip", "no-such-thing", "chip: unknown"),
    ("model", "llama-3-70b", "model: llama-3-70b is not a mixture of experts"),
])
def test_explorer_bad_input_is_one_line(name, bad, start):
    with pytest.raises(ValueError) as err:
        views.decode_step(None, **{name: bad})
    message = str(err.value)
    assert message.startswith(start) and "\n" not in message


def test_a_batch_no_slice_holds_is_one_line():
    with pytest.raises(ValueError, match=r"^chips: deepseek-v3 needs \d+ tpu-v5e chips"):
        views.decode_step(None, chip="tpu-v5e", context=131072, batch=16384)


def test_the_explorer_builds():
    e = views.explorer()
    assert set(e.controls) == {"model", "chip", "weights", "context", "batch"}
    assert e.message.value == "" and "critical batch" in e.text.value


# --- answers --------------------------------------------------------------------------------------
def test_answers_are_registered_and_right():
    table = answers()
    assert {"beyond-dense-1", "beyond-dense-2", "beyond-dense-3"} <= set(table)
    assert table["beyond-dense-1"].value() == pytest.approx(128 * (1 - (120 / 128) ** 16))
    kv = 2 * 16 * 128 * 2                                  # Gemma 3 27B: bytes per token per layer, bf16
    assert table["beyond-dense-2"].value() == pytest.approx(kv * (10 * 131072 + 52 * 1024) / 1e9)
    assert all(math.isfinite(table[f"beyond-dense-{n}"].value()) for n in (1, 2, 3))
    assert np.isclose(table["beyond-dense-3"].value(), bd.critical_batch(MIXTRAL, H200, "fp8").moe)
