"""The planner: the article's worked example, the JSON contract, answers that do not fit, bad input."""

import math

import pytest

from servingmath import plan
from servingmath.present import fit_message, plan_json

CONTRACT = ("param_count param_bytes kv_bytes_per_token kv_bytes_per_sequence batch kv_bytes total_bytes hbm_bytes "
            "fits min_chips min_slice_chips max_batch step_time_s bound critical_batch tokens_per_s "
            "tokens_per_s_per_chip qps_per_chip prefill_time_s prefill_decode_ratio ici_flops_bound_chips "
            "ici_hbm_bound_chips cost_per_million_tokens ici_time_s ici_bound ici_latency_bound").split()

ARTICLE = dict(ici="ignore", reserve=0)
WORKED = dict(model="llama-3-70b", chip="tpu-v5e-article", chips=8, weights="int8", kv_dtype="int8", context=8192,
              batch=32, **ARTICLE)


def test_worked_example_matches_the_article():
    p = plan(**WORKED)
    assert 112e9 <= p.total_bytes <= 114e9            # "~112 GB" (113.5 exact)
    assert 0.017 <= p.step_time_s <= 0.018            # "17 ms"
    assert p.bound == "memory" and p.fits
    assert p.min_chips == 8 and p.min_slice_chips == 8
    assert p.tokens_per_s_per_chip == pytest.approx(230.5, abs=0.1)


def test_the_worked_example_on_the_datasheet_chip_counts_its_collectives():
    p = plan(**{**WORKED, "chip": "tpu-v5e", "ici": "count"})
    # 2x4, no wraparound: W_c = 2 x 4.5e10 B/s, 1 + 3 hops of 1 us; 320 collectives of 2 x 32 x 8192 bytes
    one = 2 * 32 * 8192 * (7 / 8) / 9e10 + 4e-6
    assert p.ici_time_s == pytest.approx(320 * one)
    assert p.step_time_s == pytest.approx(p.roofline_step_s + p.ici_time_s)
    assert 0.020 < p.step_time_s < 0.0205 and not p.ici_bound and not p.ici_latency_bound
    assert plan(**{**WORKED, "chip": "tpu-v5e"}).step_time_s == pytest.approx(p.roofline_step_s)   # --ici ignore


def test_one_chip_has_no_collectives_and_more_chips_on_one_axis_never_make_them_cheaper():
    assert plan(model="llama-3-8b", chips=1, batch=8).ici_time_s == 0
    for axes in (1, 2):   # slices up to 8x8 have no wraparound: the same links on every axis
        times = [plan(chips=n, weights="int8", batch=32, mesh_axes=axes).ici_time_s for n in (4, 8, 16, 32, 64)]
        assert times == sorted(times) and times[0] > 0


def test_latency_bound_collectives_at_a_small_batch_on_a_large_slice():
    p = plan(chips=256, weights="bf16", batch=1)
    assert p.ici_latency_bound and p.ici_bound and p.bound == "ICI"


def test_the_weight_read_leaves_out_the_untied_input_embedding_and_memory_keeps_it():
    p, m = plan(**WORKED), get_model("llama-3-70b")
    assert p.weight_bytes_read == m.param_count - m.vocab * m.d_model == p.decode_param_count
    assert p.param_bytes == m.param_count
    assert get_model("gemma-3-27b").decode_param_count == get_model("gemma-3-27b").active_param_count   # tied


def test_reserve_keeps_hbm_back_and_zero_fills_it_as_the_article_does():
    full, kept = plan(chip="h100", chips=1, weights="fp8", compute="fp8", reserve=0), plan(chip="h100", chips=1,
                                                                                           weights="fp8", compute="fp8")
    assert kept.reserve == pytest.approx(0.1 * 80 * 2**30) and full.reserve == 0
    assert kept.total_bytes <= 0.9 * kept.hbm_bytes < full.total_bytes and kept.max_batch < full.max_batch
    assert plan(chip="h100", chips=1, weights="fp8", compute="fp8", reserve="4GiB").reserve == 4 * 2**30


def test_json_contract_has_every_key():
    data = plan_json(plan(**WORKED))
    assert set(CONTRACT) <= set(data)
    assert data["kv"] == "int8" and data["fit_message"].startswith("fits: needs 113.5 GB")


def test_default_chips_is_the_smallest_slice_that_fits():
    assert plan(weights="bf16").chips == 16
    assert plan(weights="int8").chips == 8
    assert plan(weights="int4").chips == 4


def test_four_by_four_halves_the_step():
    p8, p16 = plan(**WORKED), plan(**{**WORKED, "chips": 16})
    assert p16.step_time_s == pytest.approx(p8.step_time_s / 2)
    assert p16.tokens_per_s_per_chip == pytest.approx(p8.tokens_per_s_per_chip)


