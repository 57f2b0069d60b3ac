"""The decision framework (chapter 11): the latency-throughput curve, the article's recipe against the
corrected one, step 5 for one slice, and the source's latency-throughput tradeoff.

The planner itself is ``analysis.framework`` (``plan_for_target``); this module holds the chapter's
comparisons. ``recipe_comparison`` runs the article's six-step recipe as written beside the corrected
one; ``tradeoff_rows`` recomputes the source's "Visualizing the latency-throughput tradeoff" numbers and
``snippet_max_batch`` reproduces the bug in its code.
"""

from dataclasses import dataclass

import numpy as np

from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS, Model
from ..core.precision import bytes_per_element
from .framework import plan_for_target
from .plan import Plan, step_time_at

#: Most points drawn on the latency-throughput curve (batches are sampled evenly beyond this).
CURVE_POINTS = 400

V5E, LLAMA = CHIPS["tpu-v5e-article"], MODELS["llama-3-70b"]


@dataclass(frozen=True)
class Curve:
    """Latency and throughput per chip of one slice over the batches that fit (empty when none does)."""

    batches: np.ndarray
    step_time_s: np.ndarray
    tokens_per_s_per_chip: np.ndarray


def curve(p: Plan) -> Curve:
    """``p``'s deployment at up to ``CURVE_POINTS`` batches from 1 to its max batch."""
    if p.max_batch < 1:
        empty = np.array([])
        return Curve(empty, empty, empty)
    batches = np.unique(np.linspace(1, p.max_batch, min(p.max_batch, CURVE_POINTS)).round())
    steps = step_time_at(p, batches)
    return Curve(batches, steps, f.tokens_per_s_per_chip(B=batches, N=p.chips, T_step=steps))


# --- The article's recipe as written, beside the corrected one ----------------------------------------

def article_critical_batch(chip: Chip, weights: str, compute: str) -> float:
    """Step 1 as the article writes it: '120 for int8+bf16, 240 otherwise' (C_bf16 / W_hbm, halved for int8+bf16)."""
    halved = weights == "int8" and compute == "bf16"
    return f.critical_batch(C=chip.flops_bf16, W_hbm=chip.hbm_bw, b_w=1 if halved else 2)


@dataclass(frozen=True)
class RecipeStep:
    """One step of the framework: the article's recipe followed literally, beside the corrected recipe.

    ``article`` and ``corrected`` are the step's result: the critical batch (step 1), chips (2),
    max batch (3), step time in seconds (4), step 5's chips beyond which the slice is ICI-bound (the
    article) or the collectives' share of the step (corrected) and prefill servers per decode server (6).
    """

    step: int
    article: float
    corrected: float
    article_chips: int | None = None    # the slice each result is for (steps 3 and 5)
    corrected_chips: int | None = None
    article_safe: bool | None = None    # step 5: whether each recipe calls its slice ICI-safe
    corrected_safe: bool | None = None
    bound: str | None = None            # step 4: what bounds the corrected step ("memory" or "compute")


def recipe_comparison(model: Model = LLAMA, chip: Chip = V5E, weights="bf16", kv_dtype=None, compute="bf16",
                      context=8192, decode=512, mfu=0.4, mesh_axes=2) -> list:
    """The six steps (``RecipeStep``), each chained from the one before, in the article's recipe and corrected.

    The article's column follows its recipe literally: chips = ceil(weights / HBM per chip) (no slice),
    batch from those chips, step = HBM / W_hbm, ICI limit = min(M F / alpha, F / (beta B)) with M = 2
    only in the first, and P/G = T_prefill / (B T_step). The corrected column is ``plan_for_target`` with
    the collectives counted and HBM filled as the article fills it (``reserve=0``).
    """
    kv_dtype = kv_dtype or weights
    b_w = bytes_per_element(weights, "weights")
    kvt = model.kv_bytes_per_token(kv_dtype)
    P = model.param_count
    # the article's chain
    crit_a = article_critical_batch(chip, weights, compute)
    n_a = int(f.min_chips(B=0, HBM=chip.hbm_bytes, P=P, S=context, b_w=b_w, kv=kvt))
    b_a_max = max(0, int(f.max_batch(HBM=chip.hbm_bytes, N=n_a, P=P, S=context, b_w=b_w, kv=kvt)))
    t_a = f.step_time_full_hbm(HBM=chip.hbm_bytes, W_hbm=chip.hbm_bw)
    y_flops_a = f.ici_flops_bound(C=chip.flops_bf16, F=model.d_ff, M=mesh_axes, W_ici=chip.ici_bw_bidi, b_a=2)
    y_hbm_a = (f.ici_hbm_bound(B=b_a_max, F=model.d_ff, M=1, W_hbm=chip.hbm_bw, W_ici=chip.ici_bw_bidi, b_a=2, b_w=2)
               if b_a_max else float("inf"))
    y_a = min(y_flops_a, y_hbm_a)
    pre_a = f.prefill_time(C=chip.flops(compute), MFU=mfu, N=n_a, P=P, T=context)
    pg_a = f.prefill_decode_ratio_article(B=b_a_max, T_prefill=pre_a, T_step=t_a) if b_a_max else float("nan")
    # the corrected chain
    tp = plan_for_target(model, chip, None, weights=weights, kv_dtype=kv_dtype, compute=compute, context=context,
                         decode=decode, mfu=mfu, mesh_axes=mesh_axes, ici="count", reserve=0)
    p, ici = tp.plan, tp.ici
    return [
        RecipeStep(1, crit_a, p.critical_batch),
        RecipeStep(2, n_a, p.chips),
        RecipeStep(3, b_a_max, p.max_batch, article_chips=n_a, corrected_chips=p.chips),
        RecipeStep(4, t_a, p.step_time_s, bound=p.bound),
        RecipeStep(5, y_a, ici.share, article_chips=n_a, corrected_chips=p.chips, article_safe=n_a < y_a,
                   corrected_safe=ici.safe),
        RecipeStep(6, pg_a, p.prefill_decode_ratio),
    ]


