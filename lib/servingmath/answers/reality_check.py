"""Answers to the exercises of chapter 12, the reality check."""

from ..analysis.plan import plan
from ..calibration.fit import h100_efficiency
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS
from ..data.measured import public_serving
from . import Answer

_70B = MODELS["llama-3-70b"]


def saturation_batch(chip: Chip = CHIPS["h100"], chips=1) -> float:
    """Batch at which the attention streams of one chip reach its streaming bandwidth (calibrated model)."""
    v = h100_efficiency().constants(chip)
    return f.attention_saturation_batch(K=_70B.kv_heads, N=chips, W_hbm=v["W_hbm"], w_s=v["w_s"])


def interactive_in_flight() -> float:
    """Little's law on MLPerf v5.0's interactive H200 run: sequences decoding at once on one GPU."""
    row = public_serving(id="mlperf-v50-h200-interactive")[0]
    return f.sequences_in_flight(r=row["tokens_per_s"] / row["system_chips"], N=1, T_step=row["value"])


def h200_step() -> float:
    """Calibrated step of LLaMA 3-70B in fp8 (weights, KV, FLOPs) on one H200, batch 64 at 4,096 tokens."""
    return plan(_70B, CHIPS["h200"], chips=1, weights="fp8", kv_dtype="fp8", compute="fp8", context=4096, batch=64,
                efficiency="measured").step_time_s


ANSWERS = {
    "reality-check-1": Answer(saturation_batch, "sequences", 0.03,
                              "Explain where the ideal roofline breaks on a real chip."),
    "reality-check-2": Answer(interactive_in_flight, "sequences per GPU", 0.02,
                              "Set public serving numbers against the planner."),
    "reality-check-3": Answer(h200_step, "seconds", 0.03,
                              "Predict a decode step with the calibrated model."),
}
