"""Prefill (chapter 09): time to first token, the attention share and the measured prefill MFU.

The article times a prefill by its matmul FLOPs alone at an assumed MFU of 40 %; the chapter adds
the causal attention FLOPs and measures the MFU that one LLaMA-3-70B-shaped layer reaches on an H100.
"""

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..core import formulas as f
from ..core.checks import check_count, check_fraction, check_number
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS, Model
from ..core.precision import bytes_per_element
from ..core.symbols import H, L, N_q, P, T
from ..data import measured

#: Prompt lengths the chapter's curves span: 512 ... 131072 tokens.
PROMPTS = 2.0 ** np.arange(9, 18)
#: The article's assumed prefill MFU.
ARTICLE_MFU = 0.4
#: The share of the matmul FLOPs at which the chapter calls attention no longer negligible.
ATTENTION_SHARE = 0.1

V5E, H100, LLAMA = CHIPS["tpu-v5e-article"], CHIPS[measured.MEASURED_ON], MODELS["llama-3-70b"]
#: The activations a prefill's collectives move (the FLOPs' dtype, bf16 in this chapter).
ACTIVATIONS = "bf16"


def attention_crossover(model: Model = LLAMA, share: float = ATTENTION_SHARE) -> float:
    """Prompt length at which attention FLOPs reach ``share`` of the matmul FLOPs (solved with SymPy)."""
    values = {N_q: model.heads, H: model.head_dim, L: model.layers, P: model.param_count}
    solution = sp.solve(sp.Eq(f.attention_flops_share.expr.subs(values), sp.nsimplify(share)), T)
    return float(solution[0])


@dataclass(frozen=True)
class Prefill:
    """One prompt's prefill on ``chips`` chips: TTFT without and with attention, the attention share."""

    model: Model
    chip: Chip
    chips: int
    mfu: float
    prompt: int
    weights: str
    bytes_needed: float   # the weights plus one prompt's KV cache (stored like the weights)
    hbm_bytes: float      # HBM of the chips
    ttft_matmul: float    # the article's formula: matmul FLOPs only
    ttft: float           # matmul and causal-attention FLOPs
    share: float          # attention FLOPs / matmul FLOPs
    tokens_per_s: float   # prompt tokens processed per second
    ici_time: float       # the prompt's 4L collectives over the slice's links (0 on one chip)
    ttft_ici: float       # with them overlapped with the matmuls: the slower of the two

    @property
    def ici_bound(self) -> bool:
        """Whether the collectives take longer than the FLOPs: more chips no longer shorten the prefill."""
        return self.ici_time > self.ttft

    @property
    def fits(self) -> bool:
        return self.bytes_needed <= self.hbm_bytes


def _times(model: Model, chip: Chip, chips, mfu, prompt) -> tuple:
    """(matmul-only TTFT, TTFT with attention, attention share) at ``prompt`` (a number or an array)."""
    s = model.symbols
    common = dict(C=chip.flops_bf16, MFU=mfu, N=chips, P=model.param_count, T=prompt)
    matmul = f.prefill_time(**common)
    full = f.prefill_time_with_attention(H=s["H"], L=s["L"], N_q=s["N_q"], **common)
    share = f.attention_flops_share(H=s["H"], L=s["L"], N_q=s["N_q"], P=model.param_count, T=prompt)
    return matmul, full, share


def prefill_numbers(model: Model = LLAMA, chip: Chip = V5E, chips=16, mfu=ARTICLE_MFU, weights="bf16",
                    prompt=8192) -> Prefill:
    """Prefill of one prompt: TTFT without and with attention FLOPs, the attention share, tokens/s."""
    prompt = check_count("prompt", prompt)
    chips = chip.check_slice(chips)
    mfu = check_fraction("mfu", mfu)
    need = f.total_bytes(B=1, P=model.param_count, S=prompt, b_w=bytes_per_element(weights, "weights"),
                         kv=model.kv_bytes_per_token(weights))
    matmul, full, share = _times(model, chip, chips, mfu, prompt)
    ici = _ici_time(model, chip, chips, prompt)
    return Prefill(model=model, chip=chip, chips=chips, mfu=mfu, prompt=prompt, weights=weights, bytes_needed=need,
                   hbm_bytes=chips * chip.hbm_bytes, ttft_matmul=matmul, ttft=full, share=share,
                   tokens_per_s=f.prefill_tokens_per_s(T=prompt, T_prefill=full), ici_time=ici,
                   ttft_ici=f.prefill_time_ici(T_prefill=full, T_ici=ici))


