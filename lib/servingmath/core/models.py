"""Transformer decoders and their exact sizes (chapter 02, the KV cache; chapter 13, beyond dense LLaMA).

A model comes from a preset, from a JSON file with this module's field names, or straight from a
Hugging Face ``config.json`` or a snapshot directory holding one (read from disk; nothing is
downloaded or run: ``configs`` reads them). The first eight fields describe the dense LLaMA-like
decoder of chapters 01-12; the others, which default to it, add mixture-of-experts layers,
multi-head latent attention, sliding-window layers, plain MLPs, biases, learned position
embeddings and a vision tower.
"""

from dataclasses import asdict, dataclass, fields
from pathlib import Path

from . import formulas
from .checks import check_choice
from .configs import check_size, fields_from_dict, read_config
from .precision import BYTES, bytes_per_element

FIELDS = ("layers", "d_model", "d_ff", "heads", "kv_heads", "head_dim", "vocab", "tied_embeddings")

#: Hugging Face config keys for each dense field (``head_dim`` defaults to d_model / heads,
#: ``num_key_value_heads`` to ``num_attention_heads``, as in transformers).
HF_KEYS = {
    "layers": "num_hidden_layers",
    "d_model": "hidden_size",
    "d_ff": "intermediate_size",
    "heads": "num_attention_heads",
    "kv_heads": "num_key_value_heads",
    "head_dim": "head_dim",
    "vocab": "vocab_size",
    "tied_embeddings": "tie_word_embeddings",
}

#: MLP kinds: a gated MLP (SwiGLU, GeGLU) has 3 weight matrices, a plain one (GELU, ReLU) 2.
MLP_MATRICES = {"gated": 3, "plain": 2}
#: Which linear layers carry a bias: none (LLaMA), q/k/v (Qwen2), q/k/v/o ("attention"), the MLPs only
#: ("mlp"), or every one (GPT-2, OPT, Phi, GPT-NeoX, StarCoder2, gpt-oss).
BIASES = ("none", "qkv", "attention", "mlp", "all")
#: A model's size beyond which nothing real lies (and float arithmetic would stop being exact).
MAX_PARAMS = 10**15

_SIZES = ("layers", "d_model", "d_ff", "heads", "kv_heads", "head_dim", "vocab")
_OPTIONAL_SIZES = ("positions", "experts", "experts_per_token", "d_expert", "d_shared", "moe_layers", "q_lora_rank",
                   "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "window", "window_layers",
                   "vision_params")


