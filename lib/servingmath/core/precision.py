"""Bytes per element of each number format (chapter 02, the KV cache)."""

from .checks import check_choice

#: Bytes per stored element. int4 packs two values into one byte.
BYTES = {"bf16": 2, "fp8": 1, "int8": 1, "int4": 0.5}

#: Formats a chip's matrix units can compute in (the FLOPs' dtype).
COMPUTE = ("bf16", "fp8", "int8")


def bytes_per_element(dtype: str, name: str = "dtype") -> float:
    """Bytes one element of ``dtype`` takes in memory."""
    return BYTES[check_choice(name, dtype, BYTES)]

#: The serving precisions the article compares: weights and KV cache in one format, FLOPs in bf16.
SERVING_PRECISIONS = ("bf16", "int8", "int4")
