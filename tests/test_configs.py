"""Reading real configs: Hugging Face config.json files, snapshot directories, defaults, refusals, bad files.

``tests/data/configs/`` holds real public configs (each cited in its README, with the published
parameter counts in ``expected.json``); every one must come out right or be refused with one line.
"""

import json
from pathlib import Path
import sys

import pytest

from servingmath import Model, get_model, load_model_file, plan
from servingmath.cli import main
from servingmath.core.configs import ARCHITECTURES, MAX_NESTING, UNSUPPORTED
from servingmath.core.models import ARCHITECTURE_PRESETS

DATA = Path(__file__).parent / "data" / "configs"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))

#: How each publisher counts active parameters where it differs from ours, and the tolerance its note gives.
#: Ours counts both embedding matrices, as the dense count does (a token's FLOPs are 2 per active parameter);
#: gpt-oss and DeepSeek leave the input embedding out. A vision tower is held in memory, never run per token.
ACTIVE = {
    "mixtral-8x7b": ("as published", 0.01),
    "qwen3-30b-a3b": ("as published", 0.03),
    "qwen3-235b-a22b": ("as published", 0.02),
    "deepseek-v3": ("without the input embedding", 0.01),
    "deepseek-v2-lite": ("without the input embedding", 0.03),
    "gpt-oss-20b": ("without the input embedding", 0.005),
    "gpt-oss-120b": ("without the input embedding", 0.005),
    "llava-1.5-7b": ("text model", 0.001),
}
#: The README's count of llava-1.5-7b's text model alone (LlamaConfig defaults, vocab 32064).
LLAVA_TEXT = 6_738_939_904


def _close(got, want, tolerance):
    return abs(got - want) <= tolerance * want


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_real_config_comes_out_right_or_is_refused(name):
    want = EXPECTED[name]
    if want["refuse"]:
        with pytest.raises(ValueError) as err:
            load_model_file(DATA / f"{name}.json")
        text = str(err.value)
        assert "\n" not in text and "is not supported" in text
        assert repr(json.loads((DATA / f"{name}.json").read_text())["model_type"]) in text
        return
    model = load_model_file(DATA / f"{name}.json")
    assert _close(model.param_count, want["total"], want["tolerance"]), (model.param_count, want["total"])
    assert model.kv_bytes_per_token("bf16") == want["kv_bf16_per_token"]
    convention, tolerance = ACTIVE.get(name, ("as published", want["tolerance"]))
    active = model.active_param_count
    if convention == "without the input embedding":
        active -= model.vocab * model.d_model
        assert model.is_moe
    elif convention == "text model":
        assert model.vision_params and active == model.param_count - model.vision_params
        want = {**want, "active": LLAVA_TEXT}
    assert _close(active, want["active"], tolerance), (active, want["active"])
    if not model.is_moe and not model.vision_params:
        assert model.active_param_count == model.param_count


def test_every_config_file_is_cited_in_the_readme():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in DATA.glob("*.json") if p.name != "expected.json")
    assert files and all(f"`{name}`" in readme for name in files)
    assert set(EXPECTED) == {name[:-len(".json")] for name in files}


@pytest.mark.parametrize("preset, file", [("mixtral-8x7b", "mixtral-8x7b"), ("deepseek-v3", "deepseek-v3"),
                                          ("qwen3-235b-a22b", "qwen3-235b-a22b"), ("gpt-oss-120b", "gpt-oss-120b")])
def test_the_presets_are_their_published_configs(preset, file):
    ours, theirs = get_model(preset), load_model_file(DATA / f"{file}.json")
    assert ours.param_count == theirs.param_count and ours.active_param_count == theirs.active_param_count
    assert ours.kv_bytes_per_token() == theirs.kv_bytes_per_token() and ours.attention == theirs.attention


