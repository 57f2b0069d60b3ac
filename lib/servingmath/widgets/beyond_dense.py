"""Chapter 13 explorer: the weight bytes an MoE decode step reads against the batch, and the step's parts."""

from ..analysis import beyond_dense as bd
from ..core.hardware import Chip, PRESETS as CHIPS, get_chip
from ..core.models import Model, get_model
from ..figures import Drawing
from ..figures.beyond_dense import draw_decode_step
from ..present import beyond_dense as words
from . import Explorer, dropdown, explorer as explorer_view, log_slider

#: Formats the weights can be stored in (the FLOPs follow: 8-bit weights compute in 8 bits, others in bf16).
WEIGHTS = ("bf16", "fp8", "int8", "int4")


@explorer_view
def decode_step(drawing: Drawing | None = None, model: Model = bd.DEEPSEEK, chip: Chip = bd.H200,
                weights: str = "fp8", context: int = 8192, batch: int = 64) -> tuple:
    """The weight bytes read per step over the batch (dense models beside it) and the step's parts at ``batch``,
    on the smallest slice of ``chip`` that holds the weights and the batch's caches (KV in bf16)."""
    model, chip = get_model(model), get_chip(chip)
    result = bd.decode_step(model, chip, weights=weights, context=context, batch=batch)
    return draw_decode_step(drawing, result), words.step_text(result)


def explorer() -> Explorer:
    """The chapter's explorer: an MoE model, a chip, the weights' format, the context and the batch."""
    return Explorer({"model": dropdown("model", [(m.name, m) for m in bd.MOE_MODELS.values()], bd.DEEPSEEK),
                     "chip": dropdown("chip", [(c.name, c) for c in CHIPS.values()], bd.H200),
                     "weights": dropdown("weights", list(WEIGHTS), "fp8"),
                     "context": log_slider("context S", 8192, 9, 17),
                     "batch": log_slider("batch B", 64, 0, 14)},
                    decode_step, title="MoE weight read and decode step")
