"""The calibrated model's constants as a record, and the H100's as the fit left them (chapter 12).

``Efficiency`` holds the fractions of a chip's datasheet peaks that real kernels reach and the
calibrated model's constants; ``MEASURED`` is the one fitted to the shipped H100 measurements,
read from ``h100.toml``, which ``python -m servingmath.calibration.fit`` (``make calibration``)
writes from the fit; a unit test checks that the file and a fresh fit agree.
"""

from dataclasses import dataclass
from importlib import resources
import tomllib

from ..core import formulas as f
from ..core.hardware import Chip


@dataclass(frozen=True)
class Efficiency:
    """Fractions of a chip's datasheet peaks that real kernels reach, and the calibrated model's constants."""

    measured_on: str    # the chip whose kernels reached these fractions ("" for the ideal roofline)
    hbm: float          # streaming read bandwidth / datasheet bandwidth
    flops: float        # large bf16 matmul FLOP/s / datasheet bf16 FLOP/s
    flops_fp8: float = 1.0    # large fp8 matmul / datasheet fp8 (8-bit) FLOP/s
    matmul_hbm: float = 1.0   # weight-streaming bandwidth of a small-batch matmul / datasheet bandwidth
    stream_bw: float = float("inf")  # bytes/s one attention stream (sequence x KV head) reaches
    overlap: float = float("inf")    # soft-roofline exponent nu (inf: the ideal max)

    def flops_for(self, compute: str) -> float:
        """The FLOP/s fraction for matmuls computed in ``compute`` (8-bit formats use the fp8 one)."""
        return self.flops if compute == "bf16" else self.flops_fp8

    def constants(self, hw: Chip, compute: str = "bf16", flops=None) -> dict:
        """The calibrated model's symbols for chip ``hw``: W_hbm, W_mm, C, w_s, nu.

        ``flops`` replaces the chip's peak FLOP/s for ``compute`` (a reader's own figure).
        """
        peak = hw.flops(compute) if flops is None else flops
        return {"W_hbm": hw.hbm_bw * self.hbm, "W_mm": hw.hbm_bw * self.matmul_hbm,
                "C": peak * self.flops_for(compute), "w_s": self.stream_bw, "nu": self.overlap}

    def step_time(self, hw: Chip, B, S, P, b_w, kv, K, N=1, compute="bf16", flops=None):
        """Calibrated decode step (``formulas.step_time_calibrated``); B = 0 reads the weights only."""
        v = self.constants(hw, compute, flops)
        if getattr(B, "ndim", 0) == 0 and B == 0:
            return f.weight_stream_time(N=N, P=P, W_mm=v["W_mm"], b_w=b_w)
        return f.step_time_calibrated(B=B, S=S, P=P, b_w=b_w, kv=kv, K=K, N=N, **v)

    def critical_batch(self, hw: Chip, b_w, compute="bf16", flops=None) -> float:
        """Batch where the matmul FLOPs take as long as the weight read, at the reached rates."""
        v = self.constants(hw, compute, flops)
        return f.critical_batch(C=v["C"], W_hbm=v["W_mm"], b_w=b_w)

    def decompose(self, hw: Chip, B, S, P, b_w, kv, K, N=1, compute="bf16") -> dict:
        """The calibrated step's parts in seconds: KV read, weight read, FLOPs, and their total."""
        v = self.constants(hw, compute)
        return {"kv_read": f.kv_load_time_calibrated(B=B, K=K, N=N, S=S, W_hbm=v["W_hbm"], kv=kv, w_s=v["w_s"]),
                "weight_read": f.weight_stream_time(N=N, P=P, W_mm=v["W_mm"], b_w=b_w),
                "flops": f.step_flops_time(B=B, C=v["C"], N=N, P=P),
                "total": float(self.step_time(hw, B, S, P, b_w, kv, K, N, compute))}


IDEAL = Efficiency(measured_on="", hbm=1.0, flops=1.0)


def _load() -> Efficiency:
    data = tomllib.loads((resources.files(__package__) / "h100.toml").read_text(encoding="utf-8"))
    return Efficiency(**data["efficiency"])


#: The calibration of the shipped measurements (an H100): what ``plan(efficiency="measured")`` applies.
MEASURED = _load()
