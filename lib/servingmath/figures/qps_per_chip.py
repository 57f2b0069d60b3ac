"""Chapter 06 figure: requests per second per chip and dollars per million tokens over the context."""

import numpy as np

from .. import formulas as f
from ..article import SOURCE_INPUTS
from ..checks import check_choice, check_count
from ..chips import get_chip
from ..display import ms, num
from . import explorer, new_figure
from .minimum_topology import COLORS, PRECISIONS, topology_row

#: Contexts drawn: 1,024 to 131,072 tokens.
CONTEXTS = 2 ** np.arange(10, 18)


def serving_row(precision="bf16", context=8192, decode=512, chip="tpu-v5e", model="llama-3-70b") -> dict:
    """The HBM-full deployment of one precision on its smallest slice, with QPS per chip and cost.

    Adds to ``minimum_topology.topology_row``: tokens/s/chip, QPS/chip for ``decode`` generated tokens
    per request, and dollars per million generated tokens at the chip's price (None without a price).
    """
    decode = check_count("decode", decode)
    hw = get_chip(chip)
    row = topology_row(precision, context, hw, model)
    if row["batch"] < 1:
        row.update(tokens_per_s_per_chip=0.0, qps_per_chip=0.0, cost_per_million=None)
        return row
    rate = f.tokens_per_s_per_chip(B=row["batch"], N=row["chips"], T_step=row["step"])
    row.update(tokens_per_s_per_chip=rate,
               qps_per_chip=f.qps_per_chip(B=row["batch"], G=decode, N=row["chips"], T_step=row["step"]),
               cost_per_million=(f.cost_per_million_tokens(U=1, c=hw.price_per_hour, r=rate)
                                 if hw.price_per_hour else None))
    return row


@explorer
def qps(fig=None, decode=512, context=8192, precision="bf16", chip="tpu-v5e", model="llama-3-70b"):
    """QPS per chip (left) and $ per million generated tokens (right) over the context, three precisions."""
    check_choice("precision", precision, PRECISIONS)
    decode, context = check_count("decode", decode), check_count("context", context)
    hw = get_chip(chip)
    if not hw.price_per_hour:
        raise ValueError(f"chip: {hw.name} has no price in the sources; pick one with a price")
    rows = {p: [serving_row(p, int(s), decode, hw, model) for s in CONTEXTS] for p in PRECISIONS}
    here = {p: serving_row(p, context, decode, hw, model) for p in PRECISIONS}
    nan = lambda x: np.nan if not x else x
    if fig is None:
        fig, (left, right) = new_figure(2, figsize=(8.4, 3.6))
        art = {"left": left, "right": right}
        for p in PRECISIONS:
            art[f"{p}_q"] = left.plot([], [], "-o", ms=3, color=COLORS[p], label=p)[0]
            art[f"{p}_c"] = right.plot([], [], "-o", ms=3, color=COLORS[p], label=p)[0]
            art[f"{p}_qm"] = left.plot([], [], "o", ms=8, mfc="none", color=COLORS[p])[0]
            art[f"{p}_cm"] = right.plot([], [], "o", ms=8, mfc="none", color=COLORS[p])[0]
        art["half"] = left.plot([], [], ":", color="k", lw=1.2, label="the source's 'about half'")[0]
        for ax in (left, right):
            ax.set(xscale="log", yscale="log", xlabel="context S (tokens)")
            ax.set_xticks(CONTEXTS[::2], [f"{int(s) // 1024}k" for s in CONTEXTS[::2]])
            ax.minorticks_off()
        left.set_ylabel("QPS per chip (requests/s)")
        right.set_ylabel("$ per million generated tokens")
        left.legend(loc="lower left", fontsize=8)
        fig._servingmath = art
    art = fig._servingmath
    for p in PRECISIONS:
        wide = 2.6 if p == precision else 1.0
        art[f"{p}_q"].set_data(CONTEXTS, [nan(r["qps_per_chip"]) for r in rows[p]])
        art[f"{p}_c"].set_data(CONTEXTS, [nan(r["cost_per_million"]) for r in rows[p]])
        art[f"{p}_q"].set_linewidth(wide)
        art[f"{p}_c"].set_linewidth(wide)
        art[f"{p}_qm"].set_data([context], [nan(here[p]["qps_per_chip"])])
        art[f"{p}_cm"].set_data([context], [nan(here[p]["cost_per_million"])])
    art["half"].set_data(CONTEXTS, [nan(r["qps_per_chip"]) * SOURCE_INPUTS["qps_realistic_fraction"]
                                    for r in rows[precision]])
    for ax in (art["left"], art["right"]):
        ax.relim()
        ax.autoscale_view()
    art["left"].set_title(f"{hw.label}, smallest slice, HBM full, {decode:,} tokens per request", fontsize=9)
    art["right"].set_title(f"at ${hw.price_per_hour:g} per chip-hour, busy all the time", fontsize=9)
    r = here[precision]
    if r["batch"] < 1:
        text = f"{precision} at {context:,} tokens: not one sequence fits beside the weights on {r['chips']} chips"
    else:
        text = (f"{precision} on {r['chips']} chips at context {context:,}: max batch {r['batch']}, "
                f"step {ms(r['step'])}\n"
                f"QPS/chip = {r['batch']} / ({ms(r['step'])} x {decode:,} x {r['chips']}) = "
                f"{num(r['qps_per_chip'])}\n"
                f"the source's realistic guess, half: {num(r['qps_per_chip'] * SOURCE_INPUTS['qps_realistic_fraction'])}\n"
                f"{num(r['tokens_per_s_per_chip'])} tokens/s/chip = ${r['cost_per_million']:.2f} per million tokens")
    return fig, text
