"""Chapter 10: how many prefill servers per decode server, with prefix caching and latency targets.

``split()`` sizes both pools for one workload; ``split_view`` draws the ratio over the prefix-cache
hit rate and over the prompt length. ``REPORTED`` holds the ratios published for real systems and
``MOONCAKE`` the workload of Mooncake's P/D-ratio experiment, with their sources.
"""

from dataclasses import dataclass
import math

from matplotlib.ticker import FixedLocator, FuncFormatter
import numpy as np
import sympy as sp

from .. import formulas as f
from ..checks import check_count, check_fraction, check_number
from ..article import SOURCE_INPUTS
from ..chips import A800, check_chips, get_chip
from ..display import gb, ms, num
from ..models import get_model
from ..precision import bytes_per_element
from ..symbols import B, C, G, H, L, MFU, N, N_q, P, T, T_step, h
from . import explorer, new_figure

HITS = np.round(np.arange(0.0, 0.951, 0.025), 3)
PROMPTS = 2 ** np.arange(9, 18)       # 512 ... 131072 tokens
RATIO_TICKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500]

#: Mooncake's P/D-ratio experiment (FAST'25, section 5.5): 16 nodes of 8 A800s, a LLaMA3-70B-shaped model,
#: a synthetic workload averaging 15,325 prompt and 149 output tokens, TTFT <= 10 s and TBT <= 100 ms.
MOONCAKE = {"chip": A800, "nodes": 16, "gpus_per_node": 8, "prompt": 15325, "decode": 149, "ttft": 10.0, "tpot": 0.100,
            "best_ratio": (1, 1)}

#: The source's own inputs to its P:G answer (How to Scale Your Model, Part 8): "19ms per decode step at
#: batch size 43 (let's call that 32)", i.e. the HBM-full step time with 8.2e11 B/s and its max batch.
SOURCE_PD = {"step": SOURCE_INPUTS["step_19ms"], "batch": SOURCE_INPUTS["batch_43"], "batch_used": 32}

#: Published prefill : decode allocations (counts, and the unit they count).
REPORTED = (
    {"system": "Splitwise", "cite": "splitwise", "setup": "simulator, coding, DGX-H100",
     "prefill": 23, "decode": 10, "unit": "8-GPU machines"},
    {"system": "Splitwise", "cite": "splitwise", "setup": "simulator, chat, DGX-H100",
     "prefill": 25, "decode": 15, "unit": "8-GPU machines"},
    {"system": "DistServe", "cite": "distserve", "setup": "artifact, OPT-13B, A100",
     "prefill": 2, "decode": 1, "unit": "GPUs"},
    {"system": "DistServe", "cite": "distserve", "setup": "artifact, OPT-66B, A100",
     "prefill": 4, "decode": 4, "unit": "GPUs"},
    {"system": "DistServe", "cite": "distserve", "setup": "artifact, OPT-175B, A100",
     "prefill": 9, "decode": 12, "unit": "GPUs"},
    {"system": "Mooncake", "cite": "mooncake", "setup": "70B-shaped, A800, 15k prompts",
     "prefill": 1, "decode": 1, "unit": "8-GPU nodes"},
)


@dataclass(frozen=True)
class Split:
    """Both pools of a disaggregated deployment, sized for one workload."""

    model: str
    chip: str
    weights: str
    prompt: int
    decode: int
    hit: float
    mfu: float
    ttft_target: float
    tpot_target: float
    decode_chips: int
    decode_batch: int
    batch_limit: str          # "HBM" or "time per token"
    step_time: float
    decode_rps: float         # requests finished per second by one decode server
    prefill_chips: int
    prefill_time: float
    meets_ttft: bool
    prefill_rps: float        # prompts prefilled per second by one prefill server
    server_ratio: float       # prefill servers per decode server
    chip_ratio: float         # prefill chips per decode chip


