"""Chapter 09's words: its tables, the explorer's text and titles, the measured MFU's summary (from
``analysis.prefill``)."""

from ..analysis.prefill import (ARTICLE_MFU, ATTENTION_SHARE, V5E, MeasuredMfu, Prefill, PrefillCurves,
                                prefill_numbers)
from ..core import formulas as f
from ..core.hardware import Chip
from ..data.measured import RUNS
from .tables import Table, table
from .units import gb, ms, num


def ttft_table(prompts, chip_counts, chip: Chip = V5E, ici: bool = False) -> Table:
    """TTFT with attention at the article's MFU, prompt by chip count; ``ici``: the collectives overlapped with
    the matmuls, "(ICI)" where they are the slower."""
    def cell(p, n):
        r = prefill_numbers(chip=chip, chips=n, prompt=p)
        return f"{r.ttft_ici:.3g} s" + (" (ICI)" if r.ici_bound else "") if ici else f"{r.ttft:.3g} s"
    return table([[f"{p:,}"] + [cell(p, n) for n in chip_counts] for p in prompts],
                 ["prompt tokens"] + [f"{n} x v5e" for n in chip_counts])


def measured_mfu_table(mfu: MeasuredMfu) -> Table:
    """The measured MFU per prompt length: each run, the median, the runs' spread, the matmul-only reading."""
    rows = [(f"{int(t):,}", *(f"{mfu.runs[r][i]:.1%}" for r in RUNS), f"{mfu.median[i]:.1%}",
             f"{100 * mfu.spread[i]:.1f} pts", f"{mfu.matmul_median[i]:.1%}") for i, t in enumerate(mfu.tokens)]
    return table(rows, ("prompt T", *RUNS, "median", "spread", "median, matmuls only"),
                 title=f"peak: {mfu.chip.label}, {mfu.chip.flops_bf16:.3g} FLOP/s (bf16, dense)")


def eviction_table(B: int, T: int, G: int) -> Table:
    """Sequences finishing, and cache tokens freed, per decode step."""
    return table([("sequences finishing per step", f"{f.sequences_finished_per_step(B=B, G=G):.4g}"),
                  ("cache tokens freed per step", f"{f.tokens_evicted_per_step(B=B, T=T, G=G):.4g}")],
                 ("quantity", "value"))


def continuous_table(cases: list) -> Table:
    """Continuously batched decode servers (``analysis.prefill.continuous_batch``), one arrival rate a row."""
    return table([(f"{c.rate:g}", f"{c.batch:.1f}", ms(c.step_time), f"{c.tokens_per_s_per_chip:.0f}",
                   "yes" if c.batch <= c.max_batch else f"no (at most {c.max_batch})") for c in cases],
                 ("requests/s", "batch in flight", "step", "tokens/s/chip", "caches fit"))


def chunk_table(cases: list) -> Table:
    """A prompt prefilled in chunks along a decode batch (``analysis.prefill.chunked_prefill``), a chunk a row."""
    return table([(f"{c.chunk:,}", ms(c.step_time_chunked), f"+{ms(c.rise)}", c.steps, f"{c.prefill_time:.3g} s")
                  for c in cases], ("chunk T_c", "decode step", "rise", "steps for the prompt", "prompt done after"))


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
