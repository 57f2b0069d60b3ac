"""Chapter 02 figure: KV-cache memory against weight memory, over context and over batch."""

import numpy as np

from .. import formulas as f
from ..checks import check_count
from ..display import gb, num
from ..models import get_model
from ..precision import bytes_per_element
from . import explorer, new_figure

CONTEXTS = 2.0 ** np.arange(9, 18)   # 512 ... 131072 tokens
BATCHES = np.arange(1, 257)


@explorer
def kv_memory(fig=None, model="llama-3-70b", kv="int8", weights="int8", context=8192, batch=32):
    """KV bytes vs context (at ``batch``) and vs batch (at ``context``), with the weights as a line."""
    m = get_model(model)
    context, batch = check_count("context", context), check_count("batch", batch)
    kvt = m.kv_bytes_per_token(kv)
    weights_bytes = f.param_bytes(P=m.param_count, b_w=bytes_per_element(weights, "weights"))
    by_context = f.kv_cache_bytes(B=np.full_like(CONTEXTS, batch), S=CONTEXTS, kv=np.full_like(CONTEXTS, kvt))
    by_batch = f.kv_cache_bytes(B=BATCHES.astype(float), S=np.full(BATCHES.shape, float(context)),
                                kv=np.full(BATCHES.shape, kvt))
    here = f.kv_cache_bytes(B=batch, S=context, kv=kvt)
    if fig is None:
        fig, (left, right) = new_figure(2, figsize=(8, 3.4))
        art = {
            "ctx": left.plot(CONTEXTS, by_context / 1e9, color="C0", label="KV caches")[0],
            "ctx_w": left.axhline(weights_bytes / 1e9, color="C3", ls="--", label="weights"),
            "ctx_pt": left.plot([context], [here / 1e9], "o", color="C0")[0],
            "bat": right.plot(BATCHES, by_batch / 1e9, color="C0", label="KV caches")[0],
            "bat_w": right.axhline(weights_bytes / 1e9, color="C3", ls="--", label="weights"),
            "bat_pt": right.plot([batch], [here / 1e9], "o", color="C0")[0],
            "left": left, "right": right,
        }
        left.set(xscale="log", yscale="log", xlabel="context S (tokens per sequence)", ylabel="GB (1e9 bytes)")
        left.set_xticks(CONTEXTS[::2], [f"{int(c):,}" for c in CONTEXTS[::2]])
        right.set(yscale="log", xlabel="batch B (sequences)", ylabel="GB (1e9 bytes)")
        left.legend(loc="upper left")
        for ax in (left, right):
            ax.minorticks_off()
        fig._servingmath = art
    art = fig._servingmath
    art["ctx"].set_ydata(by_context / 1e9)
    art["ctx_w"].set_ydata([weights_bytes / 1e9] * 2)
    art["ctx_pt"].set_data([context], [here / 1e9])
    art["bat"].set_ydata(by_batch / 1e9)
    art["bat_w"].set_ydata([weights_bytes / 1e9] * 2)
    art["bat_pt"].set_data([batch], [here / 1e9])
    art["left"].set_title(f"batch {batch}, KV in {kv}")
    art["right"].set_title(f"context {context:,}, KV in {kv}")
    for ax in (art["left"], art["right"]):
        ax.relim()
        ax.autoscale_view()
    crossover = weights_bytes / (context * kvt)
    text = (f"{m.name}: KV = {kvt:,.0f} B/token ({kv}); one {context:,}-token sequence = {gb(context * kvt)}\n"
            f"batch {batch}: KV caches {gb(here)} vs weights {gb(weights_bytes)} ({weights})\n"
            f"the caches outgrow the weights beyond {num(crossover)} sequences at this context")
    return fig, text
