"""Chip presets: constants with sources, slices, overrides."""

import re

import pytest

from servingmath import CHIPS, get_chip
from servingmath.core import hardware

FIELDS = ("flops_bf16", "flops_int8", "hbm_bytes", "hbm_bw", "ici_bw_oneway", "ici_bw_bidi", "price_per_hour",
          "slices")


@pytest.mark.parametrize("name", ["tpu-v5e", "tpu-v5p", "tpu-v6e", "h100", "h200", "b200"])
def test_preset_has_every_figure_and_a_source_for_each(name):
    chip = get_chip(name)
    for field in FIELDS:
        assert chip.sources.get(field), (name, field)
    assert chip.ici_bw_bidi == 2 * chip.ici_bw_oneway


def test_v5e_uses_the_articles_bandwidth_and_notes_the_later_one():
    assert get_chip("tpu-v5e").hbm_bw == 8.1e11 and "8.2e11" in get_chip("tpu-v5e").sources["hbm_bw"]
    assert get_chip("tpu-v5e-2026").hbm_bw == 8.2e11


@pytest.mark.parametrize("name, wanted, smallest", [
    ("tpu-v5e", 7, 8), ("tpu-v5e", 9, 16), ("tpu-v5e", 2, 4), ("tpu-v5e", 300, None),
    ("h100", 3, 4), ("h100", 9, 16), ("h100", 8, 8), ("h100", 100, 104),
])
def test_smallest_valid_slice(name, wanted, smallest):
    assert get_chip(name).smallest_slice(wanted) == smallest


def test_overrides_are_parsed_and_named():
    chip = get_chip("tpu-v5e").with_overrides(hbm_bw="8.2e11")
    assert chip.hbm_bw == 8.2e11 and chip.sources["hbm_bw"] == "overridden by the reader"
    with pytest.raises(ValueError, match="hbm_bw: expected a number"):
        get_chip("tpu-v5e").with_overrides(hbm_bw="fast")


def test_all_presets_listed():
    assert {"tpu-v5e", "tpu-v5p", "tpu-v6e", "h100", "h200", "b200"} <= set(CHIPS)


def test_the_datasheet_file_gives_each_figure_a_unit_and_converts_it():
    h100 = get_chip("h100")
    assert h100.hbm_bw == 3.35e12 and h100.hbm_bytes == 80e9       # "3.35 TB/s", "80 GB" in chips.toml
    assert "datasheet 3.35 TB/s" in h100.sources["hbm_bw"]


@pytest.mark.parametrize("entry, message", [
    ({"value": 16, "unit": "GB/s", "source": "x"}, "unit 'GB/s' is not a B unit"),
    ({"value": 16, "unit": "GB"}, "no source"),
    ({"value": -16, "unit": "GB", "source": "x"}, "must be > 0"),
    ({"value": 16, "unit": "GB", "source": "x", "typo": 1}, "expected {value, unit, source"),
])
def test_a_bad_datasheet_line_is_refused_naming_the_chip_and_figure(entry, message):
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        hardware._figure("tpu-x", "hbm_bytes", entry, {})
    assert str(err.value).startswith("chips.toml [tpu-x] hbm_bytes")


@pytest.mark.parametrize("chips, shape, wraps", [(1, (1, 1), False), (8, (2, 4), False), (32, (4, 8), False),
                                                 (128, (8, 16), False), (256, (16, 16), True)])
def test_a_v5e_slice_knows_its_axes_and_wraparound(chips, shape, wraps):
    v5e = get_chip("tpu-v5e")
    assert v5e.shape(chips) == shape and v5e.shape_name(chips) == "x".join(map(str, shape))
    assert v5e.wraparound(chips) is wraps and v5e.mesh_axes(chips) == (1 if chips == 1 else 2)


def test_gpus_have_no_torus_and_a_switch_counts_as_wrapped():
    h100 = get_chip("h100")
    assert h100.shape(8) is None and h100.wraparound(8) and h100.mesh_axes(8) == 1 and h100.is_gpu


def test_an_override_is_remembered_on_the_record():
    chip = get_chip("tpu-v5e").with_overrides(ici_bw_bidi=1e11)
    assert chip.overridden == {"ici_bw_bidi"} and not get_chip("tpu-v5e").overridden
