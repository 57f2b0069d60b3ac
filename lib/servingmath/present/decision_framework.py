"""Chapter 11's words: the plan card, the figure's title and note, the recipe's table (from ``analysis``)."""

import textwrap

from ..analysis.framework import TargetedPlan
from ..analysis.plan import Plan
from ..core.hardware import Chip
from .tables import Table, fit_message, table
from .units import duration, gb, ms, num

#: Where each step of the framework is derived (chapter files, for the card's last column).
STEP_CHAPTERS = {
    "precision": "04",
    "topology": "05",
    "batch": "05, 07",
    "latency": "03, 04",
    "throughput": "06",
    "cost": "01",
    "ici": "08",
    "prefill": "09, 10",
}

#: Each step of the recipe: its label, the article's rule, the corrected rule.
RECIPE_RULES = {
    1: ("1 precision: B_crit", "120 (int8 + bf16), else 240", "C b_w / (2 W_hbm)"),
    2: ("2 min topology", "ceil(weights / 16 GB)", "smallest slice: weights + 1 sequence"),
    3: ("3 max batch", "(N x 16 GB - weights) / KV_seq", "floor((N HBM - P b_w) / (S KV))"),
    4: ("4 step latency", "16 GB / W_hbm", "KV read + max(FLOPs, weight read) + collectives"),
    5: ("5 ICI-safe", "Y < min(2F/alpha, F/(beta B))", "the step's 4L collectives vs the rest of the step"),
    6: ("6 prefill:generate", "T_prefill / (B / decode_rate)", "T_prefill B / (T_step G)"),
}


def slice_name(chip: Chip, chips: int) -> str:
    """"16 chips (4x4)", "8 GPUs": a slice of ``chip``, with its shape on a 2D torus."""
    shape = chip.shape_name(chips)
    unit = "GPU" if chip.is_gpu else "chip"
    name = f"{chips} {unit}{'s' if chips != 1 else ''}"
    return f"{name} ({shape})" if shape else name


#: Characters a line of the plan card holds (the page's monospace width); longer results wrap under themselves.
CARD_WIDTH = 80


def _line(label: str, text: str, chapters: str = "") -> str:
    head = f"{label} ({chapters})" if chapters else label
    return textwrap.fill(f"{head:<19}{text}", CARD_WIDTH, subsequent_indent=" " * 19)


def plan_card(tp: TargetedPlan, chip: Chip) -> str:
    """The plan card: the six steps of the framework for one deployment on ``chip`` (the plan's), as text.

    Each line is one step (with the chapters that derive it in brackets) and its result.
    """
    p, ici = tp.plan, tp.ici
    target = "no latency target" if tp.target_s is None else f"target {ms(tp.target_s)} per output token"
    lines = [textwrap.fill(f"PLAN  {p.model} on {chip.label}: {slice_name(chip, p.chips)}", CARD_WIDTH,
                           subsequent_indent=" " * 6),
             f"      weights {p.weights}, KV {p.kv_dtype}, FLOPs {p.compute}; context {p.context:,}",
             f"      decode {p.decode:,}; {target}",
             "step (chapters)    result"]
    regime = "compute" if p.critical_batch < 1 else "memory"
    lines.append(_line("1 B_crit", f"{num(p.critical_batch)} sequences; a smaller batch is {regime}-bound",
                       STEP_CHAPTERS["precision"]))
    n_min = tp.full.min_chips
    worth = f"{n_min} chip{'s' if n_min != 1 else ''}' worth"
    needed = (worth if tp.full.min_slice_chips == n_min else
              f"{worth}; the smallest slice is {slice_name(chip, tp.full.min_slice_chips)}")
    lines.append(_line("2 topology", f"{gb(p.param_bytes)} weights + one {gb(p.kv_bytes_per_sequence)} sequence: "
                       f"{needed}", STEP_CHAPTERS["topology"]))
    if p.reserve:
        lines.append(_line("", f"{gb(p.reserve)} per chip kept back for activations and the runtime"))
    if tp.batch_reason == "does not fit":
        lines.append(_line("3 batch", f"none: {fit_message(p)} on {p.chips} chips", STEP_CHAPTERS["batch"]))
        lines.append(_line("", "choose a larger slice or fewer bytes per weight"))
        return "\n".join(lines)
    batch_note = {
        "memory": "HBM full" if tp.target_s is None else f"HBM full, and it meets {ms(tp.target_s)}",
        "latency": f"the largest that meets {ms(tp.target_s or 0)}",
        "misses target": "no batch meets the target; one shown",
        "ICI": "capped where the slice turns ICI-bound",
        "ICI-bound": "ICI-bound even at one sequence",
    }[tp.batch_reason]
    lines.append(_line("3 batch", f"{p.max_batch} fit in {gb(p.hbm_bytes)}; batch {p.batch}: {batch_note}",
                       STEP_CHAPTERS["batch"]))
    if tp.batch_reason == "misses target":
        bigger = ("no slice of this chip is fast enough" if tp.slice_meeting_target is None
                  else f"one meets it on {slice_name(chip, tp.slice_meeting_target)}")
        lines.append(_line("", f"even one sequence takes {ms(tp.step_at_one)}; {bigger}"))
    lines.append(_line("4 latency", f"{ms(p.step_time_s)} per token ({p.bound}-bound); "
                       f"{ms(tp.full.step_time_s)} at the max batch", STEP_CHAPTERS["latency"]))
    lines.append(_line("  throughput", f"{num(p.tokens_per_s)} tokens/s = {num(p.tokens_per_s_per_chip)} "
                       f"tokens/s/chip; {num(p.qps_per_chip)} QPS/chip", STEP_CHAPTERS["throughput"]))
    cost = ("no price for this chip" if p.cost_per_million_tokens is None else
            f"${p.cost_per_million_tokens:.2f} per million tokens at ${chip.price_per_hour:g}/chip-hour, always busy")
    lines.append(_line("  cost", cost, STEP_CHAPTERS["cost"]))
    lines.append(_line("5 ICI", ici_line(tp), STEP_CHAPTERS["ici"]))
    if p.chips > 1:
        lines.append(_line("", ici_detail(tp, chip)))
    lines.append(_line("6 P:G", f"prefill {duration(p.prefill_time_s)} ({p.prompt:,} tokens, MFU {p.mfu:g}): "
                       f"{num(p.prefill_decode_ratio)} prefill per decode server", STEP_CHAPTERS["prefill"]))
    return "\n".join(lines)


