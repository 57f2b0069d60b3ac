"""Chapter 10's explorer: prefill servers per decode server over the hit rate and the prompt length."""

from ..analysis.disaggregated_serving import LLAMA, V5E, ratio_curves, split
from ..core.hardware import Chip, get_chip
from ..core.models import Model, get_model
from ..figures import Drawing
from ..figures.disaggregated_serving import draw_split
from ..present.disaggregated_serving import split_text
from . import Explorer, dropdown, log_slider, slider
from . import explorer as explorer_view

#: Decode servers the explorer offers: the v5e slices from 16 chips (LLaMA 3-70B's bf16 weights and caches).
DECODE_MIN_CHIPS = 16


@explorer_view
def split_view(drawing: Drawing | None = None, hit=0.0, prompt=8192, decode=512, ttft=2.0, tpot=0.05,
               decode_chips=16, model: Model = LLAMA, chip: Chip = V5E, weights="bf16", mfu=0.4) -> tuple:
    """The ratio over the prefix-cache hit rate (left) and over the prompt length (right), and its text.

    ``hit`` is a fraction, ``ttft`` and ``tpot`` are seconds.
    """
    model = get_model(model)
    chip = get_chip(chip)
    workload = dict(model=model, chip=chip, weights=weights, prompt=prompt, decode=decode, hit=hit, ttft=ttft,
                    tpot=tpot, decode_chips=decode_chips, mfu=mfu)
    here = split(**workload)
    return draw_split(drawing, ratio_curves(**workload), here), split_text(here)


def _from_controls(drawing, hit, prompt, decode, ttft, tpot, decode_chips):
    """The controls' percent and milliseconds as the view's fraction and seconds."""
    return split_view(drawing, hit=hit / 100, prompt=prompt, decode=decode, ttft=ttft / 1000, tpot=tpot / 1000,
                      decode_chips=decode_chips)


def explorer() -> Explorer:
    """The chapter's explorer: LLaMA 3-70B bf16 on TPU v5e, hit rate, prompt, decode, targets, decode chips."""
    return Explorer({"hit": slider("hit rate (%)", 0, 0, 95, 5),
                     "prompt": log_slider("prompt T", 8192, 9, 17),
                     "decode": log_slider("decode G", 512, 5, 12),
                     "ttft": slider("TTFT target (ms)", 2000, 250, 10000, 250),
                     "tpot": slider("TPOT target (ms)", 50, 5, 200, 5),
                     "decode_chips": dropdown("decode chips", [n for n in V5E.slices if n >= DECODE_MIN_CHIPS], 16)},
                    _from_controls, title="Prefill servers per decode server, LLaMA 3-70B bf16 on TPU v5e")
