"""Chapter 04 in words: the roofline explorer's text, its titles and labels, and the measured sweep's."""

from ..analysis.critical_batch import MeasuredRoofline, Roofline
from ..calibration.fit import SWEEP_D, SWEEP_F
from ..data.measured import RUNS
from .units import num


def pair_labels(r: Roofline) -> list:
    """The bars' labels: each precision pair of the article's table, then the reader's choice."""
    return [f"{w} w\n{c} FLOPs" for w, c in r.pairs[:-1]] + ["your\nchoice"]


def bar_label(height: float) -> str:
    return num(height)


def roofline_title(r: Roofline) -> str:
    return f"{r.chip.label}: {r.weights} weights, {r.compute} FLOPs"


def roofline_text(r: Roofline) -> str:
    return (f"{r.chip.label}, {r.weights} weights (b_w = {r.b_w:g} B), {r.compute} FLOPs\n"
            f"C = {num(r.flops)} FLOP/s, W_hbm = {num(r.chip.hbm_bw)} B/s\n"
            f"B_crit = C b_w / (2 W_hbm) = {num(r.critical_batch, 4)}: memory-bound below, compute-bound above\n"
            f"exact ridge of this {r.model.d_model} x {r.model.d_ff} matmul (activations counted): "
            f"B = {num(r.ridge, 4)}")


def sweep_label(dtype: str) -> str:
    """The legend entry of one dtype's measured points."""
    return f"{dtype}: measured (median, range of {len(RUNS)} runs)"


def sweep_ylabel() -> str:
    """The measured sweep's y label: the shape of the swept matmul."""
    return f"time of x[B, {SWEEP_D}] @ W[{SWEEP_D}, {SWEEP_F}] (µs)"


def measured_title(m: MeasuredRoofline) -> str:
    return f"One H100, roofline from the {m.peaks.source} peaks; dotted: B = C b_w / (2 W)"


def measured_text(m: MeasuredRoofline) -> str:
    rates = m.peaks
    return (f"{rates.source} peaks: HBM {num(rates.hbm_bw)} B/s, bf16 {num(rates.flops['bf16'])} FLOP/s, "
            f"fp8 {num(rates.flops['fp8'])}\n"
            f"knee bf16 weights + bf16 FLOPs: B = {num(m.knees['bf16'])}; "
            f"fp8 weights + fp8 FLOPs: B = {num(m.knees['fp8'])}")
