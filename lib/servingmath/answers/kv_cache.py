"""Answers to the exercises of chapter 02, the KV cache."""

from ..analysis.kv_cache import crossover_context
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS
from ..core.models import PRESETS as MODELS
from . import Answer

_70B, _8B, _V5E = MODELS["llama-3-70b"], MODELS["llama-3-8b"], CHIPS["tpu-v5e-article"]

ANSWERS = {
    "kv-cache-1": Answer(lambda: _8B.kv_bytes_per_token("bf16"), "bytes per token", 0.001,
                         "Compute KV bytes per token from a model's attention shapes."),
    "kv-cache-2": Answer(lambda: f.max_batch(HBM=_V5E.hbm_bytes, N=16, P=_70B.param_count, S=32768, b_w=1,
                                             kv=_70B.kv_bytes_per_token("int8")), "sequences", 0.001,
                         "Size a batch's KV caches against the HBM left beside the weights."),
    "kv-cache-3": Answer(lambda: crossover_context(_70B, 16, "bf16"), "tokens of context", 0.01,
                         "Find where the KV cache overtakes the weights."),
}
