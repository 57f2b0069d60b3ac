"""The six-step serving decision framework as one function (chapter 11).

``plan()`` takes a ``Model`` and a ``Chip`` record and a workload and returns a ``Plan``:
numbers only (the presentation layer words them). A deployment that does not fit is an
answer (``fits`` is False), not an error.
"""

from dataclasses import asdict, dataclass, field

import mpmath

from ..calibration import MEASURED, Efficiency
from ..core import formulas as f
from ..core.checks import check_choice, check_count, check_fraction, check_number
from ..core.hardware import UNITS, Chip
from ..core.models import Model
from ..core.precision import COMPUTE, bytes_per_element

#: How the planner times a step: the datasheet roofline, or the roofline calibrated on measured
#: kernels (``calibration``), whose fractions come from the chip the measurements were taken on.
EFFICIENCY_MODES = ("ideal", "measured")
#: How the planner treats the collectives of model parallelism (chapter 08): "count" puts them on the
#: step's critical path; "ignore" is the article's communication-free roofline.
ICI_MODES = ("count", "ignore")
#: HBM kept back for activations, the runtime and fragmentation, as a fraction of each chip's HBM: vLLM's
#: default ``gpu_memory_utilization`` of 0.9 (vLLM engine arguments). 0 fills HBM as the article does.
DEFAULT_RESERVE = 0.1
#: The workload arguments that reproduce the article: HBM filled completely, communication left out.
ARTICLE_MODE = {"ici": "ignore", "reserve": 0}


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
    ici: str                          # "count" or "ignore" (chapter 08)
    ici_time_s: float                 # the collectives of one decode step (0 on one chip)
    ici_bound: bool                   # the collectives take longer than the rest of the step
    ici_latency_bound: bool           # each collective's hop latency exceeds its transfer time
    roofline_step_s: float            # the step without its collectives (the article's roofline)
    prefill_ici_time_s: float         # the collectives of the prefill (overlapped with its matmuls)
    reserve: float                    # HBM bytes per chip kept back from weights and caches
    active_param_count: int = 0       # parameters one token uses (FLOPs); param_count is what memory holds
    decode_param_count: int = 0       # parameters a decode step reads and multiplies (no input embedding)
    weight_bytes_read: float = 0.0    # weight bytes one decode step reads at the plan's batch
    warnings: tuple = ()              # what the plan assumes or the model leaves out, one line each
    routing: tuple | None = field(default=None, repr=False)  # (L_MoE, P_e, E, k, P_dense) off the plain path
    links: tuple = field(default=(0.0, 0, 0.0, 0, 0, 0), repr=False)  # (W_c, n_hop, t_hop, b_a, D, L)

    @property
    def usable_hbm_bytes(self) -> float:
        """The slice's HBM less what ``reserve`` keeps back: what weights and caches may fill."""
        return self.hbm_bytes - self.chips * self.reserve

    @property
    def bytes_needed(self) -> float:
        """What the slice must hold: weights + caches, or weights + one sequence when no batch fits."""
        return self.total_bytes if self.batch else self.param_bytes + self.kv_bytes_per_sequence

    def to_dict(self) -> dict:
        """The plan's numbers (``routing``, the MoE inputs ``step_time_at`` needs, left out)."""
        data = asdict(self)
        del data["routing"], data["links"]
        data["warnings"] = list(self.warnings)
        return data


def _efficiency(predictor: str) -> Efficiency | None:
    return MEASURED if predictor == "measured" else None


def reserve_bytes(chip: Chip, reserve) -> float:
    """HBM bytes per chip that ``reserve`` keeps back: a fraction of HBM below 1, else bytes (a number,
    or text with a unit: "2GiB", "4e9B"); ``ValueError`` naming ``reserve`` otherwise."""
    if isinstance(reserve, str):
        unit = next((u for u in ("GiB", "GB", "B") if reserve.strip().endswith(u)), None)
        if unit:   # bytes with a unit: the number before it, scaled
            reserve = check_number("reserve", reserve.strip()[: -len(unit)]) * UNITS[unit]
    value = check_number("reserve", reserve, allow_zero=True)
    kept = value * chip.hbm_bytes if value < 1 else value   # a number below 1 is a fraction of the chip's HBM
    if kept >= chip.hbm_bytes:
        raise ValueError(f"reserve: {kept:.4g} B is all of a {chip.name} chip's HBM ({chip.hbm_bytes:.4g} B)")
    return kept