def split(model="llama-3-70b", chip="tpu-v5e", weights="bf16", prompt=8192, decode=512, hit=0.0, ttft=2.0,
          tpot=0.05, decode_chips=16, prefill_chips=None, mfu=0.4) -> Split:
    """Size a decode server and a prefill server for one workload, and the ratio that keeps both busy.

    Decode holds each sequence's whole cache (``prompt + decode`` tokens); its batch is the largest that
    fits in HBM and decodes a step within ``tpot`` seconds. A prefill server recomputes the fraction
    ``1 - hit`` of each prompt; with ``prefill_chips=None`` it is the smallest valid slice that holds the
    weights and finishes a prompt within ``ttft`` seconds (no queueing, KV transfer not counted).
    """
    m, hw = get_model(model), get_chip(chip)
    b_w = bytes_per_element(weights, "weights")
    kvt = m.kv_bytes_per_token(weights)
    prompt, decode = check_count("prompt", prompt), check_count("decode", decode)
    hit = check_number("hit", hit, allow_zero=True)
    if hit >= 1:
        raise ValueError(f"hit: must be below 1 (a fraction of the prompt), got {hit}")
    ttft, tpot = check_number("ttft", ttft), check_number("tpot", tpot)
    mfu = check_fraction("mfu", mfu)
    decode_chips = check_chips(hw, decode_chips)
    P_ = m.param_count
    s = m.symbols
    context = prompt + decode
    decode_kw = dict(N=decode_chips, P=P_, S=context, W_hbm=hw.hbm_bw, b_w=b_w, kv=kvt)

    b_mem = int(f.max_batch(HBM=hw.hbm_bytes, N=decode_chips, P=P_, S=context, b_w=b_w, kv=kvt))
    if b_mem < 1:
        need = f.total_bytes(B=1, P=P_, S=context, b_w=b_w, kv=kvt)
        raise ValueError(f"decode_chips: {decode_chips} x {hw.name} hold {gb(decode_chips * hw.hbm_bytes)}, "
                         f"less than the {weights} weights plus one {context:,}-token cache ({gb(need)})")
    b_time = math.floor(f.batch_for_step_time(C=hw.flops_bf16, T_step=tpot, **decode_kw))
    if b_time < 1:
        one = f.step_time(B=1, C=hw.flops_bf16, **decode_kw)
        raise ValueError(f"tpot: {ms(tpot)} is less than one sequence's decode step on {decode_chips} chips "
                         f"({ms(one)})")
    batch = min(b_mem, b_time)
    step = f.step_time(B=batch, C=hw.flops_bf16, **decode_kw)

    prefill_kw = dict(C=hw.flops_bf16, H=s["H"], L=s["L"], MFU=mfu, N_q=s["N_q"], P=P_, T=prompt, h=hit)
    if prefill_chips is None:
        for_time = f.prefill_chips_for_ttft(T_prefill=ttft, **prefill_kw)
        for_memory = f.min_chips(B=1, HBM=hw.hbm_bytes, P=P_, S=prompt, b_w=b_w, kv=kvt)
        prefill_chips = hw.smallest_slice(max(for_time, for_memory))
        if prefill_chips is None:
            raise ValueError(f"ttft: {num(ttft)} s needs {for_time:,.0f} {hw.name} chips per prompt, more than the "
                             f"largest slice ({hw.slices[-1]})")
    else:
        prefill_chips = check_chips(hw, prefill_chips)
    t_prefill = f.prefill_time_cached(N=prefill_chips, **prefill_kw)
    server_ratio = f.prefill_decode_ratio(B=batch, G=decode, T_prefill=t_prefill, T_step=step)
    chip_ratio = f.prefill_decode_chip_ratio(B=batch, G=decode, N=decode_chips, T_step=step, **prefill_kw)
    return Split(model=m.name, chip=hw.name, weights=weights, prompt=prompt, decode=decode, hit=hit, mfu=mfu,
                 ttft_target=ttft, tpot_target=tpot, decode_chips=decode_chips, decode_batch=batch,
                 batch_limit="HBM" if b_mem <= b_time else "time per token", step_time=step,
                 decode_rps=f.decode_requests_per_s(B=batch, G=decode, T_step=step),
                 prefill_chips=prefill_chips, prefill_time=t_prefill, meets_ttft=t_prefill <= ttft,
                 prefill_rps=1 / t_prefill, server_ratio=server_ratio, chip_ratio=chip_ratio)


def hit_rate_for_ratio(target: float, **workload) -> float | None:
    """The prefix-cache hit rate at which ``split(**workload)`` needs ``target`` prefill servers per decode
    server, solved with SymPy (the decode side and both server sizes held at their ``hit=0`` values).

    None if even no caching gives a ratio below ``target``.
    """
    base = split(**{**workload, "hit": 0.0})
    m, hw = get_model(base.model), get_chip(workload.get("chip", "tpu-v5e"))
    s = m.symbols
    values = {B: base.decode_batch, C: hw.flops_bf16, G: base.decode, H: s["H"], L: s["L"], MFU: base.mfu,
              N: base.decode_chips, N_q: s["N_q"], P: m.param_count, T: base.prompt, T_step: base.step_time}
    servers = f.prefill_decode_chip_ratio.expr.subs(values) * sp.Rational(base.decode_chips, base.prefill_chips)
    roots = [float(r) for r in sp.solve(sp.Eq(servers, sp.nsimplify(target)), h) if r.is_real and 0 <= r < 1]
    return roots[0] if roots else None


