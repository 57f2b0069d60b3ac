"""QPS per chip (chapter 06): requests per second per chip and dollars per million generated tokens for
the HBM-full deployment of each precision on its smallest slice, over the context; and the chips and
dollars a load of requests takes.
"""

from dataclasses import asdict, dataclass
import math

import numpy as np

from ..core import formulas as f
from ..core.checks import check_choice, check_count, check_number
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS, Model
from ..core.precision import SERVING_PRECISIONS
from .minimum_topology import TopologyRow, topology_row

V5E = CHIPS["tpu-v5e-article"]
LLAMA = MODELS["llama-3-70b"]
#: Contexts drawn: 1,024 to 131,072 tokens.
CONTEXTS = 2 ** np.arange(10, 18)


@dataclass(frozen=True)
class ServingRow(TopologyRow):
    """A ``TopologyRow`` serving requests of ``decode`` generated tokens: throughput, QPS and cost per chip."""

    decode: int
    tokens_per_s_per_chip: float
    qps_per_chip: float
    cost_per_million: float | None   # US dollars per million generated tokens (None without a price or a batch)


def serving_row(precision: str = "bf16", context=8192, decode=512, chip: Chip = V5E, model: Model = LLAMA) -> ServingRow:
    """The HBM-full deployment of one precision on its smallest slice, with QPS per chip and cost.

    Adds to ``minimum_topology.topology_row``: tokens/s/chip, QPS/chip for ``decode`` generated tokens
    per request, and dollars per million generated tokens at the chip's price (None without a price).
    """
    decode = check_count("decode", decode)
    row = asdict(topology_row(precision, context, chip, model))
    if row["batch"] < 1:
        return ServingRow(**row, decode=decode, tokens_per_s_per_chip=0.0, qps_per_chip=0.0, cost_per_million=None)
    rate = f.tokens_per_s_per_chip(B=row["batch"], N=row["chips"], T_step=row["step"])
    return ServingRow(**row, decode=decode, tokens_per_s_per_chip=rate,
                      qps_per_chip=f.qps_per_chip(B=row["batch"], G=decode, N=row["chips"], T_step=row["step"]),
                      cost_per_million=(f.cost_per_million_tokens(U=1, c=chip.price_per_hour, r=rate)
                                        if chip.price_per_hour else None))


@dataclass(frozen=True)
class Capacity:
    """What serving ``load`` requests per second takes with the deployment of one ``ServingRow``."""

    row: ServingRow
    load: float                               # requests/s
    copies: int                               # model copies: the load over one copy's requests/s, rounded up
    chips: int
    dollars_per_hour: float | None            # None without a price
    cost_per_million_requests: float | None   # US dollars, chips busy all the time


def capacity(row: ServingRow, load: float, chip: Chip = V5E) -> Capacity:
    """Model copies, chips and dollars for ``load`` requests per second with ``row``'s deployment on ``chip``."""
    load = check_number("load", load)
    if row.batch < 1:
        raise ValueError(f"row: not one sequence fits beside the {row.precision} weights on {row.chips} chips")
    copies = math.ceil(load / f.decode_requests_per_s(B=row.batch, G=row.decode, T_step=row.step))
    price = chip.price_per_hour
    return Capacity(row=row, load=load, copies=copies, chips=copies * row.chips,
                    dollars_per_hour=copies * row.chips * price if price else None,
                    # a million requests cost what a million tokens would at a rate of QPS per chip
                    cost_per_million_requests=(f.cost_per_million_tokens(U=1, c=price, r=row.qps_per_chip)
                                               if price else None))


@dataclass(frozen=True)
class QpsOverContext:
    """Every serving precision on ``chip`` over ``contexts``, and at the reader's ``context``."""

    chip: Chip
    precision: str                # the one the reader picked
    context: int
    decode: int
    contexts: np.ndarray
    rows: dict                    # precision -> one ServingRow per context
    here: dict                    # precision -> ServingRow at ``context``
    realistic_fraction: float     # the share of the HBM-full QPS a real deployment keeps (a guess)
    realistic: np.ndarray         # QPS/chip x that share, for ``precision`` over ``contexts``
    realistic_here: float         # the same at ``context``


def qps_over_context(precision: str = "bf16", context=8192, decode=512, chip: Chip = V5E, model: Model = LLAMA,
                     *, realistic_fraction: float) -> QpsOverContext:
    """QPS per chip and $ per million generated tokens over the context, for the three serving precisions.

    ``realistic_fraction`` scales the picked precision's QPS to a realistic guess (the source's "about half").
    """
    check_choice("precision", precision, SERVING_PRECISIONS)
    decode, context = check_count("decode", decode), check_count("context", context)
    if not chip.price_per_hour:
        raise ValueError(f"chip: {chip.name} has no price in the sources; pick one with a price")
    rows = {p: tuple(serving_row(p, int(s), decode, chip, model) for s in CONTEXTS) for p in SERVING_PRECISIONS}
    here = {p: serving_row(p, context, decode, chip, model) for p in SERVING_PRECISIONS}
    return QpsOverContext(chip=chip, precision=precision, context=context, decode=decode, contexts=CONTEXTS,
                          rows=rows, here=here, realistic_fraction=realistic_fraction,
                          realistic=np.array([r.qps_per_chip for r in rows[precision]]) * realistic_fraction,
                          realistic_here=here[precision].qps_per_chip * realistic_fraction)
