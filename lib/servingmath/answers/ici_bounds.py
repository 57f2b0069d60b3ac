"""Answers to the exercises of chapter 08, the ICI bounds."""

from ..analysis.ici_bounds import V5E, ici_case, kv_bound_floor
from ..core import formulas as f
from . import Answer

ANSWERS = {
    "ici-bounds-1": Answer(lambda: ici_case(138, 32, 2, "off", weights="int8").y_hbm, "chips", 0.02,
                           "Evaluate the HBM-ICI bound with its byte widths, mesh axes and the slice's links."),
    "ici-bounds-2": Answer(lambda: f.critical_batch(C=V5E.flops_bf16, W_hbm=V5E.hbm_bw, b_w=2), "sequences", 0.02,
                           "Show which of the two ICI bounds binds, and why the threshold is their max."),
    "ici-bounds-3": Answer(lambda: kv_bound_floor(), "chips", 0.02,
                           "Add the KV-cache read to the comparison and see ICI recede."),
}