@dataclass(frozen=True)
class Model:
    """A decoder-only transformer; the defaults after ``source`` are the dense LLaMA of chapters 01-12.

    ``experts`` > 0 makes ``moe_layers`` of the layers mixture-of-experts: ``experts`` routed experts of
    width ``d_expert``, ``experts_per_token`` of them per token, shared experts of total width
    ``d_shared`` and a router; the other layers keep a dense MLP of width ``d_ff``. ``kv_lora_rank`` > 0
    is multi-head latent attention (DeepSeek): the cache keeps a latent of ``kv_lora_rank`` and a
    rotary key of ``qk_rope_head_dim`` per layer. ``window`` > 0: ``window_layers`` layers attend
    within the last ``window`` tokens. ``vision_params`` are held in memory but not run per token.
    ``notes`` say what the model leaves out or assumes (the planner repeats them as warnings).
    """

    name: str
    layers: int
    d_model: int
    d_ff: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    tied_embeddings: bool = False
    source: str = ""
    mlp: str = "gated"
    bias: str = "none"
    output_bias: bool = False
    positions: int = 0
    experts: int = 0
    experts_per_token: int = 0
    d_expert: int = 0
    d_shared: int = 0
    moe_layers: int = 0
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_nope_head_dim: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    window: int = 0
    window_layers: int = 0
    max_context: int | None = None
    vision_params: int = 0
    notes: tuple = ()

    def __post_init__(self):
        where = f"model {self.name}: " if self.name else ""
        try:
            self._validate()
        except ValueError as err:
            raise ValueError(where + str(err)) from None

    def _set(self, key, value):
        object.__setattr__(self, key, value)

    def _validate(self):
        for key in _SIZES:
            self._set(key, check_size(key, getattr(self, key)))
        for key in _OPTIONAL_SIZES:
            self._set(key, check_size(key, getattr(self, key), allow_zero=True))
        if self.max_context is not None:
            self._set("max_context", check_size("max_context", self.max_context))
        for key in ("tied_embeddings", "output_bias"):
            if not isinstance(getattr(self, key), bool):
                raise ValueError(f"{key}: expected true or false, got {getattr(self, key)!r}")
        check_choice("mlp", self.mlp, MLP_MATRICES)
        check_choice("bias", self.bias, BIASES)
        if isinstance(self.notes, str) or not all(isinstance(n, str) for n in self.notes):
            raise ValueError(f"notes: expected a list of strings, got {self.notes!r}")
        self._set("notes", tuple(self.notes))
        if self.heads % self.kv_heads:
            raise ValueError(f"kv_heads: {self.kv_heads} does not divide heads={self.heads}")
        self._validate_experts()
        if self.kv_lora_rank:
            for key in ("qk_rope_head_dim", "v_head_dim"):
                if not getattr(self, key):
                    raise ValueError(f"{key}: multi-head latent attention (kv_lora_rank {self.kv_lora_rank}) needs it > 0")
            if self.window_layers:
                raise ValueError("window: sliding windows with multi-head latent attention are not supported")
            if self.bias != "none" and self.bias != "mlp":
                raise ValueError("bias: attention biases with multi-head latent attention are not supported")
        else:
            for key in ("q_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"):
                if getattr(self, key):
                    raise ValueError(f"{key}: set without kv_lora_rank (multi-head latent attention)")
        if bool(self.window) != bool(self.window_layers):
            raise ValueError("window: a sliding window needs both window (tokens) and window_layers (layers) > 0")
        if self.window_layers > self.layers:
            raise ValueError(f"window_layers: {self.window_layers} is more than layers={self.layers}")
        total = self.param_count
        if total > MAX_PARAMS:
            raise ValueError(f"parameters: {total:.3g} is more than {MAX_PARAMS:.0e}, a sane bound")

    def _validate_experts(self):
        moe = ("experts_per_token", "d_expert", "moe_layers")
        if not self.experts:
            for key in moe + ("d_shared",):
                if getattr(self, key):
                    raise ValueError(f"{key}: set without experts (a mixture-of-experts model needs experts > 0)")
            return
        for key in moe:
            if not getattr(self, key):
                raise ValueError(f"{key}: a mixture-of-experts model (experts {self.experts}) needs it > 0")
        if self.experts_per_token > self.experts:
            raise ValueError(f"experts_per_token: {self.experts_per_token} is more than experts={self.experts}")
        if self.moe_layers > self.layers:
            raise ValueError(f"moe_layers: {self.moe_layers} is more than layers={self.layers}")

    # --- what the model is ------------------------------------------------------------------------
    @property
    def is_moe(self) -> bool:
        return self.experts > 0

    @property
    def is_mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def is_dense_llama(self) -> bool:
        """The decoder of chapters 01-12: gated MLP, grouped-query attention, no bias, window or tower."""
        return (not self.is_moe and not self.is_mla and not self.window_layers and self.mlp == "gated"
                and self.bias == "none" and not self.output_bias and not self.positions and not self.vision_params)

    @property
    def symbols(self) -> dict:
        """The model's values for the formula symbols L, D, F, N_q, K, H, V, n_emb."""
        return {"L": self.layers, "D": self.d_model, "F": self.d_ff, "N_q": self.heads, "K": self.kv_heads,
                "H": self.head_dim, "V": self.vocab, "n_emb": 1 if self.tied_embeddings else 2}

    @property
    def moe_symbols(self) -> dict:
        """The values of the symbols of ``formulas.moe_param_count`` (all but k), ``moe_active_param_count``
        (all but P_vis) and ``moe_dense_param_count`` (none of the three), chapter 13."""
        s = self.symbols
        return {"D": s["D"], "E": self.experts or 1, "F": s["F"], "F_s": self.d_shared, "L": s["L"],
                "L_e": self.moe_layers, "P_attn": self.attention_params, "P_e": self.expert_params,
                "P_vis": self.vision_params, "P_x": self.extra_params, "V": s["V"], "k": self.experts_per_token or 1,
                "n_emb": s["n_emb"], "n_mlp": MLP_MATRICES[self.mlp]}

    @property
    def routing_symbols(self) -> dict:
        """The values of ``formulas.weight_bytes_read``'s model symbols (a dense model routes nothing: L_e = 0)."""
        embedding = self.active_param_count - self.decode_param_count   # gathered, not read whole
        if not self.is_moe:
            return {"L_e": 0, "P_e": 0, "E": 1, "k": 1, "P_dense": self.decode_param_count}
        return {"L_e": self.moe_layers, "P_e": self.expert_params, "E": self.experts, "k": self.experts_per_token,
                "P_dense": self.dense_param_count - embedding}

    # --- parameters -------------------------------------------------------------------------------
    def _has_bias(self, where: str) -> bool:
        return self.bias == "all" or self.bias == where or (where == "qkv" and self.bias == "attention")

    @property
    def attention_params(self) -> int:
        """Parameters of one layer's attention, its biases included."""
        if self.is_mla:
            common = dict(D=self.d_model, H_n=self.qk_nope_head_dim, H_r=self.qk_rope_head_dim, H_v=self.v_head_dim,
                          N_q=self.heads, r_kv=self.kv_lora_rank)
            if self.q_lora_rank:
                return int(formulas.mla_attention_params(r_q=self.q_lora_rank, **common))
            return int(formulas.mla_attention_params_full_query(**common))
        biases = 0
        if self._has_bias("qkv"):   # a bias per output of the Q, K and V projections (and of O with "attention")
            biases += self.head_dim * (self.heads + 2 * self.kv_heads)
            if self.bias in ("attention", "all"):
                biases += self.d_model
        return int(formulas.attention_params(D=self.d_model, H=self.head_dim, K=self.kv_heads, N_q=self.heads)) + biases

    def _mlp_bias(self, width: int) -> int:
        """Biases of one MLP of ``width``: one per output of each matrix (gate and up: width each; down: D)."""
        return (MLP_MATRICES[self.mlp] - 1) * width + self.d_model if self._has_bias("mlp") and width else 0

    @property
    def expert_params(self) -> int:
        """Parameters of one routed expert (its matrices and biases); 0 for a dense model."""
        if not self.is_moe:
            return 0
        return int(formulas.expert_params(D=self.d_model, F_e=self.d_expert, n_mlp=MLP_MATRICES[self.mlp])) \
            + self._mlp_bias(self.d_expert)

    @property
    def extra_params(self) -> int:
        """P_x: biases outside the routed experts, a learned position table, an output bias (norms left out)."""
        dense_layers = self.layers - self.moe_layers
        extra = dense_layers * self._mlp_bias(self.d_ff) + self.positions * self.d_model
        if self.is_moe:
            router_bias = self.experts if self._has_bias("mlp") else 0
            extra += self.moe_layers * (self._mlp_bias(self.d_shared) + router_bias)
        return extra + (self.vocab if self.output_bias else 0)

    @property
    def param_count(self) -> int:
        """Exact parameters held in memory: attention, MLPs or every expert, embeddings, biases, positions,
        a vision tower (norm gains, about 0.002 %, left out)."""
        if self.is_dense_llama:
            return int(formulas.param_count(**self.symbols))
        s = self.moe_symbols
        del s["k"]
        return int(formulas.moe_param_count(**s))

    @property
    def active_param_count(self) -> int:
        """Parameters one generated token uses (its FLOPs are 2 per parameter): ``param_count`` for a dense
        text model; an MoE token uses k of the E experts, and no token runs the vision tower."""
        if self.is_dense_llama:
            return self.param_count
        s = self.moe_symbols
        del s["P_vis"]
        return int(formulas.moe_active_param_count(**s))

    @property
    def decode_param_count(self) -> int:
        """Parameters a decode step reads and multiplies: the active ones less an untied input embedding,
        of which a step only gathers one row per sequence (``formulas.decode_param_count``)."""
        s = self.symbols
        return int(formulas.decode_param_count(D=s["D"], P=self.active_param_count, V=s["V"], n_emb=s["n_emb"]))

    @property
    def readable_param_count(self) -> int:
        """The most a decode step can read: every text weight (all experts) but an untied input embedding."""
        return self.param_count - self.vision_params - (self.active_param_count - self.decode_param_count)

    @property
    def dense_param_count(self) -> int:
        """Parameters outside the routed experts, which every decode step reads (``active_param_count`` for a
        dense text model; an MoE model's active parameters add k experts per MoE layer)."""
        if not self.is_moe:
            return self.active_param_count
        s = self.moe_symbols
        del s["k"], s["P_vis"], s["P_e"]
        return int(formulas.moe_dense_param_count(**s))

    @property
    def layer_params(self) -> int:
        """Parameters of one dense decoder layer (attention + an MLP of width d_ff)."""
        return int(formulas.param_count(**{**self.symbols, "L": 1, "n_emb": 0}))

    # --- the KV cache ---------------------------------------------------------------------------
    def kv_bytes_per_token(self, dtype: str = "bf16") -> float:
        """KV-cache bytes per token with elements stored in ``dtype``, every layer counted (for MLA: the latent)."""
        b_kv = bytes_per_element(dtype, "kv")
        if self.is_mla:
            return formulas.kv_bytes_per_token_mla(H_r=self.qk_rope_head_dim, L=self.layers, b_kv=b_kv,
                                                   r_kv=self.kv_lora_rank)
        return formulas.kv_bytes_per_token(K=self.kv_heads, H=self.head_dim, L=self.layers, b_kv=b_kv)

    def kv_bytes_per_sequence(self, context, dtype: str = "bf16") -> float:
        """KV-cache bytes of one sequence of ``context`` tokens: a windowed layer keeps only its window."""
        kv = self.kv_bytes_per_token(dtype)
        if not self.window_layers:
            return formulas.kv_bytes_per_sequence(S=context, kv=kv)
        return formulas.kv_bytes_per_sequence_windowed(L=self.layers, L_w=self.window_layers, S=context,
                                                       S_w=self.window, kv=kv)

    @property
    def attention(self) -> dict:
        """The attention in words and counts: kind (full, sliding or mla), window, layers of each, latent width."""
        kind = "mla" if self.is_mla else "sliding" if self.window_layers else "full"
        return {"kind": kind, "window": self.window or None, "full_layers": self.layers - self.window_layers,
                "sliding_layers": self.window_layers,
                "latent_width": self.kv_lora_rank + self.qk_rope_head_dim if self.is_mla else None}

    def to_dict(self) -> dict:
        data = asdict(self)
        data["notes"] = list(self.notes)
        data["param_count"] = self.param_count
        data["active_param_count"] = self.active_param_count
        data["attention"] = self.attention
        data["kv_bytes_per_token"] = {d: self.kv_bytes_per_token(d) for d in BYTES}
        return data