def reported_table_rows():
    """(system, setup, prefill:decode as published, as one number, unit) for the published allocations."""
    return [(r["system"], r["setup"], f"{r['prefill']}:{r['decode']}", f"{r['prefill'] / r['decode']:.2f}",
             r["unit"]) for r in REPORTED]


def _curve(values, key, **workload):
    servers, chips = [], []
    for v in values:
        try:
            s = split(**{**workload, key: v})
            servers.append(s.server_ratio)
            chips.append(s.chip_ratio)
        except ValueError:
            servers.append(np.nan)
            chips.append(np.nan)
    return np.array(servers), np.array(chips)


@explorer
def split_view(fig=None, hit=0.0, prompt=8192, decode=512, ttft=2.0, tpot=0.05, decode_chips=16,
               model="llama-3-70b", chip="tpu-v5e", weights="bf16", mfu=0.4):
    """Left: prefill:decode ratio over the prefix-cache hit rate. Right: over the prompt length."""
    workload = dict(model=model, chip=chip, weights=weights, prompt=prompt, decode=decode, hit=hit, ttft=ttft,
                    tpot=tpot, decode_chips=decode_chips, mfu=mfu)
    here = split(**workload)
    by_hit = _curve(HITS, "hit", **workload)
    by_prompt = _curve(PROMPTS, "prompt", **workload)
    if fig is None:
        fig, (left, right) = new_figure(2, figsize=(8, 3.4))
        art = {"left": left, "right": right}
        for ax, x, key in ((left, HITS * 100, "hit"), (right, PROMPTS, "prompt")):
            art[key + "_servers"] = ax.plot(x, x * 0 + 1, color="C0", label="servers")[0]
            art[key + "_chips"] = ax.plot(x, x * 0 + 1, color="C2", ls="--", label="chips")[0]
            art[key + "_pt"] = ax.plot([x[0]], [1], "o", color="C0")[0]
            ax.axhline(1, color="0.4", ls=":", label="1:1")
            ax.set(yscale="log", ylabel="prefill per decode")
            ax.yaxis.set_major_locator(FixedLocator(RATIO_TICKS))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.minorticks_off()
        left.set(xlabel="prefix-cache hit rate h (%)")
        right.set(xscale="log", xlabel="prompt length T (tokens)")
        right.set_xticks(PROMPTS[::2], [f"{int(p):,}" for p in PROMPTS[::2]])
        right.minorticks_off()
        left.legend(loc="lower left")
        fig._servingmath = art
    art = fig._servingmath
    art["hit_servers"].set_ydata(by_hit[0])
    art["hit_chips"].set_ydata(by_hit[1])
    art["hit_pt"].set_data([100 * here.hit], [here.server_ratio])
    art["prompt_servers"].set_ydata(by_prompt[0])
    art["prompt_chips"].set_ydata(by_prompt[1])
    art["prompt_pt"].set_data([here.prompt], [here.server_ratio])
    art["left"].set_title(f"prompt {here.prompt:,}, decode {here.decode:,}")
    art["right"].set_title(f"hit rate {here.hit:.0%}, decode {here.decode:,}")
    for ax, curves in ((art["left"], by_hit), (art["right"], by_prompt)):
        values = np.concatenate([c[np.isfinite(c)] for c in curves] + [np.array([1.0])])
        ax.set_ylim(values.min() / 1.3, values.max() * 1.3)
    limit = "HBM-limited" if here.batch_limit == "HBM" else "TPOT-limited"
    text = (f"decode:  {here.decode_chips} x {here.chip}, batch {here.decode_batch} ({limit}), "
            f"step {ms(here.step_time)} -> {num(here.decode_rps)} requests/s\n"
            f"prefill: {here.prefill_chips} x {here.chip}, {num(here.prefill_time)} s per prompt "
            f"(target {num(here.ttft_target)} s) -> {num(here.prefill_rps)} prompts/s\n"
            f"         {1 - here.hit:.0%} of each prompt recomputed (hit rate {here.hit:.0%})\n"
            f"ratio:   {num(here.server_ratio)} servers per decode server, "
            f"{num(here.chip_ratio)} chips per decode chip")
    return fig, text
