"""Chapter 06 figure: requests per second per chip and dollars per million tokens over the context."""

import numpy as np

from ..analysis.qps_per_chip import QpsOverContext
from ..core.precision import SERVING_PRECISIONS
from ..present import qps_per_chip as words
from . import PRECISION_COLORS, Drawing, new_figure


def _gaps(values) -> list:
    """Values for a log axis: nothing (NaN) where there is no deployment (0 or None)."""
    return [value if value else np.nan for value in values]


def draw_qps(drawing: Drawing | None, q: QpsOverContext) -> Drawing:
    """QPS per chip (left) and $ per million generated tokens (right) over the context, three precisions."""
    if drawing is None:
        fig, (left, right) = new_figure(2, figsize=(8.4, 3.6))
        art = {"left": left, "right": right}
        for p in SERVING_PRECISIONS:
            color = PRECISION_COLORS[p]
            art[f"{p}_q"] = left.plot([], [], "-o", ms=3, color=color, label=p)[0]
            art[f"{p}_c"] = right.plot([], [], "-o", ms=3, color=color, label=p)[0]
            art[f"{p}_qm"] = left.plot([], [], "o", ms=8, mfc="none", color=color)[0]
            art[f"{p}_cm"] = right.plot([], [], "o", ms=8, mfc="none", color=color)[0]
        art["half"] = left.plot([], [], ":", color="k", lw=1.2, label="the source's 'about half'")[0]
        for ax in (left, right):
            ax.set(xscale="log", yscale="log", xlabel="context S (tokens)")
            ax.set_xticks(q.contexts[::2], words.context_ticks(q.contexts[::2]))
            ax.minorticks_off()
        left.set_ylabel("QPS per chip (requests/s)")
        right.set_ylabel("$ per million generated tokens")
        left.legend(loc="lower left", fontsize=8)
        drawing = Drawing(fig, art)
    art = drawing.art
    for p in SERVING_PRECISIONS:
        wide = 2.6 if p == q.precision else 1.0
        art[f"{p}_q"].set_data(q.contexts, _gaps(r.qps_per_chip for r in q.rows[p]))
        art[f"{p}_c"].set_data(q.contexts, _gaps(r.cost_per_million for r in q.rows[p]))
        art[f"{p}_q"].set_linewidth(wide)
        art[f"{p}_c"].set_linewidth(wide)
        art[f"{p}_qm"].set_data([q.context], _gaps([q.here[p].qps_per_chip]))
        art[f"{p}_cm"].set_data([q.context], _gaps([q.here[p].cost_per_million]))
    art["half"].set_data(q.contexts, _gaps(q.realistic))
    for ax in (art["left"], art["right"]):
        ax.relim()
        ax.autoscale_view()
    art["left"].set_title(words.qps_title(q), fontsize=9)
    art["right"].set_title(words.cost_title(q), fontsize=9)
    return drawing
