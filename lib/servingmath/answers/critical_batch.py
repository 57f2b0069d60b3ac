"""Answers to the exercises of chapter 04, critical batch sizes by precision."""

from ..analysis.critical_batch import critical_batch
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS
from ..core.models import PRESETS as MODELS
from . import Answer

_70B, _V5E = MODELS["llama-3-70b"], CHIPS["tpu-v5e-article"]


def v5e_bf16_ridge() -> float:
    """The exact ridge of LLaMA 3-70B's 8192 x 28672 MLP matmul on TPU v5e, bf16, activations counted."""
    return f.matmul_ridge(C=_V5E.flops_bf16, D=_70B.d_model, F=_70B.d_ff, W_hbm=_V5E.hbm_bw, b_a=2, b_w=2)


ANSWERS = {
    "critical-batch-1": Answer(lambda: critical_batch(CHIPS["h100"], "fp8", "fp8"), "tokens per step (sequences)",
                               0.01, "Compute B_crit for a chip and a precision pair."),
    "critical-batch-2": Answer(lambda: critical_batch(_V5E, "int4", "int8"), "tokens per step (sequences)",
                               0.01, "Tell which precision changes move B_crit and which cancel."),
    "critical-batch-3": Answer(v5e_bf16_ridge, "tokens per step (sequences)", 0.01,
                               "Solve T_compute = T_memory for B with SymPy."),
}