def test_a_deployment_that_does_not_fit_is_an_answer():
    p = plan(chip="tpu-v5e-article", chips=1, weights="bf16", batch=8, **ARTICLE)
    assert not p.fits
    assert fit_message(p).startswith("does not fit: needs ") and ", has 16.0 GB" in fit_message(p)
    for key, value in p.to_dict().items():
        if isinstance(value, float):
            assert math.isfinite(value), key


def test_max_batch_when_weights_do_not_fit_is_zero_and_nothing_is_infinite():
    p = plan(chip="tpu-v5e-article", chips=4, weights="bf16", **ARTICLE)
    assert not p.fits and p.batch == 0 and p.max_batch == 0
    assert p.ici_hbm_bound_chips is None and p.cost_per_million_tokens is None
    assert all(math.isfinite(v) for v in p.to_dict().values() if isinstance(v, float))


def test_unknown_price_gives_null_cost_and_override_gives_one():
    assert plan(chip="tpu-v6e").cost_per_million_tokens is None
    assert plan(chip="tpu-v6e", price=2.7).cost_per_million_tokens > 0


def test_measured_efficiency_is_slower_than_ideal_with_the_same_keys():
    ideal, measured = plan(chip="h100", weights="fp8", compute="fp8"), plan(chip="h100", weights="fp8",
                                                                               compute="fp8", efficiency="measured")
    assert measured.step_time_s > ideal.step_time_s
    assert set(ideal.to_dict()) == set(measured.to_dict())
    assert (ideal.efficiency_measured_on, measured.efficiency_measured_on) == (None, "h100")


@pytest.mark.parametrize("kwargs, message", [
    ({"chips": -1}, "chips: must be > 0"),
    ({"chips": 0}, "chips: must be > 0"),
    ({"chips": 2.5}, "chips: expected a whole number"),
    ({"chips": "abc"}, "chips: expected a whole number"),
    ({"chips": 7}, "chips: 7 is not a valid tpu-v5e slice"),
    ({"batch": -3}, "batch: must be > 0"),
    ({"batch": float("nan")}, "batch: must be finite"),
    ({"context": float("inf")}, "context: must be finite"),
    ({"decode": "many"}, "decode: expected a whole number"),
    ({"mfu": 0}, "mfu: must be > 0"),
    ({"mfu": 1.5}, "mfu: must be in (0, 1]"),
    ({"mesh_axes": 0}, "mesh_axes: must be > 0"),
    ({"hbm_bw": float("nan")}, "hbm_bw: must be finite"),
    ({"hbm_bytes": -16e9}, "hbm_bytes: must be > 0"),
    ({"flops": "fast"}, "flops: expected a number"),
    ({"ici_bw": float("inf")}, "ici_bw: must be finite"),
    ({"price": 0}, "price: must be > 0"),
    ({"model": "llama-9"}, "model: unknown 'llama-9'"),
    ({"chip": "tpu-v9"}, "chip: unknown 'tpu-v9'"),
    ({"weights": "fp4"}, "weights: unknown 'fp4'"),
    ({"kv_dtype": "fp16"}, "kv: unknown 'fp16'"),
    ({"compute": "int4"}, "compute: unknown 'int4'"),
    ({"efficiency": "optimistic"}, "efficiency: unknown 'optimistic'"),
    ({"ici": "sometimes"}, "ici: unknown 'sometimes'"),
    ({"reserve": -0.1}, "reserve: must be"),
    ({"reserve": "lots"}, "reserve: expected a number"),
    ({"reserve": "16GiB"}, "reserve: 1.718e+10 B is all of a tpu-v5e chip's HBM"),
])
def test_bad_input_raises_a_value_error_naming_the_parameter(kwargs, message):
    with pytest.raises(ValueError) as err:
        plan(**kwargs)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


# --- beyond dense LLaMA (chapter 13): FLOPs from active, memory from total, the touched experts --------------

import mpmath

from servingmath import formulas as f, get_model
from servingmath.analysis.plan import step_time_at
from servingmath.present import plan_table

MOE = dict(model="mixtral-8x7b", chip="h100", chips=2, weights="bf16", context=4096)


def test_the_contract_adds_active_parameters_the_weight_read_and_warnings():
    data = plan_json(plan(**WORKED))
    assert data["active_param_count"] == data["param_count"] and data["weight_bytes_read"] < data["param_bytes"]
    assert data["warnings"] == [] and "routing" not in data
    moe = plan_json(plan(**MOE))
    assert moe["active_param_count"] == 12_879_659_008 and isinstance(moe["warnings"], list)
    assert any("balanced, independent router" in w for w in moe["warnings"])


def test_memory_counts_every_expert_and_flops_the_active_ones():
    p, m = plan(**MOE, batch=8), get_model("mixtral-8x7b")
    assert p.param_bytes == 2 * m.param_count and p.total_bytes == p.param_bytes + 8 * p.kv_bytes_per_sequence
    assert p.prefill_time_s == f.prefill_time(C=p.flops, MFU=p.mfu, N=2, P=m.active_param_count, T=p.prompt)


