"""Chapter 09's words: the explorer's text and titles, the measured MFU's summary (from ``analysis.prefill``)."""

from ..analysis.prefill import ARTICLE_MFU, ATTENTION_SHARE, MeasuredMfu, Prefill, PrefillCurves
from .units import gb, num


def tokens_label(tokens: float) -> str:
    """A prompt-length tick label, "8,192"."""
    return f"{int(tokens):,}"


def fit_error(here: Prefill) -> str:
    """Why the deployment cannot prefill the prompt: the weights and one cache overflow its HBM."""
    return (f"chips: {here.chips} x {here.chip.name} hold {gb(here.hbm_bytes)}, less than the {here.weights} "
            f"weights plus one {here.prompt:,}-token cache ({gb(here.bytes_needed)})")


def ttft_title(here: Prefill) -> str:
    return f"{here.chips} x {here.chip.label}, MFU {here.mfu:.0%}"


def share_title(here: Prefill) -> str:
    return f"{here.model.name}: the same at any chip count"


def share_label(share: float = ATTENTION_SHARE) -> str:
    return f"{100 * share:.0f} %"


def prefill_text(here: Prefill, curves: PrefillCurves) -> str:
    return (f"{here.model.name}, {here.prompt:,}-token prompt, {here.chips} x {here.chip.name}, MFU {here.mfu:.0%}, "
            f"{here.weights} weights\n"
            f"TTFT {num(here.ttft_matmul)} s from the matmuls alone (the article's formula)\n"
            f"TTFT {num(here.ttft)} s with attention (+{here.share:.1%}), {here.tokens_per_s:,.0f} tokens/s\n"
            f"attention reaches {ATTENTION_SHARE:.0%} of the matmul FLOPs at {curves.crossover:,.0f} tokens")


def measured_title(data: MeasuredMfu) -> str:
    return f"one LLaMA-3-70B layer, bf16, on {data.chip.label}"


def critical_label(data: MeasuredMfu) -> str:
    return f"critical batch {data.critical_batch:.0f}"


def article_mfu_label() -> str:
    return f"the article's {100 * ARTICLE_MFU:.0f} %"


def measured_text(data: MeasuredMfu) -> str:
    return (f"median MFU {data.median.min():.0%} to {data.median.max():.0%} "
            f"(highest at {data.best_tokens:,} tokens); the article assumes {ARTICLE_MFU:.0%}")
