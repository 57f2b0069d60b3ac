"""Answers to the exercises of chapter 13, beyond dense LLaMA: serving MoE and MLA models."""

from ..analysis.beyond_dense import H200, critical_batch, experts_touched
from ..core.models import ARCHITECTURE_PRESETS as MODELS
from . import Answer

_QWEN, _GEMMA, _MIXTRAL = MODELS["qwen3-235b-a22b"], MODELS["gemma-3-27b"], MODELS["mixtral-8x7b"]

ANSWERS = {
    "beyond-dense-1": Answer(lambda: experts_touched(_QWEN, 16), "experts per MoE layer", 0.01,
                             "Derive the experts a decode batch touches and the weight bytes it reads."),
    "beyond-dense-2": Answer(lambda: _GEMMA.kv_bytes_per_sequence(131072, "bf16") / 1e9, "GB (1e9 bytes)", 0.01,
                             "Size a sliding-window KV cache at a given context."),
    "beyond-dense-3": Answer(lambda: critical_batch(_MIXTRAL, H200, "fp8", "fp8").moe, "sequences (tokens per step)",
                             0.01, "Find an MoE model's critical batch numerically and compare it with a dense one."),
}
