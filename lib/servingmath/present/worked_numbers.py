"""Chapter 03 in words: the decode-step explorer's titles, bar labels and text."""

from ..analysis.worked_numbers import WorkedStep
from .tables import fit_message
from .units import gb, ms


def step_title(r: WorkedStep) -> str:
    """The step panel's title: the step time and its bound (empty when nothing fits)."""
    return f"step = max(weights, FLOPs) + KV\n= {ms(r.terms.step)}, {r.plan.bound}-bound" if r.plan.fits else ""


def bar_labels(r: WorkedStep) -> list:
    """Labels of the weight-read, FLOPs, KV-read and step bars; the shorter overlapping term says so."""
    if not r.plan.fits:
        return [""] * 4
    t, win = r.terms, r.terms.flops_win
    words = (", overlapped" if win else "", "" if win else ", overlapped", "", "")
    return [f" {ms(value)}{word}" for value, word in zip((t.params, t.flops, t.kv, t.step), words)]


def step_text(r: WorkedStep) -> str:
    p, t = r.plan, r.terms
    head = (f"{p.model} on {p.chips} x {p.chip}: weights {p.weights}, KV {p.kv_dtype}\n"
            f"batch {p.batch}, context {p.context:,}")
    memory = (f"memory: weights {gb(p.param_bytes, 4)} + KV caches {gb(p.kv_bytes, 4)} = {gb(p.total_bytes, 4)}\n"
              f"{fit_message(p)}")
    if not p.fits:
        room = (f"at most {p.max_batch} sequences of {p.context:,} tokens fit beside the weights"
                if p.max_batch else "the weights alone do not fit")
        return "\n".join((head, memory, room))
    relation = ">" if p.batch > p.critical_batch else "<="
    step = (f"step: max(weight read {ms(t.params)}, FLOPs {ms(t.flops)}) + KV read {ms(t.kv)} "
            f"= {ms(t.step)}\n{p.bound}-bound: B = {p.batch} {relation} B_crit = {p.critical_batch:.0f}")
    speed = f"throughput: {p.tokens_per_s:,.0f} tokens/s = {p.tokens_per_s_per_chip:,.0f} tokens/s/chip"
    return "\n".join((head, memory, step, speed))
