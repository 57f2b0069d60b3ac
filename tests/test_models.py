"""Model presets, exact sizes, and custom model files (ours and Hugging Face's)."""

import json

import pytest

from servingmath import get_model, load_model_file, plan


@pytest.mark.parametrize("name, params, published", [
    ("llama-3-8b", 8_029_995_008, 8_030_261_248),
    ("llama-3-70b", 70_552_387_584, 70_553_706_496),
    ("llama-3.1-405b", 405_849_243_648, 405_853_388_800),
])
def test_exact_parameter_counts(name, params, published):
    model = get_model(name)
    assert model.param_count == params
    # the published totals add the RMSNorm gains: two per layer and a final one
    assert params + (2 * model.layers + 1) * model.d_model == published


@pytest.mark.parametrize("name, kv_bf16", [("llama-3-8b", 131_072), ("llama-3-70b", 327_680),
                                           ("llama-3.1-405b", 516_096)])
def test_kv_bytes_per_token(name, kv_bf16):
    model = get_model(name)
    assert model.kv_bytes_per_token("bf16") == kv_bf16
    assert model.kv_bytes_per_token("int8") == kv_bf16 / 2
    assert model.kv_bytes_per_token("int4") == kv_bf16 / 4


def test_layer_params_match_the_measured_layer():
    assert get_model("llama-3-70b").layer_params == 855_638_016


HF_70B = {"architectures": ["LlamaForCausalLM"], "num_hidden_layers": 80, "hidden_size": 8192,
          "intermediate_size": 28672, "num_attention_heads": 64, "num_key_value_heads": 8,
          "vocab_size": 128256, "tie_word_embeddings": False, "rope_theta": 500000.0}


def test_hugging_face_config_without_head_dim(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(HF_70B))
    model = load_model_file(path)
    assert model.head_dim == 128 and model.param_count == get_model("llama-3-70b").param_count


def test_our_json_format_and_plan_from_a_file(tmp_path):
    path = tmp_path / "small.json"
    path.write_text(json.dumps({"name": "small", "layers": 4, "d_model": 512, "d_ff": 1536, "heads": 8,
                                "kv_heads": 2, "head_dim": 64, "vocab": 32000, "tied_embeddings": True}))
    p = plan(model=str(path), chip="h100", batch=4)
    assert p.model == "small" and p.fits


@pytest.mark.parametrize("content, message", [
    ({k: v for k, v in HF_70B.items() if k != "intermediate_size"}, "missing field 'intermediate_size'"),
    ({**HF_70B, "num_key_value_heads": 7}, "kv_heads: 7 does not divide heads=64"),
    ({**HF_70B, "num_hidden_layers": 0}, "layers: must be > 0"),
    ({**HF_70B, "hidden_size": -8192}, "must be > 0"),
    ({**HF_70B, "intermediate_size": "big"}, "d_ff: expected a whole number"),
    ({"layers": 2}, "missing field 'd_model'"),
    ([1, 2, 3], "expected a JSON object"),
])
def test_bad_model_files_name_the_field(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        load_model_file(path)


def test_missing_and_non_json_files(tmp_path):
    with pytest.raises(ValueError, match="model: no such file"):
        get_model(str(tmp_path / "absent.json"))
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="model: broken.json is not JSON"):
        load_model_file(path)


# --- beyond dense LLaMA (chapter 13): the record's new fields, their checks, the dense models unchanged ----

import itertools
import math
from fractions import Fraction

import sympy as sp

from servingmath import Model, formulas as f
from servingmath.core import symbols as s
from servingmath.core.models import ALL_PRESETS, ARCHITECTURE_PRESETS, PRESETS
from servingmath.present import model_table


def test_a_missing_kv_head_count_or_a_null_head_dim_take_transformers_defaults(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**{k: v for k, v in HF_70B.items() if k != "num_key_value_heads"}, "head_dim": None}))
    model = load_model_file(path)
    assert model.kv_heads == model.heads == 64 and model.head_dim == 8192 // 64


def test_the_book_presets_stay_dense_and_the_architectures_are_apart():
    assert list(PRESETS) == ["llama-3-8b", "llama-3-70b", "llama-3.1-405b"]
    assert all(m.is_dense_llama and m.active_param_count == m.param_count for m in PRESETS.values())
    assert set(ARCHITECTURE_PRESETS) == {"mixtral-8x7b", "deepseek-v3", "qwen3-235b-a22b", "gemma-3-27b",
                                         "gpt-oss-120b"}
    assert all(m.source.startswith("config.json of huggingface.co/") for m in ARCHITECTURE_PRESETS.values())
    assert get_model("gpt-oss-120b") is ALL_PRESETS["gpt-oss-120b"]


