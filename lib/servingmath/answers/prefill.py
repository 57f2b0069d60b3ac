"""Answers to the exercises of chapter 09, prefill."""

import numpy as np

from .. import formulas as f
from ..chips import get_chip
from ..figures.prefill import attention_crossover, measured_prefill_mfu
from ..models import get_model
from . import Answer

_70B, _H100 = get_model("llama-3-70b"), get_chip("h100")


def h100_ttft(prompt: int = 8192, chips: int = 8) -> float:
    """Prefill time with attention on ``chips`` H100s at the median MFU measured at ``prompt`` tokens."""
    data = measured_prefill_mfu("h100")
    mfu = float(data["median"][int(np.flatnonzero(data["tokens"] == prompt)[0])])
    s = _70B.symbols
    return f.prefill_time_with_attention(C=_H100.flops_bf16, H=s["H"], L=s["L"], MFU=mfu, N=chips, N_q=s["N_q"],
                                         P=_70B.param_count, T=prompt)


ANSWERS = {
    "prefill-1": Answer(h100_ttft, "seconds", 0.02,
                        "Compute the prefill time from FLOPs, chips and a measured MFU."),
    "prefill-2": Answer(lambda: attention_crossover(_70B, 1.0), "tokens", 0.01,
                        "Find the prompt length where attention FLOPs stop being negligible."),
    "prefill-3": Answer(lambda: f.tokens_evicted_per_step(B=64, T=2048, G=256), "tokens per decode step", 0.001,
                        "Count the cache freed per decode step under continuous batching."),
}
