"""Chip presets: constants with sources, slices, overrides."""

import pytest

from servingmath import CHIPS, get_chip

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
