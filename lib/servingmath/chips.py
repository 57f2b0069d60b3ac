"""Accelerator constants, each with its source (chapter 01, the hardware choice).

Units are SI: FLOP/s, bytes, bytes/s, US dollars per chip-hour.
"""

from dataclasses import dataclass, field, replace
import math

from .checks import check_choice, check_count, check_number

SCALING_BOOK = "How to Scale Your Model"
TPUS_MD = f"{SCALING_BOOK}, Part 2 (tpus.md), TPU specs table"
GPUS_MD = f"{SCALING_BOOK}, Part 12 (gpus.md), GPU specs summary"
PRICES = f"{SCALING_BOOK}, Part 8 (applied-inference.md), Google Cloud prices of Feb 2025"


@dataclass(frozen=True)
class Chip:
    """One accelerator: peak rates, memory, links, price and valid slice sizes."""

    name: str
    label: str
    flops_bf16: float
    flops_int8: float  # int8 or fp8 (whichever the chip's 8-bit matrix path is)
    hbm_bytes: float
    hbm_bw: float
    ici_bw_oneway: float  # per link, one direction (NVLink per GPU for GPUs)
    ici_bw_bidi: float  # per link, both directions: the figure the ICI bounds use
    price_per_hour: float | None
    slices: tuple[int, ...]  # explicit valid chip counts, ascending
    slice_step: int | None = None  # beyond the last explicit size, any multiple of this
    wraparound_from: int | None = None  # TPU axes shorter than this have no wraparound link
    sources: dict = field(default_factory=dict, compare=False, repr=False)

    def flops(self, compute: str) -> float:
        """Peak FLOP/s for matmuls computed in ``compute`` (bf16, fp8 or int8)."""
        check_choice("compute", compute, ("bf16", "fp8", "int8"))
        return self.flops_bf16 if compute == "bf16" else self.flops_int8

    def smallest_slice(self, chips: float) -> int | None:
        """The smallest valid slice holding at least ``chips`` chips (None if none is that large)."""
        for size in self.slices:
            if size >= chips:
                return size
        if self.slice_step is None:
            return None
        return self.slice_step * math.ceil(chips / self.slice_step)

    def is_valid_slice(self, chips: int) -> bool:
        return self.smallest_slice(chips) == chips

    def slice_names(self) -> str:
        listed = ", ".join(str(s) for s in self.slices)
        return listed + (f", then multiples of {self.slice_step}" if self.slice_step else "")

    def with_overrides(self, **values) -> "Chip":
        """A copy with some constants replaced (a reader's own figures); ``None`` keeps the preset."""
        values = {k: check_number(k, v) for k, v in values.items() if v is not None}
        sources = dict(self.sources)
        sources.update({k: "overridden by the reader" for k in values})
        return replace(self, sources=sources, **values)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "flops_bf16": self.flops_bf16,
            "flops_int8": self.flops_int8,
            "hbm_bytes": self.hbm_bytes,
            "hbm_bw": self.hbm_bw,
            "ici_bw_oneway": self.ici_bw_oneway,
            "ici_bw_bidi": self.ici_bw_bidi,
            "price_per_hour": self.price_per_hour,
            "slices": list(self.slices),
            "slice_step": self.slice_step,
            "sources": dict(self.sources),
        }


TPU_SLICES_2D = (1, 4, 8, 16, 32, 64, 128, 256)
GPU_SLICES = (1, 2, 4, 8)

_V5E_SOURCES = {
    "flops_bf16": TPUS_MD,
    "flops_int8": TPUS_MD,
    "hbm_bytes": TPUS_MD + " (16 GB; Google's docs say 16 GiB)",
    "hbm_bw": "8.1e11 as in the article and the source before 2026-05-09; "
    "the source's PR #106 standardised it to 8.2e11 (preset tpu-v5e-2026)",
    "ici_bw_oneway": TPUS_MD + ", interconnect table",
    "ici_bw_bidi": TPUS_MD + ", interconnect table (needs a wraparound link on the axis)",
    "price_per_hour": PRICES,
    "slices": "v5e pods are a 16x16 torus; slices 1x1 to 16x16",
}

