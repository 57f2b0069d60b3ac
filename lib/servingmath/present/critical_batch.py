"""Chapter 04 in words: the tables of critical batches and measured peaks, the audit's table of both v5e
bandwidths, the roofline explorer's text, its titles and labels, and the measured sweep's."""

from ..analysis.critical_batch import (PAIRS, SWEPT, H100, MeasuredRoofline, Roofline, critical_batch,
                                       critical_batch_source, knee)
from ..calibration.fit import SWEEP_D, SWEEP_F
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.precision import bytes_per_element
from ..data.measured import RUNS, peak_spread
from .tables import Table, table
from .units import num

#: The measured peaks of the H100 runs: (row label, measurement, dtype of the datasheet's FLOP/s or None for HBM).
PEAKS = (("HBM read (B/s)", "hbm_read_sum", None), ("bf16 matmul (FLOP/s)", "matmul_bf16", "bf16"),
         ("fp8 matmul (FLOP/s)", "matmul_fp8", "fp8"))


def _pair(weights: str, compute: str) -> str:
    return f"{weights} weights + {compute} FLOPs"


def precision_table(chip: Chip) -> Table:
    """B_crit = C b_w / (2 W_hbm) for each precision pair of the article's table (and int4 weights) on ``chip``."""
    return table([(_pair(w, c), f"{bytes_per_element(w):g}", num(chip.flops(c)), num(critical_batch(chip, w, c), 4))
                  for w, c in PAIRS], ("precision", "b_w (bytes)", "C (FLOP/s)", "B_crit"))


def peaks_table() -> Table:
    """The H100's measured peaks (median and range of the runs) beside its datasheet."""
    rows = []
    for what, key, dtype in PEAKS:
        median, lo, hi = peak_spread(key)
        sheet = H100.hbm_bw if dtype is None else H100.flops(dtype)
        rows.append((what, num(median), f"{num(lo)} - {num(hi)}", num(sheet), f"{median / sheet:.0%}"))
    return table(rows, ("peak", "measured median", f"range of {len(RUNS)} runs", "datasheet", "median / datasheet"))


def knee_table() -> Table:
    """Where the measured sweep's knee should be: B_crit from the H100's measured peaks and from its datasheet."""
    return table([(_pair(d, d), num(knee(d, "measured")), num(knee(d, "datasheet"))) for d in SWEPT],
                 ("H100", "B_crit from measured peaks", "B_crit from the datasheet"))


def audit_tables() -> list:
    """The audit appendix's extra table: B_crit on both TPU v5e bandwidths, and the source's beta * alpha_hbm
    read with the FLOPs' own C and with the bf16 C."""
    v5e, source = CHIPS["tpu-v5e-article"], CHIPS["tpu-v5e-source"]
    rows = [(_pair(w, c), f"{critical_batch(v5e, w, c):.1f}", f"{critical_batch(source, w, c):.1f}",
             f"{critical_batch_source(v5e, w, c):.1f}", f"{critical_batch_source(v5e, w, c, alpha_at='bf16'):.1f}")
            for w, c in PAIRS]
    headers = ("precision", f"B_crit at {num(v5e.hbm_bw, 2)} B/s", f"B_crit at {num(source.hbm_bw, 2)} B/s",
               "beta·alpha, alpha at the FLOPs' C", "beta·alpha, alpha at the bf16 C")
    return [("Critical batch on the two TPU v5e bandwidths, and the source's beta·alpha_hbm form read both ways "
             f"(at {num(v5e.hbm_bw, 2)} B/s)", table(rows, headers))]


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
