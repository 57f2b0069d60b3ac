"""Answers to the exercises of chapter 08, the ICI bounds."""

import sympy as sp

from .. import formulas as f
from ..chips import get_chip
from ..figures.ici_bounds import ici_bandwidth, ici_case
from ..models import get_model
from ..symbols import B
from . import Answer

_70B, _V5E = get_model("llama-3-70b"), get_chip("tpu-v5e")


def kv_bound_limit(context: int = 8192, mesh_axes: int = 2, wraparound: bool = False) -> float:
    """Y_HBM+KV as the batch grows without bound (bf16 weights, KV and activations)."""
    limit = sp.limit(f.ici_hbm_kv_bound.expr, B, sp.oo)
    values = dict(D=_70B.d_model, L=_70B.layers, M=mesh_axes, S=context, W_hbm=_V5E.hbm_bw,
                  W_ici=ici_bandwidth(_V5E, wraparound), b_a=2, kv=_70B.kv_bytes_per_token("bf16"))
    return float(limit.subs({s: values[s.name] for s in limit.free_symbols}))


ANSWERS = {
    "ici-bounds-1": Answer(lambda: ici_case(138, 32, 2, "off", weights="int8").y_hbm, "chips", 0.02,
                           "Evaluate the HBM-ICI bound with its byte widths, mesh axes and the slice's links."),
    "ici-bounds-2": Answer(lambda: f.critical_batch(C=_V5E.flops_bf16, W_hbm=_V5E.hbm_bw, b_w=2), "sequences", 0.02,
                           "Show which of the two ICI bounds binds, and why the threshold is their max."),
    "ici-bounds-3": Answer(lambda: kv_bound_limit(), "chips", 0.02,
                           "Add the KV-cache read to the comparison and see ICI recede."),
}