def test_the_defaults_transformers_applies():
    gemma = load_model_file(DATA / "gemma-2-9b.json")   # no tie_word_embeddings key: Gemma2Config ties them
    assert gemma.tied_embeddings and gemma.attention == {"kind": "sliding", "window": 4096, "full_layers": 21,
                                                         "sliding_layers": 21, "latent_width": None}
    llava = load_model_file(DATA / "llava-1.5-7b.json")  # text_config gives only the vocabulary: LlamaConfig's sizes
    assert (llava.layers, llava.d_model, llava.d_ff, llava.heads, llava.kv_heads, llava.vocab) == \
        (32, 4096, 11008, 32, 32, 32064)
    phi = load_model_file(DATA / "phi-1.json")         # a plain MLP, biases, a biased output layer
    assert (phi.mlp, phi.bias, phi.output_bias) == ("plain", "all", True)
    gated = Model(**{**phi.__dict__, "mlp": "gated"})
    assert gated.param_count / phi.param_count > 1.28    # the dense-LLaMA reading's silent +28 %
    gpt2 = load_model_file(DATA / "gpt2.json")         # n_embd, n_layer, n_head; n_inner null: 4 x n_embd
    assert (gpt2.d_model, gpt2.layers, gpt2.d_ff, gpt2.positions, gpt2.tied_embeddings) == (768, 12, 3072, 1024, True)
    opt = load_model_file(DATA / "opt-1.3b.json")      # ffn_dim; OPT's learned positions have an offset of 2
    assert (opt.d_ff, opt.positions, opt.tied_embeddings) == (8192, 2050, True)
    qwen = load_model_file(DATA / "qwen2.5-7b.json")   # sliding_window 131072 but use_sliding_window false
    assert qwen.attention["kind"] == "full" and qwen.bias == "qkv"
    v2 = load_model_file(DATA / "deepseek-v2-lite.json")   # q_lora_rank null: the query is not compressed
    assert v2.q_lora_rank == 0 and v2.moe_layers == 26 and v2.d_shared == 2 * 1408


def test_every_table_row_names_its_transformers_class():
    assert all(row["class"].endswith("Config") for row in ARCHITECTURES.values())
    assert not set(ARCHITECTURES) & set(UNSUPPORTED)


GEMMA_3_27B = {  # the shapes of google/gemma-3-27b-it's config.json (text_config leaves vocab_size to its default)
    "architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", "mm_tokens_per_image": 256,
    "text_config": {"head_dim": 128, "hidden_size": 5376, "intermediate_size": 21504, "model_type": "gemma3_text",
                    "num_attention_heads": 32, "num_hidden_layers": 62, "num_key_value_heads": 16,
                    "query_pre_attn_scalar": 168, "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
                    "sliding_window": 1024},
    "vision_config": {"hidden_size": 1152, "image_size": 896, "intermediate_size": 4304,
                      "model_type": "siglip_vision_model", "num_attention_heads": 16, "num_hidden_layers": 27,
                      "patch_size": 14, "vision_use_head": False},
}


def test_a_multimodal_config_reads_its_text_config_and_counts_the_tower_for_memory(tmp_path):
    path = tmp_path / "gemma-3-27b-it.json"
    path.write_text(json.dumps(GEMMA_3_27B))
    model, text = load_model_file(path), get_model("gemma-3-27b")
    assert model.attention == text.attention and model.kv_bytes_per_token() == text.kv_bytes_per_token()
    assert model.active_param_count == text.param_count              # no generated token runs the tower
    assert 0.41e9 < model.vision_params < 0.43e9                     # SigLIP so400m and the projector
    assert _close(model.param_count, 27.43e9, 0.002)                 # Google: 27.4e9 with the tower


def test_qwen3_vl_text_model_lives_in_text_config(tmp_path):
    config = {"model_type": "qwen3_vl", "tie_word_embeddings": False,
              "text_config": {"model_type": "qwen3_vl_text", "hidden_size": 4096, "intermediate_size": 12288,
                              "num_hidden_layers": 36, "num_attention_heads": 32, "num_key_value_heads": 8,
                              "head_dim": 128, "vocab_size": 151936, "max_position_embeddings": 262144},
              "vision_config": {"model_type": "qwen3_vl", "depth": 27, "hidden_size": 1152, "intermediate_size": 4304,
                                "out_hidden_size": 4096, "deepstack_visual_indexes": [8, 16, 24]}}
    path = tmp_path / "qwen3-vl.json"
    path.write_text(json.dumps(config))
    model = load_model_file(path)
    assert (model.layers, model.d_model, model.kv_heads, model.max_context) == (36, 4096, 8, 262144)
    assert 0.5e9 < model.vision_params < 0.7e9 and model.active_param_count == model.param_count - model.vision_params