def plan(model: Model, chip: Chip, chips=None, weights="bf16", kv_dtype=None, compute="bf16", context=8192,
         batch="max", prompt=None, decode=512, mfu=0.4, mesh_axes=None, efficiency="ideal", ici="count",
         reserve=DEFAULT_RESERVE) -> Plan:
    """Serve ``model`` on ``chips`` chips of ``chip``: memory, batch, latency, throughput, cost, ICI, prefill.

    ``chips=None`` takes the smallest valid slice that holds the weights and the batch
    (one sequence when ``batch="max"``); ``kv_dtype=None`` stores the cache like the weights.
    ``efficiency="measured"`` scales bandwidth and FLOP/s by the fractions measured on the
    chip of the shipped measurements (an H100: ``Plan.efficiency_measured_on``) and times the
    decode step with the calibrated model of chapter 12; ``"ideal"`` is the pure roofline.

    Beyond dense LLaMA (chapter 13): the FLOPs (decode and prefill) count the model's active parameters,
    memory its total; a decode step reads the weights outside the routed experts and the experts its
    batch touches (a balanced, independent router: ``formulas.experts_touched``), so an MoE model's
    critical batch is found numerically; a sliding-window layer caches at most its window. ``warnings``
    lists what the plan assumes (the router) or uses past the model's limits (a context beyond
    ``max_position_embeddings``), and what the model leaves out.

    Communication (chapter 08): each layer runs 4 collectives of the batch's activations over the slice's
    links (``Chip.collective_links``); ``ici="count"`` adds them to the step (they sit on its critical
    path), ``"ignore"`` leaves the article's roofline. ``reserve`` keeps part of each chip's HBM from the
    weights and caches (a fraction below 1, else bytes); ``reserve=0`` fills HBM as the article does.
    ``mesh_axes=None`` shards over every axis of the slice.
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
    check_choice("ici", ici, ICI_MODES)
    kept = reserve_bytes(chip, reserve)
    usable = chip.hbm_bytes - kept
    if batch != "max":
        batch = check_count("batch", batch)

    peak = chip.flops(compute)
    eff = _efficiency(efficiency)
    bw, C = (chip.hbm_bw, peak) if eff is None else (chip.hbm_bw * eff.hbm, peak * eff.flops_for(compute))

    P, P_act, P_dec = model.param_count, model.active_param_count, model.decode_param_count
    kvt = model.kv_bytes_per_token(kv_dtype)
    kv_seq = model.kv_bytes_per_sequence(context, kv_dtype)   # a windowed layer keeps only its window
    # a dense model without windows keeps the formulas of chapters 02-12; any other takes chapter 13's
    routing = _routing(model) if model.is_moe or model.window_layers or P_act != P else None
    moe = dict(zip(_ROUTING, routing or ()))
    B1 = 1 if batch == "max" else batch
    if routing is None:
        n_min = int(f.min_chips(B=B1, HBM=usable, P=P, S=context, b_w=b_w, kv=kvt))
    else:
        n_min = int(f.min_chips_seq(B=B1, HBM=usable, P=P, b_w=b_w, kv_seq=kv_seq))
    min_slice = chip.smallest_slice(n_min)
    if chips is not None:
        n = chip.check_slice(chips)
    elif min_slice is None:
        raise ValueError(f"chips: {model.name} needs {n_min} {chip.name} chips, more than the largest "
                         f"slice ({chip.slices[-1]})")
    else:
        n = min_slice
    mesh_axes = chip.mesh_axes(n) if mesh_axes is None else check_count("mesh_axes", mesh_axes)
    hbm_total = n * chip.hbm_bytes
    if routing is None:
        b_max = max(0, int(f.max_batch(HBM=usable, N=n, P=P, S=context, b_w=b_w, kv=kvt)))
    else:
        b_max = max(0, int(f.max_batch_seq(HBM=usable, N=n, P=P, b_w=b_w, kv_seq=kv_seq)))
    B = b_max if batch == "max" else batch
    if routing is None:
        total = f.total_bytes(B=B, P=P, S=context, b_w=b_w, kv=kvt)
        kv_bytes = f.kv_cache_bytes(B=B, S=context, kv=kvt)
        read = f.param_bytes(P=P_dec, b_w=b_w)
    else:
        total = f.total_bytes_seq(B=B, P=P, b_w=b_w, kv_seq=kv_seq)
        kv_bytes = f.kv_cache_bytes_seq(B=B, kv_seq=kv_seq)
        read = f.weight_bytes_read(B=B, b_w=b_w, **moe)

    if eff is None and routing is None:
        step = f.step_time(B=B, C=C, N=n, P=P_dec, S=context, W_hbm=bw, b_w=b_w, kv=kvt)
        crit = f.critical_batch(C=C, W_hbm=bw, b_w=b_w)
    elif eff is None:
        step = f.step_time_moe(B=B, C=C, N=n, W_hbm=bw, b_w=b_w, kv_seq=kv_seq, **moe)
        crit = _critical_batch(C, bw, b_w, model) if model.is_moe else f.critical_batch(C=C, W_hbm=bw, b_w=b_w)
    elif routing is None:  # the calibrated step of chapter 12 (weight streaming, attention streams, overlap)
        step = eff.step_time(chip, B, context, P_dec, b_w, kvt, model.kv_heads, n, compute)
        crit = eff.critical_batch(chip, b_w, compute)
    else:
        v = eff.constants(chip, compute)
        if B == 0:  # no sequence: the step streams the weights every token would need (none routed)
            step = f.weight_stream_time(N=n, P=read, W_mm=v["W_mm"], b_w=1)
        else:
            step = f.step_time_calibrated_moe(B=B, K=model.kv_heads, N=n, b_w=b_w, kv_seq=kv_seq, **v, **moe)
        crit = (_critical_batch(v["C"], v["W_mm"], b_w, model) if model.is_moe
                else eff.critical_batch(chip, b_w, compute))
    b_a = bytes_per_element(compute, "compute")
    links = _links(chip, n, mesh_axes, b_a, model)
    t_ici = _ici_time(links, n, B)
    roofline = step
    if ici == "count":
        step = f.step_time_ici(T_step=roofline, T_ici=t_ici)
    ici_bound = n > 1 and t_ici > roofline
    latency_bound = n > 1 and links[2] > 0 and B < f.collective_latency_batch(
        D=model.d_model, N=n, W_c=links[0], b_a=b_a, n_hop=links[1], t_hop=links[2])
    tps_chip = f.tokens_per_s_per_chip(B=B, N=n, T_step=step)
    prefill = f.prefill_time(C=peak, MFU=mfu, N=n, P=P_act, T=prompt)  # an MFU is a fraction of the peak itself
    prefill_ici = _ici_time(links, n, prompt)
    if ici == "count":
        prefill = f.prefill_time_ici(T_prefill=prefill, T_ici=prefill_ici)
    return Plan(
        model=model.name, chip=chip.name, chips=n, weights=weights, kv_dtype=kv_dtype, compute=compute,
        context=context, prompt=prompt, decode=decode, mfu=mfu, mesh_axes=mesh_axes, efficiency=efficiency,
        efficiency_measured_on=None if eff is None else eff.measured_on, hbm_bw=bw, flops=C,
        param_count=P, param_bytes=f.param_bytes(P=P, b_w=b_w), kv_bytes_per_token=kvt, kv_bytes_per_sequence=kv_seq,
        batch=B, kv_bytes=kv_bytes, total_bytes=total, hbm_bytes=hbm_total,
        fits=B >= 1 and total <= n * usable, min_chips=n_min, min_slice_chips=min_slice, max_batch=b_max,
        step_time_s=step, bound="ICI" if ici == "count" and ici_bound else "compute" if B > crit else "memory",
        critical_batch=crit,
        tokens_per_s=f.tokens_per_s(B=B, T_step=step), tokens_per_s_per_chip=tps_chip,
        qps_per_chip=f.qps_per_chip(B=B, G=decode, N=n, T_step=step),
        prefill_time_s=prefill,
        prefill_decode_ratio=f.prefill_decode_ratio(B=B, G=decode, T_prefill=prefill, T_step=step),
        ici_flops_bound_chips=f.ici_flops_bound(C=C, F=model.d_ff, M=mesh_axes, W_ici=chip.ici_bw_bidi, b_a=b_a),
        ici_hbm_bound_chips=(f.ici_hbm_bound(B=B, F=model.d_ff, M=mesh_axes, W_hbm=bw, W_ici=chip.ici_bw_bidi,
                                             b_a=b_a, b_w=b_w) if B else None),
        cost_per_million_tokens=(f.cost_per_million_tokens(U=1, c=chip.price_per_hour, r=tps_chip)
                                 if chip.price_per_hour and tps_chip else None),
        ici=ici, ici_time_s=t_ici, ici_bound=ici_bound, ici_latency_bound=latency_bound, roofline_step_s=roofline,
        prefill_ici_time_s=prefill_ici, reserve=kept,
        active_param_count=P_act, decode_param_count=P_dec, weight_bytes_read=read,
        warnings=_warnings(model, chip, n, context, prompt), routing=routing, links=links,
    )


def _links(chip: Chip, chips: int, mesh_axes: int, b_a: float, model: Model) -> tuple:
    """What the collectives of ``plan`` need: (W_c, n_hop, t_hop, b_a, D, L)."""
    w_c, hops = chip.collective_links(chips, mesh_axes)
    return w_c, hops, chip.ici_hop_latency or 0.0, b_a, model.d_model, model.layers


def _ici_time(links: tuple, chips: int, tokens) -> float:
    """The 4L collectives of a pass over ``tokens`` tokens (a decode batch or a prompt); 0 on one chip."""
    if chips == 1:
        return 0.0
    w_c, hops, t_hop, b_a, D, L = links
    return f.ici_step_time_comms(B=tokens, D=D, L=L, N=chips, W_c=w_c, b_a=b_a, n_hop=hops, t_hop=t_hop)


#: The symbols of ``formulas.weight_bytes_read`` that come from the model, in ``Plan.routing``'s order.
_ROUTING = ("L_e", "P_e", "E", "k", "P_dense")


def _routing(model: Model) -> tuple:
    """``Model.routing_symbols`` in ``_ROUTING``'s order (a ``Plan`` keeps them as a tuple)."""
    return tuple(model.routing_symbols[name] for name in _ROUTING)


