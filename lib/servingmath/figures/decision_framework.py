"""Chapter 11: the six-step decision framework as one planner, its plan card, and the article's recipe.

``decision_framework`` is the chapter's view: latency per output token against throughput per
chip over every batch that fits, with the chosen batch and the latency target marked; its text
is the plan card (``plan_card``). ``recipe_comparison`` runs the article's six-step recipe as
written beside the corrected one; ``tradeoff_rows`` recomputes the source's "Visualizing the
latency-throughput tradeoff" numbers and ``snippet_max_batch`` reproduces the bug in its code.
"""

import numpy as np

from .. import formulas as f
from ..checks import check_number
from ..chips import get_chip
from ..display import gb, ms, num
from ..models import get_model
from ..precision import bytes_per_element
from ..targets import TargetedPlan, ici_verdict, plan_for_target, slice_shape, step_time_at
from . import explorer, new_figure

#: Where each step of the framework is derived (chapter files, for the card's last column).
STEP_CHAPTERS = {
    "precision": "04",
    "topology": "05",
    "batch": "05, 07",
    "latency": "03, 04",
    "throughput": "06",
    "cost": "01",
    "ici": "08",
    "prefill": "09, 10",
}

#: Most points drawn on the latency-throughput curve (batches are sampled evenly beyond this).
CURVE_POINTS = 400


def _slice_name(chip, chips: int) -> str:
    shape = slice_shape(chip, chips)
    unit = "GPU" if get_chip(chip).wraparound_from is None and get_chip(chip).slice_step else "chip"
    name = f"{chips} {unit}{'s' if chips != 1 else ''}"
    return f"{name} ({shape})" if shape else name


def _n(x: float) -> str:
    """Three significant figures, with thousands separators instead of exponents up to 1e9."""
    return f"{x:,.0f}" if 100 <= abs(x) < 1e9 else num(x)


def _t(seconds: float) -> str:
    return ms(seconds) if seconds < 1 else f"{num(seconds)} s"


def _line(label: str, text: str, chapters: str = "") -> str:
    head = f"{label} ({chapters})" if chapters else label
    return f"{head:<19}{text}"


def plan_card(tp: TargetedPlan) -> str:
    """The plan card: the six steps of the framework for one deployment, as text.

    Each line is one step (with the chapters that derive it in brackets) and its result.
    """
    p, ici = tp.plan, tp.ici
    hw = get_chip(p.chip)
    target = "no latency target" if tp.target_s is None else f"target {ms(tp.target_s)} per output token"
    lines = [f"PLAN  {p.model} on {hw.label}: {_slice_name(hw, p.chips)}",
             f"      weights {p.weights}, KV {p.kv}, FLOPs {p.compute}; context {p.context:,}; decode {p.decode:,}",
             f"      {target}",
             "step (chapters)    result"]
    regime = "compute" if p.critical_batch < 1 else "memory"
    lines.append(_line("1 B_crit", f"{num(p.critical_batch)} sequences; a smaller batch is {regime}-bound",
                       STEP_CHAPTERS["precision"]))
    n_min = tp.full.min_chips
    lines.append(_line("2 topology", f"{gb(p.param_bytes)} weights + {gb(p.kv_bytes_per_sequence)}/sequence: "
                       f"{n_min} chip{'s' if n_min != 1 else ''} -> slice of {tp.full.min_slice_chips}",
                       STEP_CHAPTERS["topology"]))
    if tp.batch_reason == "does not fit":
        lines.append(_line("3 batch", f"none: {p.fit_message} on {p.chips} chips", STEP_CHAPTERS["batch"]))
        lines.append(_line("", "choose a larger slice or fewer bytes per weight"))
        return "\n".join(lines)
    batch_note = {
        "memory": "HBM full" if tp.target_s is None else f"HBM full, and it meets {ms(tp.target_s)}",
        "latency": f"the largest that meets {ms(tp.target_s or 0)}",
        "misses target": "no batch meets the target; one shown",
        "ICI": "capped where the slice turns ICI-bound",
        "ICI-bound": "ICI-bound even at one sequence",
    }[tp.batch_reason]
    lines.append(_line("3 batch", f"{p.max_batch} fit in {gb(p.hbm_bytes)}; batch {p.batch}: {batch_note}",
                       STEP_CHAPTERS["batch"]))
    if tp.batch_reason == "misses target":
        bigger = ("no slice of this chip is fast enough" if tp.slice_meeting_target is None
                  else f"one meets it on {_slice_name(hw, tp.slice_meeting_target)}")
        lines.append(_line("", f"even one sequence takes {ms(tp.step_at_one)}; {bigger}"))
    lines.append(_line("4 latency", f"{ms(p.step_time_s)} per token ({p.bound}-bound); "
                       f"{ms(tp.full.step_time_s)} at the max batch", STEP_CHAPTERS["latency"]))
    lines.append(_line("  throughput", f"{_n(p.tokens_per_s)} tokens/s = {_n(p.tokens_per_s_per_chip)} "
                       f"tokens/s/chip; {num(p.qps_per_chip)} QPS/chip", STEP_CHAPTERS["throughput"]))
    cost = ("no price for this chip" if p.cost_per_million_tokens is None else
            f"${p.cost_per_million_tokens:.2f} per million tokens at ${hw.price_per_hour:g}/chip-hour, always busy")
    lines.append(_line("  cost", cost, STEP_CHAPTERS["cost"]))
    if p.chips == 1:
        verdict = "one chip: nothing crosses ICI"
    else:
        hbm = "n/a" if ici.hbm_bound is None else _n(ici.hbm_bound)
        verdict = (f"{'safe' if ici.safe else 'ICI-bound'}: {p.chips} chips vs max(Y_FLOPs {_n(ici.flops_bound)}, "
                   f"Y_HBM {hbm}) = {_n(ici.threshold)}")
    lines.append(_line("5 ICI", verdict, STEP_CHAPTERS["ici"]))
    if p.chips > 1:
        wrap = ("" if ici.wraparound else f"; no wraparound: {_n(ici.threshold_no_wrap)}, "
                f"{'still safe' if ici.safe_no_wrap else 'ICI-bound'}")
        lines.append(_line("", f"over {ici.mesh_axes} mesh {'axes' if ici.mesh_axes > 1 else 'axis'}{wrap}"))
    lines.append(_line("6 P:G", f"prefill {_t(p.prefill_time_s)} ({p.prompt:,} tokens, MFU {p.mfu:g}): "
                       f"{num(p.prefill_decode_ratio)} prefill per decode server", STEP_CHAPTERS["prefill"]))
    return "\n".join(lines)


