"""Efficiencies for ``plan(efficiency="measured")``, from the H100 measurements only (chapter 12).

The fractions of the datasheet peaks that real kernels reach: the median over three runs of the
measured HBM read bandwidth and of a large bf16 matmul, each divided by the H100 datasheet figure.
"""

from dataclasses import dataclass

from .chips import get_chip
from .measured import peak_spread


@dataclass(frozen=True)
class Efficiency:
    hbm: float    # achieved / peak HBM bandwidth
    flops: float  # achieved / peak matmul FLOP/s


def h100_efficiency() -> Efficiency:
    h100 = get_chip("h100")
    return Efficiency(hbm=peak_spread("hbm_read_sum")[0] / h100.hbm_bw,
                      flops=peak_spread("matmul_bf16")[0] / h100.flops_bf16)


H100_EFFICIENCY = h100_efficiency()
