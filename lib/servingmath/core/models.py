"""Dense transformer configs and their exact sizes (chapter 02, the KV cache).

A model comes from a preset, from a JSON file with this module's field names, or
straight from a Hugging Face ``config.json`` (read from disk; nothing is downloaded).
"""

from dataclasses import asdict, dataclass
import json
from pathlib import Path

from . import formulas
from .checks import check_choice, check_count
from .precision import BYTES, bytes_per_element

FIELDS = ("layers", "d_model", "d_ff", "heads", "kv_heads", "head_dim", "vocab", "tied_embeddings")

#: Hugging Face config keys for each field (``head_dim`` defaults to d_model / heads).
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


@dataclass(frozen=True)
class Model:
    """A dense decoder with grouped-query attention and a gated (SwiGLU) MLP."""

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

    def __post_init__(self):
        where = f"model {self.name}: " if self.name else ""
        for key in FIELDS[:-1]:
            try:
                object.__setattr__(self, key, check_count(key, getattr(self, key)))
            except ValueError as err:
                raise ValueError(where + str(err)) from None
        if not isinstance(self.tied_embeddings, bool):
            raise ValueError(f"{where}tied_embeddings: expected true or false, got {self.tied_embeddings!r}")
        if self.heads % self.kv_heads:
            raise ValueError(f"{where}kv_heads: {self.kv_heads} does not divide heads={self.heads}")

    @property
    def symbols(self) -> dict:
        """The model's values for the formula symbols L, D, F, N_q, K, H, V, E."""
        return {"L": self.layers, "D": self.d_model, "F": self.d_ff, "N_q": self.heads, "K": self.kv_heads,
                "H": self.head_dim, "V": self.vocab, "E": 1 if self.tied_embeddings else 2}

    @property
    def param_count(self) -> int:
        """Exact parameters: attention, gated MLP and embeddings (RMSNorm gains, ~0.002 %, left out)."""
        s = self.symbols
        return int(formulas.param_count(**s))

    @property
    def layer_params(self) -> int:
        """Parameters of one decoder layer (attention + MLP)."""
        return int(formulas.param_count(**{**self.symbols, "L": 1, "E": 0}))

    def kv_bytes_per_token(self, dtype: str = "bf16") -> float:
        """KV-cache bytes per token with elements stored in ``dtype``."""
        return formulas.kv_bytes_per_token(K=self.kv_heads, H=self.head_dim, L=self.layers,
                                           b_kv=bytes_per_element(dtype, "kv"))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["param_count"] = self.param_count
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


def model_from_dict(data: dict, name: str = "custom", source: str = "") -> Model:
    """A model from our field names or from a Hugging Face config's keys."""
    if not isinstance(data, dict):
        raise ValueError(f"model {name}: expected a JSON object with fields {', '.join(FIELDS)}")
    if "num_hidden_layers" in data or "hidden_size" in data:
        values = {}
        for key, hf in HF_KEYS.items():
            if hf in data:
                values[key] = data[hf]
        values.setdefault("tied_embeddings", False)
        if "head_dim" not in values and "hidden_size" in data and "num_attention_heads" in data:
            values["head_dim"] = check_count("hidden_size", data["hidden_size"]) // check_count(
                "num_attention_heads", data["num_attention_heads"])
        keys = HF_KEYS
    else:
        values = {k: data[k] for k in FIELDS if k in data}
        values.setdefault("tied_embeddings", False)
        keys = {k: k for k in FIELDS}
    missing = [keys[k] for k in FIELDS if k not in values]
    if missing:
        raise ValueError(f"model {name}: missing field {', '.join(repr(m) for m in missing)}")
    return Model(name=str(data.get("name", name)), source=source, **values)


def load_model_file(path) -> Model:
    """A model from a JSON file (our fields, or a Hugging Face ``config.json``)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"model: no such file {str(path)!r}")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"model: {path.name} is not JSON ({err.__class__.__name__}: line "
                         f"{getattr(err, 'lineno', '?')})") from None
    return model_from_dict(data, name=path.stem, source=f"file {path.name}")


def get_model(name) -> Model:
    """A preset by name, a ``Model`` passed through, or a path to a ``.json`` config file."""
    if isinstance(name, Model):
        return name
    if isinstance(name, (str, Path)) and (str(name).endswith(".json") or Path(str(name)).is_file()):
        return load_model_file(name)
    return PRESETS[check_choice("model", name, PRESETS)]
