"""The six-step serving decision framework as one function (chapter 11).

``plan()`` takes a model, a chip and a workload and returns a ``Plan`` whose
fields are the JSON contract of ``python -m servingmath plan --json``.
A deployment that does not fit is an answer (``fits`` is False), not an error.
"""

from dataclasses import asdict, dataclass
import math

from . import formulas as f
from .checks import check_choice, check_count, check_fraction, check_number
from .chips import check_chips, get_chip
from .models import get_model
from .precision import COMPUTE, bytes_per_element

EFFICIENCY_MODES = ("ideal", "measured")


@dataclass(frozen=True)
class Plan:
    model: str
    chip: str
    chips: int
    weights: str
    kv: str
    compute: str
    context: int
    prompt: int
    decode: int
    mfu: float
    mesh_axes: int
    efficiency: str
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
    fit_message: str
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

    def to_dict(self) -> dict:
        return asdict(self)


def _gb(x: float) -> str:
    return f"{x / 1e9:.1f} GB"


def plan(model="llama-3-70b", chip="tpu-v5e", chips=None, weights="bf16", kv=None, compute="bf16",
         context=8192, batch="max", prompt=None, decode=512, mfu=0.4, mesh_axes=1,
         hbm_bw=None, hbm_bytes=None, flops=None, ici_bw=None, price=None, efficiency="ideal") -> Plan:
    """Serve ``model`` on ``chips`` chips of ``chip``: memory, batch, latency, throughput, cost, ICI, prefill.

    ``chips=None`` takes the smallest valid slice that holds the weights and the batch
    (one sequence when ``batch="max"``); ``kv=None`` stores the cache like the weights.
    ``efficiency="measured"`` scales bandwidth and FLOP/s by the fractions measured on
    an H100 and times the decode step with the calibrated model of chapter 12
    (``calibration.H100_EFFICIENCY``); ``"ideal"`` is the pure roofline.
    """
    model = get_model(model)
    overrides = {"hbm_bw": hbm_bw, "hbm_bytes": hbm_bytes, "ici_bw_bidi": ici_bw, "price_per_hour": price}
    names = {"ici_bw_bidi": "ici_bw", "price_per_hour": "price"}
    hw = get_chip(chip).with_overrides(**{k: None if v is None else check_number(names.get(k, k), v)
                                          for k, v in overrides.items()})
    b_w = bytes_per_element(weights, "weights")
    kv = kv if kv is not None else weights
    bytes_per_element(kv, "kv")
    check_choice("compute", compute, COMPUTE)
    check_choice("efficiency", efficiency, EFFICIENCY_MODES)
    context = check_count("context", context)
    prompt = context if prompt is None else check_count("prompt", prompt)
    decode = check_count("decode", decode)
    mfu = check_fraction("mfu", mfu)
    mesh_axes = check_count("mesh_axes", mesh_axes)
    peak = hw.flops(compute) if flops is None else check_number("flops", flops)
    if batch != "max":
        batch = check_count("batch", batch)

    bw, C = hw.hbm_bw, peak
    if efficiency == "measured":
        from .calibration import H100_EFFICIENCY
        bw, C = bw * H100_EFFICIENCY.hbm, C * H100_EFFICIENCY.flops_for(compute)

    P = model.param_count
    kvt = model.kv_bytes_per_token(kv)
    kv_seq = f.kv_bytes_per_sequence(S=context, kv=kvt)
    p_bytes = f.param_bytes(P=P, b_w=b_w)
    need_batch = 1 if batch == "max" else batch
    n_min = int(f.min_chips(B=need_batch, HBM=hw.hbm_bytes, P=P, S=context, b_w=b_w, kv=kvt))
    min_slice = hw.smallest_slice(n_min)
    if chips is None:
        if min_slice is None:
            raise ValueError(f"chips: {model.name} needs {n_min} {hw.name} chips, more than the largest "
                             f"slice ({hw.slices[-1]})")
        n = min_slice
    else:
        n = check_chips(hw, chips)
    hbm_total = n * hw.hbm_bytes
    b_max = max(0, int(f.max_batch(HBM=hw.hbm_bytes, N=n, P=P, S=context, b_w=b_w, kv=kvt)))
    B = b_max if batch == "max" else batch
    kv_total = f.kv_cache_bytes(B=B, S=context, kv=kvt)
    total = f.total_bytes(B=B, P=P, S=context, b_w=b_w, kv=kvt)
    fits = B >= 1 and total <= hbm_total
    if fits:
        message = f"fits: needs {_gb(total)}, has {_gb(hbm_total)}"
    else:
        message = f"does not fit: needs {_gb(total if B else p_bytes + kv_seq)}, has {_gb(hbm_total)}"

    step = f.step_time(B=B, C=C, N=n, P=P, S=context, W_hbm=bw, b_w=b_w, kv=kvt)
    crit = f.critical_batch(C=C, W_hbm=bw, b_w=b_w)
    if efficiency == "measured":  # the calibrated step of chapter 12 (weight streaming, attention streams, overlap)
        step = H100_EFFICIENCY.step_time(hw, B, context, P, b_w, kvt, model.kv_heads, n, compute, peak)
        crit = H100_EFFICIENCY.critical_batch(hw, b_w, compute, peak)
    tps = f.tokens_per_s(B=B, T_step=step)
    tps_chip = f.tokens_per_s_per_chip(B=B, N=n, T_step=step)
    prefill = f.prefill_time(C=peak, MFU=mfu, N=n, P=P, T=prompt)  # an MFU is a fraction of the peak itself
    b_a = bytes_per_element(compute, "compute")
    price_hr = hw.price_per_hour
    return Plan(
        model=model.name, chip=hw.name, chips=n, weights=weights, kv=kv, compute=compute,
        context=context, prompt=prompt, decode=decode, mfu=mfu, mesh_axes=mesh_axes, efficiency=efficiency,
        hbm_bw=bw, flops=C,
        param_count=P, param_bytes=p_bytes, kv_bytes_per_token=kvt, kv_bytes_per_sequence=kv_seq,
        batch=B, kv_bytes=kv_total, total_bytes=total, hbm_bytes=hbm_total, fits=fits, fit_message=message,
        min_chips=n_min, min_slice_chips=min_slice, max_batch=b_max, step_time_s=step,
        bound="compute" if B > crit else "memory", critical_batch=crit,
        tokens_per_s=tps, tokens_per_s_per_chip=tps_chip,
        qps_per_chip=f.qps_per_chip(B=B, G=decode, N=n, T_step=step),
        prefill_time_s=prefill,
        prefill_decode_ratio=f.prefill_decode_ratio(B=B, G=decode, T_prefill=prefill, T_step=step),
        ici_flops_bound_chips=f.ici_flops_bound(C=C, F=model.d_ff, M=mesh_axes, W_ici=hw.ici_bw_bidi, b_a=b_a),
        ici_hbm_bound_chips=(f.ici_hbm_bound(B=B, F=model.d_ff, M=mesh_axes, W_hbm=bw, W_ici=hw.ici_bw_bidi,
                                             b_a=b_a, b_w=b_w) if B else None),
        cost_per_million_tokens=(f.cost_per_million_tokens(U=1, c=price_hr, r=tps_chip)
                                 if price_hr and tps_chip else None),
    )