def _critical_batch(C, W_hbm, b_w, model: Model) -> float:
    """The batch at which an MoE step's FLOPs (2 per active parameter per token) take as long as its weight
    read, which grows with the experts the batch touches (chapter 13): no closed form, so the root of
    ``formulas.moe_critical_batch_gap`` is found numerically (``mpmath.findroot``, bracketed).

    The root lies between the dense critical batch scaled by the weights every step reads and by all
    the text weights: FLOPs grow linearly in B and the read is concave, so the gap changes sign once.
    """
    moe = model.routing_symbols
    dense = f.critical_batch(C=C, W_hbm=W_hbm, b_w=b_w)       # the critical batch if every token read P_act
    P_act = model.decode_param_count                           # what a token multiplies (no input embedding)
    lo = dense * moe["P_dense"] / P_act                        # as if only the non-routed weights were read
    hi = dense * model.readable_param_count / P_act            # as if every expert were read

    def gap(batch):
        return f.moe_critical_batch_gap(B=float(batch), C=C, W_hbm=W_hbm, b_w=b_w, **moe)

    scale = gap(hi) - gap(lo)
    return float(mpmath.findroot(lambda batch: gap(batch) / scale, (lo, hi), solver="anderson"))


def _warnings(model: Model, chip: Chip, chips: int, context: int, prompt: int) -> tuple:
    """What a plan of ``model`` assumes or cannot know, one line each (none for the book's dense models)."""
    found = []
    for what, tokens in (("context", context), ("prompt", prompt)):
        if model.max_context is not None and tokens > model.max_context and (what == "context" or prompt != context):
            found.append(f"{what}: {tokens:,} tokens is past {model.name}'s max_position_embeddings "
                         f"({model.max_context:,}); the plan uses it as given")
    if model.is_moe:
        found.append(f"experts: the weight read assumes a balanced, independent router: B tokens, each routed to "
                     f"k = {model.experts_per_token} of E = {model.experts}, touch E(1 - (1 - k/E)^B) experts per "
                     f"MoE layer")
        found.append("ICI bounds: computed for a dense MLP of width d_ff; expert parallelism is not modelled")
    if chips > 1 and chip.ici_hop_latency is None:
        found.append(f"ICI latency: the sources give no per-hop latency for {chip.name}; the collectives are "
                     f"timed by their bytes alone")
    if chip.is_gpu and chips > chip.slices[-1]:
        found.append(f"ICI: {chips} GPUs span several nodes; the collectives are timed at the NVLink rate, "
                     f"which the network between nodes does not reach")
    return tuple(found) + model.notes


def roofline_at(p: Plan, batch) -> float:
    """The roofline decode step (no collectives) of ``p``'s deployment at another batch (the ideal plan's)."""
    b_w = bytes_per_element(p.weights, "weights")
    if p.routing is None:
        return f.step_time(B=batch, C=p.flops, N=p.chips, P=p.decode_param_count, S=p.context, W_hbm=p.hbm_bw,
                           b_w=b_w, kv=p.kv_bytes_per_token)
    return f.step_time_moe(B=batch, C=p.flops, N=p.chips, W_hbm=p.hbm_bw, b_w=b_w, kv_seq=p.kv_bytes_per_sequence,
                           **dict(zip(_ROUTING, p.routing)))


def ici_time_at(p: Plan, batch) -> float:
    """The collectives of one decode step of ``p``'s deployment at another batch."""
    return _ici_time(p.links, p.chips, batch)


def step_time_at(p: Plan, batch) -> float:
    """The decode step of ``p``'s deployment (same chips, dtypes, context, rates, ICI mode) at another batch."""
    roofline = roofline_at(p, batch)
    return f.step_time_ici(T_step=roofline, T_ici=ici_time_at(p, batch)) if p.ici == "count" else roofline
