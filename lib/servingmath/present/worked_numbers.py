"""Chapter 03 in words: its memory and step tables, the audit's one-input-at-a-time table, the decode-step
explorer's titles, bar labels and text."""

from ..analysis.plan import Plan
from ..analysis.worked_numbers import StepTerms, WorkedStep, roofline_step
from ..article import ARTICLE_INPUTS
from ..core.hardware import PRESETS as CHIPS, get_chip
from ..core.models import PRESETS as MODELS
from .tables import Table, fit_message, table
from .units import gb, ms


def memory_table(p: Plan) -> Table:
    """What a deployment holds (weights, caches) against its chips' HBM, and the smallest slice that holds it."""
    chip = get_chip(p.chip)
    per_chip = p.hbm_bytes / p.chips
    rows = [("weights", "P b_w", gb(p.param_bytes, 4)),
            ("KV caches", "B S KV", gb(p.kv_bytes, 4)),
            ("total", "", gb(p.total_bytes, 4)),
            ("chips' worth of HBM", f"total / {gb(per_chip)}", f"{p.total_bytes / per_chip:.2f}"),
            ("smallest valid slice", "", f"{p.min_slice_chips} chips ({chip.shape_name(p.min_slice_chips)})"),
            ("HBM left on it", "activations, runtime", gb(p.hbm_bytes - p.total_bytes, 3))]
    return table(rows, ("quantity", "formula", "value"))


def step_terms_table(t: StepTerms, p: Plan) -> Table:
    """The three terms of a decode step, the overlap of two of them, and the step."""
    rows = [("weight read", "P b_w / (N W_hbm)", ms(t.params)),
            ("matmul FLOPs", "2 B P / (N C)", ms(t.flops)),
            ("KV read", "B S KV / (N W_hbm)", ms(t.kv)),
            ("step", "max(weights, FLOPs) + KV", ms(t.step))]
    return table(rows, ("term", "formula", f"B = {p.batch}, N = {p.chips}"))


def audit_tables() -> list:
    """Chapter 03's roundings taken apart: the batch-32 step with one of the article's inputs replaced at a time."""
    a, llama = ARTICLE_INPUTS, MODELS["llama-3-70b"]
    article, source = CHIPS["tpu-v5e-article"].hbm_bw, CHIPS["tpu-v5e-source"].hbm_bw
    P_a, kv_a, kv, P = a["params"], a["kv_int8_per_token"], llama.kv_bytes_per_token("int8"), llama.param_count
    read = llama.decode_param_count
    theirs = roofline_step(P_a, kv_a, article)
    rounded = roofline_step(P_a, kv_a, article, step=a["step_17ms"])
    steps = [(f"article: P {P_a / 1e9:g}e9, KV {kv_a / 1e3:g}e3 B, W {article / 1e11:g}e11", theirs),
             (f"+ exact KV ({kv:,.0f} B/token)", roofline_step(P_a, kv, article)),
             (f"+ exact P ({P / 1e9:.2f}e9)", roofline_step(P, kv, article)),
             ("+ read without the input embedding", roofline_step(P, kv, article, read=read)),
             (f"+ 2026 W ({source / 1e11:g}e11 B/s)", roofline_step(P, kv, source, read=read))]
    rows = [(label, gb(r.memory, 4), ms(r.step, 4), f"{r.tokens_per_s_per_chip:.1f}") for label, r in steps]
    rows.insert(1, (f"article's step rounded to {ms(rounded.step)}", "", ms(rounded.step, 4),
                    f"{rounded.tokens_per_s_per_chip:.1f}"))
    return [("Batch 32, 8k, int8 on eight v5e chips: the article's inputs replaced by the exact ones one at a "
             "time (the second row feeds the article's rounded 17 ms back into the throughput).",
             table(rows, ("inputs", "memory", "step", "tok/s/chip")))]


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
