"""Answers to the exercises of chapter 01, the hardware choice."""

from .. import formulas as f
from ..article import claims
from ..chips import get_chip
from ..figures.hardware_choice import WORKLOAD, break_even_price
from ..plan import plan
from . import Answer


def _h100_workload_cost() -> float:
    """$ per million tokens of the chapter 03 workload on its smallest H100 slice, at the source's price."""
    h100 = get_chip("h100")
    p = plan(chip=h100, **WORKLOAD)
    return f.cost_per_million_tokens(U=1, c=h100.price_per_hour, r=p.tokens_per_s_per_chip)


ANSWERS = {
    "hardware-choice-1": Answer(lambda: break_even_price("tpu-v6e", "flops"), "US dollars per chip-hour", 0.01,
                                "Compute FLOPs per dollar and invert it for a price."),
    "hardware-choice-2": Answer(lambda: f.cost_per_million_tokens(U=0.6, c=get_chip("tpu-v5e").price_per_hour,
                                                                  r=claims()["tput-bs32"].stated_value),
                                "US dollars per million tokens", 0.01,
                                "Turn a price, a utilisation and a throughput into a cost per token."),
    "hardware-choice-3": Answer(_h100_workload_cost, "US dollars per million tokens", 0.02,
                                "Use bytes per dollar, not FLOPs per dollar, when decode is bandwidth-bound."),
}
