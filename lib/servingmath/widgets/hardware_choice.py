"""Chapter 01 explorer: the cost of a million tokens on a chip, at a price, a utilisation and a rate."""

import ipywidgets as widgets

from ..analysis import hardware_choice as hc
from ..core.hardware import Chip, get_chip
from ..figures import Drawing
from ..figures.hardware_choice import draw_cost
from ..present import hardware_choice as words
from . import Explorer, dropdown, explorer as explorer_view

_KNOB = dict(continuous_update=False, style={"description_width": "initial"})


@explorer_view
def cost_view(drawing: Drawing | None = None, chip: Chip = hc.REFERENCE, price=None, utilisation=1.0,
              rate=None) -> tuple:
    """Cost per million tokens vs tokens/s/chip for ``chip`` at ``price`` and ``utilisation``; both metrics.

    ``price`` defaults to the chip's default price, ``rate`` to the chapter 03 workload's tokens/s/chip.
    """
    chip = get_chip(chip)
    result = hc.token_cost(chip, price, utilisation, rate)
    return draw_cost(drawing, result), words.cost_text(result)


def explorer() -> Explorer:
    """The chapter's explorer: a chip of the table, its price per chip-hour, the utilisation, tokens/s/chip.

    Choosing a chip sets the price to its default (the source's, or the price that ties v5e on FLOPs/$).
    """
    chip = dropdown("chip", [(c.name, c) for c in hc.TABLE], hc.REFERENCE)
    price = widgets.FloatSlider(value=hc.default_price(hc.REFERENCE), min=0.1, max=20, step=0.05,
                                description="price $/chip-hour", **_KNOB)
    busy = widgets.FloatSlider(value=1.0, min=0.05, max=1.0, step=0.05, description="utilisation U", **_KNOB)
    speed = widgets.FloatLogSlider(value=round(hc.operating_points(hc.REFERENCE).workload), base=10, min=1, max=5,
                                   step=0.01, description="tokens/s/chip", **_KNOB)

    def reprice(change):  # a new chip starts at its default price
        price.value = round(hc.default_price(change.new), 2)

    chip.observe(reprice, names="value")
    return Explorer({"chip": chip, "price": price, "utilisation": busy, "rate": speed}, cost_view,
                    title="Cost per million tokens")