PRESETS = {
    chip.name: chip
    for chip in (
        Chip("tpu-v5e", "TPU v5e", 1.97e14, 3.94e14, 16e9, 8.1e11, 4.5e10, 9.0e10, 1.2,
             TPU_SLICES_2D, wraparound_from=16, sources=_V5E_SOURCES),
        Chip("tpu-v5e-2026", "TPU v5e (source, 2026)", 1.97e14, 3.94e14, 16e9, 8.2e11, 4.5e10, 9.0e10, 1.2,
             TPU_SLICES_2D, wraparound_from=16,
             sources={**_V5E_SOURCES, "hbm_bw": TPUS_MD + ", after PR #106 (2026-05-09)"}),
        Chip("tpu-v5p", "TPU v5p", 4.59e14, 9.18e14, 96e9, 2.8e12, 9.0e10, 1.8e11, 4.2,
             (4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192),
             sources={"flops_bf16": TPUS_MD, "flops_int8": TPUS_MD, "hbm_bytes": TPUS_MD,
                      "hbm_bw": TPUS_MD, "ici_bw_oneway": TPUS_MD, "ici_bw_bidi": TPUS_MD,
                      "price_per_hour": PRICES,
                      "slices": "3D slices built from 2x2x1 hosts (power-of-two sizes shown)"}),
        Chip("tpu-v6e", "TPU v6e (Trillium)", 9.20e14, 1.84e15, 32e9, 1.6e12, 9.0e10, 1.8e11, None,
             TPU_SLICES_2D, wraparound_from=16,
             sources={"flops_bf16": TPUS_MD, "flops_int8": TPUS_MD, "hbm_bytes": TPUS_MD,
                      "hbm_bw": TPUS_MD, "ici_bw_oneway": TPUS_MD, "ici_bw_bidi": TPUS_MD,
                      "price_per_hour": "no price in the sources", "slices": "a 16x16 torus, like v5e"}),
        Chip("h100", "NVIDIA H100 SXM", 9.89e14, 1.979e15, 80e9, 3.35e12, 4.5e11, 9.0e11, 10.8,
             GPU_SLICES, slice_step=8,
             sources={"flops_bf16": "NVIDIA H100 SXM datasheet, dense (the article rounds to 9.9e14)",
                      "flops_int8": "NVIDIA H100 SXM datasheet, fp8 dense",
                      "hbm_bytes": "datasheet 80 GB", "hbm_bw": "datasheet 3.35 TB/s",
                      "ici_bw_oneway": GPUS_MD + ": NVLink 4, 18 x 25 GB/s per direction",
                      "ici_bw_bidi": GPUS_MD + ": twice the per-direction NVLink figure",
                      "price_per_hour": PRICES, "slices": "1, 2, 4 or 8 GPUs in a node, then whole nodes"}),
        Chip("h200", "NVIDIA H200 SXM", 9.89e14, 1.979e15, 141e9, 4.8e12, 4.5e11, 9.0e11, None,
             GPU_SLICES, slice_step=8,
             sources={"flops_bf16": "NVIDIA H200 datasheet, dense", "flops_int8": "NVIDIA H200 datasheet, fp8 dense",
                      "hbm_bytes": "datasheet 141 GB", "hbm_bw": "datasheet 4.8 TB/s",
                      "ici_bw_oneway": GPUS_MD + ": NVLink 4", "ici_bw_bidi": GPUS_MD + ": NVLink 4, both directions",
                      "price_per_hour": "no price in the sources", "slices": "1, 2, 4 or 8 GPUs in a node, then whole nodes"}),
        Chip("b200", "NVIDIA B200", 2.3e15, 4.5e15, 192e9, 8.0e12, 9.0e11, 1.8e12, None,
             GPU_SLICES, slice_step=8,
             sources={"flops_bf16": GPUS_MD, "flops_int8": GPUS_MD + " (fp8)", "hbm_bytes": GPUS_MD,
                      "hbm_bw": GPUS_MD, "ici_bw_oneway": GPUS_MD + ": NVLink 5, 18 x 50 GB/s per direction",
                      "ici_bw_bidi": GPUS_MD + ": NVLink 5, both directions",
                      "price_per_hour": "no price in the sources", "slices": "1, 2, 4 or 8 GPUs in a node, then whole nodes"}),
    )
}


#: Not a preset: the A100-class GPU of Mooncake's disaggregation experiment (chapter 10), from the
#: source's A100 row (the A800 is an A100 with a slower NVLink).
A800 = Chip("a800", "NVIDIA A800 (A100-class)", 3.1e14, 6.2e14, 80e9, 2.0e12, 2.0e11, 4.0e11, None,
            GPU_SLICES, slice_step=8,
            sources={"flops_bf16": GPUS_MD + ", A100 row", "flops_int8": GPUS_MD + ", A100 row",
                     "hbm_bytes": GPUS_MD + ", A100 row", "hbm_bw": GPUS_MD + ", A100 row",
                     "ici_bw_oneway": "A800 NVLink, 400 GB/s", "ici_bw_bidi": "A800 NVLink, both directions",
                     "price_per_hour": "no price in the sources", "slices": "1, 2, 4 or 8 GPUs in a node"})


def get_chip(name) -> Chip:
    """A preset by name (``tpu-v5e``, ``h100``, ...), or a ``Chip`` passed through."""
    if isinstance(name, Chip):
        return name
    return PRESETS[check_choice("chip", name, PRESETS)]


def check_chips(chip: Chip, chips) -> int:
    """A chip count that is a valid slice of ``chip``."""
    count = check_count("chips", chips)
    if not chip.is_valid_slice(count):
        raise ValueError(f"chips: {count} is not a valid {chip.name} slice (valid: {chip.slice_names()})")
    return count
