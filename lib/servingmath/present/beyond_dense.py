"""Chapter 13 in words: the tables of MoE, MLA and sliding-window models, and the explorer's titles and text.

Tables are ``Table``s (rendered HTML on the page, which wraps); every line of plain text stays within
``WIDTH`` characters.
"""

import textwrap

from ..analysis.beyond_dense import CriticalBatch, DecodeStep, MlaCache, ParamSplit, TouchedRow, WindowCache
from ..analysis.plan import Plan
from .tables import Table, table
from .units import duration, gb, num

#: The widest line of plain text the chapter prints (the page's monospace width).
WIDTH = 80


def _billions(params: int) -> str:
    return f"{params / 1e9:,.1f}e9"


def params_table(splits: list[ParamSplit]) -> Table:
    """Total against active parameters of each MoE model."""
    rows = [(s.model.name, f"{s.model.experts} / {s.model.experts_per_token}", f"{s.model.moe_layers} of {s.model.layers}",
             _billions(s.total), _billions(s.active), _billions(s.dense), f"{s.total_over_active:.1f}",
             f"{s.active_share:.1%}") for s in splits]
    return table(rows, ("model", "E / k", "MoE layers", "total P", "active P_act", "always read P_dense", "P / P_act",
                        "P_act / P"))


def touched_table(rows: list[TouchedRow], weights: str) -> Table:
    """The experts a decode batch touches and the weight bytes it reads, batch by batch."""
    lines = [(r.batch, f"{r.touched:.1f}", f"{r.touched_share:.1%}", gb(r.read), f"{r.read_share:.1%}", gb(r.per_token))
             for r in rows]
    return table(lines, ("batch B", "experts touched E_B", "of E", f"weights read ({weights})", "of all weights",
                         "read per token"))


def critical_table(results: list[CriticalBatch]) -> Table:
    """The MoE critical batch of each model on each chip, beside the dense one, in the chips' 8-bit formats.

    ``results`` holds one ``CriticalBatch`` per (model, chip); models are rows, chips columns.
    """
    chips = list(dict.fromkeys(r.chip.name for r in results))
    models = list(dict.fromkeys(r.model.name for r in results))
    by = {(r.model.name, r.chip.name): r for r in results}
    first = {c: next(r for r in results if r.chip.name == c) for c in chips}
    head = ("model", "P / P_act") + tuple(f"{c} ({first[c].weights})" for c in chips)
    rows = [("any dense model", "1") + tuple(f"{first[c].dense:,.0f}" for c in chips)]
    for m in models:
        rows.append((m, f"{by[m, chips[0]].ratio:.1f}") + tuple(f"{by[m, c].moe:,.0f}" for c in chips))
    return table(rows, head)


def mla_table(m: MlaCache) -> Table:
    """MLA's latent cache per token against the per-head cache and a calculator's reading of the config."""
    model = m.model
    rows = [
        ("latent (what MLA caches)", f"({model.kv_lora_rank} + {model.qk_rope_head_dim}) x {model.layers} x b_kv",
         f"{m.latent:,.0f}", "1"),
        ("keys and values per head", f"{model.heads} x ({model.qk_nope_head_dim} + {model.qk_rope_head_dim} + "
         f"{model.v_head_dim}) x {model.layers} x b_kv", f"{m.per_head:,.0f}", f"{m.per_head_ratio:.1f}"),
        ("a calculator: 2 K H L b_kv", f"2 x {model.kv_heads} x {m.calculator_head_dim} x {model.layers} x b_kv",
         f"{m.calculator:,.0f}", f"{m.calculator_ratio:.1f}"),
    ]
    return table(rows, ("KV cache", "elements per token", f"bytes per token ({m.dtype})", "x latent"))


def window_table(caches: list[WindowCache]) -> Table:
    """One sequence's KV cache over the context, windowed against full attention, for each model."""
    head = ("context S",) + tuple(h for c in caches for h in (f"{c.model.name}", "vs full"))
    rows = []
    for i, context in enumerate(caches[0].contexts):
        row = (f"{int(context):,}",)
        for c in caches:
            row += (gb(c.windowed[i]), f"{c.ratio[i]:.1%}")
        rows.append(row)
    return table(rows, head)


def window_note(c: WindowCache) -> str:
    a = c.model.attention
    return (f"{c.model.name}: {a['sliding_layers']} of {c.model.layers} layers keep a {c.model.window:,}-token window; "
            f"KV {c.dtype}")


def plans_table(plans: list[Plan]) -> Table:
    """Deployments side by side: chips, formats of the weights and FLOPs, batch, memory, the weights a step
    reads, step and throughput (the KV format, the same for all, is left to the text)."""
    rows = []
    for p in plans:
        rows.append((p.model, f"{p.chips} x {p.chip}", f"{p.weights}/{p.compute}", p.batch,
                     "yes" if p.fits else "no", f"{p.bytes_needed / 1e9:,.0f} / {p.hbm_bytes / 1e9:,.0f}",
                     gb(p.weight_bytes_read) if p.batch else "-",
                     duration(p.step_time_s) if p.batch else "-", f"{p.critical_batch:,.0f}",
                     num(p.tokens_per_s_per_chip) if p.batch else "-"))
    return table(rows, ("model", "chips", "w/FLOPs", "batch", "fit", "GB needed / HBM", "read/step", "step",
                        "B_crit", "tok/s/chip"))


def plan_warnings(plans: list[Plan]) -> Table:
    """The plans' warnings, each once, as a table of one column."""
    return table([(w,) for w in dict.fromkeys(w for p in plans for w in p.warnings)], ("what the plans assume",))


# --- the explorer -------------------------------------------------------------------------------------
def read_title(r: DecodeStep) -> str:
    return f"{r.model.name}, weights in {r.weights}"


def parts_title(r: DecodeStep) -> str:
    return f"{duration(r.step_time)} per step at B = {r.batch:,} on {r.chips} chips ({r.bound}-bound)"


def part_labels() -> tuple:
    return ("KV read", "weight read", "FLOPs")


def bar_label(seconds: float) -> str:
    return duration(seconds)


def gb_tick_labels(ticks) -> list:
    """GB on the weight-read axis: whole numbers with thousands separators, fractions as they are."""
    return [f"{t:,.0f}" if t >= 1 else f"{t:g}" for t in ticks]


def step_text(r: DecodeStep) -> str:
    """The explorer's numbers, a few short lines (wrapped to ``WIDTH``)."""
    c = r.critical
    lines = [
        f"{r.model.name} on {r.chips} x {r.chip.name}; context {r.context:,}, batch {r.batch:,}",
        f"weights {r.weights}, KV {r.kv_dtype}, FLOPs {r.compute}",
        f"experts touched per MoE layer: {r.touched:.1f} of {r.model.experts}, "
        f"k = {r.model.experts_per_token} per token, balanced router",
        f"weights read per step: {gb(r.read_at)} of {gb(r.all_bytes)}",
        f"  (active only: {gb(r.active_bytes)}; outside the experts: {gb(r.dense_bytes)})",
        f"step: KV {duration(r.kv_time)} + max(weights {duration(r.weight_time)}, FLOPs {duration(r.flops_time)}) "
        f"+ ICI {duration(r.ici_time)}",
        f"  = {duration(r.step_time)}, {r.bound}-bound",
        f"critical batch: {num(c.moe)} (a dense model: {num(c.dense)}, x {c.ratio:.1f})",
    ]
    return "\n".join(textwrap.fill(line, WIDTH, subsequent_indent="  ") for line in lines)
