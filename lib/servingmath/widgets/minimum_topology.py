"""Chapter 05 views: the minimum topology by precision (the explorer), and the measured fp8 speed-up."""

from ..analysis import minimum_topology as mt
from ..core.hardware import Chip, PRESETS as CHIPS, get_chip
from ..core.models import Model, get_model
from ..core.precision import SERVING_PRECISIONS
from ..figures import Drawing
from ..figures.minimum_topology import draw_precision_speedup, draw_topology
from ..present import minimum_topology as words
from . import Explorer, dropdown, explorer as register, log_slider


@register
def topology(drawing: Drawing | None = None, precision: str = "bf16", context: int = 8192, chip: Chip = mt.V5E,
             model: Model = mt.LLAMA):
    """Max batch (left) and decode step at that batch (right) over the slice size, for the three precisions."""
    chip = get_chip(chip)
    model = get_model(model)
    result = mt.topology(precision, context, chip, model)
    return draw_topology(drawing, result), words.topology_text(result)


def precision_speedup(drawing: Drawing | None = None, run: str = "run3", chip: Chip = mt.H100):
    """Speed-up of one layer's decode step from fp8 weights, measured and on ``chip``'s roofline."""
    chip = get_chip(chip)
    result = mt.speedup_table(run, chip)
    return draw_precision_speedup(drawing, result), words.speedup_text(result)


def explorer() -> Explorer:
    """The chapter's explorer: the precision, the context and the chip."""
    return Explorer({"precision": dropdown("precision", list(SERVING_PRECISIONS), "bf16"),
                     "context": log_slider("context S", 8192, 10, 17),
                     "chip": dropdown("chip", [(c.name, c) for c in CHIPS.values()], mt.V5E)},
                    topology, title="Minimum topology by precision")
