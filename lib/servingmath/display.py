"""Formatting for display only: the library computes in SI units and formats at the edge.

Decimal units (GB = 1e9 bytes, kB = 1e3) are the book's; binary ones (GiB, KiB)
are shown beside them where the article or its source mixes the two.
"""


def num(x: float, digits: int = 3) -> str:
    """A number with ``digits`` significant figures, in plain or scientific notation."""
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e3:
        return f"{x:.{digits}g}"
    if 1e3 <= abs(x) < 1e6:
        return f"{x:,.0f}"
    return f"{x:.{digits - 1}e}"


def gb(x: float, digits: int = 3) -> str:
    return f"{num(x / 1e9, digits)} GB"


def gb_gib(x: float) -> str:
    """Bytes as decimal GB with the binary GiB beside them."""
    return f"{x / 1e9:.2f} GB ({x / 2**30:.2f} GiB)"


def kb_kib(x: float) -> str:
    """Bytes as decimal kB with the binary KiB beside them."""
    return f"{x / 1e3:.1f} kB ({x / 2**10:.1f} KiB)"


def ms(seconds: float, digits: int = 3) -> str:
    return f"{num(seconds * 1e3, digits)} ms"


def duration(seconds: float, digits: int = 3) -> str:
    """A time in the unit that reads best: µs, ms or s."""
    if seconds < 1e-3:
        return f"{num(seconds * 1e6, digits)} µs"
    if seconds < 1:
        return ms(seconds, digits)
    return f"{num(seconds, digits)} s"


def table(rows, headers) -> str:
    """A plain-text table (printed, so nbval compares it)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def chip_table(chip) -> str:
    price = f"${chip.price_per_hour:g}/h" if chip.price_per_hour else "n/a"
    fpd = num(chip.flops_bf16 * 3600 / chip.price_per_hour) if chip.price_per_hour else "n/a"
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
    return f"{chip.label} ({chip.name})\n" + table(rows, ("quantity", "value", "source"))


def model_table(model) -> str:
    rows = [(k, getattr(model, k)) for k in ("layers", "d_model", "d_ff", "heads", "kv_heads", "head_dim",
                                              "vocab", "tied_embeddings")]
    rows.append(("parameters", f"{model.param_count:,} ({num(model.param_count)})"))
    for dtype in ("bf16", "int8", "int4"):
        rows.append((f"KV bytes/token ({dtype})", f"{model.kv_bytes_per_token(dtype):,.0f} B = "
                     f"{kb_kib(model.kv_bytes_per_token(dtype))}"))
    return f"{model.name}" + (f" ({model.source})" if model.source else "") + "\n" + table(rows, ("field", "value"))


def plan_table(p) -> str:
    cost = f"${p.cost_per_million_tokens:.2f}" if p.cost_per_million_tokens else "n/a (no price)"
    ici_hbm = num(p.ici_hbm_bound_chips) if p.ici_hbm_bound_chips else "n/a"
    ratio = num(p.prefill_decode_ratio) if p.batch else "n/a"
    rows = [
        ("setup", f"{p.model} on {p.chips} x {p.chip}; weights {p.weights}, KV {p.kv}, FLOPs {p.compute}"),
        ("workload", f"context {p.context}, prompt {p.prompt}, decode {p.decode}, batch {p.batch}"),
        ("parameters", f"{p.param_count:,} = {gb(p.param_bytes)} of weights"),
        ("KV per token / sequence", f"{p.kv_bytes_per_token:,.0f} B / {gb(p.kv_bytes_per_sequence)}"),
        ("memory", f"{gb(p.total_bytes)} of {gb(p.hbm_bytes)} HBM: {p.fit_message}"),
        ("min chips / smallest slice", f"{p.min_chips} / {p.min_slice_chips}"),
        ("max batch", p.max_batch),
        ("step time", f"{duration(p.step_time_s)} ({p.bound}-bound; critical batch {num(p.critical_batch)})"),
        ("throughput", f"{num(p.tokens_per_s)} tokens/s = {num(p.tokens_per_s_per_chip)} tokens/s/chip"),
        ("QPS per chip", num(p.qps_per_chip)),
        ("cost per million tokens", cost),
        ("prefill (one prompt)", f"{duration(p.prefill_time_s)} at MFU {p.mfu:g}"),
        ("prefill:decode servers", ratio),
        ("ICI bounds (chips)", f"FLOPs {num(p.ici_flops_bound_chips)}, HBM {ici_hbm} (mesh axes {p.mesh_axes})"),
        ("efficiency", p.efficiency),
    ]
    return table(rows, ("quantity", "value"))
