"""Accelerators as their datasheets state them (chapter 01, the hardware choice).

``chips.toml`` holds every figure with its value, unit and source on one line; this module
loads it once, converts each figure to SI (FLOP/s, bytes, bytes/s, US dollars per chip-hour)
and checks it. A ``Chip`` also owns its slice geometry: the valid chip counts, the axes of a
slice of a 2D torus and which of those axes close into a ring (wraparound).
"""

from dataclasses import dataclass, field, replace
from importlib import resources
import math
import tomllib

from .checks import check_choice, check_count, check_number

#: The units the datasheet file may use, in SI.
UNITS = {"FLOP/s": 1.0, "B": 1.0, "GB": 1e9, "GiB": 2.0**30, "B/s": 1.0, "GB/s": 1e9, "TB/s": 1e12,
         "USD/h": 1.0, "s": 1.0, "us": 1e-6}
#: Each figure of a chip and the kind of unit it takes.
FIGURES = {"flops_bf16": "FLOP/s", "flops_int8": "FLOP/s", "hbm_bytes": "B", "hbm_bw": "B/s",
           "ici_bw_oneway": "B/s", "ici_bw_bidi": "B/s", "ici_hop_latency": "s", "price_per_hour": "USD/h"}
#: Figures a datasheet may leave out (None: the planner says what it cannot count).
OPTIONAL = ("ici_hop_latency", "price_per_hour")
_KIND = {"FLOP/s": "FLOP/s", "B": "B", "GB": "B", "GiB": "B", "B/s": "B/s", "GB/s": "B/s", "TB/s": "B/s",
         "USD/h": "USD/h", "s": "s", "us": "s"}