def test_an_unknown_vision_tower_is_said_not_counted(tmp_path):
    config = {"model_type": "llava", "text_config": {"model_type": "llama"}, "vision_config": {"model_type": "pixtral"}}
    path = tmp_path / "v.json"
    path.write_text(json.dumps(config))
    model = load_model_file(path)
    assert model.vision_params == 0 and "vision tower (pixtral) is not counted" in model.notes[0]
    assert any("not counted" in w for w in plan(model=model, chip="h100", chips=1, batch=1).warnings)


@pytest.mark.parametrize("config, words", [
    ({"model_type": "jamba", "num_hidden_layers": 32}, "'jamba' is not supported: hybrid Mamba"),
    ({"model_type": "t5", "d_model": 512}, "'t5' is not supported: an encoder-decoder"),
    ({"model_type": "marian_like", "is_encoder_decoder": True, "hidden_size": 8}, "an encoder-decoder"),
    ({"model_type": "bert", "hidden_size": 768}, "'bert' is not supported: an encoder"),
    ({"architectures": ["FalconMambaForCausalLM"], "hidden_size": 64}, "state-space (Mamba)"),
    ({"model_type": "llava", "text_config": {"model_type": "mamba"}}, "'mamba' is not supported"),
    ({"model_type": "mystery_moe", "hidden_size": 64, "num_local_experts": 8},
     "'mystery_moe', not in the table of known architectures, and sets num_local_experts"),
    ({"hidden_size": 64, "num_hidden_layers": 2, "sliding_window": 16}, "has no model_type and sets sliding_window"),
    ({"model_type": "mystery", "hidden_size": 64, "num_hidden_layers": 2, "intermediate_size": 128,
      "num_attention_heads": 4, "vocab_size": 100}, "tie_word_embeddings: not given, and model_type 'mystery'"),
    ({"model_type": "gpt_oss", "layer_types": ["linear_attention"] * 36}, "layer_types: 'linear_attention' layers"),
    ({"model_type": "gpt_oss", "layer_types": ["full_attention"] * 3}, "layer_types: expected 36 strings"),
    ({"model_type": "opt", "hidden_size": 1024, "word_embed_proj_dim": 512}, "word_embed_proj_dim: 512 differs"),
    ({"model_type": "llama", "sliding_window": 4096}, "sliding_window: set, but LlamaConfig has no"),
    ({"model_type": "mixtral", "num_experts_per_tok": 9}, "experts_per_token: 9 is more than experts=8"),
    ({"model_type": "qwen3_moe", "mlp_only_layers": [99]}, "mlp_only_layers: 99 is more than 23"),
    ({"model_type": "deepseek_v3", "kv_lora_rank": None}, "kv_lora_rank: null, and DeepseekV3Config has no default"),
    ({"model_type": 7}, "model_type: expected a string"),
])
def test_what_a_model_cannot_express_is_refused_in_one_line(tmp_path, config, words):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    with pytest.raises(ValueError) as err:
        load_model_file(path)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_a_config_s_auto_map_is_never_imported(tmp_path):
    name = "servingmath_test_remote_code"
    (tmp_path / f"{name}.py").write_text("raise SystemExit('remote code ran')\n")
    config = {**json.loads((DATA / "phi-2.json").read_text()), "auto_map": {"AutoConfig": f"{name}.PhiConfig"}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    sys.path.insert(0, str(tmp_path))
    try:
        assert load_model_file(tmp_path).mlp == "plain"
    finally:
        sys.path.remove(str(tmp_path))
    assert name not in sys.modules


# --- bad files: one line each, never a traceback -------------------------------------------------------
SMALL = {"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128,
         "num_attention_heads": 4, "vocab_size": 100}


@pytest.mark.parametrize("text, message", [
    ('{"model_type": "llama", "hidden_size": ' + "9" * 400 + "}", "d_model: a number of 400 digits is more "
     "than 1,048,576, a sane bound"),
    ('{"model_type": "llama", "hidden_size": ' + "9" * 5000 + "}", "holds a number of more than 4,300 digits"),
    ('{"model_type": "llama", "hidden_size": 1e30}', "d_model: 1e+30 is more than 1,048,576, a sane bound"),
    ('{"model_type": "llama", "vocab_size": 1e300, "hidden_size": 64}', "vocab: 1e+300 is more than 16,777,216"),
    ('{"model_type": "llama", "hidden_size": 1e400}', "d_model: must be finite"),
    ('{"model_type": "llama", "hidden_size": NaN}', "d_model: must be finite"),
    ('{"model_type": "llama", "num_hidden_layers": 20000}', "layers: 20,000 is more than 10,000, a sane bound"),
    ('{"model_type": "llama", "max_position_embeddings": -1}', "max_context: must be > 0"),
    ('{"model_type": "llama", "hidden_size": true}', "d_model: expected a number, got True"),
    ('{"model_type": "llama", "hidden_size": "' + "1" * 40 + '"}', "d_model: expected a whole number of at most"),
    ("[" * 100_000 + "]" * 100_000, f"JSON nested more than {MAX_NESTING} levels deep"),
    ('{"a": ' * 40 + "1" + "}" * 40, f"JSON nested more than {MAX_NESTING} levels deep"),
    ("{not json", "is not JSON (JSONDecodeError: line 1)"),
])
def test_bad_values_and_files_answer_one_line(tmp_path, text, message):
    path = tmp_path / "config.json"
    path.write_text(text)
    with pytest.raises(ValueError) as err:
        load_model_file(path)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith("model")


def test_a_byte_order_mark_and_crlf_lines_are_read(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(SMALL, indent=2).replace("\n", "\r\n").encode())
    assert load_model_file(path).d_model == 64
    assert b"\r\n" in (DATA / "llava-1.5-7b.json").read_bytes()   # a real CRLF file, read above


def test_non_utf8_and_oversized_files(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(ValueError, match=r"latin1.json is not UTF-8 text \(byte 13\)"):
        load_model_file(path)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (17 << 20))
    with pytest.raises(ValueError, match="bytes, more than 16,777,216 \\(not a config file\\)"):
        load_model_file(big)


# --- snapshot directories ------------------------------------------------------------------------------
def test_a_model_directory_and_a_hub_cache_snapshot(tmp_path):
    model_dir = tmp_path / "Mixtral-8x7B-v0.1"
    model_dir.mkdir()
    (model_dir / "config.json").write_text((DATA / "mixtral-8x7b.json").read_text())
    model = get_model(str(model_dir))
    assert model.name == "Mixtral-8x7B-v0.1" and model.param_count == get_model("mixtral-8x7b").param_count
    cache = tmp_path / "models--openai--gpt-oss-120b"
    for commit in ("aaa", "bbb"):
        (cache / "snapshots" / commit).mkdir(parents=True)
        (cache / "snapshots" / commit / "config.json").write_text((DATA / "gpt-oss-120b.json").read_text())
    with pytest.raises(ValueError, match="holds 2 snapshots and no refs/main"):
        load_model_file(cache)
    (cache / "refs").mkdir()
    (cache / "refs" / "main").write_text("bbb\n")
    model = load_model_file(cache)
    assert model.name == "gpt-oss-120b" and "snapshot bbb" in model.source and model.is_moe
    assert load_model_file(cache / "snapshots" / "aaa").name == "gpt-oss-120b"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="model: no config.json in directory"):
        get_model(str(empty))
    with pytest.raises(ValueError, match="model: unknown 'xxx"):
        get_model("x" * 5000)                 # too long for a file name: not a path, not a preset
    with pytest.raises(ValueError, match="model: no such file"):
        load_model_file("x" * 5000)


