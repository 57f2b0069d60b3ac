"""Reading a model's config: a Hugging Face ``config.json``, this library's JSON format, or a snapshot directory.

Nothing is downloaded, imported or run: a config's ``auto_map`` (remote code) is never followed. A
Hugging Face config is read the way transformers reads it, with the few defaults each ``model_type``
applies written out below as a table (``ARCHITECTURES``; the transformers config class each comes
from is named beside it), so a key a config leaves out means what it means to transformers: Gemma 2
ties its embeddings, a missing ``num_key_value_heads`` is ``num_attention_heads``, a null ``head_dim``
is ``hidden_size / num_attention_heads``. A multimodal config's text model is its ``text_config``;
its vision tower (``vision_config``) is counted for memory where the table knows the tower's layout.
Architectures a ``Model`` cannot express (state-space and hybrid Mamba layers, recurrent layers,
cross-attention to images, encoder-decoders, encoders) are refused with one line that says which and why.

Every failure is a ``ValueError`` with one line naming the file, the field and, for a size, a sane bound
(``LIMITS``): a 400-digit integer, a size of 1e30, JSON nested 10,000 deep or a UTF-8 byte-order mark
never end in a traceback (a BOM is simply read past).
"""

import json
import math
from pathlib import Path

from . import formulas as f
from .checks import check_count

#: The largest value of each size that any real model comes near (and float arithmetic stays exact below).
LIMITS = {
    "layers": 10_000, "d_model": 1 << 20, "d_ff": 1 << 22, "heads": 1 << 16, "kv_heads": 1 << 16,
    "head_dim": 1 << 16, "vocab": 1 << 24, "positions": 1 << 24, "experts": 1 << 20, "experts_per_token": 1 << 20,
    "d_expert": 1 << 22, "d_shared": 1 << 24, "moe_layers": 10_000, "q_lora_rank": 1 << 20, "kv_lora_rank": 1 << 20,
    "qk_nope_head_dim": 1 << 16, "qk_rope_head_dim": 1 << 16, "v_head_dim": 1 << 16, "window": 1 << 34,
    "window_layers": 10_000, "max_context": 1 << 40, "vision_params": 10**13,
}
#: The bound of any other size a config gives (a vision tower's width, an image size, a layer index).
DEFAULT_LIMIT = 1 << 24
#: A config.json is a few kilobytes; anything this large is not one.
MAX_FILE_BYTES = 16 << 20
#: Real configs nest 3 or 4 levels (text_config, rope_scaling, quantization_config).
MAX_NESTING = 32


def _magnitude(value) -> str:
    if isinstance(value, int):
        try:
            digits = len(str(abs(value)))
        except ValueError:   # beyond Python's 4,300 digits for int -> str
            return "a number of more than 4,300 digits"
        return f"{value:,}" if digits <= 16 else f"a number of {digits} digits"
    return f"{value:g}"


def check_size(name: str, value, *, allow_zero: bool = False, bound: int | None = None) -> int:
    """A whole number of things no larger than ``bound`` (default ``LIMITS[name]``): one line otherwise."""
    bound = LIMITS.get(name, DEFAULT_LIMIT) if bound is None else bound
    if isinstance(value, str) and len(value.strip()) > 24:
        raise ValueError(f"{name}: expected a whole number of at most {bound:,}, got a {len(value)}-character string")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (
            isinstance(value, int) or math.isfinite(value)) and abs(value) > bound:
        raise ValueError(f"{name}: {_magnitude(value)} is more than {bound:,}, a sane bound")
    number = check_count(name, value, allow_zero=allow_zero)
    if number > bound:
        raise ValueError(f"{name}: {number:,} is more than {bound:,}, a sane bound")
    return number


# --- reading the file ------------------------------------------------------------------------------
def _snapshot_config(directory: Path) -> Path:
    """``config.json`` of a model directory, or of a Hugging Face cache entry's snapshot (refs/main first)."""
    if (directory / "config.json").is_file():
        return directory / "config.json"
    snapshots = directory / "snapshots"
    if snapshots.is_dir():
        ref = directory / "refs" / "main"
        if ref.is_file():
            chosen = snapshots / ref.read_text(encoding="utf-8", errors="replace").strip() / "config.json"
            if chosen.is_file():
                return chosen
        found = sorted(p for p in snapshots.glob("*/config.json") if p.is_file())
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(f"model: {directory.name} holds {len(found)} snapshots and no refs/main; "
                             f"give one snapshot's directory")
    raise ValueError(f"model: no config.json in directory {str(directory)!r}")


def _name_of(directory: Path) -> str:
    """A model directory's name: the repository of a Hugging Face cache entry (models--org--name)."""
    for part in (directory, *directory.parents):
        if part.name.startswith("models--"):
            return part.name.split("--")[-1]
    return directory.name or "custom"


