"""Beyond dense LLaMA (chapter 13): serving mixture-of-experts and latent-attention models.

Numbers only: total against active parameters, the experts a decode batch touches and the weight
bytes it reads, the MoE critical batch (found numerically), MLA's latent KV cache against a per-head
one, sliding-window caches over the context, and one decode step split into its parts. Every
function takes ``Model`` and ``Chip`` records.
"""

from dataclasses import dataclass

import mpmath
import numpy as np

from ..core import formulas as f
from ..core.checks import check_count
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import ARCHITECTURE_PRESETS, Model
from ..core.precision import bytes_per_element
from .plan import plan

#: The mixture-of-experts presets the chapter compares, smallest first.
MOE_MODELS = {name: ARCHITECTURE_PRESETS[name]
              for name in ("mixtral-8x7b", "gpt-oss-120b", "qwen3-235b-a22b", "deepseek-v3")}
DEEPSEEK = ARCHITECTURE_PRESETS["deepseek-v3"]
#: The presets whose layers keep a sliding window.
WINDOWED_MODELS = {name: ARCHITECTURE_PRESETS[name] for name in ("gpt-oss-120b", "gemma-3-27b")}
#: The chips the chapter serves on.
CHAPTER_CHIPS = {name: CHIPS[name] for name in ("tpu-v5e", "tpu-v5p", "h200")}
H200 = CHIPS["h200"]
#: Batches on the explorer's axis: 1 to 16,384 sequences, about 24 points per decade.
BATCHES = np.unique(np.round(np.geomspace(1, 2**14, 97)))
#: Contexts of the sliding-window table and of the explorer's slider.
CONTEXTS = (128, 1024, 4096, 8192, 32768, 131072)
#: The batches of the experts-touched table.
TABLE_BATCHES = (1, 2, 8, 32, 128, 512)


def eight_bit(chip: Chip) -> str:
    """The chip's 8-bit format for weights and FLOPs: fp8 on a GPU, int8 on a TPU."""
    return "int8" if chip.name.startswith("tpu") else "fp8"


def compute_for(weights: str) -> str:
    """The FLOPs' format that goes with stored weights: 8-bit weights compute in 8 bits, the others in bf16."""
    return weights if bytes_per_element(weights, "weights") == 1 else "bf16"


def _moe(model: Model) -> Model:
    if not model.is_moe:
        raise ValueError(f"model: {model.name} is not a mixture of experts (experts = 0)")
    return model


def text_params(model: Model) -> int:
    """Parameters a decode step could read: all of them but a vision tower's and an untied input embedding."""
    return model.readable_param_count


# --- total against active parameters ------------------------------------------------------------
@dataclass(frozen=True)
class ParamSplit:
    """What HBM holds (``total``) against what one token's FLOPs use (``active``), and the part in between."""

    model: Model
    total: int            # every parameter: what memory holds
    active: int           # the parameters one token uses: its FLOPs are 2 per parameter
    dense: int            # outside the routed experts: read by every step whatever the routing
    routed_active: int    # the k experts per MoE layer one token adds to ``dense``
    expert: int           # one routed expert
    total_over_active: float
    active_share: float   # active / total


def param_split(model: Model) -> ParamSplit:
    """Total, active and always-read parameters of an MoE ``model`` (chapter 13)."""
    _moe(model)
    total, active, dense = model.param_count, model.active_param_count, model.dense_param_count
    return ParamSplit(model=model, total=total, active=active, dense=dense, routed_active=active - dense,
                      expert=model.expert_params, total_over_active=total / active, active_share=active / total)


# --- the experts a batch touches and the bytes it reads --------------------------------------
def experts_touched(model: Model, batch):
    """Expected distinct experts per MoE layer that ``batch`` tokens touch (a balanced, independent router)."""
    _moe(model)
    return f.experts_touched(B=batch, E=model.experts, k=model.experts_per_token)


def weight_bytes_read(model: Model, weights: str, batch):
    """Weight bytes one decode step of ``batch`` tokens reads: the dense part and the experts it touches."""
    return f.weight_bytes_read(B=batch, b_w=bytes_per_element(weights, "weights"), **model.routing_symbols)


@dataclass(frozen=True)
class TouchedRow:
    batch: int
    touched: float        # distinct experts per MoE layer
    touched_share: float  # of the E experts
    read: float           # weight bytes the step reads
    read_share: float     # of the text weights' bytes
    per_token: float      # bytes read per token of the batch


