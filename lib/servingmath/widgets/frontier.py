"""Chapter 11's frontier explorer: context, precision, slice and batch; the curves and the selected step's parts."""

from ..analysis.frontier import PRECISIONS, frontier, frontiers, point_at
from ..core.hardware import Chip, get_chip
from ..core.models import Model, get_model
from ..figures import Drawing
from ..figures.frontier import draw_frontier
from ..present.frontier import point_text
from . import Explorer, dropdown, log_slider
from . import explorer as explorer_view


@explorer_view
def frontier_view(drawing: Drawing | None = None, model: Model | str = "llama-3-70b", chip: Chip | str = "tpu-v5e",
                  context=8192, precision="int8", chips=16, batch=64) -> tuple:
    """Every precision's frontier on every slice of ``chip`` at ``context``, and the step of ``precision`` on
    ``chips`` chips at ``batch`` (the max batch if it does not fit). Returns the drawing and the step in words."""
    model, chip = get_model(model), get_chip(chip)
    selected = frontier(model, chip, precision, chip.check_slice(chips), context)
    pt = point_at(selected, batch)
    drawing = draw_frontier(drawing, frontiers(model, chip, context), selected, pt, chip)
    return drawing, point_text(selected, pt, chip, asked=batch)


def explorer(chip="tpu-v5e") -> Explorer:
    """The frontier explorer of LLaMA 3-70B on ``chip``'s slices."""
    slices = get_chip(chip).slices
    return Explorer({"context": log_slider("context S", 8192, 9, 15),
                     "precision": dropdown("weights and KV", list(PRECISIONS), "int8"),
                     "chips": dropdown("chips", list(slices), 16),
                     "batch": log_slider("batch B", 64, 0, 14)},
                    lambda drawing, **values: frontier_view(drawing, chip=chip, **values),
                    title="The latency-throughput frontier")
