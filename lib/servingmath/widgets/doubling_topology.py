"""Chapter 07's explorer: tokens/s/chip at max batch against the slice size, by precision."""

from ..analysis.doubling_topology import LLAMA, V5E, model_parallel_slices, sweep
from ..core.hardware import Chip, get_chip
from ..core.models import Model, get_model
from ..core.precision import SERVING_PRECISIONS
from ..figures import Drawing
from ..figures.doubling_topology import draw_throughput_vs_chips
from ..present.doubling_topology import sweep_text
from . import Explorer, dropdown, log_slider
from . import explorer as explorer_view


@explorer_view
def throughput_vs_chips(drawing: Drawing | None = None, weights="bf16", context=8192, chips=32,
                        model: Model = LLAMA, chip: Chip = V5E) -> tuple:
    """Tokens/s/chip at max batch over the valid slices for each precision, and the gain of doubling."""
    model = get_model(model)
    chip = get_chip(chip)
    s = sweep(weights, context, chips, model=model, chip=chip)
    return draw_throughput_vs_chips(drawing, s), sweep_text(s)


def explorer() -> Explorer:
    """The chapter's explorer: precision, context and slice of LLaMA 3-70B on TPU v5e."""
    return Explorer({"weights": dropdown("precision (weights = KV)", list(SERVING_PRECISIONS), "bf16"),
                     "context": log_slider("context S", 8192, 10, 15),
                     "chips": dropdown("chips", model_parallel_slices(V5E), 32)},
                    throughput_vs_chips, title="Throughput per chip vs slice size")
