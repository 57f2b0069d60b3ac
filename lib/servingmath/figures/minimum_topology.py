"""Chapter 05 figures: max batch and step time over the slice size per precision, and the measured
bf16-vs-fp8 decode step of one layer against the roofline."""

import numpy as np

from .. import formulas as f
from .. import measured
from ..checks import check_choice, check_count
from ..chips import get_chip
from ..display import ms, num
from ..models import get_model
from ..precision import bytes_per_element
from . import explorer, new_figure

#: Weights and KV cache stored in the same format; FLOPs in bf16 (the article's three modes).
PRECISIONS = ("bf16", "int8", "int4")
COLORS = {"bf16": "C0", "int8": "C1", "int4": "C2"}


def slice_sizes(chip, largest: int = 256) -> list:
    """Valid slice sizes of ``chip`` up to ``largest`` chips (beyond the listed ones, powers of two)."""
    hw = get_chip(chip)
    sizes = [s for s in hw.slices if s <= largest]
    if hw.slice_step:
        more = 2 * hw.slices[-1]
        while more <= largest:
            if hw.is_valid_slice(more):
                sizes.append(more)
            more *= 2
    return sizes


def topology_row(precision="bf16", context=8192, chip="tpu-v5e", model="llama-3-70b", chips=None) -> dict:
    """Weights, minimum chips, smallest slice, max batch and step time for one precision.

    Weights and KV cache are both stored in ``precision``; the FLOPs are bf16. ``chips=None``
    takes the smallest valid slice that holds the weights.
    """
    check_choice("precision", precision, PRECISIONS)
    context = check_count("context", context)
    hw, m = get_chip(chip), get_model(model)
    b_w = bytes_per_element(precision)
    kvt = m.kv_bytes_per_token(precision)
    weights = f.param_bytes(P=m.param_count, b_w=b_w)
    need = f.memory_chips(B=0, HBM=hw.hbm_bytes, P=m.param_count, S=context, b_w=b_w, kv=kvt)
    n = hw.smallest_slice(need) if chips is None else chips
    if n is None:
        raise ValueError(f"chip: {model} in {precision} needs {need:.1f} chips, more than any {hw.name} slice")
    batch = int(f.max_batch(HBM=hw.hbm_bytes, N=n, P=m.param_count, S=context, b_w=b_w, kv=kvt))
    step = (f.step_time(B=batch, C=hw.flops_bf16, N=n, P=m.param_count, S=context, W_hbm=hw.hbm_bw, b_w=b_w,
                        kv=kvt) if batch > 0 else float("nan"))
    return {"precision": precision, "weights": weights, "chips_needed": need, "chips": n, "batch": max(batch, 0),
            "step": step, "kv_per_token": kvt}


def _curves(hw, model, context, sizes):
    m = get_model(model)
    out = {}
    for p in PRECISIONS:
        b_w = bytes_per_element(p)
        kvt = m.kv_bytes_per_token(p)
        n = np.array(sizes, dtype=float)
        one = np.ones_like(n)
        batch = f.max_batch(HBM=hw.hbm_bytes * one, N=n, P=m.param_count * one, S=context * one, b_w=b_w * one,
                            kv=kvt * one).astype(float)
        batch[batch < 1] = np.nan
        step = f.step_time(B=batch, C=hw.flops_bf16 * one, N=n, P=m.param_count * one, S=context * one,
                           W_hbm=hw.hbm_bw * one, b_w=b_w * one, kv=kvt * one)
        out[p] = (n, batch, step)
    return out


@explorer
def topology(fig=None, precision="bf16", context=8192, chip="tpu-v5e", model="llama-3-70b"):
    """Max batch (left) and decode step at that batch (right) over the slice size, for the three precisions."""
    check_choice("precision", precision, PRECISIONS)
    context = check_count("context", context)
    hw = get_chip(chip)
    sizes = slice_sizes(hw)
    curves = _curves(hw, model, context, sizes)
    rows = {p: topology_row(p, context, hw, model) for p in PRECISIONS}
    full = f.step_time_full_hbm(HBM=hw.hbm_bytes, W_hbm=hw.hbm_bw)
    if fig is None:
        fig, (left, right) = new_figure(2, figsize=(8.4, 3.6))
        art = {"left": left, "right": right}
        for p in PRECISIONS:
            art[f"{p}_b"] = left.plot([], [], "-", color=COLORS[p], label=f"{p} weights and KV")[0]
            art[f"{p}_t"] = right.plot([], [], "-", color=COLORS[p], label=p)[0]
            art[f"{p}_bm"] = left.plot([], [], "o", color=COLORS[p], ms=7, mfc="none")[0]
            art[f"{p}_tm"] = right.plot([], [], "o", color=COLORS[p], ms=7, mfc="none")[0]
        art["full"] = right.axhline(full * 1e3, color="k", ls="--", lw=1, label="HBM / W_hbm")
        left.set(xscale="log", yscale="log", xlabel="chips N (valid slices)", ylabel="max batch (sequences)")
        right.set(xscale="log", xlabel="chips N (valid slices)", ylabel="decode step at max batch (ms)")
        for ax in (left, right):
            ax.minorticks_off()
        left.legend(loc="upper left", fontsize=8)
        right.legend(loc="upper left", fontsize=8)
        fig._servingmath = art
    art = fig._servingmath
    for p in PRECISIONS:
        n, batch, step = curves[p]
        wide = 2.6 if p == precision else 1.0
        art[f"{p}_b"].set_data(n, batch)
        art[f"{p}_t"].set_data(n, step * 1e3)
        art[f"{p}_b"].set_linewidth(wide)
        art[f"{p}_t"].set_linewidth(wide)
        r = rows[p]
        art[f"{p}_bm"].set_data([r["chips"]], [r["batch"] if r["batch"] else np.nan])
        art[f"{p}_tm"].set_data([r["chips"]], [r["step"] * 1e3])
    art["full"].set_ydata([full * 1e3] * 2)
    for ax in (art["left"], art["right"]):
        ax.set_xticks(sizes, [str(s) for s in sizes])
        ax.relim()
        ax.autoscale_view()
    art["right"].set_ylim(0, None)
    art["left"].set_title(f"{hw.label}, context {context:,}; circles: smallest slice", fontsize=9)
    art["right"].set_title("step at max batch (FLOPs in bf16)", fontsize=9)
    r = rows[precision]
    text = (f"{precision} weights: {num(r['weights'] / 1e9)} GB = {num(r['chips_needed'])} chips of "
            f"{num(hw.hbm_bytes / 1e9)} GB -> smallest slice {r['chips']}\n"
            f"max batch at {context:,} tokens: {r['batch']} sequences; step {ms(r['step'])} "
            f"(HBM/W_hbm {ms(full)})\n"
            "on their smallest slices: " + ", ".join(f"{p} {rows[p]['batch']} on {rows[p]['chips']}"
                                                      for p in PRECISIONS))
    return fig, text


