"""Answers to the exercises of chapter 01, the hardware choice."""

from ..analysis.hardware_choice import MODEL, WORKLOAD, break_even_price
from ..analysis.plan import plan
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS
from . import Answer

V5E, V6E, H100 = CHIPS["tpu-v5e"], CHIPS["tpu-v6e"], CHIPS["h100"]
#: Exercise 2's given: the article's 235 tokens/s/chip at batch 32 (its claim ``tput-bs32``).
ARTICLE_RATE = 235
#: Exercise 2's given: the fraction of the time traffic keeps the chip busy.
BUSY = 0.6

ANSWERS = {
    "hardware-choice-1": Answer(lambda: break_even_price(V6E, "flops"), "US dollars per chip-hour", 0.01,
                                "Compute FLOPs per dollar and invert it for a price."),
    "hardware-choice-2": Answer(lambda: f.cost_per_million_tokens(U=BUSY, c=V5E.price_per_hour, r=ARTICLE_RATE),
                                "US dollars per million tokens", 0.01,
                                "Turn a price, a utilisation and a throughput into a cost per token."),
    # $ per million tokens of the chapter 03 workload on its smallest H100 slice, at the source's price
    "hardware-choice-3": Answer(lambda: plan(MODEL, H100, **WORKLOAD).cost_per_million_tokens,
                                "US dollars per million tokens", 0.02,
                                "Use bytes per dollar, not FLOPs per dollar, when decode is bandwidth-bound."),
}
