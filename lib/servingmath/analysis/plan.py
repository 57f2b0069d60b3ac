"""The six-step serving decision framework as one function (chapter 11).

``plan()`` takes a ``Model`` and a ``Chip`` record and a workload and returns a ``Plan``:
numbers only (the presentation layer words them). A deployment that does not fit is an
answer (``fits`` is False), not an error.
"""

from dataclasses import asdict, dataclass

from ..calibration import MEASURED, Efficiency
from ..core import formulas as f
from ..core.checks import check_choice, check_count, check_fraction
from ..core.hardware import Chip
from ..core.models import Model
from ..core.precision import COMPUTE, bytes_per_element

#: How the planner times a step: the datasheet roofline, or the roofline calibrated on measured
#: kernels (``calibration``), whose fractions come from the chip the measurements were taken on.
EFFICIENCY_MODES = ("ideal", "measured")


@dataclass(frozen=True)
class Plan:
    model: str
    chip: str
    chips: int
    weights: str
    kv_dtype: str
    compute: str
    context: int
    prompt: int
    decode: int
    mfu: float
    mesh_axes: int
    efficiency: str
    efficiency_measured_on: str | None   # the chip whose measured fractions a "measured" plan applies
    hbm_bw: float
    flops: float
    param_count: int
    param_bytes: float
    kv_bytes_per_token: float
    kv_bytes_per_sequence: float
    batch: int
    kv_bytes: float
    total_bytes: float
    hbm_bytes: float
    fits: bool
    min_chips: int
    min_slice_chips: int | None
    max_batch: int
    step_time_s: float
    bound: str
    critical_batch: float
    tokens_per_s: float
    tokens_per_s_per_chip: float
    qps_per_chip: float
    prefill_time_s: float
    prefill_decode_ratio: float | None
    ici_flops_bound_chips: float
    ici_hbm_bound_chips: float | None
    cost_per_million_tokens: float | None

    @property
    def bytes_needed(self) -> float:
        """What the slice must hold: weights + caches, or weights + one sequence when no batch fits."""
        return self.total_bytes if self.batch else self.param_bytes + self.kv_bytes_per_sequence

    def to_dict(self) -> dict:
        return asdict(self)


def _efficiency(predictor: str) -> Efficiency | None:
    return MEASURED if predictor == "measured" else None