@dataclass(frozen=True)
class IciComparison:
    """Step 5 for one slice at its max batch: the article's min, the per-matmul max, and the step model."""

    batch: int
    chips: int
    article: float              # min(Y_FLOPs over both axes, Y_HBM over one, bidirectional links): the article's
    flops: float                # Y_FLOPs with the slice's links
    hbm: float | None           # Y_HBM with the slice's links
    corrected: float            # max(Y_FLOPs, Y_HBM): the per-matmul rule
    ici_time_s: float           # the step's collectives
    roofline_step_s: float      # the rest of the step
    safe: bool                  # the step model's verdict (the one the planner gives)


def ici_comparison(model: Model = LLAMA, chip: Chip = V5E, chips=32, weights="bf16", context=8192) -> IciComparison:
    """Step 5 for ``chips`` chips of ``chip`` at the max batch (HBM full): the article's rule beside the step's."""
    tp = plan_for_target(model, chip, None, chips=chips, weights=weights, context=context, ici="count", reserve=0)
    p, ici = tp.plan, tp.ici
    y_flops = f.ici_flops_bound(C=chip.flops_bf16, F=model.d_ff, M=2, W_ici=chip.ici_bw_bidi, b_a=2)
    y_hbm_1 = f.ici_hbm_bound(B=p.batch, F=model.d_ff, M=1, W_hbm=chip.hbm_bw, W_ici=chip.ici_bw_bidi, b_a=2, b_w=2)
    return IciComparison(batch=p.batch, chips=p.chips, article=min(y_flops, y_hbm_1), flops=ici.flops_bound,
                         hbm=ici.hbm_bound, corrected=ici.threshold, ici_time_s=ici.ici_time_s,
                         roofline_step_s=ici.roofline_step_s, safe=ici.safe)


# --- "Visualizing the latency-throughput tradeoff" (the source's 16-chip, int8 example) ------------------

#: The source's code: LLaMA 3-70B with ``param_size = 70e9`` (int8, one byte each) on 16 v5e chips.
TRADEOFF = {"chip": CHIPS["tpu-v5e-source"], "chips": 16, "params": 70e9, "weights": "int8", "kv_dtype": "int8"}
TRADEOFF_CONTEXTS = (2048, 4096, 8192, 16384, 32768)


@dataclass(frozen=True)
class TradeoffRow:
    """The source's example at one context: the batch that fills HBM, its latencies and throughput."""

    context: int
    max_batch: int
    latency_1: float            # step time at batch 1, seconds
    latency_max: float          # at the max batch
    tokens_per_ms_per_chip: float   # at the max batch
    kv_over_flops: bool         # at the max batch, the KV read takes longer than the matmul FLOPs
    snippet_batch: int          # the max batch the source's code plots
    snippet_latency: float      # the step time at that batch


def _tradeoff_step(B, S, kvt):
    t = TRADEOFF
    return f.step_time(B=B, C=t["chip"].flops_bf16, N=t["chips"], P=t["params"], S=S, W_hbm=t["chip"].hbm_bw,
                       b_w=bytes_per_element(t["weights"]), kv=kvt)


def snippet_max_batch(context: int, model: Model = LLAMA) -> int:
    """The max batch the source's code plots (bug reproduced): an index into a step-4 grid used as a batch."""
    t = TRADEOFF
    grid = np.arange(1, 1024, 4).astype(float)
    fill = f.memory_chips(B=grid, HBM=t["chip"].hbm_bytes, P=t["params"], S=context,
                          b_w=bytes_per_element(t["weights"]), kv=model.kv_bytes_per_token(t["kv_dtype"]))
    power_of_two = 2 ** np.ceil(np.log2(fill))          # the code's min_topology()
    max_idx = int(np.where(power_of_two <= t["chips"])[0][-1])
    return int(np.arange(1, 512, 1)[:max_idx][-1])      # batch_sizes = np.arange(1, 512, 1)[:max_idx]


def tradeoff_rows(contexts=TRADEOFF_CONTEXTS, model: Model = LLAMA) -> list:
    """One ``TradeoffRow`` per context of the source's example."""
    t = TRADEOFF
    hw = t["chip"]
    kvt = model.kv_bytes_per_token(t["kv_dtype"])
    rows = []
    for S in contexts:
        b_max = int(f.max_batch(HBM=hw.hbm_bytes, N=t["chips"], P=t["params"], S=S,
                                b_w=bytes_per_element(t["weights"]), kv=kvt))
        t1, t_max = _tradeoff_step(1, S, kvt), _tradeoff_step(b_max, S, kvt)
        kv_time = f.kv_load_time(B=b_max, N=t["chips"], S=S, W_hbm=hw.hbm_bw, kv=kvt)
        flops_time = f.step_flops_time(B=b_max, C=hw.flops_bf16, N=t["chips"], P=t["params"])
        b_bug = snippet_max_batch(S, model)
        rows.append(TradeoffRow(context=S, max_batch=b_max, latency_1=t1, latency_max=t_max,
                                tokens_per_ms_per_chip=f.tokens_per_s_per_chip(B=b_max, N=t["chips"], T_step=t_max) / 1e3,
                                kv_over_flops=kv_time > flops_time, snippet_batch=b_bug,
                                snippet_latency=_tradeoff_step(b_bug, S, kvt)))
    return rows