def _depth(data) -> int:
    """How deeply ``data`` nests lists and objects (iteratively: no recursion to run out of)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level <= MAX_NESTING:
                stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def read_config(path) -> tuple:
    """(the parsed JSON, the model's name, its source) of a config file or a model directory."""
    path = Path(path)
    try:
        path.stat()
    except (OSError, ValueError):
        raise ValueError(f"model: no such file {str(path)[:200]!r}") from None
    if path.is_dir():
        name, file = _name_of(path), _snapshot_config(path)
        source = f"directory {path.name}" + ("" if file.parent == path else f", snapshot {file.parent.name}")
    elif path.is_file():
        name, file, source = path.stem, path, f"file {path.name}"
    else:
        raise ValueError(f"model: no such file {str(path)!r}")
    size = file.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"model: {file.name} is {size:,} bytes, more than {MAX_FILE_BYTES:,} (not a config file)")
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")   # a UTF-8 byte-order mark, which some editors write, is read past
    except UnicodeDecodeError as err:
        raise ValueError(f"model: {file.name} is not UTF-8 text (byte {err.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"model: {file.name} is not JSON ({err.__class__.__name__}: line {err.lineno})") from None
    except RecursionError:
        raise ValueError(f"model: {file.name}: JSON nested more than {MAX_NESTING} levels deep") from None
    except ValueError:   # Python refuses integers of more than 4,300 digits
        raise ValueError(f"model: {file.name} holds a number of more than 4,300 digits") from None
    if _depth(data) > MAX_NESTING:
        raise ValueError(f"model: {file.name}: JSON nested more than {MAX_NESTING} levels deep")
    return data, name, source


# --- the defaults transformers applies, per model_type -----------------------------------------------
def _arch(config_class, defaults, *, mlp="gated", bias="llama", window="none", experts=None, mla=False,
          output_bias=False, aliases=None):
    """One row of the table: a config class's defaults and how its keys map onto a ``Model``.

    ``bias``: "llama" (attention_bias -> q/k/v/o, mlp_bias -> MLP), "qkv" (always on q/k/v),
    "all" (always everywhere), or "all if <key>", "neox" and "experts" (see ``_bias``).
    ``window``: "none", "all" (every layer), "alternate" (even layers sliding), "pattern"
    (``sliding_window_pattern``: all but every n-th layer), "qwen" (``use_sliding_window`` and
    ``max_window_layers``); a config's ``layer_types`` overrides the pattern.
    ``experts``: "mixtral", "qwen", "deepseek" or "gpt_oss" (see ``_experts``).
    """
    return {"class": config_class, "defaults": defaults, "mlp": mlp, "bias": bias, "window": window,
            "experts": experts, "mla": mla, "output_bias": output_bias, "aliases": aliases or {}}


_LLAMA_LIKE = dict(num_key_value_heads=None, head_dim=None, attention_bias=False, mlp_bias=False)
_GPT2_KEYS = {"n_embd": "hidden_size", "n_layer": "num_hidden_layers", "n_head": "num_attention_heads",
              "n_inner": "intermediate_size", "n_positions": "max_position_embeddings"}

#: model_type -> the defaults of its transformers config class (a key a config leaves out takes these
#: values) and how the architecture maps onto a ``Model``. A null ``num_key_value_heads`` is the number
#: of attention heads, a null ``head_dim`` hidden_size / num_attention_heads, as in every class below.
ARCHITECTURES = {
    # LlamaConfig
    "llama": _arch("LlamaConfig", dict(vocab_size=32000, hidden_size=4096, intermediate_size=11008,
                   num_hidden_layers=32, num_attention_heads=32, max_position_embeddings=2048,
                   tie_word_embeddings=False, **_LLAMA_LIKE)),
    # MistralConfig: v0.1 windows every layer by 4096 tokens (later versions write sliding_window null)
    "mistral": _arch("MistralConfig", dict(vocab_size=32000, hidden_size=4096, intermediate_size=14336,
                     num_hidden_layers=32, num_attention_heads=32, max_position_embeddings=4096 * 32,
                     tie_word_embeddings=False, sliding_window=4096, **{**_LLAMA_LIKE, "num_key_value_heads": 8}),
                     window="all"),
    # MixtralConfig: every layer MoE, experts as wide as intermediate_size
    "mixtral": _arch("MixtralConfig", dict(vocab_size=32000, hidden_size=4096, intermediate_size=14336,
                     num_hidden_layers=32, num_attention_heads=32, max_position_embeddings=4096 * 32,
                     tie_word_embeddings=False, sliding_window=None, num_local_experts=8, num_experts_per_tok=2,
                     **{**_LLAMA_LIKE, "num_key_value_heads": 8}), window="all", experts="mixtral"),
    # Qwen2Config: biases on q, k and v (hard-wired in Qwen2Attention)
    "qwen2": _arch("Qwen2Config", dict(vocab_size=151936, hidden_size=4096, intermediate_size=22016,
                   num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=32, head_dim=None,
                   max_position_embeddings=32768, tie_word_embeddings=False, use_sliding_window=False,
                   sliding_window=4096, max_window_layers=28), bias="qkv", window="qwen"),
    # Qwen2MoeConfig (the shared expert's 1 x D gate, 0.0003 %, is left out)
    "qwen2_moe": _arch("Qwen2MoeConfig", dict(vocab_size=151936, hidden_size=2048, intermediate_size=5632,
                       num_hidden_layers=24, num_attention_heads=16, num_key_value_heads=16, head_dim=None,
                       max_position_embeddings=32768, tie_word_embeddings=False, use_sliding_window=False,
                       sliding_window=4096, max_window_layers=28, decoder_sparse_step=1, moe_intermediate_size=1408,
                       shared_expert_intermediate_size=5632, num_experts_per_tok=4, num_experts=60,
                       mlp_only_layers=None), bias="qkv", window="qwen", experts="qwen"),
    # Qwen3Config
    "qwen3": _arch("Qwen3Config", dict(vocab_size=151936, hidden_size=4096, intermediate_size=22016,
                   num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=32, head_dim=128,
                   max_position_embeddings=32768, tie_word_embeddings=False, attention_bias=False,
                   use_sliding_window=False, sliding_window=4096, max_window_layers=28), window="qwen"),
    # Qwen3MoeConfig (no head_dim default: hidden_size / num_attention_heads)
    "qwen3_moe": _arch("Qwen3MoeConfig", dict(vocab_size=151936, hidden_size=2048, intermediate_size=6144,
                       num_hidden_layers=24, num_attention_heads=32, num_key_value_heads=4, head_dim=None,
                       max_position_embeddings=32768, tie_word_embeddings=False, attention_bias=False,
                       use_sliding_window=False, sliding_window=4096, max_window_layers=28, decoder_sparse_step=1,
                       moe_intermediate_size=768, num_experts_per_tok=8, num_experts=128, mlp_only_layers=None),
                       window="qwen", experts="qwen"),
    # Qwen3VLTextConfig (the text model of Qwen3-VL)
    "qwen3_vl_text": _arch("Qwen3VLTextConfig", dict(vocab_size=151936, hidden_size=4096, intermediate_size=22016,
                           num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=32, head_dim=128,
                           max_position_embeddings=128000, tie_word_embeddings=False, attention_bias=False)),
    # GemmaConfig
    "gemma": _arch("GemmaConfig", dict(vocab_size=256000, hidden_size=3072, intermediate_size=24576,
                   num_hidden_layers=28, num_attention_heads=16, num_key_value_heads=16, head_dim=256,
                   max_position_embeddings=8192, tie_word_embeddings=True, attention_bias=False)),
    # Gemma2Config: tied embeddings; even layers slide over 4096 tokens, odd ones attend fully (1:1)
    "gemma2": _arch("Gemma2Config", dict(vocab_size=256000, hidden_size=2304, intermediate_size=9216,
                    num_hidden_layers=26, num_attention_heads=8, num_key_value_heads=4, head_dim=256,
                    max_position_embeddings=8192, tie_word_embeddings=True, attention_bias=False, sliding_window=4096),
                    window="alternate"),
    # Gemma3TextConfig: five sliding layers to one global (sliding_window_pattern 6)
    "gemma3_text": _arch("Gemma3TextConfig", dict(vocab_size=262208, hidden_size=2304, intermediate_size=9216,
                         num_hidden_layers=26, num_attention_heads=8, num_key_value_heads=4, head_dim=256,
                         max_position_embeddings=131072, tie_word_embeddings=True, attention_bias=False,
                         sliding_window=4096, sliding_window_pattern=6), window="pattern"),
    # PhiConfig: plain MLP, biases everywhere, a biased output layer (lm_head)
    "phi": _arch("PhiConfig", dict(vocab_size=51200, hidden_size=2048, intermediate_size=8192, num_hidden_layers=24,
                 num_attention_heads=32, num_key_value_heads=None, max_position_embeddings=2048,
                 tie_word_embeddings=False), mlp="plain", bias="all", output_bias=True),
    # Phi3Config: a window, when given, on every layer
    "phi3": _arch("Phi3Config", dict(vocab_size=32064, hidden_size=3072, intermediate_size=8192, num_hidden_layers=32,
                  num_attention_heads=32, num_key_value_heads=None, max_position_embeddings=4096,
                  tie_word_embeddings=False, sliding_window=None), bias="none", window="all"),
    # GPT2Config: learned positions, biases everywhere, tied embeddings (PretrainedConfig's default)
    "gpt2": _arch("GPT2Config", dict(vocab_size=50257, max_position_embeddings=1024, hidden_size=768,
                  num_hidden_layers=12, num_attention_heads=12, intermediate_size=None, tie_word_embeddings=True),
                  mlp="plain", bias="all", aliases=_GPT2_KEYS),
    # GPTBigCodeConfig (StarCoder): as GPT-2, one KV head when multi_query
    "gpt_bigcode": _arch("GPTBigCodeConfig", dict(vocab_size=50257, max_position_embeddings=1024, hidden_size=768,
                         num_hidden_layers=12, num_attention_heads=12, intermediate_size=None, multi_query=True,
                         tie_word_embeddings=True), mlp="plain", bias="all", aliases=_GPT2_KEYS),
    # GPTNeoXConfig (Pythia): biases on the MLP always, on attention with attention_bias
    "gpt_neox": _arch("GPTNeoXConfig", dict(vocab_size=50432, hidden_size=6144, num_hidden_layers=44,
                      num_attention_heads=64, intermediate_size=24576, max_position_embeddings=2048,
                      tie_word_embeddings=False, attention_bias=True), mlp="plain", bias="neox"),
    # OPTConfig: learned positions (max_position_embeddings + 2 rows), biases with enable_bias, tied
    "opt": _arch("OPTConfig", dict(vocab_size=50272, hidden_size=768, num_hidden_layers=12, intermediate_size=3072,
                 num_attention_heads=12, max_position_embeddings=2048, enable_bias=True, word_embed_proj_dim=None,
                 tie_word_embeddings=True), mlp="plain", bias="all if enable_bias", aliases={"ffn_dim": "intermediate_size"}),
    # FalconConfig: plain MLP of 4 x hidden_size, biases with bias, one KV head when multi_query
    "falcon": _arch("FalconConfig", dict(vocab_size=65024, hidden_size=4544, num_hidden_layers=32,
                    num_attention_heads=71, num_kv_heads=None, new_decoder_architecture=False, multi_query=True,
                    bias=False, intermediate_size=None, max_position_embeddings=2048, tie_word_embeddings=True),
                    mlp="plain", bias="all if bias",
                    aliases={"n_layer": "num_hidden_layers", "n_head": "num_attention_heads", "n_embed": "hidden_size",
                             "n_head_kv": "num_kv_heads", "ffn_hidden_size": "intermediate_size"}),
    # Starcoder2Config: plain MLP, biases with use_bias, tied
    "starcoder2": _arch("Starcoder2Config", dict(vocab_size=49152, hidden_size=3072, intermediate_size=12288,
                        num_hidden_layers=30, num_attention_heads=24, num_key_value_heads=2, max_position_embeddings=4096,
                        sliding_window=None, use_bias=True, tie_word_embeddings=True), mlp="plain",
                        bias="all if use_bias", window="all"),
    # DeepseekV2Config: latent attention; MoE from layer first_k_dense_replace on, every moe_layer_freq
    "deepseek_v2": _arch("DeepseekV2Config", dict(vocab_size=102400, hidden_size=4096, intermediate_size=11008,
                         moe_intermediate_size=1407, num_hidden_layers=30, num_attention_heads=32,
                         num_key_value_heads=32, n_shared_experts=None, n_routed_experts=None, kv_lora_rank=512,
                         q_lora_rank=1536, qk_rope_head_dim=64, v_head_dim=128, qk_nope_head_dim=128,
                         num_experts_per_tok=None, first_k_dense_replace=0, moe_layer_freq=1,
                         max_position_embeddings=2048, tie_word_embeddings=False, attention_bias=False),
                         experts="deepseek", mla=True),
    # DeepseekV3Config
    "deepseek_v3": _arch("DeepseekV3Config", dict(vocab_size=129280, hidden_size=7168, intermediate_size=18432,
                         moe_intermediate_size=2048, num_hidden_layers=61, num_attention_heads=128,
                         num_key_value_heads=128, n_shared_experts=1, n_routed_experts=256, kv_lora_rank=512,
                         q_lora_rank=1536, qk_rope_head_dim=64, v_head_dim=128, qk_nope_head_dim=128,
                         num_experts_per_tok=8, first_k_dense_replace=3, moe_layer_freq=1,
                         max_position_embeddings=4096, tie_word_embeddings=False, attention_bias=False),
                         experts="deepseek", mla=True),
    # GptOssConfig: every layer MoE with biased experts and router; layers alternate sliding (128) and full
    "gpt_oss": _arch("GptOssConfig", dict(num_hidden_layers=36, num_local_experts=128, vocab_size=201088,
                     hidden_size=2880, intermediate_size=2880, head_dim=64, num_attention_heads=64,
                     num_key_value_heads=8, sliding_window=128, tie_word_embeddings=False,
                     max_position_embeddings=131072, num_experts_per_tok=4, attention_bias=True),
                     bias="experts", window="alternate", experts="gpt_oss"),
}

#: Multimodal wrappers: the text model's type when its text_config does not say, and the vision tower's.
WRAPPERS = {
    "llava": {"class": "LlavaConfig", "text": "llama", "vision": "clip_vision_model", "projector": "llava"},
    "llava_next": {"class": "LlavaNextConfig", "text": "llama", "vision": "clip_vision_model", "projector": "llava"},
    "gemma3": {"class": "Gemma3Config", "text": "gemma3_text", "vision": "siglip_vision_model", "projector": "gemma3"},
    "qwen3_vl": {"class": "Qwen3VLConfig", "text": "qwen3_vl_text", "vision": "qwen3_vl", "projector": None},
    # older configs of these write the text model flat, beside vision_config; the tower is not in the table
    "qwen2_vl": {"class": "Qwen2VLConfig", "text": "qwen2", "vision": "qwen2_vl", "projector": None},
    "qwen2_5_vl": {"class": "Qwen2_5_VLConfig", "text": "qwen2", "vision": "qwen2_5_vl", "projector": None},
    "mistral3": {"class": "Mistral3Config", "text": "mistral", "vision": "pixtral", "projector": None},
}

#: model_type -> why a ``Model`` cannot express it (refused with this reason).
UNSUPPORTED = {
    **dict.fromkeys(("mamba", "mamba2", "falcon_mamba"), "a state-space (Mamba) model: no attention layers and no "
                    "KV cache, its recurrent state does not grow with the context"),
    **dict.fromkeys(("jamba", "zamba", "zamba2", "bamba", "falcon_h1", "nemotron_h", "granitemoehybrid"),
                    "hybrid Mamba and attention layers: the state-space layers keep a fixed state, not a KV cache"),
    **dict.fromkeys(("rwkv", "rwkv5", "rwkv6", "rwkv7", "recurrent_gemma", "xlstm", "lfm2"),
                    "recurrent or convolutional layers instead of (or beside) attention"),
    **dict.fromkeys(("qwen3_next", "minimax", "minimax_m1"), "hybrid linear-attention layers, whose state does "
                    "not grow with the context"),
    **dict.fromkeys(("llama4", "llama4_text"), "chunked attention and interleaved MoE layers (Llama 4)"),
    "mllama": "cross-attention layers to image features (Llama 3.2 Vision): their cache follows the images, not "
              "the context",
    **dict.fromkeys(("t5", "mt5", "umt5", "bart", "mbart", "marian", "pegasus", "whisper", "blenderbot", "led",
                     "prophetnet", "fsmt", "m2m_100", "nllb_moe", "switch_transformers", "seamless_m4t"),
                    "an encoder-decoder: the decoder's cross-attention and the encoder are not modelled"),
    **dict.fromkeys(("bert", "roberta", "xlm-roberta", "deberta", "deberta-v2", "electra", "distilbert",
                     "modernbert", "albert"), "an encoder: it generates no tokens to serve"),
}

#: Keys of an unknown model_type that change the count; present and set, they mean the table is needed.
_SIGNALS = ("expert", "lora_rank", "sliding_window", "layer_types", "attention_chunk", "ssm", "mamba", "conv_",
            "linear_attn", "cross_attention", "encoder", "moe", "window", "state_size", "vision_config")

_TEXT_KEYS = ("num_hidden_layers", "hidden_size", "intermediate_size", "num_attention_heads", "vocab_size")


def is_hugging_face(data: dict) -> bool:
    """Whether ``data`` is a Hugging Face config (its keys) rather than this library's format."""
    if any(key in data for key in ("model_type", "architectures", "text_config")):
        return True
    return any(key in data for key in ("n_layer", "n_embd") + _TEXT_KEYS[:2]) and not (
        "layers" in data or "d_model" in data)


def _refuse(data: dict, model_type):
    reason = UNSUPPORTED.get(model_type)
    archs = data.get("architectures")
    label = model_type or (archs[0] if isinstance(archs, list) and archs and isinstance(archs[0], str) else "?")
    if reason is None and data.get("is_encoder_decoder") is True:
        reason = UNSUPPORTED["t5"]
    if reason is None and any(isinstance(a, str) and "Mamba" in a for a in (archs if isinstance(archs, list) else [])):
        reason = UNSUPPORTED["mamba"]
    if reason is not None:
        raise ValueError(f"model_type: {label!r} is not supported: {reason}")


# --- the parts of a Hugging Face config --------------------------------------------------------------
class _Config:
    """A text config with its class's defaults applied and its alias keys read under their canonical names."""

    def __init__(self, data: dict, arch: dict | None, model_type):
        self.type, self.arch = model_type, arch
        aliases = arch["aliases"] if arch else {}
        self.values = {**(arch["defaults"] if arch else {}), **{aliases.get(k, k): v for k, v in data.items()}}

    def get(self, key, default=None):
        return self.values.get(key, default)

    def has(self, key) -> bool:
        return self.values.get(key) is not None

    def size(self, key, field=None, *, allow_zero=False, bound=None):
        """A size under its config key (``field``: the ``Model`` field it becomes, whose bound applies)."""
        if key not in self.values:
            raise ValueError(f"missing field {key!r}")
        value = self.values[key]
        if value is None:
            raise ValueError(f"{key}: null, and {self.arch['class'] if self.arch else 'the config'} has no default")
        name = field or key
        return check_size(name, value, allow_zero=allow_zero, bound=bound)

    def flag(self, key) -> bool:
        value = self.values.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ValueError(f"{key}: expected true or false, got {value!r}")
        return value


def _layer_list(cfg: _Config, key: str, layers: int) -> list:
    value = cfg.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        raise ValueError(f"{key}: expected a list of layer numbers, got {value!r}"[:200])
    return [check_size(key, i, allow_zero=True, bound=layers - 1) for i in value]


def _window(cfg: _Config, kind: str, layers: int) -> tuple:
    """(window tokens, windowed layers) from layer_types or the model type's pattern."""
    types = cfg.get("layer_types")
    window = cfg.get("sliding_window")
    if types is not None:
        if not isinstance(types, list) or len(types) != layers or not all(isinstance(t, str) for t in types):
            raise ValueError(f"layer_types: expected {layers} strings, one per layer")
        other = sorted(set(types) - {"full_attention", "sliding_attention"})
        if other:
            raise ValueError(f"layer_types: {other[0]!r} layers are not supported (only full_attention and "
                             f"sliding_attention)")
        sliding = types.count("sliding_attention")
    elif kind == "qwen":
        sliding = (layers - min(layers, cfg.size("max_window_layers", allow_zero=True))
                   if cfg.flag("use_sliding_window") else 0)
    elif window is None:
        return 0, 0
    elif kind == "none":
        raise ValueError(f"sliding_window: set, but {cfg.arch['class'] if cfg.arch else 'this config'} has no "
                         f"sliding-window layers")
    elif kind == "all":
        sliding = layers
    elif kind == "alternate":
        sliding = sum(1 for i in range(layers) if (i + 1) % 2)
    else:  # "pattern": all but every n-th layer slide
        pattern = cfg.get("sliding_window_pattern", cfg.get("_sliding_window_pattern", 6))
        pattern = check_size("sliding_window_pattern", pattern)
        sliding = sum(1 for i in range(layers) if (i + 1) % pattern)
    if not sliding:
        return 0, 0
    if window is None:
        raise ValueError(f"sliding_window: null, but {sliding} layers are sliding-window layers")
    return check_size("sliding_window", window, bound=LIMITS["window"]), sliding


def _experts(cfg: _Config, kind: str | None, layers: int, d_ff: int) -> dict:
    """The MoE fields: experts, experts per token, their width, the shared experts' width, the MoE layers."""
    if kind is None:
        return {}
    if kind == "deepseek":
        experts = cfg.size("n_routed_experts", "experts", allow_zero=True) if cfg.has("n_routed_experts") else 0
    elif kind == "qwen":
        experts = cfg.size("num_experts", "experts", allow_zero=True) if cfg.has("num_experts") else 0
    else:
        key = "num_local_experts" if cfg.has("num_local_experts") or not cfg.has("num_experts") else "num_experts"
        experts = cfg.size(key, "experts", allow_zero=True)
    if not experts:
        return {}
    k_key = "num_experts_per_tok" if cfg.has("num_experts_per_tok") or not cfg.has("experts_per_token") \
        else "experts_per_token"
    per_token = cfg.size(k_key, "experts_per_token")
    if kind in ("mixtral", "gpt_oss"):
        width, shared, moe_layers = d_ff, 0, layers
    elif kind == "qwen":
        width = cfg.size("moe_intermediate_size", "d_expert")
        shared = cfg.size("shared_expert_intermediate_size", "d_shared", allow_zero=True) \
            if cfg.has("shared_expert_intermediate_size") else 0
        step = cfg.size("decoder_sparse_step", bound=layers) if cfg.has("decoder_sparse_step") else 1
        dense = set(_layer_list(cfg, "mlp_only_layers", layers))
        moe_layers = sum(1 for i in range(layers) if i not in dense and (i + 1) % step == 0)
    else:  # deepseek
        width = cfg.size("moe_intermediate_size", "d_expert")
        shared = width * (cfg.size("n_shared_experts", allow_zero=True, bound=1024) if cfg.has("n_shared_experts") else 0)
        first = cfg.size("first_k_dense_replace", allow_zero=True, bound=layers) if cfg.has("first_k_dense_replace") else 0
        freq = cfg.size("moe_layer_freq", bound=layers) if cfg.has("moe_layer_freq") else 1
        moe_layers = sum(1 for i in range(layers) if i >= first and i % freq == 0)
    if not moe_layers:
        return {}
    return {"experts": experts, "experts_per_token": per_token, "d_expert": width, "d_shared": shared,
            "moe_layers": moe_layers}


def _bias(cfg: _Config, kind: str) -> str:
    attention = cfg.flag("attention_bias")
    if kind == "llama":
        mlp = cfg.flag("mlp_bias")
        return {(False, False): "none", (True, False): "attention", (False, True): "mlp", (True, True): "all"}[
            (attention, mlp)]
    if kind in ("neox", "experts"):   # the MLP (or every expert and the router) always carries biases
        return "all" if attention else "mlp"
    if kind.startswith("all if "):
        return "all" if cfg.flag(kind[len("all if "):]) else "none"
    return kind


def _kv_heads(cfg: _Config, heads: int) -> int:
    if cfg.type == "gpt_bigcode":
        return 1 if cfg.flag("multi_query") else heads
    if cfg.type == "falcon":   # FalconAttention: GQA with the new decoder, else multi-query or multi-head
        if cfg.flag("new_decoder_architecture"):
            return cfg.size("num_kv_heads", "kv_heads") if cfg.has("num_kv_heads") else heads
        return 1 if cfg.flag("multi_query") else heads
    return cfg.size("num_key_value_heads", "kv_heads") if cfg.has("num_key_value_heads") else heads


def _text_fields(cfg: _Config) -> dict:
    arch = cfg.arch or _arch(None, {})
    layers = cfg.size("num_hidden_layers", "layers")
    d_model = cfg.size("hidden_size", "d_model")
    heads = cfg.size("num_attention_heads", "heads")
    if cfg.has("intermediate_size") or cfg.type not in ("gpt2", "gpt_bigcode", "falcon"):
        d_ff = cfg.size("intermediate_size", "d_ff")
    else:   # GPT-2, StarCoder, Falcon: a null MLP width is 4 x hidden_size
        d_ff = 4 * d_model
    head_dim = cfg.size("head_dim", "head_dim") if cfg.has("head_dim") else d_model // heads
    values = {"layers": layers, "d_model": d_model, "d_ff": d_ff, "heads": heads, "kv_heads": _kv_heads(cfg, heads),
              "head_dim": head_dim, "vocab": cfg.size("vocab_size", "vocab"), "mlp": arch["mlp"],
              "bias": _bias(cfg, arch["bias"]), "output_bias": arch["output_bias"]}
    tie = cfg.get("tie_word_embeddings", False if cfg.type is None else None)  # no model_type: LLaMA's untied
    if tie is None:
        raise ValueError(f"tie_word_embeddings: not given, and model_type {cfg.type!r} is not in the defaults "
                         f"table (transformers' default depends on the config class)")
    if not isinstance(tie, bool):
        raise ValueError(f"tied_embeddings: expected true or false, got {tie!r}")
    values["tied_embeddings"] = tie
    if cfg.has("max_position_embeddings"):
        values["max_context"] = cfg.size("max_position_embeddings", "max_context")
    if cfg.type in ("gpt2", "gpt_bigcode"):
        values["positions"] = values["max_context"]
    if cfg.type == "opt":
        values["positions"] = values["max_context"] + 2   # OPTLearnedPositionalEmbedding's offset of 2
        proj = cfg.get("word_embed_proj_dim")
        if proj is not None and proj != d_model:
            raise ValueError(f"word_embed_proj_dim: {proj!r} differs from hidden_size {d_model} (projected "
                             f"embeddings, as in OPT-350m): not supported")
    window, window_layers = _window(cfg, arch["window"], layers)
    values.update(window=window, window_layers=window_layers)
    values.update(_experts(cfg, arch["experts"], layers, d_ff))
    if arch["mla"]:
        values["kv_lora_rank"] = cfg.size("kv_lora_rank", "kv_lora_rank")
        values["q_lora_rank"] = cfg.size("q_lora_rank", "q_lora_rank") if cfg.has("q_lora_rank") else 0
        for key in ("qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"):
            values[key] = cfg.size(key, key)
        values["head_dim"] = values["qk_nope_head_dim"] + values["qk_rope_head_dim"]
    if cfg.has("num_nextn_predict_layers") and cfg.get("num_nextn_predict_layers"):
        values["notes"] = [f"the multi-token-prediction layers (num_nextn_predict_layers="
                           f"{cfg.get('num_nextn_predict_layers')}) are not counted: transformers does not load them"]
    return values


def _unknown_type_signals(data: dict) -> list:
    found = []
    for key, value in data.items():
        if any(s in key.lower() for s in _SIGNALS) and value not in (None, False, 0, [], {}):
            found.append(key)
    return found


def _text_config(data: dict, text_type):
    """The architecture row of a text model type, refusing types the table lacks whose keys matter."""
    _refuse(data, text_type)
    if text_type in ARCHITECTURES:
        return ARCHITECTURES[text_type]
    signals = _unknown_type_signals(data)
    if signals:
        which = "has no model_type" if text_type is None else f"has model_type {text_type!r}, not in the table of known architectures,"
        raise ValueError(f"model_type: the config {which} and sets {', '.join(signals[:3])}: its count would be a guess")
    return None


# --- vision towers (counted for memory; no token of the text runs them) -----------------------------
def _vit_layers(layers, width, mlp_width, mlp_matrices=2) -> int:
    """Encoder layers of a ViT: attention (Q, K, V, O with biases) and an MLP with biases (norms left out)."""
    attention = int(f.attention_params(D=width, H=width, K=1, N_q=1)) + 4 * width
    mlp = int(f.mlp_params(D=width, F=mlp_width, n_mlp=mlp_matrices)) + (mlp_matrices - 1) * mlp_width + width
    return layers * (attention + mlp)


def _vision_params(vision: dict, vision_type: str, d_text: int, wrapper: dict) -> int | None:
    """A vision tower's parameters and its projector's, or None where the table does not know the tower."""
    v = _Config(vision, None, vision_type)
    if vision_type == "clip_vision_model":   # CLIPVisionConfig: class token, patch conv (no bias), positions
        width, layers = v.get("hidden_size", 768), v.get("num_hidden_layers", 12)
        mlp, patch, image = v.get("intermediate_size", 3072), v.get("patch_size", 32), v.get("image_size", 224)
        channels = v.get("num_channels", 3)
        sizes = [check_size(f"vision_config.{k}", x) for k, x in
                 (("hidden_size", width), ("num_hidden_layers", layers), ("intermediate_size", mlp),
                  ("patch_size", patch), ("image_size", image), ("num_channels", channels))]
        width, layers, mlp, patch, image, channels = sizes
        tower = (_vit_layers(layers, width, mlp) + width + channels * patch * patch * width
                 + ((image // patch) ** 2 + 1) * width)
    elif vision_type == "siglip_vision_model":   # SiglipVisionConfig: patch conv with bias, positions, MAP head
        width, layers = v.get("hidden_size", 768), v.get("num_hidden_layers", 12)
        mlp, patch, image = v.get("intermediate_size", 3072), v.get("patch_size", 16), v.get("image_size", 224)
        channels = v.get("num_channels", 3)
        width, layers, mlp, patch, image, channels = [check_size(f"vision_config.{k}", x) for k, x in
                                                      (("hidden_size", width), ("num_hidden_layers", layers),
                                                       ("intermediate_size", mlp), ("patch_size", patch),
                                                       ("image_size", image), ("num_channels", channels))]
        tower = _vit_layers(layers, width, mlp) + channels * patch * patch * width + width + (image // patch) ** 2 * width
        if v.get("vision_use_head", True):   # the attention-pooling head: probe, attention, MLP
            tower += width + _vit_layers(1, width, mlp)
    elif vision_type == "qwen3_vl":   # Qwen3VLVisionConfig: 3-D patch conv, positions, mergers (deepstack too)
        keys = dict(depth=27, hidden_size=1152, intermediate_size=4304, in_channels=3, patch_size=16,
                    temporal_patch_size=2, spatial_merge_size=2, out_hidden_size=3584, num_position_embeddings=2304)
        s = {k: check_size(f"vision_config.{k}", v.get(k, d)) for k, d in keys.items()}
        deepstack = v.get("deepstack_visual_indexes", [8, 16, 24])
        if not isinstance(deepstack, list) or len(deepstack) > s["depth"]:
            raise ValueError("vision_config.deepstack_visual_indexes: expected a list of layer numbers")
        width = s["hidden_size"]
        merged = width * s["spatial_merge_size"] ** 2
        merger = merged * merged + merged + merged * s["out_hidden_size"] + s["out_hidden_size"]
        tower = (_vit_layers(s["depth"], width, s["intermediate_size"])
                 + s["in_channels"] * s["temporal_patch_size"] * s["patch_size"] ** 2 * width + width
                 + s["num_position_embeddings"] * width + (1 + len(deepstack)) * merger)
        return tower
    else:
        return None
    if wrapper.get("projector") == "llava":   # LlavaMultiModalProjector: two biased linear layers
        return tower + width * d_text + d_text + d_text * d_text + d_text
    if wrapper.get("projector") == "gemma3":  # Gemma3MultiModalProjector: one matrix (its norm left out)
        return tower + width * d_text
    return tower


def _hugging_face(data: dict) -> dict:
    model_type = data.get("model_type")
    if model_type is not None and not isinstance(model_type, str):
        raise ValueError(f"model_type: expected a string, got {model_type!r}"[:200])
    _refuse(data, model_type)
    wrapper = WRAPPERS.get(model_type)
    text, vision = data, None
    if isinstance(data.get("text_config"), dict) or wrapper:
        text = data.get("text_config") or {}
        if not isinstance(text, dict):
            raise ValueError("text_config: expected a JSON object")
        if not text and any(k in data for k in _TEXT_KEYS):
            text = {k: v for k, v in data.items() if k not in ("vision_config", "model_type")}   # written flat
        vision = data.get("vision_config")
    text_type = text.get("model_type") or (wrapper or {}).get("text") or (model_type if text is data else None)
    if text is not data:
        for key in ("tie_word_embeddings", "vocab_size"):   # the wrapper's own value, as transformers reads it
            if key in data and key not in text:
                text = {**text, key: data[key]}
    arch = _text_config(text, text_type)
    values = _text_fields(_Config(text, arch, text_type))
    if vision is not None:
        if not isinstance(vision, dict):
            raise ValueError("vision_config: expected a JSON object")
        vision_type = vision.get("model_type") or (wrapper or {}).get("vision")
        count = _vision_params(vision, vision_type, values["d_model"], wrapper or {})
        if count is None:
            values.setdefault("notes", []).append(
                f"the vision tower ({vision_type or 'vision_config without a model_type'}) is not counted: "
                f"the table does not know its layout")
        else:
            values["vision_params"] = check_size("vision_params", count, allow_zero=True)
    return values


def fields_from_dict(data, name: str, our_fields: tuple, required: tuple) -> dict:
    """``Model`` keyword arguments from a parsed config: a Hugging Face config's keys or our field names."""
    if not isinstance(data, dict):
        raise ValueError(f"model {name}: expected a JSON object with fields {', '.join(required)}, tied_embeddings")
    label = str(data.get("name", name))[:200]
    try:
        if is_hugging_face(data):
            values = _hugging_face(data)
        else:
            values = {k: data[k] for k in our_fields if k in data}
            values.setdefault("tied_embeddings", False)
            missing = [k for k in required if k not in values]
            if missing:
                raise ValueError(f"missing field {', '.join(repr(m) for m in missing)}")
    except ValueError as err:
        raise ValueError(f"model {label}: {err}") from None
    if "notes" in values and isinstance(values["notes"], list):
        values["notes"] = tuple(values["notes"])
    values["name"] = label
    return values