def ici_line(tp: TargetedPlan) -> str:
    """Step 5 in one line: the collectives against the rest of the step."""
    p, ici = tp.plan, tp.ici
    if p.chips == 1:
        return "one chip: nothing crosses ICI"
    verdict = "ICI-bound" if ici.binding else "not ICI-bound"
    counted = "counted in the step" if p.ici == "count" else "not counted (--ici ignore)"
    return (f"{verdict}: collectives {ms(ici.ici_time_s)} vs {ms(ici.roofline_step_s)} for the rest "
            f"({counted})")


def ici_detail(tp: TargetedPlan, chip: Chip) -> str:
    """The links the collectives use, and whether they are latency-bound."""
    p, ici = tp.plan, tp.ici
    if ici.axis_wraparound is None:
        links = "one ring" if not chip.is_gpu else "NVLink through the switch"
    else:
        kinds = {"ring" if w else "open line" for w in ici.axis_wraparound}
        links = (f"{ici.shape} chips, " + ("both axes " + kinds.pop() + "s" if len(kinds) == 1
                                             else "one axis a ring, one an open line"))
    latency = "; latency-bound (hops cost more than bytes)" if ici.latency_bound else ""
    return f"{4 * p.links[5]} collectives on {links}{latency}"


def plan_title(p: Plan, chip: Chip) -> str:
    """The figure's title: model, slice, dtypes and context."""
    return (f"{p.model}, {slice_name(chip, p.chips)} of {p.chip}; "
            f"{p.weights}/{p.kv_dtype}/{p.compute}, context {p.context:,}")


def plan_note(tp: TargetedPlan) -> str:
    """What the figure says over the curve: why nothing is planned, or nothing."""
    if not tp.plan.fits:
        return fit_message(tp.plan)
    return "no batch meets the target" if tp.batch_reason == "misses target" else ""


def recipe_rows(steps: list, chip: Chip) -> list:
    """(step, article's rule, its value, corrected rule, its value) for each ``RecipeStep`` on ``chip``."""
    ok = lambda safe: "safe" if safe else "ICI-bound"
    values = {
        1: lambda s: (num(s.article), num(s.corrected)),
        2: lambda s: (f"{s.article} chips", slice_name(chip, s.corrected)),
        3: lambda s: (f"{s.article} on {s.article_chips} chips", f"{s.corrected} on {s.corrected_chips} chips"),
        4: lambda s: (ms(s.article), f"{ms(s.corrected)} ({s.bound}-bound)"),
        5: lambda s: (f"{s.article_chips} vs {num(s.article)}: {ok(s.article_safe)}",
                      f"collectives {s.corrected:.0%} of the step: {ok(s.corrected_safe)}"),
        6: lambda s: (num(s.article), num(s.corrected)),
    }
    rows = []
    for s in steps:
        label, article_rule, rule = RECIPE_RULES[s.step]
        article, corrected = values[s.step](s)
        rows.append((label, article_rule, article, rule, corrected))
    return rows


def recipe_table(steps: list, chip: Chip) -> Table:
    """The recipe side by side: two lines per step, the article's and the corrected one."""
    rows = []
    for step, article_rule, article_value, rule, value in recipe_rows(steps, chip):
        rows += [(step, "article", article_rule, article_value), ("", "corrected", rule, value)]
    return table(rows, ("step", "recipe", "formula", "gives"))


def tradeoff_table(rows: list) -> Table:
    """The source's tradeoff example, one line per ``TradeoffRow``: the full batch and the code's."""
    return table([(f"{r.context:,}", r.max_batch, ms(r.latency_1), ms(r.latency_max), f"{r.tokens_per_ms_per_chip:.2f}",
                   "KV" if r.kv_over_flops else "FLOPs", r.snippet_batch, ms(r.snippet_latency)) for r in rows],
                 ("context S", "max B", "latency B=1", "latency max B", "tokens/ms/chip at max B",
                  "larger at max B", "code's max B", "code's latency"))
