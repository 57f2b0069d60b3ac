"""One configuration worked through (chapter 03): its memory beside the slice's HBM and its decode step's terms.

The step is the KV read plus the longer of the matmul FLOPs and the weight read (the two
overlap): ``formulas.step_time``. A configuration that does not fit is an answer, not an error.
"""

from dataclasses import dataclass

from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS, Model
from ..core.precision import bytes_per_element
from .plan import ARTICLE_MODE, Plan, plan

V5E, LLAMA = CHIPS["tpu-v5e-article"], MODELS["llama-3-70b"]


@dataclass(frozen=True)
class StepTerms:
    """The three terms of a decode step and the step itself (seconds)."""

    params: float   # the weight read
    flops: float    # the weight matmuls' FLOPs at peak
    kv: float       # the KV read
    step: float     # kv + max(flops, params)

    @property
    def flops_win(self) -> bool:
        """Whether the FLOPs, not the weight read, are the longer of the two overlapping terms."""
        return self.flops > self.params


def step_terms(p: Plan) -> StepTerms:
    """The three terms of a plan's decode step, and the step, through the library's formulas."""
    b_w, shared = bytes_per_element(p.weights, "weights"), dict(N=p.chips, P=p.decode_param_count)
    kv = dict(B=p.batch, S=p.context, W_hbm=p.hbm_bw, kv=p.kv_bytes_per_token)
    return StepTerms(params=f.param_load_time(W_hbm=p.hbm_bw, b_w=b_w, **shared),
                     flops=f.step_flops_time(B=p.batch, C=p.flops, **shared),
                     kv=f.kv_load_time(N=p.chips, **kv),
                     step=f.step_time(C=p.flops, b_w=b_w, **shared, **kv))


@dataclass(frozen=True)
class WorkedStep:
    """A deployment (``plan``) and its step's terms."""

    plan: Plan
    terms: StepTerms


def worked_step(model: Model = LLAMA, chip: Chip = V5E, chips=8, batch=32, context=8192, weights="int8",
                kv_dtype="int8") -> WorkedStep:
    """Memory and decode step of ``batch`` sequences of ``context`` tokens on ``chips`` chips."""
    p = plan(model, chip, chips=chips, weights=weights, kv_dtype=kv_dtype, context=context, batch=batch, **ARTICLE_MODE)
    return WorkedStep(plan=p, terms=step_terms(p))


def kv_read_equals_weight_read(model: Model = LLAMA, context: int = 8192, weights: str = "int8",
                               kv_dtype: str = "int8") -> float:
    """Batch at which reading the KV caches takes as long as reading the weights.

    ``kv_load_time = param_load_time`` is the caches' bytes = the weight bytes a step reads, over one bandwidth: the
    chip count cancels, and the batch is ``formulas.kv_crossover_batch``.
    """
    return f.kv_crossover_batch(P=model.decode_param_count, S=context, b_w=bytes_per_element(weights, "weights"),
                                kv=model.kv_bytes_per_token(kv_dtype))


@dataclass(frozen=True)
class RooflineStep:
    """A memory-bound decode step from given inputs (the audit changes them one at a time): bytes held, seconds,
    tokens/s/chip."""

    memory: float
    step: float
    tokens_per_s_per_chip: float


def roofline_step(params: float, kv: float, hbm_bw: float, read: float | None = None, step: float | None = None,
                  batch=32, context=8192, chips=8, b_w=1) -> RooflineStep:
    """Memory of ``params`` weights and the caches, and the memory-bound step reading ``read`` of the weights (all,
    unless given) at ``hbm_bw``; ``step`` overrides the step (a rounded step fed back into the throughput)."""
    values = dict(B=batch, S=context, b_w=b_w, kv=kv)
    if step is None:
        step = f.step_time_memory_bound(N=chips, W_hbm=hbm_bw, P=params if read is None else read, **values)
    return RooflineStep(memory=f.total_bytes(P=params, **values), step=step,
                        tokens_per_s_per_chip=f.tokens_per_s_per_chip(B=batch, N=chips, T_step=step))
