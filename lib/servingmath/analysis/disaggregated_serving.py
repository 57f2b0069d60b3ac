"""Disaggregated serving (chapter 10): how many prefill servers per decode server, with prefix caching and targets.

``split()`` sizes both pools for one workload; ``ratio_curves`` gives the ratio over the prefix-cache
hit rate and over the prompt length; ``hit_rate_for_ratio`` solves for the hit rate that reaches a ratio.
The published ratios and Mooncake's workload are in ``data.disaggregated``.
"""

from dataclasses import dataclass
import math

import numpy as np
import sympy as sp

from ..core import formulas as f
from ..core.checks import check_count, check_fraction, check_number
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS, Model
from ..core.precision import bytes_per_element
from ..core.symbols import B, C, G, H, L, MFU, N, N_q, P, T, T_step, h
from ..data.disaggregated import REPORTED

#: Hit rates and prompt lengths the chapter's curves span.
HITS = np.round(np.arange(0.0, 0.951, 0.025), 3)
PROMPTS = 2 ** np.arange(9, 18)       # 512 ... 131072 tokens

V5E, LLAMA = CHIPS["tpu-v5e-article"], MODELS["llama-3-70b"]


@dataclass(frozen=True)
class Split:
    """Both pools of a disaggregated deployment, sized for one workload."""

    model: Model
    chip: Chip
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


def split(model: Model = LLAMA, chip: Chip = V5E, weights="bf16", prompt=8192, decode=512, hit=0.0, ttft=2.0,
          tpot=0.05, decode_chips=16, prefill_chips=None, mfu=0.4) -> Split:
    """Size a decode server and a prefill server for one workload, and the ratio that keeps both busy.

    Decode holds each sequence's whole cache (``prompt + decode`` tokens); its batch is the largest that
    fits in HBM and decodes a step within ``tpot`` seconds. A prefill server recomputes the fraction
    ``1 - hit`` of each prompt; with ``prefill_chips=None`` it is the smallest valid slice that holds the
    weights and finishes a prompt within ``ttft`` seconds (no queueing, KV transfer not counted).
    """
    b_w = bytes_per_element(weights, "weights")
    kvt = model.kv_bytes_per_token(weights)
    prompt, decode = check_count("prompt", prompt), check_count("decode", decode)
    hit = check_number("hit", hit, allow_zero=True)
    if hit >= 1:
        raise ValueError(f"hit: must be below 1 (a fraction of the prompt), got {hit}")
    ttft, tpot = check_number("ttft", ttft), check_number("tpot", tpot)
    mfu = check_fraction("mfu", mfu)
    decode_chips = chip.check_slice(decode_chips)
    P_ = model.param_count
    s = model.symbols
    context = prompt + decode
    decode_kw = dict(N=decode_chips, P=P_, S=context, W_hbm=chip.hbm_bw, b_w=b_w, kv=kvt)

    b_mem = int(f.max_batch(HBM=chip.hbm_bytes, N=decode_chips, P=P_, S=context, b_w=b_w, kv=kvt))
    if b_mem < 1:
        need = f.total_bytes(B=1, P=P_, S=context, b_w=b_w, kv=kvt)
        raise ValueError(f"decode_chips: {decode_chips} x {chip.name} hold {decode_chips * chip.hbm_bytes / 1e9:.3g} GB, "
                         f"less than the {weights} weights plus one {context:,}-token cache ({need / 1e9:.3g} GB)")
    b_time = math.floor(f.batch_for_step_time(C=chip.flops_bf16, T_step=tpot, **decode_kw))
    if b_time < 1:
        one = f.step_time(B=1, C=chip.flops_bf16, **decode_kw)
        raise ValueError(f"tpot: {tpot * 1e3:.3g} ms is less than one sequence's decode step on {decode_chips} "
                         f"chips ({one * 1e3:.3g} ms)")
    batch = min(b_mem, b_time)
    step = f.step_time(B=batch, C=chip.flops_bf16, **decode_kw)

    prefill_kw = dict(C=chip.flops_bf16, H=s["H"], L=s["L"], MFU=mfu, N_q=s["N_q"], P=P_, T=prompt, h=hit)
    if prefill_chips is None:
        for_time = f.prefill_chips_for_ttft(T_prefill=ttft, **prefill_kw)
        for_memory = f.min_chips(B=1, HBM=chip.hbm_bytes, P=P_, S=prompt, b_w=b_w, kv=kvt)
        prefill_chips = chip.smallest_slice(max(for_time, for_memory))
        if prefill_chips is None:
            raise ValueError(f"ttft: {ttft:.3g} s needs {for_time:,.0f} {chip.name} chips per prompt, more than the "
                             f"largest slice ({chip.slices[-1]})")
    else:
        prefill_chips = chip.check_slice(prefill_chips)
    t_prefill = f.prefill_time_cached(N=prefill_chips, **prefill_kw)
    return Split(model=model, chip=chip, weights=weights, prompt=prompt, decode=decode, hit=hit, mfu=mfu,
                 ttft_target=ttft, tpot_target=tpot, decode_chips=decode_chips, decode_batch=batch,
                 batch_limit="HBM" if b_mem <= b_time else "time per token", step_time=step,
                 decode_rps=f.decode_requests_per_s(B=batch, G=decode, T_step=step),
                 prefill_chips=prefill_chips, prefill_time=t_prefill, meets_ttft=t_prefill <= ttft,
                 prefill_rps=f.prefill_requests_per_s(T_prefill=t_prefill),
                 server_ratio=f.prefill_decode_ratio(B=batch, G=decode, T_prefill=t_prefill, T_step=step),
                 chip_ratio=f.prefill_decode_chip_ratio(B=batch, G=decode, N=decode_chips, T_step=step, **prefill_kw))