def _ici_time(model: Model, chip: Chip, chips: int, prompt: int) -> float:
    """The prefill's collectives: the decode step's 4L collectives over the prompt's T x D bf16 activations."""
    if chips == 1:
        return 0.0
    W_c, hops = chip.collective_links(chips)
    return f.prefill_ici_time(D=model.d_model, L=model.layers, N=chips, T=prompt, W_c=W_c,
                              b_a=bytes_per_element(ACTIVATIONS), n_hop=hops, t_hop=chip.ici_hop_latency or 0.0)


@dataclass(frozen=True)
class PrefillCurves:
    """TTFT and attention share over the prompt lengths ``prompts``, for one deployment."""

    prompts: np.ndarray
    ttft_matmul: np.ndarray
    ttft: np.ndarray
    share: np.ndarray
    crossover: float      # prompt length where attention reaches ``ATTENTION_SHARE`` of the matmul FLOPs


def prefill_curves(here: Prefill, prompts: np.ndarray = PROMPTS) -> PrefillCurves:
    """The curves of ``here``'s deployment (model, chips, MFU) over ``prompts``."""
    matmul, full, share = _times(here.model, here.chip, here.chips, here.mfu, prompts)
    return PrefillCurves(prompts=prompts, ttft_matmul=matmul, ttft=full, share=share,
                         crossover=attention_crossover(here.model, ATTENTION_SHARE))


@dataclass(frozen=True)
class MeasuredMfu:
    """MFU of one measured LLaMA-3-70B-shaped layer per prompt length, per run and over the runs."""

    chip: Chip
    tokens: np.ndarray
    runs: dict               # run -> MFU per prompt length (matmul + attention FLOPs)
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    matmul_median: np.ndarray  # the MFU the article's formula (matmul FLOPs only) infers from the same times
    critical_batch: float    # the chip's bf16 critical batch: prompts beyond it are compute-bound

    @property
    def spread(self) -> np.ndarray:
        return self.high - self.low

    @property
    def best_tokens(self) -> int:
        """The prompt length with the highest median MFU."""
        return int(self.tokens[np.argmax(self.median)])

    def at(self, tokens: int) -> float:
        """The median MFU at a measured prompt length."""
        return float(self.median[int(np.flatnonzero(self.tokens == tokens)[0])])


def measured_prefill_mfu(chip: Chip = H100) -> MeasuredMfu:
    """MFU of one measured LLaMA-3-70B-shaped layer per prompt length and run (matmul + attention FLOPs).

    ``chip`` gives the peak the MFU is relative to (the measurements were taken on an H100).
    """
    m = LLAMA   # the measured layers have LLaMA 3-70B's shapes
    runs, matmul_only = {}, {}
    for run in measured.RUNS:
        d = measured.table("prefill_layer", run)
        seconds = d["time_us_median"] * 1e-6
        # one layer on one chip: P = the layer's parameters, L = 1, N = 1
        runs[run] = f.prefill_mfu(C=chip.flops_bf16, H=m.head_dim, L=1, N=1, N_q=m.heads, P=d["layer_params"],
                                  T=d["tokens"], T_prefill=seconds)
        matmul_only[run] = f.prefill_mfu_matmul(C=chip.flops_bf16, N=1, P=d["layer_params"], T=d["tokens"],
                                                T_prefill=seconds)
        tokens = d["tokens"]
    stack = np.vstack(list(runs.values()))
    return MeasuredMfu(chip=chip, tokens=tokens, runs=runs, median=np.median(stack, axis=0), low=stack.min(axis=0),
                       high=stack.max(axis=0), matmul_median=np.median(np.vstack(list(matmul_only.values())), axis=0),
                       critical_batch=f.critical_batch(C=chip.flops_bf16, W_hbm=chip.hbm_bw,
                                                       b_w=bytes_per_element("bf16")))


