"""Chapter 06 in words: the tables of decode lengths and of a capacity plan, the audit's table of the QPS
input set by input set, and the QPS explorer's titles, ticks and text."""

from ..analysis.qps_per_chip import QpsOverContext, serving_row
from ..article import ARTICLE_INPUTS, DECODE, SOURCE_INPUTS
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS
from ..core.precision import SERVING_PRECISIONS
from .tables import Table, table
from .units import ms, num

#: The context of the chapter's tables.
CONTEXT = 8192


def _dollars(x) -> str:
    return "n/a" if x is None else f"${x:,.2f}"


def decode_table(rows: dict) -> Table:
    """``{G: {precision: ServingRow}}``: QPS per chip for each decode length, and the bf16 token rate and cost."""
    first = next(iter(rows.values()))
    return table([(f"{g:,}", *[num(by[p].qps_per_chip) for p in by], num(by["bf16"].tokens_per_s_per_chip),
                   _dollars(by["bf16"].cost_per_million)) for g, by in rows.items()],
                 ("G (tokens per request)", *[f"QPS/chip, {p} on {r.chips}" for p, r in first.items()],
                  "tokens/s/chip (bf16)", "$ per 1M tokens (bf16)"))


def capacity_table(plans: dict) -> Table:
    """``{precision: Capacity}``: the chips, dollars per hour and dollars per million requests of one load."""
    return table([(p, c.row.chips, num(c.row.qps_per_chip), c.copies, f"{c.chips:,}", _dollars(c.dollars_per_hour),
                   _dollars(c.cost_per_million_requests), _dollars(c.row.cost_per_million))
                  for p, c in plans.items()],
                 ("precision", "chips per copy", "QPS/chip", "copies", "chips", "$ per hour", "$ per 1M requests",
                  "$ per 1M tokens"))


def audit_tables() -> list:
    """The audit appendix's extra table: QPS per chip from each pair of batch and step (G = 512, 8,192 tokens)."""
    A, S, v5e = ARTICLE_INPUTS, SOURCE_INPUTS, CHIPS["tpu-v5e-article"]
    exact = {p: serving_row(p, CONTEXT, DECODE) for p in SERVING_PRECISIONS}
    chips = {p: r.chips for p, r in exact.items()}
    own_step = f.step_time_full_hbm(HBM=v5e.hbm_bytes, W_hbm=v5e.hbm_bw)
    sets = (("the article", A["batch_44"], A["step_20ms"], "0.27, 0.54, 1.07"),
            ("the article's batch, its own step", A["batch_44"], own_step, ""),
            ("the source", S["batch_43"], S["step_19ms"], "0.27, 0.55, 1.11"))
    rows = [(name, b, ms(t, 4), *[f"{f.qps_per_chip(B=b, G=DECODE, N=chips[p], T_step=t):.4f}" for p in chips],
             printed) for name, b, t, printed in sets]
    rows.append(("exact", exact["bf16"].batch, ms(exact["bf16"].step, 4),
                 *[f"{r.qps_per_chip:.4f}" for r in exact.values()], ""))
    return [(f"QPS per chip from each pair of batch and step ({DECODE} tokens per request, {CONTEXT:,} of context)",
             table(rows, ("inputs", "batch", "step", *[f"{p} on {n}" for p, n in chips.items()], "printed")))]


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