# --- the command line ------------------------------------------------------------------------------------
def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_model_json_adds_active_parameters_and_attention(capsys):
    code, out, _ = _run(capsys, "model", str(DATA / "gpt-oss-20b.json"), "--json")
    data = json.loads(out)
    assert code == 0 and data["attention"] == {"kind": "sliding", "window": 128, "full_layers": 12,
                                               "sliding_layers": 12, "latent_width": None}
    assert data["kv_bytes_per_token"]["bf16"] == 49_152 and data["active_param_count"] < data["param_count"]
    dense = json.loads(_run(capsys, "model", "llama-3-70b", "--json")[1])
    assert dense["active_param_count"] == dense["param_count"] == 70_552_387_584
    assert dense["attention"]["kind"] == "full"


def test_plan_json_from_a_directory_with_warnings(capsys, tmp_path):
    (tmp_path / "config.json").write_text((DATA / "mixtral-8x7b.json").read_text())
    code, out, err = _run(capsys, "plan", "--model", str(tmp_path), "--chip", "h100", "--chips", "2",
                          "--context", "40000", "--json")
    data = json.loads(out)
    assert code == 0 and not err and data["active_param_count"] == 12_879_659_008
    assert data["warnings"][0].startswith("context: 40,000 tokens is past")
    assert data["weight_bytes_read"] <= data["param_bytes"] and "routing" not in data


