"""Chapter 02 explorer: a model's KV caches against its weights, over context and over batch."""

from ..analysis import kv_cache as kc
from ..core.models import Model, PRESETS as MODELS, get_model
from ..core.precision import SERVING_PRECISIONS
from ..figures import Drawing
from ..figures.kv_cache import draw_kv_memory
from ..present import kv_cache as words
from . import Explorer, dropdown, explorer as explorer_view, log_slider


@explorer_view
def kv_memory(drawing: Drawing | None = None, model: Model = kc.LLAMA, kv_dtype="int8", context=8192,
              batch=32) -> tuple:
    """KV bytes vs context (at ``batch``) and vs batch (at ``context``); the weights stored like the cache."""
    model = get_model(model)
    result = kc.kv_memory(model, kv_dtype=kv_dtype, weights=kv_dtype, context=context, batch=batch)
    return draw_kv_memory(drawing, result), words.memory_text(result)


def explorer() -> Explorer:
    """The chapter's explorer: a model, the KV dtype (the weights' too), the context and the batch."""
    return Explorer({"model": dropdown("model", [(m.name, m) for m in MODELS.values()], kc.LLAMA),
                     "kv_dtype": dropdown("KV dtype", list(SERVING_PRECISIONS), "int8"),
                     "context": log_slider("context S", 8192, 9, 17),
                     "batch": log_slider("batch B", 32, 0, 9)},
                    kv_memory, title="KV cache vs weights")
