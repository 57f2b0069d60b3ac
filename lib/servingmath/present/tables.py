"""Every table the book and the terminal print: plain text for the terminal and nbval (which compares every
number), rendered HTML for the page and JupyterLab, both from one ``Table``."""

from html import escape

from tabulate import tabulate

from ..analysis.plan import Plan
from ..article import claims, claims_for, source_errata
from ..core import formulas as f
from ..core.hardware import Chip
from ..core.models import Model
from .units import duration, gb, gb_gib, kb_kib, ms, num


class Table(str):
    """A table that is its plain text (``print`` it, compare it, write it to a terminal) and, displayed as a
    cell's value, a rendered HTML table (written by tabulate) whose text/plain form is that same text."""

    def __new__(cls, rows, headers, title: str = ""):
        rows = [[str(c) for c in row] for row in rows]
        headers = [str(h) for h in headers]
        self = super().__new__(cls, (f"{title}\n" if title else "") + _text(rows, headers))
        self.headers, self.rows, self.title = headers, rows, title
        caption = f"<caption>{escape(title)}</caption>" if title else ""
        html = tabulate(rows, headers, tablefmt="html", disable_numparse=True, stralign="left")
        self.html = html.replace("<table>", f'<table class="sm-table">{caption}', 1)
        return self

    def _repr_html_(self) -> str:
        return self.html

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def _text(rows, headers) -> str:
    """Columns two spaces apart, under a rule of dashes."""
    cells = [headers] + rows
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return "\n".join([line(headers), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def table(rows, headers, title: str = "") -> Table:
    """A table of ``rows`` under ``headers`` (and an optional title line)."""
    return Table(rows, headers, title)


def flops_per_dollar(chip: Chip) -> float | None:
    """bf16 FLOPs one dollar of chip time buys (None without a price)."""
    return f.flops_per_dollar(C=chip.flops_bf16, c=chip.price_per_hour) if chip.price_per_hour else None


def chip_table(chip: Chip) -> str:
    price = f"${chip.price_per_hour:g}/h" if chip.price_per_hour else "n/a"
    fpd = num(flops_per_dollar(chip))
    rows = [
        ("bf16 FLOP/s", num(chip.flops_bf16), chip.sources.get("flops_bf16", "")),
        ("int8/fp8 FLOP/s", num(chip.flops_int8), chip.sources.get("flops_int8", "")),
        ("HBM", gb_gib(chip.hbm_bytes), chip.sources.get("hbm_bytes", "")),
        ("HBM bandwidth", f"{num(chip.hbm_bw)} B/s", chip.sources.get("hbm_bw", "")),
        ("ICI per link, one way", f"{num(chip.ici_bw_oneway)} B/s", chip.sources.get("ici_bw_oneway", "")),
        ("ICI per link, both ways", f"{num(chip.ici_bw_bidi)} B/s", chip.sources.get("ici_bw_bidi", "")),
        ("price per chip-hour", price, chip.sources.get("price_per_hour", "")),
        ("FLOPs per dollar (bf16)", fpd, "FLOP/s x 3600 / price"),
        ("valid slices", chip.slice_names(), chip.sources.get("slices", "")),
    ]
    return table(rows, ("quantity", "value", "source"), title=f"{chip.label} ({chip.name})")


def architecture_rows(model: Model) -> list:
    """What a model has beyond the dense LLaMA of chapters 01-12, as (field, value) rows (none for that model)."""
    rows = []
    if model.mlp != "gated":
        rows.append(("MLP", f"{model.mlp} (up and down matrices, no gate)"))
    if model.bias != "none" or model.output_bias:
        where = {"qkv": "on q, k, v", "attention": "on q, k, v, o", "mlp": "on the MLPs", "all": "on every linear layer",
                 "none": "none"}[model.bias]
        rows.append(("biases", where + (", and on the output layer" if model.output_bias else "")))
    if model.positions:
        rows.append(("learned positions", f"{model.positions:,} x d_model"))
    if model.is_moe:
        rows.append(("experts", f"{model.experts} routed, {model.experts_per_token} per token, width {model.d_expert:,}"
                     + (f"; shared width {model.d_shared:,}" if model.d_shared else "")))
        rows.append(("MoE layers", f"{model.moe_layers} of {model.layers}"))
    a = model.attention
    if a["kind"] == "mla":
        rows.append(("attention", f"multi-head latent: cache {model.kv_lora_rank} latent + {model.qk_rope_head_dim} "
                     f"rotary per layer"
                     + (f"; query rank {model.q_lora_rank}" if model.q_lora_rank else "; query not compressed")))
    elif a["kind"] == "sliding":
        rows.append(("attention", f"sliding window of {model.window:,} tokens on {a['sliding_layers']} of "
                     f"{model.layers} layers"))
    if model.vision_params:
        rows.append(("vision tower", f"{model.vision_params:,} parameters, counted for memory only"))
    return rows


def model_table(model: Model) -> str:
    rows = [(k, getattr(model, k)) for k in ("layers", "d_model", "d_ff", "heads", "kv_heads", "head_dim",
                                              "vocab", "tied_embeddings")]
    rows += architecture_rows(model)
    rows.append(("parameters", f"{model.param_count:,} ({num(model.param_count)})"))
    if model.active_param_count != model.param_count:
        rows.append(("active parameters", f"{model.active_param_count:,} ({num(model.active_param_count)}) per token"))
    for dtype in ("bf16", "int8", "int4"):
        rows.append((f"KV bytes/token ({dtype})", f"{model.kv_bytes_per_token(dtype):,.0f} B = "
                     f"{kb_kib(model.kv_bytes_per_token(dtype))}"))
    rows += [("note", note) for note in model.notes]
    return table(rows, ("field", "value"), title=model.name + (f" ({model.source})" if model.source else ""))


def fit_message(p: Plan) -> str:
    """Whether the deployment fits, in words: "fits: needs 113.5 GB, has 128.0 GB"."""
    verdict = "fits" if p.fits else "does not fit"
    kept = f" ({p.chips * p.reserve / 1e9:.1f} GB more kept back)" if p.reserve else ""
    return f"{verdict}: needs {p.bytes_needed / 1e9:.1f} GB, has {p.usable_hbm_bytes / 1e9:.1f} GB{kept}"


def plan_json(p: Plan) -> dict:
    """The plan as the CLI's JSON: the ``Plan`` fields (``kv_dtype`` under its CLI name ``kv``; ``warnings`` a
    list) and the fit message."""
    data = p.to_dict()
    data = {("kv" if k == "kv_dtype" else k): v for k, v in data.items()}
    data["fit_message"] = fit_message(p)
    return data


def plan_table(p: Plan) -> str:
    cost = f"${p.cost_per_million_tokens:.2f}" if p.cost_per_million_tokens else "n/a (no price)"
    ici_hbm = num(p.ici_hbm_bound_chips) if p.ici_hbm_bound_chips else "n/a"
    ratio = num(p.prefill_decode_ratio) if p.batch else "n/a"
    rows = [
        ("setup", f"{p.model} on {p.chips} x {p.chip}; weights {p.weights}, KV {p.kv_dtype}, FLOPs {p.compute}"),
        ("workload", f"context {p.context}, prompt {p.prompt}, decode {p.decode}, batch {p.batch}"),
        ("parameters", f"{p.param_count:,} = {gb(p.param_bytes)} of weights"),
    ]
    if p.active_param_count != p.param_count:
        rows.append(("active parameters", f"{p.active_param_count:,} per token (its FLOPs)"))
    if p.weight_bytes_read != p.param_bytes:
        rows.append(("weights read per step", f"{gb(p.weight_bytes_read)} at batch {p.batch}"))
    rows += [
        ("KV per token / sequence", f"{p.kv_bytes_per_token:,.0f} B / {gb(p.kv_bytes_per_sequence)}"),
        ("memory", f"{gb(p.total_bytes)} of {gb(p.hbm_bytes)} HBM: {fit_message(p)}"),
        ("HBM kept back", f"{gb(p.reserve)} per chip" if p.reserve else "none (HBM filled to the last byte)"),
        ("min chips / smallest slice", f"{p.min_chips} / {p.min_slice_chips}"),
        ("max batch", p.max_batch),
        ("step time", f"{duration(p.step_time_s)} ({p.bound}-bound; critical batch {num(p.critical_batch)})"),
        ("ICI per step", _ici_text(p)),
        ("throughput", f"{num(p.tokens_per_s)} tokens/s = {num(p.tokens_per_s_per_chip)} tokens/s/chip"),
        ("QPS per chip", num(p.qps_per_chip)),
        ("cost per million tokens", cost),
        ("prefill (one prompt)", f"{duration(p.prefill_time_s)} at MFU {p.mfu:g}"),
        ("prefill:decode servers", ratio),
        ("ICI bounds (chips)", f"FLOPs {num(p.ici_flops_bound_chips)}, HBM {ici_hbm} (mesh axes {p.mesh_axes})"),
        ("efficiency", p.efficiency + (f" (fractions measured on {p.efficiency_measured_on})"
                                       if p.efficiency_measured_on else "")),
    ]
    rows += [("warning", w) for w in p.warnings]
    return table(rows, ("quantity", "value"))


def step_ici_table(plans: dict) -> str:
    """Decode steps side by side, ``{label: Plan}``: the roofline, the collectives, the step and tokens/s/chip."""
    rows = []
    for label, p in plans.items():
        counted = p.ici == "count"
        rows.append((label, ms(p.roofline_step_s), ms(p.ici_time_s) if counted else "not counted",
                     ms(p.step_time_s), f"{p.ici_time_s / p.step_time_s:.0%}" if counted else "",
                     f"{p.tokens_per_s_per_chip:,.0f}"))
    return table(rows, ("deployment", "reads and FLOPs", "collectives", "step", "ICI share", "tokens/s/chip"))


def _ici_text(p: Plan) -> str:
    if p.chips == 1:
        return "none (one chip)"
    counted = "counted in the step" if p.ici == "count" else "not counted (--ici ignore)"
    flags = [w for w, on in (("ICI-bound", p.ici_bound), ("latency-bound", p.ici_latency_bound)) if on]
    return f"{duration(p.ici_time_s)}, {counted}" + (f"; {', '.join(flags)}" if flags else "")


def claims_table(chapter: str | None = None) -> Table:
    """A chapter's claims, one line each: the number as printed, the exact value on the article's chip constants,
    on the datasheet chip with its collectives, and the verdict (the audit appendix shows the article's own
    arithmetic and the reason)."""
    rows = [(c.quantity, c.stated, c.show(c.exact), c.show(c.datasheet), c.verdict)
            for c in (claims().values() if chapter is None else claims_for(chapter))]
    return table(rows, ("quantity", "article", "exact", "datasheet chip", "verdict"))


def errata_table() -> str:
    """The source chapter's own slips, each with its corrected value."""
    return table([(e.where, e.stated, e.corrected, e.note) for e in source_errata()],
                 ("where in the source", "source says", "corrected", "note"))