@pytest.mark.parametrize("file", ["mamba-2.8b.json", "mllama-3.2-90b-vision.json"])
def test_a_refused_architecture_exits_2_with_one_line(capsys, file):
    code, out, err = _run(capsys, "plan", "--model", str(DATA / file), "--chip", "h100")
    assert code == 2 and not out and err.count("\n") == 1 and "is not supported" in err


def test_presets_are_offered_by_the_cli(capsys):
    for name in ARCHITECTURE_PRESETS:
        code, out, _ = _run(capsys, "model", name)
        assert code == 0 and out.startswith(name)


def test_a_wrapper_written_flat_reads_its_text_model_from_the_top_level(tmp_path):
    config = {"model_type": "qwen2_5_vl", "hidden_size": 3584, "intermediate_size": 18944, "num_hidden_layers": 28,
              "num_attention_heads": 28, "num_key_value_heads": 4, "vocab_size": 152064, "tie_word_embeddings": False,
              "use_sliding_window": False, "sliding_window": 32768,
              "vision_config": {"model_type": "qwen2_5_vl", "depth": 32, "hidden_size": 1280}}
    path = tmp_path / "qwen2.5-vl.json"
    path.write_text(json.dumps(config))
    model = load_model_file(path)
    assert model.param_count == load_model_file(DATA / "qwen2.5-7b.json").param_count   # Qwen2.5-7B's text shapes
    assert model.notes == ("the vision tower (qwen2_5_vl) is not counted: the table does not know its layout",)


@pytest.mark.parametrize("name, context", [("gpt-oss-120b", 100), ("gpt-oss-120b", 65536), ("gpt-oss-20b", 8192),
                                           ("gemma-2-9b", 2048), ("gemma-2-9b", 32768), ("mixtral-8x7b", 32768)])
def test_a_real_config_s_sequence_cache_applies_its_windows(name, context):
    # counted independently from the file: layer_types where the config lists them, else Gemma 2's 1:1 pattern
    config = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    layers = config["num_hidden_layers"]
    kinds = config.get("layer_types") or (["sliding_attention", "full_attention"] * layers)[:layers]
    if config.get("model_type") == "mixtral" or not config.get("sliding_window"):
        kinds = ["full_attention"] * layers
    head_dim = config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]
    per_layer_token = 2 * config["num_key_value_heads"] * head_dim * 2          # bf16 keys and values
    tokens = sum(context if kind == "full_attention" else min(context, config["sliding_window"]) for kind in kinds)
    assert load_model_file(DATA / f"{name}.json").kv_bytes_per_sequence(context, "bf16") == tokens * per_layer_token