def plan(model: Model, chip: Chip, chips=None, weights="bf16", kv_dtype=None, compute="bf16", context=8192,
         batch="max", prompt=None, decode=512, mfu=0.4, mesh_axes=1, efficiency="ideal") -> Plan:
    """Serve ``model`` on ``chips`` chips of ``chip``: memory, batch, latency, throughput, cost, ICI, prefill.

    ``chips=None`` takes the smallest valid slice that holds the weights and the batch
    (one sequence when ``batch="max"``); ``kv_dtype=None`` stores the cache like the weights.
    ``efficiency="measured"`` scales bandwidth and FLOP/s by the fractions measured on the
    chip of the shipped measurements (an H100: ``Plan.efficiency_measured_on``) and times the
    decode step with the calibrated model of chapter 12; ``"ideal"`` is the pure roofline.
    """
    b_w = bytes_per_element(weights, "weights")
    kv_dtype = weights if kv_dtype is None else kv_dtype
    bytes_per_element(kv_dtype, "kv")
    check_choice("compute", compute, COMPUTE)
    check_choice("efficiency", efficiency, EFFICIENCY_MODES)
    context = check_count("context", context)
    prompt = context if prompt is None else check_count("prompt", prompt)
    decode = check_count("decode", decode)
    mfu = check_fraction("mfu", mfu)
    mesh_axes = check_count("mesh_axes", mesh_axes)
    if batch != "max":
        batch = check_count("batch", batch)

    peak = chip.flops(compute)
    eff = _efficiency(efficiency)
    bw, C = (chip.hbm_bw, peak) if eff is None else (chip.hbm_bw * eff.hbm, peak * eff.flops_for(compute))

    P = model.param_count
    kvt = model.kv_bytes_per_token(kv_dtype)
    kv_seq = f.kv_bytes_per_sequence(S=context, kv=kvt)
    n_min = int(f.min_chips(B=1 if batch == "max" else batch, HBM=chip.hbm_bytes, P=P, S=context, b_w=b_w, kv=kvt))
    min_slice = chip.smallest_slice(n_min)
    if chips is not None:
        n = chip.check_slice(chips)
    elif min_slice is None:
        raise ValueError(f"chips: {model.name} needs {n_min} {chip.name} chips, more than the largest "
                         f"slice ({chip.slices[-1]})")
    else:
        n = min_slice
    hbm_total = n * chip.hbm_bytes
    b_max = max(0, int(f.max_batch(HBM=chip.hbm_bytes, N=n, P=P, S=context, b_w=b_w, kv=kvt)))
    B = b_max if batch == "max" else batch
    total = f.total_bytes(B=B, P=P, S=context, b_w=b_w, kv=kvt)

    if eff is None:
        step = f.step_time(B=B, C=C, N=n, P=P, S=context, W_hbm=bw, b_w=b_w, kv=kvt)
        crit = f.critical_batch(C=C, W_hbm=bw, b_w=b_w)
    else:  # the calibrated step of chapter 12 (weight streaming, attention streams, overlap)
        step = eff.step_time(chip, B, context, P, b_w, kvt, model.kv_heads, n, compute)
        crit = eff.critical_batch(chip, b_w, compute)
    tps_chip = f.tokens_per_s_per_chip(B=B, N=n, T_step=step)
    prefill = f.prefill_time(C=peak, MFU=mfu, N=n, P=P, T=prompt)  # an MFU is a fraction of the peak itself
    b_a = bytes_per_element(compute, "compute")
    return Plan(
        model=model.name, chip=chip.name, chips=n, weights=weights, kv_dtype=kv_dtype, compute=compute,
        context=context, prompt=prompt, decode=decode, mfu=mfu, mesh_axes=mesh_axes, efficiency=efficiency,
        efficiency_measured_on=None if eff is None else eff.measured_on, hbm_bw=bw, flops=C,
        param_count=P, param_bytes=f.param_bytes(P=P, b_w=b_w), kv_bytes_per_token=kvt, kv_bytes_per_sequence=kv_seq,
        batch=B, kv_bytes=f.kv_cache_bytes(B=B, S=context, kv=kvt), total_bytes=total, hbm_bytes=hbm_total,
        fits=B >= 1 and total <= hbm_total, min_chips=n_min, min_slice_chips=min_slice, max_batch=b_max,
        step_time_s=step, bound="compute" if B > crit else "memory", critical_batch=crit,
        tokens_per_s=f.tokens_per_s(B=B, T_step=step), tokens_per_s_per_chip=tps_chip,
        qps_per_chip=f.qps_per_chip(B=B, G=decode, N=n, T_step=step),
        prefill_time_s=prefill,
        prefill_decode_ratio=f.prefill_decode_ratio(B=B, G=decode, T_prefill=prefill, T_step=step),
        ici_flops_bound_chips=f.ici_flops_bound(C=C, F=model.d_ff, M=mesh_axes, W_ici=chip.ici_bw_bidi, b_a=b_a),
        ici_hbm_bound_chips=(f.ici_hbm_bound(B=B, F=model.d_ff, M=mesh_axes, W_hbm=bw, W_ici=chip.ici_bw_bidi,
                                             b_a=b_a, b_w=b_w) if B else None),
        cost_per_million_tokens=(f.cost_per_million_tokens(U=1, c=chip.price_per_hour, r=tps_chip)
                                 if chip.price_per_hour and tps_chip else None),
    )


def step_time_at(p: Plan, batch) -> float:
    """The roofline decode step of ``p``'s deployment (same chips, dtypes, context, rates) at another batch."""
    return f.step_time(B=batch, C=p.flops, N=p.chips, P=p.param_count, S=p.context, W_hbm=p.hbm_bw,
                       b_w=bytes_per_element(p.weights, "weights"), kv=p.kv_bytes_per_token)
