"""Chapter 07 figure: tokens/s/chip at the largest batch that fits, against the slice size, by precision."""

from dataclasses import dataclass
import math

import numpy as np

from .. import formulas as f
from ..checks import check_choice, check_count
from ..chips import check_chips, get_chip
from ..display import ms, num
from ..models import get_model
from ..precision import bytes_per_element
from . import explorer, new_figure

#: Weights and KV cache stored in the same format; the matmuls run in bf16 (the source's doubled table).
PRECISIONS = ("bf16", "int8", "int4")
COLORS = {"bf16": "C0", "int8": "C1", "int4": "C2"}
DECODE = 512


def slice_shape(chips: int) -> tuple:
    """The 2D TPU slice of ``chips`` chips as (short axis, long axis): 8 -> (2, 4), 32 -> (4, 8)."""
    short = 2 ** (int(math.log2(chips)) // 2)
    return short, chips // short


def shape_name(chips: int) -> str:
    return "x".join(str(a) for a in slice_shape(chips))


@dataclass(frozen=True)
class Point:
    """One model copy on ``chips`` chips at the largest batch whose KV caches fit."""

    chips: int
    weights: str
    compute: str
    context: int
    batch: int              # 0: the weights (or one sequence) do not fit
    step: float             # seconds per decode step (nan when nothing fits)
    tokens_per_s_per_chip: float
    qps_per_chip: float
    critical_batch: float
    kv_room: float          # bytes left for KV caches (negative: the weights alone overflow)

    @property
    def fits(self) -> bool:
        return self.batch >= 1

    @property
    def bound(self) -> str:
        return "compute" if self.batch > self.critical_batch else "memory"


def at_max_batch(chips, weights="bf16", context=8192, compute="bf16", model="llama-3-70b", chip="tpu-v5e",
                 decode=DECODE) -> Point:
    """Batch, step time and throughput of ``model`` on ``chips`` chips with HBM filled by KV caches."""
    m, hw = get_model(model), get_chip(chip)
    b_w = bytes_per_element(weights, "weights")
    kvt = m.kv_bytes_per_token(weights)
    C = hw.flops(compute)
    room = f.kv_room(HBM=hw.hbm_bytes, N=chips, P=m.param_count, b_w=b_w)
    batch = max(0, int(f.max_batch(HBM=hw.hbm_bytes, N=chips, P=m.param_count, S=context, b_w=b_w, kv=kvt)))
    crit = f.critical_batch(C=C, W_hbm=hw.hbm_bw, b_w=b_w)
    if not batch:
        return Point(chips, weights, compute, context, 0, math.nan, math.nan, math.nan, crit, room)
    step = f.step_time(B=batch, C=C, N=chips, P=m.param_count, S=context, W_hbm=hw.hbm_bw, b_w=b_w, kv=kvt)
    return Point(chips, weights, compute, context, batch, step,
                 f.tokens_per_s_per_chip(B=batch, N=chips, T_step=step),
                 f.qps_per_chip(B=batch, G=decode, N=chips, T_step=step), crit, room)


def superlinear_limit(weights="bf16", context=8192, compute="bf16", model="llama-3-70b", chip="tpu-v5e"):
    """(N*, ceiling): chips where the full-HBM batch reaches B_crit, and the compute-bound tokens/s/chip."""
    m, hw = get_model(model), get_chip(chip)
    b_w, kvt, C = bytes_per_element(weights, "weights"), m.kv_bytes_per_token(weights), hw.flops(compute)
    n_star = f.superlinear_chips(C=C, HBM=hw.hbm_bytes, P=m.param_count, S=context, W_hbm=hw.hbm_bw, b_w=b_w,
                                 kv=kvt)
    ceiling = f.tokens_per_s_per_chip_compute_bound(C=C, P=m.param_count, S=context, W_hbm=hw.hbm_bw, kv=kvt)
    return n_star, ceiling


def _slices(hw):
    return [n for n in hw.slices if n >= 4]


@explorer
def throughput_vs_chips(fig=None, weights="bf16", context=8192, chips=32, model="llama-3-70b", chip="tpu-v5e"):
    """Tokens/s/chip at max batch over the valid slices for each precision (left), and the per-chip gain
    of doubling the slice (right); ``weights`` and ``chips`` pick the highlighted point."""
    hw = get_chip(chip)
    check_choice("weights", weights, PRECISIONS)
    context = check_count("context", context)
    chips = check_chips(hw, chips)
    sizes = _slices(hw)
    if chips not in sizes:
        raise ValueError(f"chips: pick a slice of at least 4 chips ({', '.join(map(str, sizes))})")
    points = {d: [at_max_batch(n, d, context, model=model, chip=hw) for n in sizes] for d in PRECISIONS}
    rate = {d: np.array([p.tokens_per_s_per_chip for p in points[d]]) for d in PRECISIONS}
    gain = {d: rate[d][1:] / rate[d][:-1] for d in PRECISIONS}   # reaching each slice from half of it
    ceiling = {d: superlinear_limit(d, context, model=model, chip=hw)[1] for d in PRECISIONS}
    k = sizes.index(chips)
    here = points[weights][k]
    if fig is None:
        fig, (left, right) = new_figure(2, figsize=(8.6, 3.6))
        art = {"left": left, "right": right, "rate": {}, "ceil": {}, "gain": {}}
        for d in PRECISIONS:
            art["rate"][d] = left.plot(sizes, rate[d], "o-", color=COLORS[d], ms=4, label=f"{d}")[0]
            art["ceil"][d] = left.axhline(ceiling[d], color=COLORS[d], ls=":", lw=1)
            art["gain"][d] = right.plot(sizes[1:], gain[d], "o-", color=COLORS[d], ms=4, label=f"{d}")[0]
        art["here"] = left.plot([chips], [here.tokens_per_s_per_chip], "o", ms=11, mfc="none", mec="k", mew=1.5)[0]
        art["here_gain"] = right.plot([chips], [1.0], "o", ms=11, mfc="none", mec="k", mew=1.5)[0]
        right.axhline(1.0, color="k", lw=1, ls="--")
        right.text(sizes[-1], 1.0, "linear: no gain per chip ", ha="right", va="top", fontsize=8)
        labels = [f"{n}\n{shape_name(n)}" for n in sizes]
        left.set(xscale="log", xlabel="chips (slice)", ylabel="tokens/s per chip at max batch")
        left.set_xticks(sizes, labels)
        right.set(xscale="log", xlabel="doubled to this slice (from half the chips)",
                  ylabel="tokens/s/chip gain from doubling (x)")
        right.set_xticks(sizes[1:], labels[1:])
        for ax in (left, right):
            ax.minorticks_off()
        right.legend(loc="upper right", fontsize=8, title="weights = KV", title_fontsize=8)
        fig._servingmath = art
    art = fig._servingmath
    for d in PRECISIONS:
        width = 2.2 if d == weights else 1.0
        art["rate"][d].set_ydata(rate[d])
        art["rate"][d].set_linewidth(width)
        art["ceil"][d].set_ydata([ceiling[d]] * 2)
        art["gain"][d].set_ydata(gain[d])
        art["gain"][d].set_linewidth(width)
    art["here"].set_data([chips], [here.tokens_per_s_per_chip])
    art["here_gain"].set_data([chips], [gain[weights][k - 1] if k else math.nan])
    art["left"].set_title(f"context {context:,}; dotted: compute-bound ceiling", fontsize=9)
    art["right"].set_title("above 1: super-linear total throughput", fontsize=9)
    for ax in (art["left"], art["right"]):
        ax.relim()
        ax.autoscale_view()
    highest = np.nanmax([np.nanmax(g) if np.isfinite(g).any() else 1.0 for g in gain.values()])
    art["right"].set_ylim(0.9, max(1.1, highest + 0.05))   # room under 1 for the label of the linear line
    return fig, _text(points[weights], k, sizes, weights, context, model, hw)


def _text(points, k, sizes, weights, context, model, hw):
    here = points[k]
    n_star, ceiling = superlinear_limit(weights, context, model=model, chip=hw)
    head = f"{weights} weights and KV cache, bf16 FLOPs, context {context:,}, {hw.name}"
    if not here.fits:
        need = -here.kv_room if here.kv_room < 0 else 0
        return (f"{head}\n{here.chips} chips ({shape_name(here.chips)}): no sequence fits"
                + (f" (the weights overflow HBM by {need / 1e9:.1f} GB)" if need else
                   " (one sequence's cache is larger than the HBM left)"))
    lines = [head,
             f"{here.chips} chips ({shape_name(here.chips)}): {here.batch} sequences fit; step {ms(here.step)} "
             f"({here.bound}-bound matmuls, B_crit {num(here.critical_batch)}); "
             f"{num(here.tokens_per_s_per_chip)} tokens/s/chip, QPS/chip {num(here.qps_per_chip)}"]
    half = points[k - 1] if k else None
    if half is not None and half.fits:
        total = here.batch / here.step / (half.batch / half.step)
        lines.append(f"doubled from {half.chips} ({shape_name(half.chips)}, {half.batch} sequences, "
                     f"{num(half.tokens_per_s_per_chip)} tokens/s/chip): x{total:.2f} total, x{total / 2:.2f} per chip")
    elif half is not None:
        lines.append(f"half the slice ({half.chips} chips) holds no sequence: doubling is what makes it fit")
    lines.append(f"per-chip throughput rises with N up to N* = {num(n_star)} chips, then stays at the "
                 f"compute-bound ceiling of {num(ceiling)} tokens/s/chip")
    return "\n".join(lines)
