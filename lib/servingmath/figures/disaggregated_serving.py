"""Chapter 10 figure: prefill per decode, in servers and in chips, over the hit rate and over the prompt."""

from matplotlib.ticker import FixedLocator, FuncFormatter
import numpy as np

from ..analysis.disaggregated_serving import RatioCurves, Split
from ..present.disaggregated_serving import ratio_titles
from ..present.units import thousands
from . import Drawing, new_figure

RATIO_TICKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500]


def _create(curves: RatioCurves) -> Drawing:
    fig, (left, right) = new_figure(2, figsize=(8, 3.4))
    art = {"left": left, "right": right}
    for ax, x, key in ((left, curves.hits * 100, "hit"), (right, curves.prompts, "prompt")):
        ones = np.ones(len(x))
        art[key + "_servers"] = ax.plot(x, ones, color="C0", label="servers")[0]
        art[key + "_chips"] = ax.plot(x, ones, color="C2", ls="--", label="chips")[0]
        art[key + "_pt"] = ax.plot([x[0]], [1], "o", color="C0")[0]
        ax.axhline(1, color="0.4", ls=":", label="1:1")
        ax.set(yscale="log", ylabel="prefill per decode")
        ax.yaxis.set_major_locator(FixedLocator(RATIO_TICKS))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.minorticks_off()
    left.set(xlabel="prefix-cache hit rate h (%)")
    right.set(xscale="log", xlabel="prompt length T (tokens)")
    right.set_xticks(curves.prompts[::2], thousands(curves.prompts[::2]))
    right.minorticks_off()
    left.legend(loc="lower left")
    return Drawing(fig, art)


def draw_split(drawing: Drawing | None, curves: RatioCurves, here: Split) -> Drawing:
    """Left: the ratio over the prefix-cache hit rate. Right: over the prompt length. ``here`` is marked."""
    drawing = _create(curves) if drawing is None else drawing
    art = drawing.art
    art["hit_servers"].set_ydata(curves.servers_by_hit)
    art["hit_chips"].set_ydata(curves.chips_by_hit)
    art["hit_pt"].set_data([100 * here.hit], [here.server_ratio])
    art["prompt_servers"].set_ydata(curves.servers_by_prompt)
    art["prompt_chips"].set_ydata(curves.chips_by_prompt)
    art["prompt_pt"].set_data([here.prompt], [here.server_ratio])
    left_title, right_title = ratio_titles(here)
    art["left"].set_title(left_title)
    art["right"].set_title(right_title)
    for ax, lines in ((art["left"], (curves.servers_by_hit, curves.chips_by_hit)),
                      (art["right"], (curves.servers_by_prompt, curves.chips_by_prompt))):
        values = np.concatenate([c[np.isfinite(c)] for c in lines] + [np.array([1.0])])
        ax.set_ylim(values.min() / 1.3, values.max() * 1.3)
    return drawing
