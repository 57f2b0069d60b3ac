"""Minimum topology by precision (chapter 05): the smallest slice for the weights, the batch that fills
it and the decode step at that batch; and the measured bf16-vs-fp8 decode step of one layer.
"""

from dataclasses import dataclass

import numpy as np

from ..core import formulas as f
from ..core.checks import check_choice, check_count
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS, Model
from ..core.precision import SERVING_PRECISIONS, bytes_per_element
from ..data import measured

V5E = CHIPS["tpu-v5e-article"]
H100 = CHIPS[measured.MEASURED_ON]
LLAMA = MODELS["llama-3-70b"]
#: Largest slice the topology curves reach.
LARGEST_SLICE = 256


def weight_chips(chip: Chip, params: float, b_w: float) -> float:
    """Chips (a real number) whose HBM the weights alone fill: ``params`` at ``b_w`` bytes, no KV cache."""
    return f.memory_chips(B=0, HBM=chip.hbm_bytes, P=params, S=1, b_w=b_w, kv=0)


@dataclass(frozen=True)
class TopologyRow:
    """One precision (weights and KV cache in it, FLOPs in bf16) on its slice, with HBM full of caches."""

    precision: str
    weight_bytes: float
    chips_needed: float      # chips the weights alone fill (a real number)
    chips: int               # the slice
    kv_room: float           # HBM of the slice left for KV caches (bytes)
    hbm_over_weights: float  # k = slice HBM / weight bytes
    kv_per_token: float
    batch: int               # sequences whose caches fit (0: none)
    step: float              # decode step at that batch (s; NaN when none fits)


def topology_row(precision: str = "bf16", context=8192, chip: Chip = V5E, model: Model = LLAMA,
                 chips=None) -> TopologyRow:
    """Weights, minimum chips, smallest slice, max batch and step time for one precision.

    Weights and KV cache are both stored in ``precision``; the FLOPs are bf16. ``chips=None``
    takes the smallest valid slice that holds the weights.
    """
    check_choice("precision", precision, SERVING_PRECISIONS)
    context = check_count("context", context)
    b_w = bytes_per_element(precision)
    kvt = model.kv_bytes_per_token(precision)
    P = model.param_count
    need = weight_chips(chip, P, b_w)
    n = chip.smallest_slice(need) if chips is None else chips
    if n is None:
        raise ValueError(f"chip: {model.name} in {precision} needs {need:.1f} chips, more than any {chip.name} slice")
    batch = int(f.max_batch(HBM=chip.hbm_bytes, N=n, P=P, S=context, b_w=b_w, kv=kvt))
    step = (f.step_time(B=batch, C=chip.flops_bf16, N=n, P=model.decode_param_count, S=context, W_hbm=chip.hbm_bw,
                        b_w=b_w, kv=kvt)
            if batch > 0 else float("nan"))
    return TopologyRow(precision=precision, weight_bytes=f.param_bytes(P=P, b_w=b_w), chips_needed=need, chips=n,
                       kv_room=f.kv_room(HBM=chip.hbm_bytes, N=n, P=P, b_w=b_w),
                       hbm_over_weights=f.hbm_weights_ratio(HBM=chip.hbm_bytes, N=n, P=P, b_w=b_w),
                       kv_per_token=kvt, batch=max(batch, 0), step=step)


@dataclass(frozen=True)
class Curve:
    """One precision over the valid slices: the max batch (NaN below one sequence) and the step at it."""

    chips: np.ndarray
    batch: np.ndarray
    step: np.ndarray   # s


@dataclass(frozen=True)
class Topology:
    """Every serving precision on ``chip`` at ``context``: curves over the slices and the smallest slice's row."""

    chip: Chip
    context: int
    precision: str       # the one the reader picked
    sizes: tuple         # valid slice sizes drawn
    curves: dict         # precision -> Curve
    rows: dict           # precision -> TopologyRow on its smallest slice
    step_full_hbm: float  # HBM / W_hbm (s)