@dataclass(frozen=True)
class Chip:
    """One accelerator: peak rates, memory, links, price (SI units) and its valid slices."""

    name: str
    label: str
    flops_bf16: float
    flops_int8: float  # int8 or fp8 (whichever the chip's 8-bit matrix path is)
    hbm_bytes: float
    hbm_bw: float
    ici_bw_oneway: float  # per link, one direction (NVLink per GPU for GPUs)
    ici_bw_bidi: float  # per link, both directions: the figure the ICI bounds use
    ici_hop_latency: float | None  # seconds per hop of a collective (None: not in the sources)
    price_per_hour: float | None
    slices: tuple[int, ...]  # explicit valid chip counts, ascending
    slice_step: int | None = None  # beyond the last explicit size, any multiple of this
    torus: tuple[int, ...] | None = None  # axes of the whole pod, for a 2D torus (slices are sub-rectangles)
    wraparound_from: int | None = None  # torus axes shorter than this have no wraparound link
    sources: dict = field(default_factory=dict, compare=False, repr=False)
    overridden: frozenset = frozenset()  # figures replaced by a reader's own (``with_overrides``)

    def flops(self, compute: str) -> float:
        """Peak FLOP/s for matmuls computed in ``compute`` (bf16, fp8 or int8)."""
        check_choice("compute", compute, ("bf16", "fp8", "int8"))
        return self.flops_bf16 if compute == "bf16" else self.flops_int8

    # --- slices ---------------------------------------------------------------------------------
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

    def slice_sizes(self, largest: int) -> list:
        """Valid slice sizes up to ``largest`` chips (beyond the listed ones, doubling whole nodes)."""
        sizes = [s for s in self.slices if s <= largest]
        if self.slice_step:
            more = 2 * self.slices[-1]
            while more <= largest:
                sizes.append(more)
                more *= 2
        return sizes

    def slice_names(self) -> str:
        listed = ", ".join(str(s) for s in self.slices)
        return listed + (f", then multiples of {self.slice_step}" if self.slice_step else "")

    def check_slice(self, chips) -> int:
        """A chip count that is a valid slice of this chip, or a ``ValueError`` naming ``chips``."""
        count = check_count("chips", chips)
        if not self.is_valid_slice(count):
            raise ValueError(f"chips: {count} is not a valid {self.name} slice (valid: {self.slice_names()})")
        return count

    def shape(self, chips: int) -> tuple | None:
        """Axes of a 2D torus slice as (short, long), e.g. 8 -> (2, 4), 32 -> (4, 8); None off a torus."""
        if self.torus is None or chips & (chips - 1):
            return None
        short = 2 ** ((chips.bit_length() - 1) // 2)
        return short, chips // short

    def shape_name(self, chips: int) -> str | None:
        shape = self.shape(chips)
        return None if shape is None else "x".join(str(a) for a in shape)

    def axis_wraparound(self, chips: int) -> tuple | None:
        """For each axis of a 2D torus slice, whether it closes into a ring (only axes of the pod's full
        length do); None off a torus."""
        shape = self.shape(chips)
        if shape is None or self.wraparound_from is None:
            return None
        return tuple(axis >= self.wraparound_from for axis in shape)

    def wraparound(self, chips: int) -> bool:
        """Whether every axis of the slice closes into a ring (always, off a torus: a switch or a 3D pod)."""
        if self.wraparound_from is None:
            return True
        wraps = self.axis_wraparound(chips)
        return wraps is not None and all(wraps)

    def mesh_axes(self, chips: int) -> int:
        """Mesh axes a model-parallel layout shards over: both axes of a 2D torus slice, else one."""
        return 2 if self.torus is not None and chips > 1 else 1

    def ici_bandwidth(self, wraparound: bool) -> float:
        """ICI bytes/s per link a collective gets: both directions of a ring, or one way along a line."""
        return self.ici_bw_bidi if wraparound else self.ici_bw_oneway

    def collective_links(self, chips: int, mesh_axes: int | None = None, wraparound: bool | None = None) -> tuple:
        """(bytes/s into each chip, hops) of one AllGather or ReduceScatter over all ``chips`` (chapter 08).

        On a 2D torus slice the collective runs along each axis longer than one chip: an axis that closes
        into a ring gives both directions of its link and needs half its length in hops, an open line
        gives one direction and its length less one. A switch (a GPU node) gives each GPU its NVLink rate in
        one direction and one hop; a 3D pod is taken as one ring. ``mesh_axes=1`` lays one ring through the
        whole slice instead of using both axes, and ``wraparound`` forces the links every axis gets.
        """
        count = check_count("chips", chips)
        if count == 1:
            return self.ici_bw_bidi, 0
        if self.is_gpu:
            return self.ici_bw_oneway, 1
        shape = self.shape(count)
        if shape is None or mesh_axes == 1:
            axes = [(count, self.wraparound(count) if wraparound is None else wraparound)]
        else:
            wraps = self.axis_wraparound(count) or (True,) * len(shape)
            axes = [(a, w if wraparound is None else wraparound) for a, w in zip(shape, wraps) if a > 1]
        bandwidth = sum(self.ici_bandwidth(wrap) for _, wrap in axes)
        hops = sum(a // 2 if wrap else a - 1 for a, wrap in axes)
        return bandwidth, hops

    @property
    def is_gpu(self) -> bool:
        return self.torus is None and self.slice_step is not None

    # --- a reader's own figures -----------------------------------------------------------------
    def with_overrides(self, **values) -> "Chip":
        """A copy with some constants replaced (a reader's own figures); ``None`` keeps the preset."""
        values = {k: check_number(k, v) for k, v in values.items() if v is not None}
        sources = dict(self.sources)
        sources.update({k: "overridden by the reader" for k in values})
        return replace(self, sources=sources, overridden=self.overridden | set(values), **values)

    def to_dict(self) -> dict:
        data = {k: getattr(self, k) for k in ("name", "label", *FIGURES)}
        data.update(slices=list(self.slices), slice_step=self.slice_step, sources=dict(self.sources))
        return data


def _figure(chip: str, key: str, entry, sources: dict) -> tuple:
    """(SI value, source text) of one datasheet line, checked."""
    where = f"chips.toml [{chip}] {key}"
    if not isinstance(entry, dict) or set(entry) - {"value", "unit", "source", "note"}:
        raise ValueError(f"{where}: expected {{value, unit, source[, note]}}")
    unit = entry.get("unit")
    if _KIND.get(unit) != FIGURES[key]:
        raise ValueError(f"{where}: unit {unit!r} is not a {FIGURES[key]} unit")
    if not entry.get("source"):
        raise ValueError(f"{where}: no source")
    value = check_number(where, entry.get("value")) * UNITS[unit]
    source = sources.get(entry["source"], entry["source"])
    return value, source + (f": {entry['note']}" if entry.get("note") else "")


def _chip(name: str, data: dict, sources: dict) -> Chip:
    values, cited = {}, {}
    for key in FIGURES:
        if key in data:
            values[key], cited[key] = _figure(name, key, data[key], sources)
        elif key in OPTIONAL:
            values[key], cited[key] = None, "not in the sources"
        else:
            raise ValueError(f"chips.toml [{name}]: missing {key}")
    layout = data["slices"]
    sizes = tuple(check_count(f"chips.toml [{name}] slices", s) for s in layout["sizes"])
    if list(sizes) != sorted(set(sizes)):
        raise ValueError(f"chips.toml [{name}] slices: sizes must ascend")
    cited["slices"] = layout["source"]
    return Chip(name=name, label=data["label"], slices=sizes, slice_step=layout.get("step"),
                torus=tuple(layout["torus"]) if "torus" in layout else None,
                wraparound_from=layout.get("wraparound_from"), sources=cited, **values)


def _load() -> tuple:
    data = tomllib.loads((resources.files(__package__) / "chips.toml").read_text(encoding="utf-8"))
    sources = data.pop("sources")
    chips = {name: _chip(name, entry, sources) for name, entry in data.items()}
    presets = {name: chip for name, chip in chips.items() if data[name].get("preset", True)}
    return presets, chips


#: The presets, by name; ``ALL_CHIPS`` adds the chips the book uses that are not presets (the A800).
PRESETS, ALL_CHIPS = _load()
A800 = ALL_CHIPS["a800"]


def get_chip(name) -> Chip:
    """A preset by name (``tpu-v5e``, ``h100``, ...), or a ``Chip`` passed through (the API's edge)."""
    if isinstance(name, Chip):
        return name
    return PRESETS[check_choice("chip", name, PRESETS)]