_META = "Meta's Hugging Face config.json"
PRESETS = {
    m.name: m
    for m in (
        Model("llama-3-8b", 32, 4096, 14336, 32, 8, 128, 128256, source=_META),
        Model("llama-3-70b", 80, 8192, 28672, 64, 8, 128, 128256,
              source=_META + "; table in How to Scale Your Model, Part 8"),
        Model("llama-3.1-405b", 126, 16384, 53248, 128, 8, 128, 128256, source=_META),
    )
}

_HF = "config.json of huggingface.co/"
#: Real architectures beyond dense LLaMA (chapter 13), from their published configs. They stay out of
#: ``PRESETS`` (``servingmath.MODELS``), whose dense models the chapters' explorers offer.
ARCHITECTURE_PRESETS = {
    m.name: m
    for m in (
        Model("mixtral-8x7b", 32, 4096, 14336, 32, 8, 128, 32000, experts=8, experts_per_token=2, d_expert=14336,
              moe_layers=32, max_context=32768,
              source=_HF + "mistralai/Mixtral-8x7B-v0.1 (46.7e9 total, 12.9e9 active in Mistral's announcement)"),
        Model("deepseek-v3", 61, 7168, 18432, 128, 128, 192, 129280, experts=256, experts_per_token=8, d_expert=2048,
              d_shared=2048, moe_layers=58, q_lora_rank=1536, kv_lora_rank=512, qk_nope_head_dim=128,
              qk_rope_head_dim=64, v_head_dim=128, max_context=163840,
              notes=("the multi-token-prediction module (num_nextn_predict_layers=1, 14e9 parameters on the Hub) "
                     "is not counted: transformers does not load it",),
              source=_HF + "deepseek-ai/DeepSeek-V3 (671e9 total, 37e9 active in its model card)"),
        Model("qwen3-235b-a22b", 94, 4096, 12288, 64, 4, 128, 151936, experts=128, experts_per_token=8,
              d_expert=1536, moe_layers=94, max_context=40960,
              source=_HF + "Qwen/Qwen3-235B-A22B (235e9 total, 22e9 active in its model card)"),
        Model("gemma-3-27b", 62, 5376, 21504, 32, 16, 128, 262208, tied_embeddings=True, window=1024, window_layers=52,
              max_context=131072,
              source=_HF + "google/gemma-3-27b-it, text_config (vocab_size and tied embeddings: Gemma3TextConfig's "
                     "defaults); the text model: its 0.4e9-parameter SigLIP vision tower is not counted"),
        Model("gpt-oss-120b", 36, 2880, 2880, 64, 8, 64, 201088, bias="all", experts=128, experts_per_token=4,
              d_expert=2880, moe_layers=36, window=128, window_layers=18, max_context=131072,
              source=_HF + "openai/gpt-oss-120b (116.83e9 total; OpenAI's 5.13e9 active leaves out the input "
                     "embedding, which this count keeps, as for a dense model)"),
    )
}