def _decode_inputs(model: Model, chip: Chip, chips: int, context: int, weights: str) -> dict:
    """The decode step's inputs on ``chips`` chips (the weights it reads leave out the input embedding)."""
    return dict(N=chips, P=model.decode_param_count, S=context, W_hbm=chip.hbm_bw,
                b_w=bytes_per_element(weights, "weights"), kv=model.kv_bytes_per_token(weights))


@dataclass(frozen=True)
class ContinuousBatch:
    """A continuously batched decode server in the steady state at an arrival rate (Little's law)."""

    rate: float                  # requests arriving per second
    decode: int                  # tokens each request generates (G)
    chips: int
    batch: float                 # sequences in flight: rate x G x the step they make
    step_time: float             # the memory-bound step at that batch
    tokens_per_s_per_chip: float
    max_batch: int               # most sequences whose caches fit beside the weights


def continuous_batch(rate: float, decode: int = 512, chips: int = 16, context: int = 8192, weights="bf16",
                     model: Model = LLAMA, chip: Chip = V5E) -> ContinuousBatch:
    """The batch a decode server settles at when ``rate`` requests/s arrive, each decoding ``decode`` tokens."""
    inputs = _decode_inputs(model, chip, chip.check_slice(chips), check_count("context", context), weights)
    batch = f.continuous_batch(G=check_count("decode", decode), lam=check_number("rate", rate), **inputs)
    if not 0 < batch < float("inf"):
        raise ValueError(f"rate: {rate} requests/s outruns the decode server (its KV read alone exceeds the step)")
    step = f.step_time_memory_bound(B=batch, **inputs)
    held = f.max_batch(HBM=chip.hbm_bytes, N=inputs["N"], P=model.param_count, S=context, b_w=inputs["b_w"],
                       kv=inputs["kv"])
    return ContinuousBatch(rate=rate, decode=decode, chips=chips, batch=batch, step_time=step,
                           tokens_per_s_per_chip=f.tokens_per_s_per_chip(B=batch, N=chips, T_step=step),
                           max_batch=int(held))


@dataclass(frozen=True)
class ChunkedPrefill:
    """A prompt prefilled in chunks that ride along a decode batch's steps."""

    chunk: int                   # prompt tokens per decode step (T_c)
    prompt: int
    batch: int
    free_chunk: float            # the largest chunk that leaves the step as it was
    step_time: float             # the decode step without a chunk
    step_time_chunked: float     # with one chunk
    steps: int                   # decode steps the prompt takes

    @property
    def rise(self) -> float:
        """How much longer every decode step of the batch takes while it carries the chunk."""
        return self.step_time_chunked - self.step_time

    @property
    def prefill_time(self) -> float:
        """Wall-clock time until the prompt's last chunk is done."""
        return self.steps * self.step_time_chunked


def chunked_prefill(chunk: int, batch: int = 32, prompt: int = 8192, chips: int = 16, context: int = 8192,
                    weights="bf16", model: Model = LLAMA, chip: Chip = V5E) -> ChunkedPrefill:
    """A ``prompt``-token prefill split into chunks of ``chunk`` tokens riding along a batch of ``batch``."""
    inputs = _decode_inputs(model, chip, chip.check_slice(chips), check_count("context", context), weights)
    batch, chunk, prompt = check_count("batch", batch), check_count("chunk", chunk), check_count("prompt", prompt)
    step = dict(B=batch, C=chip.flops_bf16, **inputs)
    return ChunkedPrefill(chunk=chunk, prompt=prompt, batch=batch,
                          free_chunk=f.free_chunk(B=batch, C=chip.flops_bf16, W_hbm=chip.hbm_bw, b_w=inputs["b_w"]),
                          step_time=f.step_time(**step), step_time_chunked=f.step_time_chunked(T_c=chunk, **step),
                          steps=int(f.chunked_prefill_steps(T=prompt, T_c=chunk)))
