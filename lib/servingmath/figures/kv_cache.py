"""Chapter 02 figure: KV-cache memory against weight memory, over context and over batch."""

from ..analysis.kv_cache import KvMemory
from ..present import kv_cache as words
from ..present.units import thousands
from . import Drawing, new_figure


def _create(r: KvMemory) -> Drawing:
    fig, (left, right) = new_figure(2, figsize=(8, 3.4))
    art = {
        "ctx": left.plot(r.contexts, r.by_context / 1e9, color="C0", label="KV caches")[0],
        "ctx_w": left.axhline(r.weight_bytes / 1e9, color="C3", ls="--", label="weights"),
        "ctx_pt": left.plot([r.context], [r.cache_bytes / 1e9], "o", color="C0")[0],
        "bat": right.plot(r.batches, r.by_batch / 1e9, color="C0", label="KV caches")[0],
        "bat_w": right.axhline(r.weight_bytes / 1e9, color="C3", ls="--", label="weights"),
        "bat_pt": right.plot([r.batch], [r.cache_bytes / 1e9], "o", color="C0")[0],
        "left": left, "right": right,
    }
    left.set(xscale="log", yscale="log", xlabel="context S (tokens per sequence)", ylabel="GB (1e9 bytes)")
    left.set_xticks(r.contexts[::2], thousands(r.contexts[::2]))
    right.set(yscale="log", xlabel="batch B (sequences)", ylabel="GB (1e9 bytes)")
    left.legend(loc="upper left")
    for ax in (left, right):
        ax.minorticks_off()
    return Drawing(fig, art)


def draw_kv_memory(drawing: Drawing | None, r: KvMemory) -> Drawing:
    """Draw (or update in place) the caches of ``r`` over context and over batch, the weights as a line."""
    drawing = _create(r) if drawing is None else drawing
    art = drawing.art
    art["ctx"].set_ydata(r.by_context / 1e9)
    art["ctx_w"].set_ydata([r.weight_bytes / 1e9] * 2)
    art["ctx_pt"].set_data([r.context], [r.cache_bytes / 1e9])
    art["bat"].set_ydata(r.by_batch / 1e9)
    art["bat_w"].set_ydata([r.weight_bytes / 1e9] * 2)
    art["bat_pt"].set_data([r.batch], [r.cache_bytes / 1e9])
    art["left"].set_title(words.context_title(r))
    art["right"].set_title(words.batch_title(r))
    for ax in (art["left"], art["right"]):
        ax.relim()
        ax.autoscale_view()
    return drawing
