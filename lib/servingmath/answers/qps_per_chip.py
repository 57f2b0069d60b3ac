"""Answers to the exercises of chapter 06, QPS per chip."""

import sympy as sp

from ..analysis.qps_per_chip import serving_row
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS
from ..core.models import PRESETS as MODELS
from ..core.symbols import G, HBM, N, P, S, W_hbm, b_w, kv
from . import Answer

_70B, _V5E = MODELS["llama-3-70b"], CHIPS["tpu-v5e-article"]


def usable_hbm_for_half_qps(precision_bytes: float = 2, chips: int = 16, context: int = 8192) -> float:
    """HBM per chip (bytes) left for weights and caches at which QPS/chip is half its 16 GB value."""
    q = f.qps_per_chip_full.expr
    values = {N: chips, P: _70B.param_count, b_w: precision_bytes, S: context,
              kv: _70B.kv_bytes_per_token("bf16") * precision_bytes / 2, G: 512, W_hbm: _V5E.hbm_bw}
    full = q.subs(values).subs(HBM, _V5E.hbm_bytes)
    usable = sp.Symbol("usable", positive=True)
    return float(sp.solve(sp.Eq(q.subs(values).subs(HBM, usable), full / 2), usable)[0])


ANSWERS = {
    "qps-per-chip-1": Answer(lambda: serving_row("int8", 8192, 1024).qps_per_chip, "requests/s per chip", 0.02,
                             "Compute QPS per chip from batch, step time, decode length and chips."),
    "qps-per-chip-2": Answer(lambda: serving_row("bf16", 8192, 512).cost_per_million,
                             "US dollars per million generated tokens", 0.02,
                             "Turn throughput per chip into cost per token."),
    "qps-per-chip-3": Answer(lambda: usable_hbm_for_half_qps() / 1e9, "GB (1e9 bytes) per chip", 0.02,
                             "Judge how working memory cuts the optimistic QPS."),
}
