"""Chapter 04 views: the roofline and critical batch of a chip (the explorer), and the measured H100 sweep."""

from ..analysis import critical_batch as cb
from ..core.hardware import Chip, PRESETS as CHIPS, get_chip
from ..core.models import Model, PRESETS as MODELS, get_model
from ..core.precision import COMPUTE
from ..figures import Drawing
from ..figures.critical_batch import draw_measured_roofline, draw_roofline
from ..present import critical_batch as words
from . import Explorer, dropdown, explorer as register


@register
def roofline(drawing: Drawing | None = None, chip: Chip = CHIPS["tpu-v5e-article"], weights: str = "bf16",
             compute: str = "bf16", model: Model = MODELS["llama-3-70b"]):
    """Time of x[B, D] @ W[D, F] against B (left) and B_crit per precision pair on this chip (right)."""
    chip = get_chip(chip)
    model = get_model(model)
    result = cb.roofline(chip, weights, compute, model)
    return draw_roofline(drawing, result), words.roofline_text(result)


def measured_roofline(drawing: Drawing | None = None, peaks: str = "measured", model: Model = MODELS["llama-3-70b"]):
    """The measured H100 matmul sweep (bf16 and fp8, median and range of three runs) on the roofline."""
    model = get_model(model)
    result = cb.measured_roofline(peaks, model)
    return draw_measured_roofline(drawing, result), words.measured_text(result)


def explorer() -> Explorer:
    """The chapter's explorer: a chip and a precision pair."""
    return Explorer({"chip": dropdown("chip", [(c.name, c) for c in CHIPS.values()], CHIPS["tpu-v5e-article"]),
                     "weights": dropdown("weights", list(cb.WEIGHTS), "int8"),
                     "compute": dropdown("FLOPs", list(COMPUTE), "bf16")},
                    roofline, title="Roofline and critical batch")
