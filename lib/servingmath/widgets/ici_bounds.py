"""Chapter 08's explorer: which of FLOPs, HBM and ICI bounds a model-parallel matmul."""

from ..analysis.doubling_topology import model_parallel_slices
from ..analysis.ici_bounds import LLAMA, V5E, WRAPAROUND, bound_curves, ici_case
from ..core.hardware import Chip, get_chip
from ..core.models import Model, get_model
from ..core.precision import SERVING_PRECISIONS
from ..figures import Drawing
from ..figures.ici_bounds import draw_ici_bars
from ..present.ici_bounds import ici_text
from . import Explorer, dropdown, slider
from . import explorer as explorer_view


@explorer_view
def ici_bars(drawing: Drawing | None = None, batch=138, chips=32, mesh_axes=2, wraparound="slice", context=8192,
             weights="bf16", model: Model = LLAMA, chip: Chip = V5E) -> tuple:
    """Per-matmul times (left) and the sharding degrees where ICI catches up, against the batch (right)."""
    model = get_model(model)
    chip = get_chip(chip)
    case = ici_case(batch, chips, mesh_axes, wraparound, context, weights, model, chip)
    curves = bound_curves(case.chips, mesh_axes, wraparound, case.context, weights, model, chip)
    return draw_ici_bars(drawing, case, curves, chip), ici_text(case, chip)


def explorer(batch=138) -> Explorer:
    """The chapter's explorer on TPU v5e; ``batch`` is the slider's start (the 4x8's max batch)."""
    return Explorer({"batch": slider("batch B", batch, 1, 1024),
                     "chips": dropdown("chips Y", model_parallel_slices(V5E), 32),
                     "mesh_axes": dropdown("mesh axes M", [1, 2], 2),
                     "wraparound": dropdown("wraparound", list(WRAPAROUND), "slice"),
                     "weights": dropdown("weights = KV", list(SERVING_PRECISIONS), "bf16")},
                    ici_bars, title="Which of FLOPs, HBM and ICI bounds a matmul")