def test_the_renamed_embedding_symbol_leaves_the_dense_formula_as_it_was():
    assert "E" not in {x.name for x in f.param_count.expr.free_symbols}
    L, D, F, N_q, K, H, V, n = s.L, s.D, s.F, s.N_q, s.K, s.H, s.V, s.n_emb
    assert sp.expand(f.param_count.expr - (L * (2 * D * N_q * H + 2 * D * K * H + 3 * D * F) + n * V * D)) == 0


def test_the_general_count_reduces_to_the_dense_one():
    dense = {s.L_e: 0, s.P_x: 0, s.P_vis: 0, s.n_mlp: 3, s.P_attn: f.attention_params.expr}
    assert sp.expand(f.moe_param_count.expr.subs(dense) - f.param_count.expr) == 0
    assert sp.expand(f.moe_active_param_count.expr.subs(dense) - f.param_count.expr) == 0


def test_active_is_the_dense_part_plus_k_experts_and_total_adds_the_others_and_the_tower():
    act, dense, total = f.moe_active_param_count.expr, f.moe_dense_param_count.expr, f.moe_param_count.expr
    assert sp.expand(act - dense - s.L_e * s.k * s.P_e) == 0
    assert sp.expand(total - act - s.L_e * (s.E - s.k) * s.P_e - s.P_vis) == 0


def test_mixtral_by_hand():
    m = get_model("mixtral-8x7b")
    attention = 2 * 4096 * 128 * (32 + 8)
    expert, router, embeddings = 3 * 4096 * 14336, 4096 * 8, 2 * 32000 * 4096
    assert m.param_count == 32 * (attention + 8 * expert + router) + embeddings == 46_702_526_464
    assert m.active_param_count == 32 * (attention + 2 * expert + router) + embeddings == 12_879_659_008
    assert m.dense_param_count == 32 * (attention + router) + embeddings


def test_deepseek_v3_by_hand_latent_attention_and_its_cache():
    m = get_model("deepseek-v3")
    q = 7168 * 1536 + 1536 * 128 * (128 + 64)
    kv = 7168 * (512 + 64) + 512 * 128 * (128 + 128)
    attention = q + kv + 128 * 128 * 7168
    assert m.attention_params == attention
    expert = 3 * 7168 * 2048
    moe_layer = 256 * expert + expert + 7168 * 256
    total = 61 * attention + 3 * 3 * 7168 * 18432 + 58 * moe_layer + 2 * 129280 * 7168
    assert m.param_count == total == 671_025_397_760
    assert m.kv_bytes_per_token("bf16") == (512 + 64) * 61 * 2 == 70_272   # not 2 K H L b_kv = 1,748,992... x 128
    assert m.attention == {"kind": "mla", "window": None, "full_layers": 61, "sliding_layers": 0, "latent_width": 576}


def test_a_sliding_window_caps_the_windowed_layers_cache():
    m = get_model("gpt-oss-120b")
    per_layer = 2 * 8 * 64 * 2
    assert m.kv_bytes_per_token("bf16") == 36 * per_layer        # a full-attention token, as the contract says
    assert m.kv_bytes_per_sequence(100) == 100 * 36 * per_layer   # within the window every layer keeps it all
    assert m.kv_bytes_per_sequence(8192) == (18 * 8192 + 18 * 128) * per_layer
    gemma = get_model("gemma-3-27b")
    assert gemma.attention["sliding_layers"] == 52 and gemma.attention["full_layers"] == 10
    assert gemma.kv_bytes_per_sequence(1024) == 1024 * gemma.kv_bytes_per_token()


def test_experts_touched_is_the_expectation_over_every_routing():
    # E = 4 experts, k = 2 per token, B = 3 tokens: every routing equally likely (balanced, independent)
    E, k, B = 4, 2, 3
    choices = list(itertools.combinations(range(E), k))
    mean = Fraction(sum(len(set().union(*r)) for r in itertools.product(choices, repeat=B)), len(choices) ** B)
    assert f.experts_touched.expr.subs({s.E: E, s.k: k, s.B: B}) == sp.Rational(mean.numerator, mean.denominator)
    assert f.experts_touched(B=1, E=128, k=8) == pytest.approx(8)
    assert f.experts_touched(B=10_000, E=128, k=8) == pytest.approx(128)
    assert sp.simplify(f.experts_touched.expr.subs(s.B, 1) - s.k).subs({s.E: 10, s.k: 3}) == 0


def test_weight_read_is_the_active_parameters_for_one_token_and_everything_for_many():
    m = get_model("qwen3-235b-a22b")
    routing = dict(E=m.experts, L_e=m.moe_layers, P_dense=m.dense_param_count, P_e=m.expert_params, k=m.experts_per_token)
    assert f.weight_bytes_read(B=1, b_w=2, **routing) == pytest.approx(2 * m.active_param_count)
    assert f.weight_bytes_read(B=1e6, b_w=2, **routing) == pytest.approx(2 * m.param_count)
    reads = [f.weight_bytes_read(B=b, b_w=1, **routing) for b in (1, 2, 8, 64, 512)]
    assert reads == sorted(reads) and len(set(reads)) == len(reads)


