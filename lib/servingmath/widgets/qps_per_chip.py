"""Chapter 06 explorer: QPS per chip and the cost of a million generated tokens over the context."""

from ..analysis import qps_per_chip as qp
from ..article import DECODE, SOURCE_INPUTS
from ..core.hardware import Chip, get_chip
from ..core.models import Model, get_model
from ..core.precision import SERVING_PRECISIONS
from ..figures import Drawing
from ..figures.qps_per_chip import draw_qps
from ..present import qps_per_chip as words
from . import Explorer, dropdown, explorer as register, log_slider


@register
def qps(drawing: Drawing | None = None, decode: int = DECODE, context: int = 8192, precision: str = "bf16",
        chip: Chip = qp.V5E, model: Model = qp.LLAMA):
    """QPS per chip (left) and $ per million generated tokens (right) over the context, three precisions."""
    chip = get_chip(chip)
    model = get_model(model)
    result = qp.qps_over_context(precision, context, decode, chip, model,
                                 realistic_fraction=SOURCE_INPUTS["qps_realistic_fraction"])
    return draw_qps(drawing, result), words.qps_text(result)


def explorer() -> Explorer:
    """The chapter's explorer: the decode length, the context and the precision (on a v5e)."""
    return Explorer({"decode": log_slider("decode length G", DECODE, 4, 13),
                     "context": log_slider("context S", 8192, 10, 17),
                     "precision": dropdown("precision", list(SERVING_PRECISIONS), "bf16")},
                    qps, title="QPS per chip and cost")
