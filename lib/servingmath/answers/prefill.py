"""Answers to the exercises of chapter 09, prefill."""

from ..analysis.prefill import H100, LLAMA, attention_crossover, measured_prefill_mfu, prefill_numbers
from ..core import formulas as f
from . import Answer


def h100_ttft(prompt: int = 8192, chips: int = 8) -> float:
    """Prefill time with attention on ``chips`` H100s at the median MFU measured at ``prompt`` tokens."""
    mfu = measured_prefill_mfu(H100).at(prompt)
    return prefill_numbers(LLAMA, H100, chips, mfu, prompt=prompt).ttft


ANSWERS = {
    "prefill-1": Answer(h100_ttft, "seconds", 0.02,
                        "Compute the prefill time from FLOPs, chips and a measured MFU."),
    "prefill-2": Answer(lambda: attention_crossover(LLAMA, 1.0), "tokens", 0.01,
                        "Find the prompt length where attention FLOPs stop being negligible."),
    "prefill-3": Answer(lambda: f.tokens_evicted_per_step(B=64, T=2048, G=256), "tokens per decode step", 0.001,
                        "Count the cache freed per decode step under continuous batching."),
}
