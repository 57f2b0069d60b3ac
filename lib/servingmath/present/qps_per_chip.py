"""Chapter 06 in words: the QPS explorer's titles, ticks and text."""

from ..analysis.qps_per_chip import QpsOverContext
from .units import ms, num


def context_ticks(contexts) -> list:
    """Contexts in thousands of tokens (binary): 1k, 4k, ..., 128k."""
    return [f"{int(s) // 1024}k" for s in contexts]


def qps_title(q: QpsOverContext) -> str:
    return f"{q.chip.label}, smallest slice, HBM full, {q.decode:,} tokens per request"


def cost_title(q: QpsOverContext) -> str:
    return f"at ${q.chip.price_per_hour:g} per chip-hour, busy all the time"


def qps_text(q: QpsOverContext) -> str:
    r = q.here[q.precision]
    if r.batch < 1:
        return f"{q.precision} at {q.context:,} tokens: not one sequence fits beside the weights on {r.chips} chips"
    return (f"{q.precision} on {r.chips} chips at context {q.context:,}: max batch {r.batch}, step {ms(r.step)}\n"
            f"QPS/chip = {r.batch} / ({ms(r.step)} x {q.decode:,} x {r.chips}) = {num(r.qps_per_chip)}\n"
            f"the source's realistic guess, half: {num(q.realistic_here)}\n"
            f"{num(r.tokens_per_s_per_chip)} tokens/s/chip = ${r.cost_per_million:.2f} per million tokens")
