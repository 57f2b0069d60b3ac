"""Numbers in words: the library computes in SI units and formats them only here.

Decimal units (GB = 1e9 bytes, kB = 1e3) are the book's; binary ones (GiB, KiB)
are shown beside them where the article or its source mixes the two.
"""


def num(x: float, digits: int = 3) -> str:
    """A number with ``digits`` significant figures, in plain or scientific notation."""
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e3:
        return f"{x:.{digits}g}"
    if 1e3 <= abs(x) < 1e6:
        return f"{x:,.0f}"
    return f"{x:.{digits - 1}e}"


def thousands(values) -> list:
    """Whole numbers with thousands separators, e.g. tick labels on a log axis: 1, 4, ..., 1,024."""
    return [f"{int(v):,}" for v in values]


def gb(x: float, digits: int = 3) -> str:
    return f"{num(x / 1e9, digits)} GB"


def gb_gib(x: float) -> str:
    """Bytes as decimal GB with the binary GiB beside them."""
    return f"{x / 1e9:.2f} GB ({x / 2**30:.2f} GiB)"


def kb_kib(x: float) -> str:
    """Bytes as decimal kB with the binary KiB beside them."""
    return f"{x / 1e3:.1f} kB ({x / 2**10:.1f} KiB)"


def ms(seconds: float, digits: int = 3) -> str:
    return f"{num(seconds * 1e3, digits)} ms"


def duration(seconds: float, digits: int = 3) -> str:
    """A time in the unit that reads best: µs, ms or s."""
    if seconds < 1e-3:
        return f"{num(seconds * 1e6, digits)} µs"
    if seconds < 1:
        return ms(seconds, digits)
    return f"{num(seconds, digits)} s"
