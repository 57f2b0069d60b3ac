"""Chapter 11's explorer: the planner's latency-throughput curve and its plan card."""

from ..analysis.decision_framework import LLAMA, V5E, curve
from ..analysis.framework import plan_for_target
from ..core.checks import check_number
from ..core.hardware import Chip, PRESETS as CHIPS, get_chip
from ..core.models import Model, PRESETS as MODELS, get_model
from ..core.precision import BYTES, COMPUTE
from ..figures import Drawing
from ..figures.decision_framework import draw_plan
from ..present.decision_framework import plan_card
from . import Explorer, dropdown, log_slider
from . import explorer as explorer_view

#: The slices the explorer offers besides the smallest that fits.
SLICES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
#: Latency targets (ms per output token) the explorer offers besides none.
TARGETS_MS = (5, 10, 15, 20, 30, 50, 100)


@explorer_view
def decision_framework(drawing: Drawing | None = None, model: Model = LLAMA, chip: Chip = V5E, chips="smallest",
                       weights="int8", kv_dtype="int8", compute="bf16", context=8192, decode=512, target_ms=15.0,
                       ici_safe=False, mesh_axes=None) -> tuple:
    """The planner's view: latency vs throughput per chip over the batch, the chosen point, the target.

    ``chips`` is a valid slice size or ``"smallest"``; ``target_ms`` is the time per output token
    in milliseconds, or None for no target; ``ici_safe`` caps the batch where the slice would become
    ICI-bound. Returns the drawing and the plan card.
    """
    model = get_model(model)
    chip = get_chip(chip)
    n = None if chips in (None, "smallest") else chips
    target = None if target_ms is None else check_number("target_ms", target_ms) / 1e3
    tp = plan_for_target(model, chip, target, chips=n, weights=weights, kv_dtype=kv_dtype, compute=compute,
                         context=context, decode=decode, mesh_axes=mesh_axes, ici_safe=ici_safe)
    return draw_plan(drawing, tp, curve(tp.plan), chip), plan_card(tp, chip)


def explorer(models=()) -> Explorer:
    """The chapter's explorer over the preset models and chips; ``models`` adds (label, ``Model``) options."""
    dtypes = list(BYTES)
    return Explorer({"model": dropdown("model", list(MODELS.items()) + list(models), LLAMA),
                     "chip": dropdown("chip", list(CHIPS.items()), V5E),
                     "chips": dropdown("chips", ["smallest", *SLICES], "smallest"),
                     "weights": dropdown("weights", dtypes, "int8"),
                     "kv_dtype": dropdown("KV cache", dtypes, "int8"),
                     "compute": dropdown("FLOPs", list(COMPUTE), "bf16"),
                     "context": log_slider("context S", 8192, 9, 17),
                     "decode": log_slider("decode G", 512, 6, 13),
                     "target_ms": dropdown("target", [("none", None)] + [(f"{t} ms", float(t)) for t in TARGETS_MS],
                                           15.0),
                     "ici_safe": dropdown("ICI", [("report", False), ("cap the batch", True)], False)},
                    decision_framework, title="The serving decision framework")
