"""Chapter 12 figures: the roofline against one real H100.

``matmul_knee``: the matmul batch sweep against the datasheet roofline and the calibrated model.
``grid_ratio``: measured / predicted over the decode grid, for the ideal roofline and the calibrated model.
``decomposition``: one measured decode step and its predictions, split into KV read, weight read and FLOPs.
``public_gap``: public serving measurements as a fraction of the planner's prediction.
"""

import numpy as np

from .. import calibration as cal
from .. import formulas as f
from ..measured import decode_grid, over_runs
from ..precision import bytes_per_element
from . import explorer, new_figure


def _figure(figsize, **subplots):
    """Like ``new_figure(2)``, with options for the two axes (shared y, width ratios)."""
    fig, _ = new_figure(1, figsize=figsize)
    fig.clear()
    axes = fig.subplots(1, 2, **subplots)
    for ax in axes:
        ax.minorticks_off()
    return fig, axes

#: The decode grids the explorer can show: label -> (weights, CUDA graphs).
GRIDS = {"bf16, eager (3 runs)": ("bf16", False), "bf16, CUDA graphs (run 3)": ("bf16", True),
         "fp8, CUDA graphs (run 3)": ("fp8", True)}
BATCHES = (1, 4, 8, 16, 32, 64, 128, 192, 256, 384, 512)
CONTEXTS = (1024, 4096, 8192, 16384, 32768)
RATIO_LIMIT = 2.0  # the colour scale runs from 1/2 to 2 (log scale)


def _grid_check(grid):
    if grid not in GRIDS:
        raise ValueError(f"data: unknown {grid!r}; choose one of {', '.join(GRIDS)}")
    return GRIDS[grid]


def ratio_matrix(kind: str, grid: str = "bf16, eager (3 runs)") -> np.ndarray:
    """measured / predicted on the BATCHES x CONTEXTS layout (NaN where nothing was measured)."""
    weights, graphs = _grid_check(grid)
    data, pred = cal.grid_prediction(kind, weights, graphs)
    out = np.full((len(BATCHES), len(CONTEXTS)), np.nan)
    for b, s, t, p in zip(data["batch"], data["context"], data["time_s"], pred):
        out[BATCHES.index(int(b)), CONTEXTS.index(int(s))] = t / p
    return out


def _heatmap(ax, matrix, title, annotate=True):
    image = ax.imshow(np.log2(matrix).T, origin="lower", aspect="auto", cmap="RdBu_r",
                      vmin=-np.log2(RATIO_LIMIT), vmax=np.log2(RATIO_LIMIT))
    ax.set_xticks(range(len(BATCHES)), [str(b) for b in BATCHES], fontsize=7, rotation=90)
    ax.set_yticks(range(len(CONTEXTS)), [f"{c:,}" for c in CONTEXTS])
    ax.set(xlabel="batch B (sequences)", ylabel="context S (tokens)", title=title)
    ax.grid(False)
    ax.minorticks_off()
    texts = []
    if annotate:
        for i in range(len(BATCHES)):
            for j in range(len(CONTEXTS)):
                value = matrix[i, j]
                texts.append(ax.text(i, j, "" if np.isnan(value) else f"{value:.2f}", ha="center", va="center",
                                     fontsize=6.5))
    return image, texts


def grid_ratio(fig=None, grid="bf16, eager (3 runs)"):
    """Two heatmaps of measured / predicted decode-step time: the ideal roofline and the calibrated model."""
    weights, graphs = _grid_check(grid)
    ideal, calibrated = ratio_matrix("ideal", grid), ratio_matrix("calibrated", grid)
    if fig is None:
        fig, (left, right) = new_figure(2, figsize=(9, 3.6))
        image, left_texts = _heatmap(left, ideal, "measured / ideal roofline")
        _, right_texts = _heatmap(right, calibrated, "measured / calibrated model")
        bar = fig.colorbar(image, ax=[left, right], shrink=0.9)
        ticks = [0.5, 0.71, 1, 1.41, 2]
        bar.set_ticks(np.log2(ticks), labels=[f"{t:g}" for t in ticks])
        bar.set_label("measured / predicted")
        fig._servingmath = {"images": (left.images[0], right.images[0]), "texts": (left_texts, right_texts)}
    art = fig._servingmath
    for image, texts, matrix in zip(art["images"], art["texts"], (ideal, calibrated)):
        image.set_data(np.log2(matrix).T)
        for text, value in zip(texts, matrix.ravel()):
            text.set_text("" if np.isnan(value) else f"{value:.2f}")
    errors = cal.grid_errors(weights, graphs)
    text = (f"{grid}: |predicted / measured - 1| over {int(np.sum(~np.isnan(ideal)))} points\n"
            f"ideal roofline: median {errors['ideal']['median']:.1%}, 90th percentile {errors['ideal']['p90']:.1%}\n"
            f"calibrated model: median {errors['calibrated']['median']:.1%}, "
            f"90th percentile {errors['calibrated']['p90']:.1%}")
    return fig, text


