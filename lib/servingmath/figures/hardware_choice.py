"""Chapter 01 figure: what a chip-hour buys, as FLOPs, as bytes read, and as tokens.

``cost_view`` draws the cost of a million tokens against the tokens/s/chip a
deployment reaches (left) and, for every chip preset, FLOPs per dollar beside HBM
bytes per dollar relative to TPU v5e (right). Chips whose price the sources do not
give get the reader's price only when selected; the others show "no price".
"""

import numpy as np
import sympy as sp

from .. import formulas as f
from ..checks import check_choice, check_fraction, check_number
from ..chips import PRESETS, get_chip
from ..display import num
from ..models import get_model
from ..plan import plan
from ..symbols import C, W_hbm, c
from . import explorer, new_figure

#: The chips of the chapter's table, in its order: the article's three, then the newer ones.
CHIPS = ("h100", "tpu-v5p", "tpu-v5e", "tpu-v6e", "h200", "b200")
REFERENCE = "tpu-v5e"
MODEL = "llama-3-70b"
#: The chapter 03 workload used as the memory-bound operating point.
WORKLOAD = {"weights": "int8", "kv": "int8", "context": 8192, "batch": 32}
RATES = np.geomspace(10, 1e5, 81)   # tokens/s/chip on the x axis


def _price_for(formula, rate):
    """The price per chip-hour at which ``formula`` (FLOPs/$ or bytes/$) reaches a target, solved in SymPy."""
    target = sp.Symbol("target", positive=True)
    return sp.lambdify((rate, target), sp.solve(sp.Eq(formula.expr, target), c)[0], modules="math")


_PRICE_AT_FLOPS_PER_DOLLAR = _price_for(f.flops_per_dollar, C)
_PRICE_AT_BYTES_PER_DOLLAR = _price_for(f.bytes_per_dollar, W_hbm)


def metrics(chip, price=None) -> dict:
    """FLOPs/$ and bytes/$ of ``chip`` at ``price`` per chip-hour (the source's price when None).

    Both are None when neither a price is given nor the sources have one.
    """
    hw = get_chip(chip)
    price = hw.price_per_hour if price is None else check_number("price", price)
    if price is None:
        return {"price": None, "flops_per_dollar": None, "bytes_per_dollar": None}
    return {"price": price,
            "flops_per_dollar": f.flops_per_dollar(C=hw.flops_bf16, c=price),
            "bytes_per_dollar": f.bytes_per_dollar(W_hbm=hw.hbm_bw, c=price)}


def break_even_price(chip, metric="flops", reference=REFERENCE) -> float:
    """Price per chip-hour at which ``chip`` matches ``reference`` (at its source price) on FLOPs/$ or bytes/$."""
    check_choice("metric", metric, ("flops", "bytes"))
    hw, ref = get_chip(chip), metrics(reference)
    if metric == "flops":
        return _PRICE_AT_FLOPS_PER_DOLLAR(hw.flops_bf16, ref["flops_per_dollar"])
    return _PRICE_AT_BYTES_PER_DOLLAR(hw.hbm_bw, ref["bytes_per_dollar"])


def default_price(chip) -> float:
    """The source's price, or (where the sources have none) the price that ties TPU v5e on FLOPs/$."""
    hw = get_chip(chip)
    return hw.price_per_hour if hw.price_per_hour is not None else break_even_price(hw, "flops")


def operating_points(chip, model=MODEL) -> dict:
    """Tokens/s/chip of ``model`` on ``chip``: the compute ceiling C/(2P), and the chapter 03 workload.

    The ceiling is the rate when every FLOP of the weight matmuls runs at peak bf16 FLOP/s;
    the workload (batch 32, 8,192 tokens, int8 weights and KV) runs on its smallest slice.
    """
    hw, m = get_chip(chip), get_model(model)
    ceiling = f.tokens_per_s_per_chip(B=1, N=1, T_step=f.step_flops_time(B=1, C=hw.flops_bf16, N=1,
                                                                          P=m.param_count))
    p = plan(model=m, chip=hw, **WORKLOAD)
    return {"compute_ceiling": ceiling, "workload": p.tokens_per_s_per_chip, "workload_chips": p.chips,
            "workload_step_s": p.step_time_s}


