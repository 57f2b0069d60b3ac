"""Chapter 04 figures: the roofline of one matmul over the batch, and the measured H100 sweep against it."""

import numpy as np

from .. import formulas as f
from .. import measured
from ..checks import check_choice
from ..chips import get_chip
from ..display import num
from ..models import get_model
from ..precision import bytes_per_element
from . import explorer, new_figure

#: Batches drawn on the roofline: 1 to 4096, 25 points per octave.
BATCHES = 2.0 ** np.linspace(0, 12, 301)
#: The precision pairs (weights, FLOPs) of the article's table, plus int4 weights from the source.
PAIRS = (("bf16", "bf16"), ("int8", "bf16"), ("int8", "int8"), ("int4", "bf16"))
WEIGHTS = ("bf16", "fp8", "int8", "int4")
#: The measured peaks behind each swept dtype: (FLOP/s peak, weight dtype, FLOPs dtype).
SWEPT = {"bf16": ("matmul_bf16", "bf16", "bf16"), "fp8": ("matmul_fp8", "fp8", "fp8")}


def critical_batch(chip, weights: str, compute: str) -> float:
    """B_crit = C b_w / (2 W_hbm) for one chip and precision pair."""
    hw = get_chip(chip)
    return f.critical_batch(C=hw.flops(compute), W_hbm=hw.hbm_bw, b_w=bytes_per_element(weights, "weights"))


def critical_batch_source(chip, weights: str, compute: str) -> float:
    """The source's beta * alpha_hbm form, for comparison with ``critical_batch``."""
    hw = get_chip(chip)
    return f.critical_batch_source(C=hw.flops(compute), W_hbm=hw.hbm_bw, b_w=bytes_per_element(weights, "weights"),
                                   b_a=bytes_per_element(compute, "compute"))


def _matmul_args(hw, model, weights, compute):
    m = get_model(model)
    return dict(C=hw.flops(compute), D=m.d_model, F=m.d_ff, W_hbm=hw.hbm_bw,
                b_w=bytes_per_element(weights, "weights"), b_a=bytes_per_element(compute, "compute"))


def _label(pair):
    return f"{pair[0]} w\n{pair[1]} FLOPs"


@explorer
def roofline(fig=None, chip="tpu-v5e", weights="bf16", compute="bf16", model="llama-3-70b"):
    """Time of x[B, D] @ W[D, F] against B (left) and B_crit per precision pair on this chip (right)."""
    hw = get_chip(chip)
    check_choice("weights", weights, WEIGHTS)
    args = _matmul_args(hw, model, weights, compute)
    ones = np.ones_like(BATCHES)
    vec = {k: v * ones for k, v in args.items()}
    t_flops = f.matmul_flops_time(B=BATCHES, C=vec["C"], D=vec["D"], F=vec["F"])
    t_bytes = f.matmul_bytes_time(B=BATCHES, D=vec["D"], F=vec["F"], W_hbm=vec["W_hbm"], b_a=vec["b_a"],
                                  b_w=vec["b_w"])
    t = f.matmul_time(B=BATCHES, **vec)
    crit = critical_batch(hw, weights, compute)
    ridge = f.matmul_ridge(**args)
    t_ridge = f.matmul_time(B=ridge, **args)
    pairs = PAIRS + ((weights, compute),)
    heights = [critical_batch(hw, w, c) for w, c in pairs]
    if fig is None:
        fig, (left, right) = new_figure(2, figsize=(8.4, 3.6))
        art = {
            "flops": left.plot(BATCHES, t_flops * 1e6, "--", color="C1", lw=1, label="FLOPs at peak")[0],
            "bytes": left.plot(BATCHES, t_bytes * 1e6, "--", color="C0", lw=1, label="bytes at HBM speed")[0],
            "time": left.plot(BATCHES, t * 1e6, color="k", lw=2, label="roofline: the larger")[0],
            "crit": left.axvline(crit, color="C3", ls=":", label=r"$B_{\mathrm{crit}}$"),
            "ridge": left.plot([ridge], [t_ridge * 1e6], "o", color="C3", ms=5)[0],
            "bars": right.bar(range(len(pairs)), heights, color=["C7"] * len(PAIRS) + ["C3"]),
            "left": left, "right": right,
        }
        art["labels"] = [right.text(i, h, num(h), ha="center", va="bottom", fontsize=8)
                         for i, h in enumerate(heights)]
        left.set(xscale="log", yscale="log", xlabel="batch B (tokens per step)",
                 ylabel=r"time of one $D\times F$ matmul (µs)")
        left.set_xticks([1, 4, 16, 64, 256, 1024, 4096], ["1", "4", "16", "64", "256", "1,024", "4,096"])
        left.minorticks_off()
        left.legend(loc="upper left", fontsize=8)
        right.set_ylabel(r"$B_{\mathrm{crit}}$ (tokens)")
        right.grid(axis="x", visible=False)
        fig._servingmath = art
    art = fig._servingmath
    art["flops"].set_ydata(t_flops * 1e6)
    art["bytes"].set_ydata(t_bytes * 1e6)
    art["time"].set_ydata(t * 1e6)
    art["crit"].set_xdata([crit, crit])
    art["ridge"].set_data([ridge], [t_ridge * 1e6])
    for bar, label, h in zip(art["bars"], art["labels"], heights):
        bar.set_height(h)
        label.set_position((label.get_position()[0], h))
        label.set_text(num(h))
    right, left = art["right"], art["left"]
    right.set_xticks(range(len(pairs)), [_label(p) for p in PAIRS] + ["your\nchoice"], fontsize=7)
    right.set_ylim(0, 1.2 * max(heights))
    right.set_title(hw.label, fontsize=9)
    left.set_title(f"{hw.label}: {weights} weights, {compute} FLOPs", fontsize=9)
    left.relim()
    left.autoscale_view()
    text = (f"{hw.label}, {weights} weights (b_w = {args['b_w']:g} B), {compute} FLOPs\n"
            f"C = {num(args['C'])} FLOP/s, W_hbm = {num(hw.hbm_bw)} B/s\n"
            f"B_crit = C b_w / (2 W_hbm) = {num(crit, 4)}: memory-bound below, compute-bound above\n"
            f"exact ridge of this {args['D']} x {args['F']} matmul (activations counted): B = {num(ridge, 4)}")
    return fig, text