def _curve(tp: TargetedPlan):
    """Latency (s) and throughput per chip over the batches that fit."""
    p = tp.plan
    if p.max_batch < 1:
        return np.array([]), np.array([])
    batches = np.unique(np.linspace(1, p.max_batch, min(p.max_batch, CURVE_POINTS)).round())
    steps = np.array([step_time_at(p, b) for b in batches])
    per_chip = f.tokens_per_s_per_chip(B=batches, N=np.full_like(batches, p.chips), T_step=steps)
    return steps, per_chip


@explorer
def decision_framework(fig=None, model="llama-3-70b", chip="tpu-v5e", chips="smallest", weights="int8",
                       kv="int8", compute="bf16", context=8192, decode=512, target_ms=15.0, ici_safe=False,
                       mesh_axes=None):
    """The planner's view: latency vs throughput per chip over the batch, the chosen point, the target.

    ``chips`` is a valid slice size or ``"smallest"``; ``target_ms`` is the time per output token
    in milliseconds, or None for no target; ``ici_safe`` caps the batch where the slice would become
    ICI-bound. Returns the figure and the plan card.
    """
    n = None if chips in (None, "smallest") else chips
    target = None if target_ms is None else check_number("target_ms", target_ms) / 1e3
    tp = plan_for_target(target, model=model, chip=chip, chips=n, weights=weights, kv=kv, compute=compute,
                         context=context, decode=decode, mesh_axes=mesh_axes, ici_safe=ici_safe)
    p = tp.plan
    steps, per_chip = _curve(tp)
    if fig is None:
        fig, ax = new_figure(1, figsize=(7.0, 3.6))
        art = {
            "ax": ax,
            "curve": ax.plot([], [], color="C0", label="every batch that fits")[0],
            "full": ax.plot([], [], "o", mfc="white", color="C0", label="HBM full (max batch)")[0],
            "chosen": ax.plot([], [], "o", color="C3", ms=8, label="planned batch")[0],
            "target": ax.axhline(0, color="C2", ls="--", label="latency target"),
            "note": ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", color="#b00020"),
        }
        ax.set(xlabel="throughput (tokens/s per chip)", ylabel="latency (ms per output token)")
        ax.legend(loc="lower right", fontsize=8)
        ax.minorticks_off()
        fig._servingmath = art
    art = fig._servingmath
    ax = art["ax"]
    art["curve"].set_data(per_chip, steps * 1e3)
    if p.fits:
        art["full"].set_data(per_chip[-1:], steps[-1:] * 1e3)
        art["chosen"].set_data([p.tokens_per_s_per_chip], [p.step_time_s * 1e3])
        art["note"].set_text("" if tp.batch_reason != "misses target" else "no batch meets the target")
    else:
        art["full"].set_data([], [])
        art["chosen"].set_data([], [])
        art["note"].set_text("does not fit: " + p.fit_message.split(": ", 1)[-1])
    art["target"].set_visible(target is not None)
    if target is not None:
        art["target"].set_ydata([target * 1e3] * 2)
    ax.set_title(f"{p.model}, {_slice_name(p.chip, p.chips)} of {p.chip}; "
                 f"{p.weights}/{p.kv}/{p.compute}, context {p.context:,}", fontsize=9)
    ax.relim(visible_only=True)
    ax.autoscale_view()
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    return fig, plan_card(tp)


