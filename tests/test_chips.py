"""Chip presets: constants with sources, slices, overrides."""

import re

import pytest

from servingmath import CHIPS, get_chip
from servingmath.core import hardware

FIELDS = ("flops_bf16", "flops_int8", "hbm_bytes", "hbm_bw", "ici_bw_oneway", "ici_bw_bidi", "price_per_hour",
          "slices")


@pytest.mark.parametrize("name", ["tpu-v5e", "tpu-v5e-article", "tpu-v5e-source", "tpu-v5p", "tpu-v6e", "h100", "h200",
                                  "b200"])
def test_preset_has_every_figure_and_a_source_for_each(name):
    chip = get_chip(name)
    for field in FIELDS:
        assert chip.sources.get(field), (name, field)
    assert chip.ici_bw_bidi == 2 * chip.ici_bw_oneway


def test_v5e_is_its_datasheet_and_the_articles_and_sources_constants_are_presets_of_their_own():
    v5e = get_chip("tpu-v5e")
    assert v5e.hbm_bytes == 16 * 2**30 and v5e.hbm_bw == 819e9 and "16 GiB" in v5e.sources["hbm_bytes"]
    article, source = get_chip("tpu-v5e-article"), get_chip("tpu-v5e-source")
    assert article.hbm_bw == 8.1e11 and article.hbm_bytes == 16e9 and "819 GB/s" in article.sources["hbm_bw"]
    assert source.hbm_bw == 8.2e11 and source.hbm_bytes == 16e9


def test_tpus_cite_a_hop_latency_and_gpus_say_the_sources_give_none():
    assert get_chip("tpu-v5e").ici_hop_latency == 1e-6 and "Appendix C" in get_chip("tpu-v5e").sources["ici_hop_latency"]
    assert get_chip("h100").ici_hop_latency is None and get_chip("h100").sources["ici_hop_latency"] == "not in the sources"


@pytest.mark.parametrize("name, wanted, smallest", [
    ("tpu-v5e-article", 7, 8), ("tpu-v5e-article", 9, 16), ("tpu-v5e-article", 2, 4), ("tpu-v5e-article", 300, None),
    ("h100", 3, 4), ("h100", 9, 16), ("h100", 8, 8), ("h100", 100, 104),
])
def test_smallest_valid_slice(name, wanted, smallest):
    assert get_chip(name).smallest_slice(wanted) == smallest


def test_overrides_are_parsed_and_named():
    chip = get_chip("tpu-v5e-article").with_overrides(hbm_bw="8.2e11")
    assert chip.hbm_bw == 8.2e11 and chip.sources["hbm_bw"] == "overridden by the reader"
    with pytest.raises(ValueError, match="hbm_bw: expected a number"):
        get_chip("tpu-v5e-article").with_overrides(hbm_bw="fast")


def test_all_presets_listed():
    assert {"tpu-v5e-article", "tpu-v5p", "tpu-v6e", "h100", "h200", "b200"} <= set(CHIPS)


def test_the_datasheet_file_gives_each_figure_a_unit_and_converts_it():
    h100 = get_chip("h100")
    assert h100.hbm_bw == 3.35e12 and h100.hbm_bytes == 80 * 2**30     # "3.35 TB/s", "80 GiB" in chips.toml
    assert "datasheet 3.35 TB/s" in h100.sources["hbm_bw"] and "85.0e9" in h100.sources["hbm_bytes"]


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
    v5e = get_chip("tpu-v5e-article")
    assert v5e.shape(chips) == shape and v5e.shape_name(chips) == "x".join(map(str, shape))
    assert v5e.wraparound(chips) is wraps and v5e.mesh_axes(chips) == (1 if chips == 1 else 2)


@pytest.mark.parametrize("chips, wraps, bandwidth, hops", [
    (1, (False, False), 9e10, 0), (8, (False, False), 2 * 4.5e10, 1 + 3), (32, (False, False), 2 * 4.5e10, 3 + 7),
    (128, (False, True), 4.5e10 + 9e10, 7 + 8), (256, (True, True), 2 * 9e10, 8 + 8)])
def test_a_collective_gets_each_axis_own_links_and_hops(chips, wraps, bandwidth, hops):
    v5e = get_chip("tpu-v5e")
    assert v5e.axis_wraparound(chips) == wraps
    assert v5e.collective_links(chips) == (bandwidth, hops)


def test_one_ring_and_forced_links_and_a_switch():
    v5e, h100 = get_chip("tpu-v5e"), get_chip("h100")
    assert v5e.collective_links(32, mesh_axes=1) == (4.5e10, 31)          # one open line through the slice
    assert v5e.collective_links(32, wraparound=True) == (2 * 9e10, 2 + 4)
    assert h100.collective_links(8) == (4.5e11, 1)                        # each GPU's NVLink, one way, one hop


def test_gpus_have_no_torus_and_a_switch_counts_as_wrapped():
    h100 = get_chip("h100")
    assert h100.shape(8) is None and h100.wraparound(8) and h100.mesh_axes(8) == 1 and h100.is_gpu


def test_an_override_is_remembered_on_the_record():
    chip = get_chip("tpu-v5e-article").with_overrides(ici_bw_bidi=1e11)
    assert chip.overridden == {"ici_bw_bidi"} and not get_chip("tpu-v5e-article").overridden
