"""Chapter 03 figure: memory and decode-step time of one configuration (batch, context, dtypes, chips).

Left, the bytes to hold (weights + KV caches) beside the HBM of the slice. Right, the
three terms of a decode step: the weight read and the matmul FLOPs overlap, so the
step is ``max(FLOPs, weight read) + KV read``; the larger of the two overlapping
terms is drawn solid and the smaller faded, and the bottom bar stacks what the step
really takes. A configuration that does not fit is an answer, not an error.
"""

import numpy as np

from .. import formulas as f
from ..display import gb, ms
from ..models import get_model
from ..plan import plan
from ..precision import bytes_per_element
from . import explorer, new_figure

ROWS = ("weight read", "matmul FLOPs", "KV read", "step")
COLORS = {"params": "C0", "flops": "C1", "kv": "C2"}


def step_terms(p) -> dict:
    """The three terms of a plan's decode step (seconds), through the library's formulas."""
    m = get_model(p.model)
    shared = {"N": p.chips, "P": p.param_count}
    terms = {
        "params": f.param_load_time(W_hbm=p.hbm_bw, b_w=bytes_per_element(p.weights, "weights"), **shared),
        "flops": f.step_flops_time(B=p.batch, C=p.flops, **shared),
        "kv": f.kv_load_time(B=p.batch, N=p.chips, S=p.context, W_hbm=p.hbm_bw, kv=m.kv_bytes_per_token(p.kv)),
    }
    terms["step"] = terms["kv"] + max(terms["flops"], terms["params"])
    return terms


@explorer
def step_view(fig=None, model="llama-3-70b", chip="tpu-v5e", chips=8, batch=32, context=8192,
              weights="int8", kv="int8"):
    """Memory against HBM, and the decode step's terms, for ``batch`` sequences of ``context`` tokens."""
    p = plan(model=model, chip=chip, chips=chips, weights=weights, kv=kv, context=context, batch=batch)
    t = step_terms(p)
    flops_win = t["flops"] > t["params"]
    shown = t if p.fits else {k: 0.0 for k in t}

    if fig is None:
        fig, (mem, time) = new_figure(2, figsize=(8, 3.6))
        y = np.arange(len(ROWS))
        art = {
            "mem": mem, "time": time,
            "weights": mem.bar([0], [0], width=0.6, color=COLORS["params"], label="weights")[0],
            "caches": mem.bar([0], [0], width=0.6, color=COLORS["kv"], label="KV caches")[0],
            "hbm": mem.bar([1], [0], width=0.6, color="0.75", label="HBM of the slice")[0],
            "bars": {
                "params": time.barh(y[0], 0, height=0.6, color=COLORS["params"])[0],
                "flops": time.barh(y[1], 0, height=0.6, color=COLORS["flops"])[0],
                "kv": time.barh(y[2], 0, height=0.6, color=COLORS["kv"])[0],
                "step_max": time.barh(y[3], 0, height=0.6, color=COLORS["params"], edgecolor="black")[0],
                "step_kv": time.barh(y[3], 0, height=0.6, color=COLORS["kv"], edgecolor="black")[0],
            },
            "labels": [time.text(0, i, "", va="center", ha="left", fontsize=9) for i in y],
            "note": time.text(0.5, 0.5, "", transform=time.transAxes, ha="center", va="center",
                              color="#b00020", fontsize=10),
        }
        mem.set_xticks([0, 1], ["needed", "has"])
        mem.set(ylabel="GB (1e9 bytes)", xlim=(-0.6, 1.6))
        mem.legend(loc="upper center", fontsize=9, ncols=3, bbox_to_anchor=(0.5, -0.12), frameon=False)
        time.set_yticks(y, ROWS)
        time.invert_yaxis()
        time.set_xlabel("milliseconds per decode step")
        for ax in (mem, time):
            ax.minorticks_off()
        fig._servingmath = art
    art = fig._servingmath
    art["weights"].set_height(p.param_bytes / 1e9)
    art["caches"].set_y(p.param_bytes / 1e9)
    art["caches"].set_height(p.kv_bytes / 1e9)
    art["hbm"].set_height(p.hbm_bytes / 1e9)
    art["mem"].set_title(p.fit_message, fontsize=10, color="black" if p.fits else "#b00020")

    bars = art["bars"]
    bars["params"].set_width(shown["params"] * 1e3)
    bars["flops"].set_width(shown["flops"] * 1e3)
    bars["kv"].set_width(shown["kv"] * 1e3)
    bars["params"].set_alpha(0.35 if flops_win else 1.0)
    bars["flops"].set_alpha(1.0 if flops_win else 0.35)
    top = max(shown["flops"], shown["params"]) * 1e3
    bars["step_max"].set_width(top)
    bars["step_max"].set_facecolor(COLORS["flops"] if flops_win else COLORS["params"])
    bars["step_kv"].set_x(top)
    bars["step_kv"].set_width(shown["kv"] * 1e3)
    for bar in bars.values():
        bar.set_visible(p.fits)
    values = (shown["params"], shown["flops"], shown["kv"], shown["step"])
    words = (", overlapped" if flops_win else "", "" if flops_win else ", overlapped", "", "")
    for label, value, word in zip(art["labels"], values, words):
        label.set_x(value * 1e3)
        label.set_text(f" {ms(value)}{word}" if p.fits else "")
    art["note"].set_text("" if p.fits else "does not fit:\nno step time")
    art["time"].set_title(f"step = max(weights, FLOPs) + KV\n= {ms(t['step'])}, {p.bound}-bound"
                          if p.fits else "", fontsize=10)
    for ax in (art["mem"], art["time"]):
        ax.relim()
        ax.autoscale_view()
    if p.fits:
        art["time"].set_xlim(0, 1.3 * t["step"] * 1e3)

    head = (f"{p.model} on {p.chips} x {p.chip}: weights {p.weights}, KV {p.kv}\n"
            f"batch {p.batch}, context {p.context:,}")
    memory = (f"memory: weights {gb(p.param_bytes, 4)} + KV caches {gb(p.kv_bytes, 4)} = {gb(p.total_bytes, 4)}\n"
              f"{p.fit_message}")
    if not p.fits:
        room = (f"at most {p.max_batch} sequences of {p.context:,} tokens fit beside the weights"
                if p.max_batch else "the weights alone do not fit")
        return fig, "\n".join((head, memory, room))
    relation = ">" if p.batch > p.critical_batch else "<="
    step = (f"step: max(weight read {ms(t['params'])}, FLOPs {ms(t['flops'])}) + KV read {ms(t['kv'])} "
            f"= {ms(t['step'])}\n{p.bound}-bound: B = {p.batch} {relation} B_crit = {p.critical_batch:.0f}")
    speed = f"throughput: {p.tokens_per_s:,.0f} tokens/s = {p.tokens_per_s_per_chip:,.0f} tokens/s/chip"
    return fig, "\n".join((head, memory, step, speed))