def measured_knee(dtype: str = "bf16") -> float:
    """Critical batch of the sweep itself: its large-batch FLOP/s over its small-batch weight bandwidth."""
    sweep = over_runs("matmul_sweep", dtype=dtype)
    large = sweep["batch"] >= 1024
    flops = float(np.median(sweep["flops"][large] / sweep["time_s"][large]))
    return f.critical_batch(C=flops, W_hbm=cal.weight_stream_bandwidth(dtype), b_w=bytes_per_element(dtype))


def spec_knee(dtype: str = "bf16", chip="h100") -> float:
    """Critical batch of the datasheet: the chip's FLOP/s in ``dtype`` over its bandwidth."""
    hw = cal.get_chip(chip)
    return f.critical_batch(C=hw.flops(dtype), W_hbm=hw.hbm_bw, b_w=bytes_per_element(dtype))


def matmul_knee(fig=None, chip="h100"):
    """Time of x[B, 8192] @ W[8192, 28672] over B, bf16 (left) and fp8 (right): measured, ideal, calibrated."""
    hw = cal.get_chip(chip)
    if fig is None:
        fig, axes = _figure((9, 3.6), sharey=True)
        for ax, dtype in zip(axes, ("bf16", "fp8")):
            sweep = over_runs("matmul_sweep", dtype=dtype)
            b = sweep["batch"]
            dense = np.geomspace(b.min(), b.max(), 200)
            ones = np.ones_like(dense)
            ideal = f.matmul_time(B=dense, C=hw.flops(dtype) * ones, D=cal.SWEEP_D * ones, F=cal.SWEEP_F * ones,
                                  W_hbm=hw.hbm_bw * ones, b_a=2 * ones, b_w=bytes_per_element(dtype) * ones)
            calibrated = cal.sweep_prediction(cal.H100_EFFICIENCY, dtype, chip, dense)
            ax.errorbar(b, sweep["time_s"] * 1e6, yerr=[(sweep["time_s"] - sweep["time_lo_s"]) * 1e6,
                                                       (sweep["time_hi_s"] - sweep["time_s"]) * 1e6],
                        fmt="o", ms=3, color="k", label="measured (median, range of 3 runs)")
            ax.plot(dense, ideal * 1e6, color="C0", label="datasheet roofline")
            ax.plot(dense, calibrated * 1e6, color="C3", ls="--", label="calibrated model")
            ax.axvline(spec_knee(dtype, chip), color="C0", lw=0.8, ls=":")
            ax.axvline(measured_knee(dtype), color="k", lw=0.8, ls=":")
            ax.set(xscale="log", yscale="log", xlabel="batch B (rows of x)", title=f"{dtype} weights, {dtype} FLOPs")
            ax.minorticks_off()
        axes[0].set_ylabel("time (µs)")
        axes[0].legend(loc="upper left", fontsize=8)
    text = "\n".join(f"{dtype}: knee of the datasheet at B = {spec_knee(dtype, chip):.0f}, "
                     f"of the measurement at B = {measured_knee(dtype):.0f}" for dtype in ("bf16", "fp8"))
    return fig, text


def point(grid: str, batch: int, context: int) -> dict:
    """One measured decode step of a grid, with its predictions split into parts (seconds)."""
    weights, graphs = _grid_check(grid)
    data = decode_grid(weights, graphs)
    rows = np.flatnonzero((data["batch"] == batch) & (data["context"] == context))
    if not len(rows):
        measured = sorted({(int(b), int(s)) for b, s in zip(data["batch"], data["context"])})
        batches = sorted({b for b, s in measured if s == context})
        raise ValueError(f"batch: {batch} at context {context:,} was not measured in {grid}"
                         + (f" (at this context: {', '.join(map(str, batches))})" if batches else ""))
    i = rows[0]
    b_w = bytes_per_element(weights)
    compute = "bf16" if weights == "bf16" else "fp8"
    kv = cal.layer_kv_per_token()
    P, K = float(data["layer_params"][i]), cal.LLAMA.kv_heads
    out = {"measured": (float(data["time_s"][i]), float(data["time_lo_s"][i]), float(data["time_hi_s"][i]))}
    for kind in cal.MODELS:
        eff = cal.efficiency(kind)
        if kind == "calibrated":
            parts = eff.decompose("h100", batch, context, P, b_w, kv, K, compute=compute)
        else:
            v = eff.constants("h100", compute)
            parts = {"kv_read": batch * context * kv / v["W_hbm"], "weight_read": P * b_w / v["W_hbm"],
                     "flops": 2 * batch * P / v["C"]}
            parts["total"] = float(cal.predict(kind, batch, context, P, b_w, kv, K, compute=compute))
        out[kind] = parts
    return out


