"""Chapter 03 explorer: the memory and the decode step of LLaMA 3-70B on a TPU v5e slice."""

from ..analysis.worked_numbers import LLAMA, V5E, worked_step
from ..core.hardware import Chip, get_chip
from ..core.models import Model, get_model
from ..core.precision import SERVING_PRECISIONS
from ..figures import Drawing
from ..figures.worked_numbers import draw_step
from ..present import worked_numbers as words
from . import Explorer, dropdown, explorer as explorer_view, log_slider


@explorer_view
def step_view(drawing: Drawing | None = None, model: Model = LLAMA, chip: Chip = V5E, chips=8, batch=32,
              context=8192, weights="int8", kv_dtype="int8") -> tuple:
    """Memory against HBM, and the decode step's terms, for ``batch`` sequences of ``context`` tokens."""
    model = get_model(model)
    chip = get_chip(chip)
    result = worked_step(model, chip, chips=chips, batch=batch, context=context, weights=weights, kv_dtype=kv_dtype)
    return draw_step(drawing, result), words.step_text(result)


def explorer() -> Explorer:
    """The chapter's explorer: batch, context, the weights' and the cache's formats, and the v5e slice."""
    return Explorer({"batch": log_slider("batch B", 32, 0, 10),
                     "context": log_slider("context S", 8192, 9, 17),
                     "weights": dropdown("weights", list(SERVING_PRECISIONS), "int8"),
                     "kv_dtype": dropdown("KV cache", list(SERVING_PRECISIONS), "int8"),
                     "chips": dropdown("v5e chips", list(V5E.slices), 8)},
                    step_view, title="Decode step of LLaMA 3-70B on TPU v5e")
