"""Chapter 11 figure: latency per output token against throughput per chip, the planned batch and the target."""

from ..analysis.decision_framework import Curve
from ..analysis.framework import TargetedPlan
from ..core.hardware import Chip
from ..present.decision_framework import plan_note, plan_title
from . import Drawing, new_figure


def _create() -> Drawing:
    fig, ax = new_figure(1, figsize=(7.0, 3.6))
    art = {
        "ax": ax,
        "curve": ax.plot([], [], color="C0", label="every batch that fits")[0],
        "full": ax.plot([], [], "o", mfc="white", color="C0", label="HBM full (max batch)")[0],
        "chosen": ax.plot([], [], "o", color="C3", ms=8, label="planned batch")[0],
        "target": ax.axhline(0, color="C2", ls="--", label="latency target"),
        "note": ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", color="#b00020"),
    }
    ax.set(xlabel="throughput (tokens/s per chip)", ylabel="latency (ms per output token)")
    ax.legend(loc="lower right", fontsize=8)
    ax.minorticks_off()
    return Drawing(fig, art)


def draw_plan(drawing: Drawing | None, tp: TargetedPlan, c: Curve, chip: Chip) -> Drawing:
    """The curve ``c`` of ``tp``'s slice (``analysis.decision_framework.curve``), its max batch, the planned
    batch and the latency target; ``chip`` is the plan's."""
    drawing = _create() if drawing is None else drawing
    art, p = drawing.art, tp.plan
    ax = art["ax"]
    art["curve"].set_data(c.tokens_per_s_per_chip, c.step_time_s * 1e3)
    if p.fits:
        art["full"].set_data(c.tokens_per_s_per_chip[-1:], c.step_time_s[-1:] * 1e3)
        art["chosen"].set_data([p.tokens_per_s_per_chip], [p.step_time_s * 1e3])
    else:
        art["full"].set_data([], [])
        art["chosen"].set_data([], [])
    art["note"].set_text(plan_note(tp))
    art["target"].set_visible(tp.target_s is not None)
    if tp.target_s is not None:
        art["target"].set_ydata([tp.target_s * 1e3] * 2)
    ax.set_title(plan_title(p, chip), fontsize=9)
    ax.relim(visible_only=True)
    ax.autoscale_view()
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    return drawing