def hit_rate_for_ratio(target: float, **workload) -> float | None:
    """The prefix-cache hit rate at which ``split(**workload)`` needs ``target`` prefill servers per decode
    server, solved with SymPy (the decode side and both server sizes held at their ``hit=0`` values).

    None if even no caching gives a ratio below ``target``.
    """
    base = split(**{**workload, "hit": 0.0})
    s = base.model.symbols
    values = {B: base.decode_batch, C: base.chip.flops_bf16, G: base.decode, H: s["H"], L: s["L"], MFU: base.mfu,
              N: base.decode_chips, N_q: s["N_q"], P: base.model.param_count, T: base.prompt, T_step: base.step_time}
    servers = f.prefill_decode_chip_ratio.expr.subs(values) * sp.Rational(base.decode_chips, base.prefill_chips)
    roots = [float(r) for r in sp.solve(sp.Eq(servers, sp.nsimplify(target)), h) if r.is_real and 0 <= r < 1]
    return roots[0] if roots else None


@dataclass(frozen=True)
class RatioCurves:
    """Prefill per decode, in servers and in chips, over the hit rate and over the prompt (NaN: no split)."""

    hits: np.ndarray
    servers_by_hit: np.ndarray
    chips_by_hit: np.ndarray
    prompts: np.ndarray
    servers_by_prompt: np.ndarray
    chips_by_prompt: np.ndarray


def _curve(values, key, workload) -> tuple:
    servers, chips = [], []
    for v in values:
        try:
            s = split(**{**workload, key: v})
        except ValueError:   # this workload cannot be split (nothing fits, or no slice meets a target)
            servers.append(np.nan)
            chips.append(np.nan)
        else:
            servers.append(s.server_ratio)
            chips.append(s.chip_ratio)
    return np.array(servers), np.array(chips)


def ratio_curves(hits=HITS, prompts=PROMPTS, **workload) -> RatioCurves:
    """``split(**workload)``'s two ratios with the hit rate, then the prompt, swept over ``hits`` and ``prompts``."""
    servers_by_hit, chips_by_hit = _curve(hits, "hit", workload)
    servers_by_prompt, chips_by_prompt = _curve(prompts, "prompt", workload)
    return RatioCurves(hits=hits, servers_by_hit=servers_by_hit, chips_by_hit=chips_by_hit, prompts=prompts,
                       servers_by_prompt=servers_by_prompt, chips_by_prompt=chips_by_prompt)


def reported_ratios() -> list:
    """Prefill units per decode unit of each published allocation (``data.disaggregated.REPORTED``)."""
    return [r["prefill"] / r["decode"] for r in REPORTED]


@dataclass(frozen=True)
class Reading:
    """One reading of the article's P:G inputs: a prefill time, a batch and a step, and the ratio they give."""

    name: str
    prefill_time: float
    batch: int
    step_time: float
    decode: int

    @property
    def ratio(self) -> float:
        return f.prefill_decode_ratio(B=self.batch, G=self.decode, T_prefill=self.prefill_time, T_step=self.step_time)


@dataclass(frozen=True)
class KvTransfer:
    """One sequence's KV cache moved from a prefill server to a decode server over one kind of link."""

    link: str
    w_link: float             # bytes/s of the links the cache crosses, in all
    bytes: float              # the cache: S tokens of KV
    prefill_time: float       # the prefill that produced it
    time: float               # bytes / w_link
    share: float              # time / prefill_time
    exposed: float            # what is left after the prefill when each layer is sent as soon as it is done


def kv_transfer(link: str, w_link: float, prefill_time: float, context: int = 8192, kv_dtype="bf16",
                model: Model = LLAMA) -> KvTransfer:
    """Move a ``context``-token cache over ``w_link`` bytes/s beside a prefill of ``prefill_time`` seconds."""
    S, kvt = check_count("context", context), model.kv_bytes_per_token(kv_dtype)
    w_link, prefill_time = check_number("w_link", w_link), check_number("prefill_time", prefill_time)
    time = f.kv_transfer_time(S=S, W_link=w_link, kv=kvt)
    return KvTransfer(link=link, w_link=w_link, bytes=f.kv_bytes_per_sequence(S=S, kv=kvt), prefill_time=prefill_time,
                      time=time, share=f.kv_transfer_share(S=S, T_prefill=prefill_time, W_link=w_link, kv=kvt),
                      exposed=f.kv_transfer_exposed(L=model.layers, S=S, T_prefill=prefill_time, W_link=w_link, kv=kvt))


def mooncake_gap(mooncake: dict, model: Model = LLAMA, mfu: float = 0.4) -> tuple:
    """(the plain split of Mooncake's workload, [(reading, prefill nodes per decode node or hit rate)]): the
    article's formula, with attention, with half of each prompt cached, and the hit rate that reaches 1:1."""
    naive = split(model=model, **mooncake)
    matmul_only = f.prefill_time(C=mooncake["chip"].flops_bf16, MFU=mfu, N=mooncake["prefill_chips"],
                                 P=model.param_count, T=mooncake["prompt"])
    rows = [("the article's formula (matmuls only, nothing cached)",
             f.prefill_decode_ratio(B=naive.decode_batch, G=naive.decode, T_prefill=matmul_only, T_step=naive.step_time)),
            ("with attention FLOPs", naive.server_ratio),
            ("with attention and half of each prompt cached", split(model=model, **mooncake, hit=0.5).server_ratio)]
    return naive, rows, hit_rate_for_ratio(1.0, model=model, **mooncake)