def test_the_weight_read_grows_with_the_batch_from_one_tokens_experts_to_all():
    one, few, many = (plan(**MOE, batch=b) for b in (1, 4, 512))
    m = get_model("mixtral-8x7b")
    embedding = m.active_param_count - m.decode_param_count
    assert one.weight_bytes_read == pytest.approx(2 * m.decode_param_count)
    assert one.weight_bytes_read < few.weight_bytes_read < many.weight_bytes_read
    assert many.weight_bytes_read == pytest.approx(2 * (m.param_count - embedding))


def test_the_moe_critical_batch_is_the_root_of_the_roofline_gap_and_far_above_the_dense_one():
    p, m = plan(**MOE, batch=8), get_model("mixtral-8x7b")
    routing = m.routing_symbols
    gap = f.moe_critical_batch_gap(B=p.critical_batch, C=p.flops, W_hbm=p.hbm_bw, b_w=2, **routing)
    assert abs(gap) < 1e-12 * f.param_load_time(N=1, P=m.param_count, W_hbm=p.hbm_bw, b_w=2)
    dense = f.critical_batch(C=p.flops, W_hbm=p.hbm_bw, b_w=2)
    assert p.critical_batch > 3 * dense      # all 8 experts read by then: 46.7e9 / 12.9e9 times the dense one
    embedding = m.active_param_count - m.decode_param_count
    assert p.critical_batch == pytest.approx(dense * (m.param_count - embedding) / m.decode_param_count, rel=1e-3)
    assert plan(**MOE, batch=int(p.critical_batch)).bound == "memory"
    assert plan(**MOE, batch=int(p.critical_batch) + 1).bound == "compute"
    assert mpmath.mp.dps == 15               # findroot left mpmath's precision as it found it


def test_sparse_routing_keeps_a_large_moe_memory_bound_to_thousands_of_sequences():
    p = plan(model="deepseek-v3", chip="h200", chips=8, weights="fp8", compute="fp8", context=8192, batch=64)
    dense = f.critical_batch(C=p.flops, W_hbm=p.hbm_bw, b_w=1)
    assert p.critical_batch > 10 * dense and p.bound == "memory"
    assert p.kv_bytes_per_sequence == 8192 * 35_136       # MLA's latent, fp8


def test_step_time_at_and_the_step_agree_off_the_dense_path():
    for model in ("mixtral-8x7b", "gpt-oss-120b", "gemma-3-27b"):
        p = plan(model=model, chip="h100", chips=4, weights="fp8", compute="fp8", context=8192, batch=16)
        assert step_time_at(p, 16) == pytest.approx(p.step_time_s)
        assert step_time_at(p, 32) > p.step_time_s


def test_a_sliding_window_shrinks_the_cache_and_lets_more_sequences_fit():
    p = plan(model="gpt-oss-120b", chip="h100", chips=4, weights="fp8", compute="fp8", context=65536)
    m = get_model("gpt-oss-120b")
    assert p.kv_bytes_per_sequence == (18 * 65536 + 18 * 128) * 2 * 8 * 64
    assert p.kv_bytes_per_sequence < 65536 * p.kv_bytes_per_token and p.kv_bytes == p.batch * p.kv_bytes_per_sequence
    assert p.max_batch == int((4 * (80 * 2**30 - p.reserve) - m.param_count) // p.kv_bytes_per_sequence)


def test_measured_efficiency_plans_an_moe_too():
    ideal, measured = plan(**MOE, batch=16), plan(**MOE, batch=16, efficiency="measured")
    assert measured.step_time_s > ideal.step_time_s and measured.critical_batch < ideal.critical_batch
    empty = plan(model="mixtral-8x7b", chip="h100", chips=1, efficiency="measured")   # no batch fits one GPU
    assert empty.batch == 0 and math.isfinite(empty.step_time_s)


def test_a_context_past_the_models_positions_is_a_warning_not_silence():
    p = plan(model="qwen3-235b-a22b", chip="h200", chips=8, weights="fp8", compute="fp8", context=65536, batch=1)
    assert p.warnings[0] == ("context: 65,536 tokens is past qwen3-235b-a22b's max_position_embeddings (40,960); "
                             "the plan uses it as given")
    shorter = plan(model="qwen3-235b-a22b", chip="h200", chips=8, weights="fp8", compute="fp8", context=32768,
                   prompt=50000, batch=1)
    assert shorter.warnings[0].startswith("prompt: 50,000 tokens is past")
    assert plan(**{**WORKED, "context": 10**6, "chips": 256}).warnings == ()   # the book's presets state no limit


def test_the_plan_table_shows_the_new_facts_only_where_they_differ():
    dense = plan_table(plan(**WORKED))
    assert "active parameters" not in dense and "warning" not in dense
    assert "weights read per step       69.5 GB at batch 32" in dense      # the input embedding is only gathered
    table = plan_table(plan(**{**MOE, "context": 40000}, batch=8))
    assert "active parameters           12,879,659,008 per token" in table
    assert "weights read per step" in table and table.count("\nwarning ") == 4
