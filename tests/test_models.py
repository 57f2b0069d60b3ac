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
    ({k: v for k, v in HF_70B.items() if k != "num_key_value_heads"}, "missing field 'num_key_value_heads'"),
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