# --- The article's recipe as written, beside the corrected one ----------------------------------------

def article_critical_batch(chip, weights: str, compute: str) -> float:
    """Step 1 as the article writes it: '120 for int8+bf16, 240 otherwise' (C_bf16 / W_hbm, halved for int8+bf16)."""
    hw = get_chip(chip)
    halved = weights == "int8" and compute == "bf16"
    return f.critical_batch(C=hw.flops_bf16, W_hbm=hw.hbm_bw, b_w=1 if halved else 2)


def recipe_comparison(model="llama-3-70b", chip="tpu-v5e", weights="bf16", kv=None, compute="bf16",
                      context=8192, decode=512, mfu=0.4, mesh_axes=2):
    """Rows (step, article's recipe, its value, corrected recipe, its value): the six steps, each chained.

    The article's column follows its recipe literally: chips = ceil(weights / HBM per chip) (no slice),
    batch from those chips, step = HBM / W_hbm, ICI limit = min(M F / alpha, F / (beta B)) with M = 2
    only in the first, and P/G = T_prefill / (B T_step). The corrected column is ``plan_for_target``.
    """
    m, hw = get_model(model), get_chip(chip)
    kv = kv or weights
    b_w, b_a = bytes_per_element(weights, "weights"), bytes_per_element(compute, "compute")
    kvt = m.kv_bytes_per_token(kv)
    P = m.param_count
    # the article's chain
    crit_a = article_critical_batch(hw, weights, compute)
    n_a = int(f.min_chips(B=0, HBM=hw.hbm_bytes, P=P, S=context, b_w=b_w, kv=kvt))
    b_a_max = max(0, int(f.max_batch(HBM=hw.hbm_bytes, N=n_a, P=P, S=context, b_w=b_w, kv=kvt)))
    t_a = f.step_time_full_hbm(HBM=hw.hbm_bytes, W_hbm=hw.hbm_bw)
    y_flops_a = f.ici_flops_bound(C=hw.flops_bf16, F=m.d_ff, M=mesh_axes, W_ici=hw.ici_bw_bidi, b_a=2)
    y_hbm_a = (f.ici_hbm_bound(B=b_a_max, F=m.d_ff, M=1, W_hbm=hw.hbm_bw, W_ici=hw.ici_bw_bidi, b_a=2, b_w=2)
               if b_a_max else float("inf"))
    y_a = min(y_flops_a, y_hbm_a)
    pre_a = f.prefill_time(C=hw.flops(compute), MFU=mfu, N=n_a, P=P, T=context)
    pg_a = f.prefill_decode_ratio_article(B=b_a_max, T_prefill=pre_a, T_step=t_a) if b_a_max else float("nan")
    # the corrected chain
    tp = plan_for_target(None, model=m, chip=hw, weights=weights, kv=kv, compute=compute, context=context,
                         decode=decode, mfu=mfu, mesh_axes=mesh_axes)
    p, ici = tp.plan, tp.ici
    ok = lambda safe: "safe" if safe else "ICI-bound"
    return [
        ("1 precision: B_crit", "120 (int8 + bf16), else 240", num(crit_a),
         "C b_w / (2 W_hbm)", num(p.critical_batch)),
        ("2 min topology", "ceil(weights / 16 GB)", f"{n_a} chips",
         "smallest slice: weights + 1 sequence", _slice_name(hw, p.chips)),
        ("3 max batch", "(N x 16 GB - weights) / KV_seq", f"{b_a_max} on {n_a} chips",
         "floor((N HBM - P b_w) / (S KV))", f"{p.max_batch} on {p.chips} chips"),
        ("4 step latency", "16 GB / W_hbm", ms(t_a),
         "KV read + max(FLOPs, weight read)", f"{ms(p.step_time_s)} ({p.bound}-bound)"),
        ("5 ICI-safe", "Y < min(2F/alpha, F/(beta B))", f"{n_a} vs {num(y_a)}: {ok(n_a < y_a)}",
         "Y <= max(Y_FLOPs, Y_HBM), same M",
         f"{p.chips} vs {num(ici.threshold)}: {ok(ici.safe)}"),
        ("6 prefill:generate", "T_prefill / (B / decode_rate)", num(pg_a),
         "T_prefill B / (T_step G)", num(p.prefill_decode_ratio)),
    ]