@pytest.mark.parametrize("kwargs, message", [
    ({"d_model": 1e30}, "d_model: 1e+30 is more than 1,048,576, a sane bound"),
    ({"layers": 10**400}, "layers: a number of 401 digits is more than 10,000"),
    ({"vocab": "9" * 60}, "vocab: expected a whole number of at most"),
    ({"experts": 8}, "experts_per_token: a mixture-of-experts model (experts 8) needs it > 0"),
    ({"experts": 8, "experts_per_token": 9, "d_expert": 64, "moe_layers": 2}, "experts_per_token: 9 is more than experts=8"),
    ({"experts": 8, "experts_per_token": 2, "d_expert": 64, "moe_layers": 3}, "moe_layers: 3 is more than layers=2"),
    ({"d_shared": 64}, "d_shared: set without experts"),
    ({"window": 128}, "window: a sliding window needs both"),
    ({"window": 128, "window_layers": 3}, "window_layers: 3 is more than layers=2"),
    ({"qk_rope_head_dim": 64}, "qk_rope_head_dim: set without kv_lora_rank"),
    ({"kv_lora_rank": 64}, "qk_rope_head_dim: multi-head latent attention"),
    ({"mlp": "swiglu"}, "mlp: unknown 'swiglu'"),
    ({"bias": True}, "bias: unknown True"),
    ({"output_bias": 1}, "output_bias: expected true or false"),
    ({"notes": "one"}, "notes: expected a list of strings"),
    ({"max_context": 0}, "max_context: must be > 0"),
    ({"positions": -1}, "positions: must be >= 0"),
    ({"experts": 1 << 20, "experts_per_token": 1, "d_expert": 1 << 22, "moe_layers": 2, "d_model": 1 << 20},
     "parameters: "),
])
def test_bad_fields_give_one_line_naming_the_field(kwargs, message):
    base = dict(name="tiny", layers=2, d_model=64, d_ff=128, heads=4, kv_heads=2, head_dim=16, vocab=100)
    with pytest.raises(ValueError) as err:
        Model(**{**base, **kwargs})
    text = str(err.value)
    assert text.startswith("model tiny: ") and message in text and "\n" not in text


def test_a_dense_hugging_face_config_prints_the_same_table_as_before(tmp_path):
    # the rows chapter 11 prints for its own model: no new row appears for a dense LLaMA config
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({**HF_70B, "model_type": "llama", "max_position_embeddings": 8192}))
    fields = [line.split()[0] for line in model_table(load_model_file(path)).splitlines()[3:]]
    assert fields == ["layers", "d_model", "d_ff", "heads", "kv_heads", "head_dim", "vocab", "tied_embeddings",
                      "parameters", "KV", "KV", "KV"]


def test_an_moe_table_shows_experts_and_active_parameters():
    text = model_table(get_model("mixtral-8x7b"))
    assert "8 routed, 2 per token, width 14,336" in text and "active parameters      12,879,659,008" in text


def test_our_json_format_round_trips_every_field(tmp_path):
    for model in ALL_PRESETS.values():
        path = tmp_path / f"{model.name}.json"
        path.write_text(json.dumps(model.to_dict()))
        again = load_model_file(path)
        assert again.source == f"file {model.name}.json" and again.param_count == model.param_count
        assert {k: v for k, v in again.__dict__.items() if k != "source"} == \
            {k: v for k, v in model.__dict__.items() if k != "source"}


def test_to_dict_has_the_contract_keys():
    data = get_model("deepseek-v3").to_dict()
    assert data["active_param_count"] == 37_551_276_032 and data["attention"]["kind"] == "mla"
    assert data["kv_bytes_per_token"]["bf16"] == 70_272 and isinstance(data["notes"], list)
    dense = get_model("llama-3-70b").to_dict()
    assert dense["active_param_count"] == dense["param_count"] and dense["attention"]["kind"] == "full"
    assert math.isclose(dense["kv_bytes_per_token"]["int8"], 163_840)


def test_the_general_step_and_its_critical_batch_reduce_to_the_dense_ones():
    dense = {s.L_e: 0, s.P_dense: s.P, s.kv_seq: s.S * s.kv}
    assert sp.simplify(f.step_time_moe.expr.subs(dense) - f.step_time.expr) == 0
    root = sp.solve(f.moe_critical_batch_gap.expr.subs(dense), s.B)
    assert len(root) == 1 and sp.simplify(root[0] - f.critical_batch.expr) == 0
    window_free = f.kv_bytes_per_sequence_windowed.expr.subs(s.L_w, 0)
    assert sp.simplify(window_free - f.kv_bytes_per_sequence.expr) == 0
    assert sp.simplify(f.total_bytes_seq.expr.subs(s.kv_seq, s.S * s.kv) - f.total_bytes.expr) == 0