def sweep(dtype: str, runs=measured.RUNS) -> dict:
    """The measured matmul sweep of one dtype over several runs.

    Returns ``batch`` and, per batch, the median, lowest and highest of the runs' median times (s),
    plus the FLOPs and bytes the kernel moves.
    """
    check_choice("dtype", dtype, SWEPT)
    tables = [measured.table("matmul_sweep", run) for run in runs]
    picks = [t["dtype"] == dtype for t in tables]
    batch = tables[0]["batch"][picks[0]]
    for t, pick in zip(tables[1:], picks[1:]):
        if not np.array_equal(t["batch"][pick], batch):
            raise ValueError("runs: the sweeps of these runs do not share their batches")
    times = np.array([t["time_us_median"][pick] for t, pick in zip(tables, picks)]) * 1e-6
    return {"batch": batch, "median": np.median(times, axis=0), "lo": times.min(axis=0),
            "hi": times.max(axis=0), "flops": tables[0]["flops"][picks[0]], "bytes": tables[0]["bytes"][picks[0]]}


def measured_peaks(peaks: str = "measured") -> dict:
    """The H100's HBM bandwidth and FLOP/s per swept dtype: the median of three runs, or the datasheet."""
    check_choice("peaks", peaks, ("measured", "datasheet"))
    h100 = get_chip("h100")
    if peaks == "datasheet":
        return {"W_hbm": h100.hbm_bw, "bf16": h100.flops("bf16"), "fp8": h100.flops("fp8")}
    return {"W_hbm": measured.peak_spread("hbm_read_sum")[0],
            **{d: measured.peak_spread(SWEPT[d][0])[0] for d in SWEPT}}


def knee(dtype: str, peaks: str = "measured") -> float:
    """Where theory puts the knee of the measured sweep: B_crit from the H100's peaks."""
    rates = measured_peaks(peaks)
    _, weights, _ = SWEPT[check_choice("dtype", dtype, SWEPT)]
    return f.critical_batch(C=rates[dtype], W_hbm=rates["W_hbm"], b_w=bytes_per_element(weights))


def measured_roofline(fig=None, peaks="measured", model="llama-3-70b"):
    """The measured H100 matmul sweep (bf16 and fp8, median and range of three runs) on the roofline."""
    rates = measured_peaks(peaks)
    m = get_model(model)
    lines = {}
    for dtype, (_, weights, compute) in SWEPT.items():
        ones = np.ones_like(BATCHES)
        lines[dtype] = f.matmul_time(B=BATCHES, C=rates[dtype] * ones, D=m.d_model * ones, F=m.d_ff * ones,
                                     W_hbm=rates["W_hbm"] * ones, b_a=bytes_per_element(compute) * ones,
                                     b_w=bytes_per_element(weights) * ones)
    knees = {d: knee(d, peaks) for d in SWEPT}
    if fig is None:
        fig, ax = new_figure(1, figsize=(7.4, 4.0))
        art = {"ax": ax}
        for i, dtype in enumerate(SWEPT):
            data = sweep(dtype)
            color = f"C{i}"
            art[f"{dtype}_pts"] = ax.errorbar(data["batch"], data["median"] * 1e6,
                                              yerr=[(data["median"] - data["lo"]) * 1e6,
                                                    (data["hi"] - data["median"]) * 1e6],
                                              fmt="o", ms=3.5, color=color, capsize=2, lw=1,
                                              label=f"{dtype}: measured (median, range of 3 runs)")
            art[f"{dtype}_line"] = ax.plot(BATCHES, lines[dtype] * 1e6, color=color, lw=1.5,
                                           label=f"{dtype}: roofline")[0]
            art[f"{dtype}_knee"] = ax.axvline(knees[dtype], color=color, ls=":", lw=1.2)
        ax.set(xscale="log", yscale="log", xlabel="batch B (rows of x)",
               ylabel=r"time of x[B, 8192] @ W[8192, 28672] (µs)", xlim=(0.8, 5200))
        ax.set_xticks([1, 4, 16, 64, 256, 1024, 4096], ["1", "4", "16", "64", "256", "1,024", "4,096"])
        ax.minorticks_off()
        ax.legend(loc="upper left", fontsize=8)
        fig._servingmath = art
    art = fig._servingmath
    for dtype in SWEPT:
        art[f"{dtype}_line"].set_ydata(lines[dtype] * 1e6)
        art[f"{dtype}_knee"].set_xdata([knees[dtype]] * 2)
    art["ax"].set_title(f"One H100, roofline from the {peaks} peaks; dotted: B = C b_w / (2 W)", fontsize=9)
    text = (f"{peaks} peaks: HBM {num(rates['W_hbm'])} B/s, bf16 {num(rates['bf16'])} FLOP/s, "
            f"fp8 {num(rates['fp8'])}\n"
            f"knee bf16 weights + bf16 FLOPs: B = {num(knees['bf16'])}; "
            f"fp8 weights + fp8 FLOPs: B = {num(knees['fp8'])}")
    return fig, text
