"""What a chip-hour buys (chapter 01): FLOPs and bytes per dollar, tie prices, the cost of a million tokens.

The cost of a token is its FLOPs over FLOPs per dollar when decode is compute-bound, and the bytes
read for it over bytes per dollar when it is bandwidth-bound. Chips whose price the sources do not
give have no metric until a price is given; the price at which each would tie the reference chip
is solved from the metric's formula with SymPy.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from ..core import formulas as f
from ..core.checks import check_choice, check_fraction, check_number
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.models import PRESETS as MODELS, Model
from ..core.symbols import C, W_hbm, c
from .plan import plan

#: The chips of the chapter's table, in its order: the article's three, then the newer ones.
TABLE = tuple(CHIPS[name] for name in ("h100", "tpu-v5p", "tpu-v5e", "tpu-v6e", "h200", "b200"))
REFERENCE = CHIPS["tpu-v5e"]
MODEL = MODELS["llama-3-70b"]
#: The chapter 03 workload used as the memory-bound operating point.
WORKLOAD = {"weights": "int8", "kv_dtype": "int8", "context": 8192, "batch": 32}
RATES = np.geomspace(10, 1e5, 81)   # tokens/s/chip on the cost curve's axis
METRICS = {"flops": (f.flops_per_dollar, C), "bytes": (f.bytes_per_dollar, W_hbm)}


@dataclass(frozen=True)
class PerDollar:
    """What one dollar of ``chip``'s time buys at ``price`` per chip-hour (all None without a price)."""

    chip: Chip
    price: float | None
    flops_per_dollar: float | None
    bytes_per_dollar: float | None


def per_dollar(chip: Chip, price=None) -> PerDollar:
    """FLOPs/$ and bytes/$ of ``chip`` at ``price`` per chip-hour (the source's price when None)."""
    price = chip.price_per_hour if price is None else check_number("price", price)
    if price is None:
        return PerDollar(chip, None, None, None)
    return PerDollar(chip, price, f.flops_per_dollar(C=chip.flops_bf16, c=price),
                     f.bytes_per_dollar(W_hbm=chip.hbm_bw, c=price))


@dataclass(frozen=True)
class Relative:
    """One chip's FLOPs/$ and bytes/$ as multiples of the reference chip's (None without a price)."""

    per_dollar: PerDollar
    reference: PerDollar
    flops: float | None
    bytes: float | None

    @property
    def chip(self) -> Chip:
        return self.per_dollar.chip


def _relative(mine: PerDollar, ref: PerDollar) -> Relative:
    if mine.price is None:
        return Relative(mine, ref, None, None)
    return Relative(mine, ref, mine.flops_per_dollar / ref.flops_per_dollar,
                    mine.bytes_per_dollar / ref.bytes_per_dollar)


def compare(chips=TABLE, reference: Chip = REFERENCE, prices=None) -> tuple:
    """Every chip of ``chips`` against ``reference``; ``prices`` maps a chip name to the reader's price."""
    prices = prices or {}
    ref = per_dollar(reference, prices.get(reference.name))
    return tuple(_relative(per_dollar(chip, prices.get(chip.name)), ref) for chip in chips)


@lru_cache(maxsize=None)
def _price_at(metric: str):
    """The price per chip-hour at which ``metric`` (FLOPs/$ or bytes/$) reaches a target, solved in SymPy."""
    formula, rate = METRICS[metric]
    target = sp.Symbol("target", positive=True)
    (price,) = sp.solve(sp.Eq(formula.expr, target), c)
    return sp.lambdify((rate, target), price, modules="math")


def break_even_price(chip: Chip, metric="flops", reference: Chip = REFERENCE) -> float:
    """Price per chip-hour at which ``chip`` matches ``reference`` (at its source price) on FLOPs/$ or bytes/$."""
    check_choice("metric", metric, METRICS)
    ref = per_dollar(reference)
    if metric == "flops":
        return _price_at("flops")(chip.flops_bf16, ref.flops_per_dollar)
    return _price_at("bytes")(chip.hbm_bw, ref.bytes_per_dollar)