def touched_rows(model: Model, weights: str, batches=TABLE_BATCHES) -> list:
    """The experts touched and the weight bytes read at each of ``batches``."""
    everything = text_params(model) * bytes_per_element(weights, "weights")
    rows = []
    for b in batches:
        b = check_count("batch", b)
        touched, read = experts_touched(model, b), weight_bytes_read(model, weights, b)
        rows.append(TouchedRow(batch=b, touched=touched, touched_share=touched / model.experts, read=read,
                               read_share=read / everything, per_token=read / b))
    return rows


# --- the critical batch ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CriticalBatch:
    """Where an MoE decode step turns compute-bound, beside a dense model's C b_w / (2 W_hbm)."""

    model: Model
    chip: Chip
    weights: str
    compute: str
    dense: float          # the dense critical batch: the same for any dense model on this chip and formats
    moe: float            # the root of formulas.moe_critical_batch_gap
    ratio: float          # moe / dense
    touched: float        # experts per MoE layer touched at the MoE critical batch
    all_experts: float    # the root if every step read every expert (formulas.moe_critical_batch_all_experts)


def critical_batch(model: Model, chip: Chip, weights: str = "bf16", compute: str | None = None) -> CriticalBatch:
    """The MoE critical batch of ``model`` on ``chip``: no closed form, so found numerically (chapter 13).

    The FLOPs grow linearly in B and the weight read is concave in B, so their gap changes sign once,
    between the dense critical batch scaled by the always-read weights and by all the text weights.
    """
    _moe(model)
    compute = compute_for(weights) if compute is None else compute
    b_w, C, W = bytes_per_element(weights, "weights"), chip.flops(compute), chip.hbm_bw
    moe = model.routing_symbols
    dense = f.critical_batch(C=C, W_hbm=W, b_w=b_w)
    hi = f.moe_critical_batch_all_experts(C=C, W_hbm=W, b_w=b_w, **moe)   # as if every expert were read
    lo = hi * moe["P_dense"] / text_params(model)                           # as if none were

    def gap(batch):
        return f.moe_critical_batch_gap(B=float(batch), C=C, W_hbm=W, b_w=b_w, **moe)

    scale = gap(hi) - gap(lo)   # the gap in units of its range, so the solver's tolerance is relative
    root = float(mpmath.findroot(lambda batch: gap(batch) / scale, (lo, hi), solver="anderson"))
    return CriticalBatch(model=model, chip=chip, weights=weights, compute=compute, dense=dense, moe=root,
                         ratio=root / dense, touched=experts_touched(model, root), all_experts=hi)


# --- multi-head latent attention --------------------------------------------------------------------
@dataclass(frozen=True)
class MlaCache:
    """KV bytes per token of a latent-attention model, against what a per-head cache would hold."""

    model: Model
    dtype: str
    latent: float             # (kv_lora_rank + qk_rope_head_dim) L b_kv: what MLA caches
    per_head: float           # N_q (qk_nope + qk_rope + v) L b_kv: keys and values per head
    calculator: float         # 2 K H L b_kv with H = d_model / heads: a calculator that ignores MLA
    calculator_head_dim: int  # the head dim such a calculator assumes
    per_head_ratio: float
    calculator_ratio: float
    gqa_heads: float          # KV heads of width qk_nope_head_dim a GQA cache of the latent's size would have


def mla_cache(model: Model = DEEPSEEK, dtype: str = "bf16") -> MlaCache:
    """MLA's latent cache per token against a per-head cache and a calculator's reading (chapter 13)."""
    if not model.is_mla:
        raise ValueError(f"model: {model.name} has no latent attention (kv_lora_rank = 0)")
    b_kv = bytes_per_element(dtype, "kv")
    latent = model.kv_bytes_per_token(dtype)
    per_head = f.kv_bytes_per_token_mla_heads(H_n=model.qk_nope_head_dim, H_r=model.qk_rope_head_dim,
                                              H_v=model.v_head_dim, L=model.layers, N_q=model.heads, b_kv=b_kv)
    head_dim = model.d_model // model.heads
    calculator = f.kv_bytes_per_token(K=model.kv_heads, H=head_dim, L=model.layers, b_kv=b_kv)
    gqa = latent / f.kv_bytes_per_token(K=1, H=model.qk_nope_head_dim, L=model.layers, b_kv=b_kv)
    return MlaCache(model=model, dtype=dtype, latent=latent, per_head=per_head, calculator=calculator,
                    calculator_head_dim=head_dim, per_head_ratio=per_head / latent,
                    calculator_ratio=calculator / latent, gqa_heads=gqa)