def ici_comparison(model="llama-3-70b", chip="tpu-v5e", chips=32, weights="bf16", context=8192):
    """Step 5 for one slice at its max batch: the article's min, the corrected max, and without wraparound."""
    m, hw = get_model(model), get_chip(chip)
    tp = plan_for_target(None, model=m, chip=hw, chips=chips, weights=weights, context=context)
    p, ici = tp.plan, tp.ici
    y_flops = f.ici_flops_bound(C=hw.flops_bf16, F=m.d_ff, M=2, W_ici=hw.ici_bw_bidi, b_a=2)
    y_hbm_1 = f.ici_hbm_bound(B=p.batch, F=m.d_ff, M=1, W_hbm=hw.hbm_bw, W_ici=hw.ici_bw_bidi, b_a=2, b_w=2)
    return {"batch": p.batch, "chips": p.chips, "article": min(y_flops, y_hbm_1), "flops": ici.flops_bound,
            "hbm": ici.hbm_bound, "hbm_one_axis": y_hbm_1, "corrected": ici.threshold,
            "no_wrap": ici.threshold_no_wrap, "safe": ici.safe, "safe_no_wrap": ici.safe_no_wrap}


# --- "Visualizing the latency-throughput tradeoff" (the source's 16-chip, int8 example) ------------------

#: The source's code: LLaMA 3-70B with ``param_size = 70e9`` (int8, one byte each) on 16 v5e chips.
TRADEOFF = {"chip": "tpu-v5e-2026", "chips": 16, "params": 70e9, "weights": "int8", "kv": "int8"}
TRADEOFF_CONTEXTS = (2048, 4096, 8192, 16384, 32768)


def _tradeoff_step(B, S, hw, kvt):
    t = TRADEOFF
    return f.step_time(B=B, C=hw.flops_bf16, N=t["chips"], P=t["params"], S=S, W_hbm=hw.hbm_bw,
                       b_w=bytes_per_element(t["weights"]), kv=kvt)


def snippet_max_batch(context: int) -> int:
    """The max batch the source's code plots (bug reproduced): an index into a step-4 grid used as a batch."""
    t, hw, m = TRADEOFF, get_chip(TRADEOFF["chip"]), get_model("llama-3-70b")
    grid = np.arange(1, 1024, 4).astype(float)
    fill = f.memory_chips(B=grid, HBM=np.full_like(grid, hw.hbm_bytes), P=np.full_like(grid, t["params"]),
                          S=np.full_like(grid, context), b_w=np.full_like(grid, bytes_per_element(t["weights"])),
                          kv=np.full_like(grid, m.kv_bytes_per_token(t["kv"])))
    power_of_two = 2 ** np.ceil(np.log2(fill))          # the code's min_topology()
    max_idx = int(np.where(power_of_two <= t["chips"])[0][-1])
    return int(np.arange(1, 512, 1)[:max_idx][-1])      # batch_sizes = np.arange(1, 512, 1)[:max_idx]


def tradeoff_rows(contexts=TRADEOFF_CONTEXTS) -> list:
    """Per context: max batch, latency at B = 1 and at max B, peak tokens/ms/chip, KV vs FLOPs, the snippet's batch."""
    t, hw, m = TRADEOFF, get_chip(TRADEOFF["chip"]), get_model("llama-3-70b")
    kvt = m.kv_bytes_per_token(t["kv"])
    rows = []
    for S in contexts:
        b_max = int(f.max_batch(HBM=hw.hbm_bytes, N=t["chips"], P=t["params"], S=S,
                                b_w=bytes_per_element(t["weights"]), kv=kvt))
        t1, t_max = _tradeoff_step(1, S, hw, kvt), _tradeoff_step(b_max, S, hw, kvt)
        kv_time = f.kv_load_time(B=b_max, N=t["chips"], S=S, W_hbm=hw.hbm_bw, kv=kvt)
        flops_time = f.step_flops_time(B=b_max, C=hw.flops_bf16, N=t["chips"], P=t["params"])
        b_bug = snippet_max_batch(S)
        rows.append({"context": S, "max_batch": b_max, "latency_1": t1, "latency_max": t_max,
                     "tokens_per_ms_per_chip": f.tokens_per_s_per_chip(B=b_max, N=t["chips"], T_step=t_max) / 1e3,
                     "kv_over_flops": kv_time > flops_time, "snippet_batch": b_bug,
                     "snippet_latency": _tradeoff_step(b_bug, S, hw, kvt)})
    return rows