@dataclass(frozen=True)
class TiePrice:
    """The prices per chip-hour at which ``chip`` ties the reference on FLOPs/$ and on bytes/$."""

    chip: Chip
    flops: float
    bytes: float


def tie_prices(chips, reference: Chip = REFERENCE) -> tuple:
    return tuple(TiePrice(chip, break_even_price(chip, "flops", reference), break_even_price(chip, "bytes", reference))
                 for chip in chips)


def default_price(chip: Chip) -> float:
    """The source's price, or (where the sources have none) the price that ties TPU v5e on FLOPs/$."""
    return chip.price_per_hour if chip.price_per_hour is not None else break_even_price(chip, "flops")


@dataclass(frozen=True)
class OperatingPoints:
    """Tokens/s/chip of a model on a chip at its compute ceiling and at the chapter 03 workload."""

    compute_ceiling: float   # every weight-matmul FLOP at peak bf16 FLOP/s: C / (2P)
    workload: float          # batch 32, 8,192 tokens, int8 weights and KV, on its smallest slice
    workload_chips: int
    workload_step_s: float


def operating_points(chip: Chip, model: Model = MODEL) -> OperatingPoints:
    """Tokens/s/chip of ``model`` on ``chip``: the compute ceiling C/(2P), and the chapter 03 workload."""
    ceiling = f.tokens_per_s_per_chip(B=1, N=1, T_step=f.step_flops_time(B=1, C=chip.flops_bf16, N=1,
                                                                          P=model.param_count))
    p = plan(model, chip, **WORKLOAD)
    return OperatingPoints(compute_ceiling=ceiling, workload=p.tokens_per_s_per_chip, workload_chips=p.chips,
                           workload_step_s=p.step_time_s)


@dataclass(frozen=True)
class TokenCost:
    """The cost of a million tokens on one chip at one price and utilisation, and every chip's metrics."""

    chip: Chip
    price: float
    utilisation: float
    rate: float              # the reader's tokens/s/chip
    points: OperatingPoints
    cost: float              # $ per million tokens at ``rate``
    ceiling_cost: float      # ... at the compute ceiling
    workload_cost: float     # ... at the chapter 03 workload's rate
    rates: np.ndarray        # the cost curve: tokens/s/chip ...
    curve: np.ndarray        # ... and $ per million tokens at each
    reachable: np.ndarray    # rates at or below the compute ceiling
    mine: Relative           # the chip at ``price``, against the reference (at ``price`` when it is the chip)
    table: tuple             # ``Relative`` of every chip of ``TABLE`` (the chip at ``price``)

    @property
    def reference(self) -> PerDollar:
        return self.mine.reference


def token_cost(chip: Chip, price=None, utilisation=1.0, rate=None, model: Model = MODEL) -> TokenCost:
    """Cost per million tokens vs tokens/s/chip for ``chip`` at ``price`` and ``utilisation``; both metrics.

    ``price`` defaults to ``default_price(chip)``, ``rate`` to the chapter 03 workload's tokens/s/chip.
    """
    price = default_price(chip) if price is None else check_number("price", price)
    U = check_fraction("utilisation", utilisation)
    points = operating_points(chip, model)
    rate = points.workload if rate is None else check_number("rate", rate)
    cost = lambda r: f.cost_per_million_tokens(U=U, c=price, r=r)
    prices = {chip.name: price}
    return TokenCost(chip=chip, price=price, utilisation=U, rate=rate, points=points, cost=cost(rate),
                     ceiling_cost=cost(points.compute_ceiling), workload_cost=cost(points.workload),
                     rates=RATES, curve=cost(RATES), reachable=RATES <= points.compute_ceiling,
                     mine=_relative(per_dollar(chip, price), per_dollar(REFERENCE, prices.get(REFERENCE.name))),
                     table=compare(TABLE, REFERENCE, prices))