def speedup_table(run: str = "run3", chip: str = "h100", model: str = "llama-3-70b") -> dict:
    """One layer's decode step with bf16 vs fp8 weights: measured (CUDA graphs) and the roofline's prediction.

    Returns arrays by (batch, context): the bytes read, both measured times (s), the measured
    speed-up and the predicted one from ``formulas.step_time`` with the chip's datasheet peaks
    (bf16 weights and FLOPs vs fp8 weights and FLOPs; KV cache in bf16 for both).
    """
    data = measured.table("decode_layer_graphs", run)
    hw, m = get_chip(chip), get_model(model)
    bf, f8 = data["weights"] == "bf16", data["weights"] == "fp8"
    batch, context = data["batch"][bf], data["context"][bf]
    if not (np.array_equal(batch, data["batch"][f8]) and np.array_equal(context, data["context"][f8])):
        raise ValueError(f"run: {run} does not pair every bf16 row with an fp8 row")
    kv_layer = m.kv_bytes_per_token("bf16") / m.layers
    params = data["layer_params"][bf]

    def predict(weights):
        one = np.ones_like(batch)
        return f.step_time(B=batch, C=hw.flops(weights) * one, N=one, P=params, S=context, W_hbm=hw.hbm_bw * one,
                           b_w=bytes_per_element(weights) * one, kv=kv_layer * one)

    t_bf, t_f8 = data["time_us_median"][bf] * 1e-6, data["time_us_median"][f8] * 1e-6
    p_bf, p_f8 = predict("bf16"), predict("fp8")
    return {"batch": batch, "context": context, "weight_bytes_bf16": data["weight_bytes"][bf],
            "kv_bytes": data["kv_bytes"][bf], "time_bf16": t_bf, "time_fp8": t_f8,
            "measured": t_bf / t_f8, "predicted_bf16": p_bf, "predicted_fp8": p_f8, "predicted": p_bf / p_f8}


def precision_speedup(fig=None, run="run3", chip="h100"):
    """Speed-up of one layer's decode step from fp8 weights, against the batch, at each measured context."""
    data = speedup_table(run, chip)
    contexts = sorted(set(data["context"].astype(int)))
    if fig is None:
        fig, ax = new_figure(1, figsize=(7.0, 3.8))
        art = {"ax": ax}
        for i, s in enumerate(contexts):
            art[f"{s}_m"] = ax.plot([], [], "o", color=f"C{i}", label=f"context {s:,}: measured")[0]
            art[f"{s}_p"] = ax.plot([], [], "-", color=f"C{i}", lw=1.2, label=f"context {s:,}: roofline")[0]
        ax.axhline(2, color="k", ls="--", lw=1, label="bytes halved: 2x")
        ax.axhline(1, color="k", lw=0.8)
        ax.set(xscale="log", xlabel="batch B (sequences)", ylabel="step time bf16 / fp8 weights", ylim=(0.9, 2.1))
        ax.minorticks_off()
        ax.legend(loc="lower left", fontsize=8)
        fig._servingmath = art
    art = fig._servingmath
    for s in contexts:
        pick = data["context"] == s
        art[f"{s}_m"].set_data(data["batch"][pick], data["measured"][pick])
        art[f"{s}_p"].set_data(data["batch"][pick], data["predicted"][pick])
    batches = sorted(set(data["batch"].astype(int)))
    art["ax"].set_xticks(batches, [str(b) for b in batches])
    art["ax"].set_xlim(min(batches) / 1.3, max(batches) * 1.3)
    art["ax"].set_title(f"One LLaMA 3-70B layer on one H100 ({run}, CUDA graphs); roofline: {get_chip(chip).label}",
                        fontsize=9)
    text = (f"speed-up from fp8 weights, measured: {num(data['measured'].min())}x to "
            f"{num(data['measured'].max())}x\n"
            f"roofline ({get_chip(chip).name}): {num(data['predicted'].min())}x to {num(data['predicted'].max())}x")
    return fig, text