@explorer
def cost_view(fig=None, chip=REFERENCE, price=None, utilisation=1.0, rate=None):
    """Cost per million tokens vs tokens/s/chip for ``chip`` at ``price`` and ``utilisation``; both metrics.

    ``price`` defaults to ``default_price(chip)``, ``rate`` to the chapter 03 workload's tokens/s/chip.
    """
    check_choice("chip", chip, PRESETS)
    hw = get_chip(chip)
    price = default_price(hw) if price is None else check_number("price", price)
    U = check_fraction("utilisation", utilisation)
    points = operating_points(hw)
    rate = points["workload"] if rate is None else check_number("rate", rate)
    cost = lambda r: f.cost_per_million_tokens(U=U, c=price, r=r)
    rate_text = lambda r: f"{r:,.0f}" if r >= 10 else f"{r:.3g}"
    curve = f.cost_per_million_tokens(U=np.full_like(RATES, U), c=np.full_like(RATES, price), r=RATES)

    ref = metrics(REFERENCE, price if chip == REFERENCE else None)
    rel = {}
    for name in CHIPS:
        m = metrics(name, price if name == chip else None)
        rel[name] = (None if m["price"] is None else
                     (m["flops_per_dollar"] / ref["flops_per_dollar"], m["bytes_per_dollar"] / ref["bytes_per_dollar"]))

    if fig is None:
        fig, (left, right) = new_figure(2, figsize=(8, 4.2))
        y = np.arange(len(CHIPS))
        art = {
            "left": left, "right": right,
            "curve": left.plot(RATES, curve, color="C0", label="cost at this price")[0],
            "beyond": left.plot(RATES, curve, color="0.6", ls="--", label="beyond the ceiling: unreachable")[0],
            "point": left.plot([rate], [cost(rate)], "o", color="C0", label="your tokens/s/chip")[0],
            "ceiling": left.axvline(points["compute_ceiling"], color="C3", ls="--",
                                    label="compute ceiling C/(2P)"),
            "workload": left.axvline(points["workload"], color="C2", ls=":", lw=2,
                                     label="B=32, 8k, int8 (chapter 3)"),
            "flops": right.barh(y - 0.2, np.zeros(len(CHIPS)), height=0.38, color="C1", label="FLOPs per $"),
            "bytes": right.barh(y + 0.2, np.zeros(len(CHIPS)), height=0.38, color="C4", label="HBM bytes per $"),
            "missing": [right.text(0.03, i, "", va="center", fontsize=8, color="0.35") for i in y],
        }
        left.set(xscale="log", yscale="log", xlabel="tokens/s/chip (LLaMA 3-70B)",
                 ylabel="$ per million tokens")
        left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize=8, frameon=False)
        right.axvline(1.0, color="0.3", lw=0.8)
        right.invert_yaxis()
        right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=1, fontsize=8, frameon=False)
        for ax in (left, right):
            ax.minorticks_off()
        fig._servingmath = art
    art = fig._servingmath
    reachable = RATES <= points["compute_ceiling"]
    art["curve"].set_ydata(np.where(reachable, curve, np.nan))
    art["beyond"].set_ydata(np.where(reachable, np.nan, curve))
    art["point"].set_data([rate], [cost(rate)])
    art["ceiling"].set_xdata([points["compute_ceiling"]] * 2)
    art["workload"].set_xdata([points["workload"]] * 2)
    for i, name in enumerate(CHIPS):
        values = rel[name]
        art["flops"][i].set_width(0 if values is None else values[0])
        art["bytes"][i].set_width(0 if values is None else values[1])
        art["missing"][i].set_text("no price in the sources" if values is None else "")
    labels = [get_chip(n).label + ("  \u25c0" if n == chip else "") for n in CHIPS]
    art["right"].set_yticks(np.arange(len(CHIPS)), labels, fontsize=8)
    art["right"].set_xlabel(f"relative to TPU v5e at ${ref['price']:.2f}/h")
    art["left"].set_title(f"{hw.label} at ${price:.2f}/h, busy {U:.0%}", fontsize=10)
    art["right"].set_title("what a dollar buys", fontsize=10)
    for ax in (art["left"], art["right"]):
        ax.relim()
        ax.autoscale_view()

    mine = metrics(hw, price)
    source = ("the source's price" if hw.price_per_hour is not None and price == hw.price_per_hour
              else "no price in the sources" if hw.price_per_hour is None else
              f"the source says ${hw.price_per_hour:g}/h")
    text = (f"{hw.label} at ${price:.2f} per chip-hour ({source}), busy {U:.0%}\n"
            f"FLOPs per dollar {num(mine['flops_per_dollar'])} ({rel[chip][0]:.2f}x v5e)\n"
            f"HBM bytes per dollar {num(mine['bytes_per_dollar'])} ({rel[chip][1]:.2f}x v5e)\n"
            f"at {rate_text(rate)} tokens/s/chip: ${cost(rate):.3g} per million tokens\n"
            f"compute ceiling, {rate_text(points['compute_ceiling'])} tokens/s/chip: "
            f"${cost(points['compute_ceiling']):.3g} per million tokens\n"
            f"chapter 3 workload ({points['workload_chips']} chips), {rate_text(points['workload'])} tokens/s/chip: "
            f"${cost(points['workload']):.3g} per million tokens")
    return fig, text
