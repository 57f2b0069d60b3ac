"""Chapter 01 in words: the per-dollar tables, the cost explorer's titles and text."""

from ..analysis.hardware_choice import TokenCost
from .tables import table
from .units import num

#: What a chip without a price shows where its metrics would be.
NO_PRICE = "no price in the sources"
#: The mark beside the selected chip in the per-dollar panel.
SELECTED = "  \u25c0"


def _short(chip) -> str:
    """A chip's name without the family prefix: v5e, h100."""
    return chip.name.removeprefix("tpu-")


def rate_text(rate: float) -> str:
    """Tokens/s/chip: whole numbers from ten up, three figures below."""
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.3g}"


def per_dollar_table(rows) -> str:
    """Both metrics of each chip (``analysis.hardware_choice.compare``), beside the reference's."""
    ref = _short(rows[0].reference.chip)
    lines = []
    for r in rows:
        m = r.per_dollar
        rates = (r.chip.name, num(r.chip.flops_bf16), num(r.chip.hbm_bw))
        if m.price is None:
            lines.append(rates + ("none",) + ("n/a",) * 4)
        else:
            lines.append(rates + (f"${m.price:g}", num(m.flops_per_dollar), num(m.bytes_per_dollar),
                                  f"{r.flops:.2f}", f"{r.bytes:.2f}"))
    return table(lines, ("chip", "FLOP/s", "HBM B/s", "$/h", "FLOPs/$", "bytes/$", f"F vs {ref}", f"B vs {ref}"))


def tie_price_table(ties) -> str:
    """The prices at which each chip without a price ties the reference (``analysis.hardware_choice.tie_prices``)."""
    return table([(t.chip.label, f"${t.flops:.2f}", f"${t.bytes:.2f}") for t in ties],
                 ("chip (no price in the sources)", "ties on FLOPs/$", "ties on bytes/$"))


def cost_title(r: TokenCost) -> str:
    return f"{r.chip.label} at ${r.price:.2f}/h, busy {r.utilisation:.0%}"


def reference_label(r: TokenCost) -> str:
    return f"relative to {r.reference.chip.label} at ${r.reference.price:.2f}/h"


def chip_labels(r: TokenCost) -> list:
    """The per-dollar panel's chip names, the selected one marked."""
    return [row.chip.label + (SELECTED if row.chip.name == r.chip.name else "") for row in r.table]


def missing_labels(r: TokenCost) -> list:
    return [NO_PRICE if row.flops is None else "" for row in r.table]


def price_source(r: TokenCost) -> str:
    """Where the price comes from: the source's, none in the sources, or the reader's beside the source's."""
    listed = r.chip.price_per_hour
    if listed is None:
        return NO_PRICE
    return "the source's price" if r.price == listed else f"the source says ${listed:g}/h"


def cost_text(r: TokenCost) -> str:
    ref, p = _short(r.reference.chip), r.points
    return (f"{r.chip.label} at ${r.price:.2f} per chip-hour ({price_source(r)}), busy {r.utilisation:.0%}\n"
            f"FLOPs per dollar {num(r.mine.per_dollar.flops_per_dollar)} ({r.mine.flops:.2f}x {ref})\n"
            f"HBM bytes per dollar {num(r.mine.per_dollar.bytes_per_dollar)} ({r.mine.bytes:.2f}x {ref})\n"
            f"at {rate_text(r.rate)} tokens/s/chip: ${r.cost:.3g} per million tokens\n"
            f"compute ceiling, {rate_text(p.compute_ceiling)} tokens/s/chip: "
            f"${r.ceiling_cost:.3g} per million tokens\n"
            f"chapter 3 workload ({p.workload_chips} chips), {rate_text(p.workload)} tokens/s/chip: "
            f"${r.workload_cost:.3g} per million tokens")