def _curve(chip: Chip, model: Model, context: int, sizes, precision: str) -> Curve:
    b_w = bytes_per_element(precision)
    kvt = model.kv_bytes_per_token(precision)
    n = np.array(sizes, dtype=float)
    batch = f.max_batch(HBM=chip.hbm_bytes, N=n, P=model.param_count, S=context, b_w=b_w, kv=kvt).astype(float)
    batch[batch < 1] = np.nan
    step = f.step_time(B=batch, C=chip.flops_bf16, N=n, P=model.decode_param_count, S=context, W_hbm=chip.hbm_bw, b_w=b_w,
                       kv=kvt)
    return Curve(chips=n, batch=batch, step=step)


def topology(precision: str = "bf16", context=8192, chip: Chip = V5E, model: Model = LLAMA) -> Topology:
    """Max batch and decode step over the valid slices of ``chip``, for the three serving precisions."""
    check_choice("precision", precision, SERVING_PRECISIONS)
    context = check_count("context", context)
    sizes = tuple(chip.slice_sizes(LARGEST_SLICE))
    return Topology(chip=chip, context=context, precision=precision, sizes=sizes,
                    curves={p: _curve(chip, model, context, sizes, p) for p in SERVING_PRECISIONS},
                    rows={p: topology_row(p, context, chip, model) for p in SERVING_PRECISIONS},
                    step_full_hbm=f.step_time_full_hbm(HBM=chip.hbm_bytes, W_hbm=chip.hbm_bw))


@dataclass(frozen=True)
class Speedup:
    """One layer's decode step with bf16 vs fp8 weights, by (batch, context): measured and the roofline's."""

    run: str
    chip: Chip                   # the chip whose datasheet peaks the roofline uses
    batch: np.ndarray
    context: np.ndarray
    weight_bytes_bf16: np.ndarray
    kv_bytes: np.ndarray
    time_bf16: np.ndarray        # s, measured
    time_fp8: np.ndarray         # s, measured
    measured: np.ndarray         # time_bf16 / time_fp8
    predicted_bf16: np.ndarray   # s, roofline
    predicted_fp8: np.ndarray    # s, roofline
    predicted: np.ndarray        # predicted_bf16 / predicted_fp8


def speedup_table(run: str = "run3", chip: Chip = H100, model: Model = LLAMA) -> Speedup:
    """The measured decode step of one layer (CUDA graphs) with bf16 and with fp8 weights, beside the
    prediction of ``formulas.step_time`` from the chip's datasheet peaks (bf16 weights and FLOPs vs
    fp8 weights and FLOPs; KV cache in bf16 for both)."""
    bf = measured.over_runs("decode_layer_graphs", (run,), weights="bf16")
    f8 = measured.over_runs("decode_layer_graphs", (run,), weights="fp8")
    batch, context = bf["batch"], bf["context"]
    if not (np.array_equal(batch, f8["batch"]) and np.array_equal(context, f8["context"])):
        raise ValueError(f"run: {run} does not pair every bf16 row with an fp8 row")
    kv_layer = f.kv_bytes_per_token(K=model.kv_heads, H=model.head_dim, L=1, b_kv=bytes_per_element("bf16"))

    def predict(weights):
        return f.step_time(B=batch, C=chip.flops(weights), N=1, P=bf["layer_params"], S=context, W_hbm=chip.hbm_bw,
                           b_w=bytes_per_element(weights), kv=kv_layer)

    p_bf, p_f8 = predict("bf16"), predict("fp8")
    return Speedup(run=run, chip=chip, batch=batch, context=context, weight_bytes_bf16=bf["weight_bytes"],
                   kv_bytes=bf["kv_bytes"], time_bf16=bf["time_s"], time_fp8=f8["time_s"],
                   measured=bf["time_s"] / f8["time_s"], predicted_bf16=p_bf, predicted_fp8=p_f8,
                   predicted=p_bf / p_f8)
