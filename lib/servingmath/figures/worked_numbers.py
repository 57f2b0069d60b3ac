"""Chapter 03 figure: memory and decode-step time of one configuration (batch, context, dtypes, chips).

Left, the bytes to hold (weights + KV caches) beside the HBM of the slice. Right, the
three terms of a decode step: the weight read and the matmul FLOPs overlap, so the
step is ``max(FLOPs, weight read) + KV read``; the larger of the two overlapping
terms is drawn solid and the smaller faded, and the bottom bar stacks what the step
really takes. A configuration that does not fit shows no step.
"""

from ..analysis.worked_numbers import WorkedStep
from ..present import fit_message
from ..present import worked_numbers as words
from . import STEP_COLORS, Drawing, new_figure, show_step, step_bars

ALERT = "#b00020"


def _create() -> Drawing:
    fig, (mem, time) = new_figure(2, figsize=(8, 3.6))
    art = {
        "mem": mem, "time": time,
        "weights": mem.bar([0], [0], width=0.6, color=STEP_COLORS["weights"], label="weights")[0],
        "caches": mem.bar([0], [0], width=0.6, color=STEP_COLORS["kv"], label="KV caches")[0],
        "hbm": mem.bar([1], [0], width=0.6, color="0.75", label="HBM of the slice")[0],
        "parts": step_bars(time),
        "note": time.text(0.5, 0.5, "", transform=time.transAxes, ha="center", va="center", color=ALERT,
                          fontsize=10),
    }
    mem.set_xticks([0, 1], ["needed", "has"])
    mem.set(ylabel="GB (1e9 bytes)", xlim=(-0.6, 1.6))
    mem.legend(loc="upper center", fontsize=9, ncols=3, bbox_to_anchor=(0.5, -0.12), frameon=False)
    for ax in (mem, time):
        ax.minorticks_off()
    return Drawing(fig, art)


def draw_step(drawing: Drawing | None, r: WorkedStep) -> Drawing:
    """Draw (or update in place) the memory bars and the step's terms of ``r``."""
    drawing = _create() if drawing is None else drawing
    art, p, t = drawing.art, r.plan, r.terms
    art["weights"].set_height(p.param_bytes / 1e9)
    art["caches"].set_y(p.param_bytes / 1e9)
    art["caches"].set_height(p.kv_bytes / 1e9)
    art["hbm"].set_height(p.hbm_bytes / 1e9)
    art["mem"].set_title(fit_message(p), fontsize=10, color="black" if p.fits else ALERT)

    # milliseconds drawn: nothing when the configuration does not fit
    scale = 1e3 if p.fits else 0.0
    step_ms = show_step(art["parts"], t.params * scale, t.flops * scale, t.kv * scale, words.bar_labels(r))
    for bar in art["parts"]["bars"].values():
        bar.set_visible(p.fits)
    art["note"].set_text("" if p.fits else "does not fit:\nno step time")
    art["time"].set_title(words.step_title(r), fontsize=10)
    for ax in (art["mem"], art["time"]):
        ax.relim()
        ax.autoscale_view()
    if p.fits:
        art["time"].set_xlim(0, 1.3 * step_ms)
    return drawing