#: Every preset ``get_model`` knows.
ALL_PRESETS = {**PRESETS, **ARCHITECTURE_PRESETS}

#: The fields of our JSON format, in order (``name`` and ``source`` come from the file).
JSON_FIELDS = tuple(f.name for f in fields(Model) if f.name not in ("name", "source"))


def model_from_dict(data, name: str = "custom", source: str = "") -> Model:
    """A model from our field names or from a Hugging Face config's keys (``configs.fields_from_dict``)."""
    return Model(source=source, **fields_from_dict(data, name, JSON_FIELDS, FIELDS[:-1]))


def load_model_file(path) -> Model:
    """A model from a JSON file (our fields, or a Hugging Face ``config.json``) or a snapshot directory."""
    data, name, source = read_config(path)
    return model_from_dict(data, name=name, source=source)


def get_model(name) -> Model:
    """A preset by name, a ``Model`` passed through, or a path to a ``.json`` config or a model directory."""
    if isinstance(name, Model):
        return name
    if isinstance(name, (str, Path)) and str(name) not in ALL_PRESETS and (str(name).endswith(".json") or _exists(name)):
        return load_model_file(name)
    return ALL_PRESETS[check_choice("model", name, ALL_PRESETS)]


def _exists(path) -> bool:
    try:
        return Path(str(path)).exists()
    except (OSError, ValueError):   # a name too long for the file system, or with a NUL byte: not a file
        return False