# --- sliding windows --------------------------------------------------------------------------------
@dataclass(frozen=True)
class WindowCache:
    """One sequence's KV cache over the context, with its windowed layers, against full attention."""

    model: Model
    dtype: str
    contexts: np.ndarray
    windowed: np.ndarray      # bytes per sequence, windowed layers keeping their window
    full: np.ndarray          # bytes per sequence if every layer attended to the whole context
    ratio: np.ndarray         # windowed / full
    long_context_ratio: float  # the limit of ``ratio`` as the context grows: full layers / all layers


def window_cache(model: Model, dtype: str = "bf16", contexts=CONTEXTS) -> WindowCache:
    """The cache of one sequence at each of ``contexts`` (chapter 13)."""
    if not model.window_layers:
        raise ValueError(f"model: {model.name} has no sliding-window layers")
    contexts = np.array([check_count("context", c) for c in contexts], dtype=float)
    kvt = model.kv_bytes_per_token(dtype)
    windowed = model.kv_bytes_per_sequence(contexts, dtype)
    full = f.kv_bytes_per_sequence(S=contexts, kv=kvt)
    return WindowCache(model=model, dtype=dtype, contexts=contexts, windowed=windowed, full=full,
                       ratio=windowed / full, long_context_ratio=(model.layers - model.window_layers) / model.layers)


# --- one decode step (the explorer) ----------------------------------------------------------------
@dataclass(frozen=True)
class DecodeStep:
    """A decode step of an MoE model at ``batch`` on the smallest slice that holds it, and its weight read
    at every batch of ``batches``."""

    model: Model
    chip: Chip
    weights: str
    compute: str
    kv_dtype: str
    context: int
    batch: int
    chips: int
    batches: np.ndarray
    read: np.ndarray          # weight bytes a step reads at each of ``batches``
    all_bytes: float          # every text weight: what a dense model of this size reads at any batch
    active_bytes: float       # the active weights: what a dense model with these FLOPs reads
    dense_bytes: float        # the weights outside the routed experts: read at every batch
    read_at: float            # at ``batch``
    touched: float            # experts per MoE layer at ``batch``
    kv_time: float
    weight_time: float
    flops_time: float
    ici_time: float       # the collectives, on the step's critical path
    step_time: float
    bound: str
    critical: CriticalBatch
    fits: bool


def decode_step(model: Model = DEEPSEEK, chip: Chip = H200, weights: str = "fp8", context: int = 8192,
                batch: int = 64, kv_dtype: str = "bf16") -> DecodeStep:
    """One decode step's parts (KV read, weight read, FLOPs) and the weight read over the batch (chapter 13)."""
    _moe(model)
    context, batch = check_count("context", context), check_count("batch", batch)
    compute = compute_for(weights)
    p = plan(model, chip, weights=weights, kv_dtype=kv_dtype, compute=compute, context=context, batch=batch)
    b_w, C, W, n = bytes_per_element(weights, "weights"), chip.flops(compute), chip.hbm_bw, p.chips
    moe = model.routing_symbols
    kv_time = f.kv_load_time_seq(B=batch, N=n, W_hbm=W, kv_seq=p.kv_bytes_per_sequence)
    weight_time = f.weight_read_time(B=batch, N=n, W_hbm=W, b_w=b_w, **moe)
    del moe["E"]
    flops_time = f.step_flops_time_moe(B=batch, C=C, N=n, **moe)
    crit = critical_batch(model, chip, weights, compute)
    return DecodeStep(model=model, chip=chip, weights=weights, compute=compute, kv_dtype=kv_dtype, context=context,
                      batch=batch, chips=n, batches=BATCHES, read=weight_bytes_read(model, weights, BATCHES),
                      all_bytes=text_params(model) * b_w, active_bytes=model.decode_param_count * b_w,
                      dense_bytes=model.dense_param_count * b_w, read_at=p.weight_bytes_read,
                      touched=experts_touched(model, batch), kv_time=kv_time, weight_time=weight_time,
                      flops_time=flops_time, ici_time=p.ici_time_s, step_time=p.step_time_s, bound=p.bound,
                      critical=crit, fits=p.fits)
