"""The planner from names: preset names and config files become ``Model`` and ``Chip`` records here, once.

This is the edge a chapter, a test or the CLI calls (``servingmath.plan``); everything it calls
takes records. A reader's own chip figures (``hbm_bw=``, ``flops=``, ...) are applied here too.
"""

from .analysis import framework
from .analysis import plan as planning
from .core.checks import check_number
from .core.hardware import Chip, get_chip
from .core.models import Model, get_model

#: A reader's overrides of a chip's figures: keyword -> the ``Chip`` field it replaces.
OVERRIDES = {"hbm_bw": "hbm_bw", "hbm_bytes": "hbm_bytes", "ici_bw": "ici_bw_bidi", "price": "price_per_hour"}


def chip_with(chip, compute: str = "bf16", flops=None, **overrides) -> Chip:
    """A chip (a preset name or a ``Chip``) with a reader's own figures; ``None`` keeps the preset's.

    ``flops`` replaces the peak FLOP/s of ``compute`` (bf16, or the 8-bit path for fp8/int8).
    """
    hw = get_chip(chip)
    unknown = set(overrides) - set(OVERRIDES)
    if unknown:
        raise ValueError(f"{sorted(unknown)[0]}: not a chip figure (choose from {', '.join(OVERRIDES)}, flops)")
    values = {OVERRIDES[k]: check_number(k, v) for k, v in overrides.items() if v is not None}
    if "ici_bw_bidi" in values:   # a link's two directions: an open axis gets one of them
        values["ici_bw_oneway"] = values["ici_bw_bidi"] / 2
    if flops is not None:
        values["flops_bf16" if compute == "bf16" else "flops_int8"] = check_number("flops", flops)
    return hw.with_overrides(**values) if values else hw


def _records(model, chip, compute, flops, overrides) -> tuple[Model, Chip]:
    return get_model(model), chip_with(chip, compute, flops, **overrides)


def plan(model="llama-3-70b", chip="tpu-v5e", *, compute="bf16", flops=None, hbm_bw=None, hbm_bytes=None,
         ici_bw=None, price=None, **workload) -> planning.Plan:
    """``analysis.plan.plan`` from names: ``model`` is a preset, a ``Model`` or a JSON config file,
    ``chip`` a preset or a ``Chip``; the other keywords are the plan's (chips, weights, kv_dtype, context,
    batch, prompt, decode, mfu, mesh_axes, efficiency, ici, reserve) and a reader's chip figures."""
    m, hw = _records(model, chip, compute, flops, dict(hbm_bw=hbm_bw, hbm_bytes=hbm_bytes, ici_bw=ici_bw, price=price))
    return planning.plan(m, hw, compute=compute, **workload)


def plan_for_target(target_s=None, model="llama-3-70b", chip="tpu-v5e", *, compute="bf16", flops=None,
                    hbm_bw=None, hbm_bytes=None, ici_bw=None, price=None, **workload) -> framework.TargetedPlan:
    """``analysis.framework.plan_for_target`` from names (see ``plan``)."""
    m, hw = _records(model, chip, compute, flops, dict(hbm_bw=hbm_bw, hbm_bytes=hbm_bytes, ici_bw=ici_bw, price=price))
    return framework.plan_for_target(m, hw, target_s, compute=compute, **workload)
