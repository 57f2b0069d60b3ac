"""Chapter 09's explorer: time to first token of LLaMA 3-70B on TPU v5e, and the attention share."""

from ..analysis.doubling_topology import model_parallel_slices
from ..analysis.prefill import ARTICLE_MFU, LLAMA, V5E, prefill_curves, prefill_numbers
from ..core.hardware import Chip, get_chip
from ..core.models import Model, get_model
from ..core.precision import SERVING_PRECISIONS
from ..figures import Drawing
from ..figures.prefill import draw_prefill
from ..present.prefill import fit_error, prefill_text
from . import Explorer, dropdown, log_slider, slider
from . import explorer as explorer_view


@explorer_view
def prefill_view(drawing: Drawing | None = None, prompt=8192, chips=16, mfu=ARTICLE_MFU, weights="bf16",
                 model: Model = LLAMA, chip: Chip = V5E) -> tuple:
    """Left: TTFT over the prompt length, matmuls only and with attention. Right: attention share."""
    model = get_model(model)
    chip = get_chip(chip)
    here = prefill_numbers(model, chip, chips, mfu, weights, prompt)
    if not here.fits:
        raise ValueError(fit_error(here))
    curves = prefill_curves(here)
    return draw_prefill(drawing, here, curves), prefill_text(here, curves)


def _percent_view(drawing, mfu, **values):
    """The view with the MFU slider's percent as a fraction."""
    return prefill_view(drawing, mfu=mfu / 100, **values)


def explorer() -> Explorer:
    """The chapter's explorer: prompt, chips, MFU (in percent) and weights of LLaMA 3-70B on TPU v5e."""
    return Explorer({"prompt": log_slider("prompt T", 8192, 9, 17),
                     "chips": dropdown("chips N", model_parallel_slices(V5E), 16),
                     "mfu": slider("MFU (%)", round(100 * ARTICLE_MFU), 5, 100, 5),
                     "weights": dropdown("weights", list(SERVING_PRECISIONS), "bf16")},
                    _percent_view, title="Prefill time of LLaMA 3-70B on TPU v5e")
