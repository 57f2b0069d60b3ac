"""Answers to the exercises of chapter 11, the decision framework (the source's Part 8 problems 1-3).

The source leaves these three problems unanswered and underdetermined; each answer here fixes
its assumptions, which the chapter states with the exercise.
"""

from ..analysis.framework import plan_for_target
from ..analysis.plan import plan
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS
from ..core.models import PRESETS as MODELS
from . import Answer

#: Assumptions of exercise 2 (LLaMA 3-8B at batch 240): the source gives no context length.
EX2 = {"model": MODELS["llama-3-8b"], "chip": CHIPS["tpu-v5e"], "weights": "int8", "kv_dtype": "int8",
       "context": 8192}
EX2_BATCH = 240

#: Assumptions of exercise 3 (LLaMA 3.1-405B under 15 ms per token); besides these: pure model
#: parallelism over both axes of the slice, ICI-safe with the bidirectional link bandwidth.
EX3 = {"model": MODELS["llama-3.1-405b"], "chip": CHIPS["tpu-v5e-source"], "weights": "int8", "kv_dtype": "int8",
       "compute": "bf16", "context": 8192}
EX3_TARGET = 0.015
EX3_SLICES = (32, 64, 128, 256)


def flops_per_token(model=MODELS["llama-3.1-405b"]) -> float:
    """Matmul FLOPs of one token's forward pass: 2 per parameter (attention's QK and AV left out)."""
    return f.decode_flops(B=1, P=model.param_count)


def ex2_chips() -> int:
    """Smallest v5e slice holding LLaMA 3-8B's int8 weights and 240 int8 caches of 8,192 tokens."""
    return plan(batch=EX2_BATCH, **EX2).chips


def ex3_options(ici_safe: bool = True) -> list:
    """Exercise 3's candidates: each slice at the largest batch that meets 15 ms (and stays ICI-safe)."""
    return [plan_for_target(target_s=EX3_TARGET, chips=n, ici_safe=ici_safe, **EX3) for n in EX3_SLICES]


def ex3_best(ici_safe: bool = True):
    """The candidate with the most tokens/s per chip (fewest chips on a tie to 0.1 %)."""
    meeting = [t for t in ex3_options(ici_safe) if t.meets_target and (t.ici.safe or not ici_safe)]
    top = max(t.plan.tokens_per_s_per_chip for t in meeting)
    return min((t for t in meeting if t.plan.tokens_per_s_per_chip >= top * 0.999), key=lambda t: t.plan.chips)


ANSWERS = {
    "decision-framework-1": Answer(flops_per_token, "FLOPs per token", 0.02,
                                   "Bound a forward pass by its FLOPs and by its weight read."),
    "decision-framework-2": Answer(ex2_chips, "chips (a valid v5e slice)", 0.01,
                                   "Run steps 2-3: size weights + caches and round up to a valid slice."),
    "decision-framework-3": Answer(lambda: ex3_best().plan.tokens_per_s_per_chip, "tokens/s per chip", 0.02,
                                   "Pick the batch and slice that meet a latency target at the most tokens per chip."),
}