_ROWS = ("ideal", "peaks", "calibrated", "measured")
_ROW_LABELS = ("datasheet roofline", "x measured peaks", "calibrated model", "measured")
_PARTS = (("kv_read", "KV read", "C0"), ("weight_read", "weight read", "C1"),
          ("extra", "FLOPs and overlap beyond the weight read", "C2"))


@explorer
def decomposition(fig=None, grid="bf16, eager (3 runs)", batch=1, context=32768):
    """One measured decode step of one layer beside its predictions: KV read, weight read, FLOPs."""
    data = point(grid, batch, context)
    widths = {}
    for kind in cal.MODELS:
        parts = data[kind]
        extra = max(0.0, parts["total"] - parts["kv_read"] - parts["weight_read"])
        widths[kind] = (parts["kv_read"], parts["weight_read"], extra)
    measured, lo, hi = data["measured"]
    matrix = ratio_matrix("calibrated", grid)
    if fig is None:
        fig, (left, right) = _figure((9, 3.4), width_ratios=(1.3, 1))
        bars = {}
        for n, kind in enumerate(_ROWS[:3]):
            start = 0.0
            for (key, label, color), width in zip(_PARTS, widths[kind]):
                bars[kind, key] = left.barh(n, width * 1e6, left=start * 1e6, color=color,
                                            label=label if n == 0 else None)[0]
                start += width
        bars["measured"] = left.barh(3, measured * 1e6, color="0.4")[0]
        whisker = left.errorbar([measured * 1e6], [3], xerr=[[0.0], [0.0]], fmt="none", color="k", capsize=4)
        left.set_yticks(range(4), _ROW_LABELS)
        left.invert_yaxis()
        left.set_xlabel("time of one layer's decode step (µs)")
        fig.legend(loc="outside lower center", ncols=3, fontsize=7)
        image, _ = _heatmap(right, matrix, "measured / calibrated model", annotate=False)
        marker = right.plot([0], [0], "s", ms=12, mfc="none", mec="k", mew=2)[0]
        fig._servingmath = {"bars": bars, "whisker": whisker, "left": left, "right": right, "image": image,
                            "marker": marker}
    art = fig._servingmath
    for kind in cal.MODELS:
        start = 0.0
        for (key, _, _), width in zip(_PARTS, widths[kind]):
            art["bars"][kind, key].set_x(start * 1e6)
            art["bars"][kind, key].set_width(width * 1e6)
            start += width
    art["bars"]["measured"].set_width(measured * 1e6)
    segments = art["whisker"].lines[2][0]
    segments.set_segments([[[lo * 1e6, 3], [hi * 1e6, 3]]])
    top = max(hi, *(sum(w) for w in widths.values()))
    art["left"].set_xlim(0, top * 1e6 * 1.08)
    art["left"].set_title(f"{grid}: B = {batch}, S = {context:,}")
    art["image"].set_data(np.log2(matrix).T)
    art["marker"].set_data([BATCHES.index(batch)], [CONTEXTS.index(context)])
    lines = [f"measured {measured * 1e6:.0f} µs (runs {lo * 1e6:.0f}-{hi * 1e6:.0f})"]
    for kind, label in zip(cal.MODELS, _ROW_LABELS):
        p = data[kind]
        lines.append(f"{label}: {p['total'] * 1e6:.0f} µs = KV {p['kv_read'] * 1e6:.0f} + weights "
                     f"{p['weight_read'] * 1e6:.0f} (FLOPs alone {p['flops'] * 1e6:.0f}); "
                     f"measured / predicted {measured / p['total']:.2f}")
    return fig, "\n".join(lines)


def public_gap(fig=None):
    """Public measurements as a fraction of the planner's prediction, ideal and calibrated."""
    results = cal.public_comparison()
    labels = [r["row"]["id"] for r in results]
    ideal = np.array([r["ideal"]["fraction"] for r in results])
    calibrated = np.array([r["calibrated"]["fraction"] for r in results])
    if fig is None:
        fig, ax = new_figure(1, figsize=(8, 4.6))
        y = np.arange(len(labels))
        ax.barh(y - 0.2, ideal, height=0.4, color="C0", label="of the ideal roofline")
        ax.barh(y + 0.2, calibrated, height=0.4, color="C3", label="of the calibrated planner")
        ax.axvline(1, color="k", lw=0.8)
        ax.set_yticks(y, labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("measured speed / predicted speed")
        ax.legend(loc="lower right", fontsize=8)
        ax.minorticks_off()
    text = (f"fraction of the ideal roofline: median {np.median(ideal):.2f} (range {ideal.min():.2f}-{ideal.max():.2f}); "
            f"of the calibrated planner: median {np.median(calibrated):.2f}")
    return fig, text
