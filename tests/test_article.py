"""Every numeric claim of the article: reproduced within its own rounding, or shown wrong with the reason."""

import math
import re

import pytest

from servingmath import article, formulas as f, get_chip, get_model, plan
from servingmath.article import ARTICLE_INPUTS, claims, verdict_changes

REPRODUCED = ("correct", "rounding", "units")


def rounding_tolerance(text: str) -> float:
    """Half a unit in the last significant digit of the number printed in ``text``."""
    token = re.search(r"[\d][\d,]*(\.\d+)?(e\d+)?", text).group(0).replace(",", "")
    mantissa, _, exponent = token.partition("e")
    scale = 10 ** int(exponent or 0)
    if "." in mantissa:
        return 0.5 * 10 ** -len(mantissa.split(".")[1]) * scale
    trailing = len(mantissa) - len(mantissa.rstrip("0"))
    return 0.5 * 10 ** trailing * scale


@pytest.mark.parametrize("claim_id", [c.id for c in claims().values() if c.verdict in REPRODUCED])
def test_claim_reproduced_within_the_articles_rounding(claim_id):
    claim = claims()[claim_id]
    stated, calc = claim.in_unit(claim.stated_value), claim.in_unit(claim.article_calc)
    assert abs(calc - stated) <= rounding_tolerance(claim.stated) + 1e-9, (claim.stated, calc)


@pytest.mark.parametrize("claim_id", [c.id for c in claims().values() if c.verdict not in REPRODUCED])
def test_claim_not_reproduced_has_a_different_exact_value(claim_id):
    claim = claims()[claim_id]
    assert claim.note and claim.verdict in article.VERDICTS
    assert not math.isclose(claim.exact, claim.stated_value, rel_tol=1e-3)


def test_every_article_section_with_numbers_has_claims():
    chapters = {c.chapter for c in claims().values()}
    assert {"hardware-choice", "kv-cache", "worked-numbers", "critical-batch", "minimum-topology",
            "qps-per-chip", "doubling-topology", "ici-bounds", "prefill", "disaggregated-serving"} <= chapters


# --- the article's errors, each asserted with its exact value -----------------------------------

def test_v5e_flops_per_dollar_is_5_91e17_not_5_8e17():
    assert claims()["flops-per-dollar-v5e"].exact == pytest.approx(5.91e17, rel=1e-3)


def test_kv_per_token_is_160_kib_in_int8_not_160_kb():
    kv = get_model("llama-3-70b").kv_bytes_per_token("int8")
    assert kv == 163_840 == 160 * 2**10


def test_5_3_gb_at_32k_follows_from_neither_160e3_nor_the_exact_size():
    c = claims()["kv-per-sequence-32k"]
    assert round(c.article_calc / 1e9, 1) == 5.2 and round(c.exact / 1e9, 1) == 5.4


def test_bcrit_240_needs_the_2026_bandwidth_8_2e11():
    chip = get_chip("tpu-v5e-source")
    assert f.critical_batch(C=chip.flops_bf16, W_hbm=chip.hbm_bw, b_w=2) == pytest.approx(240.2, abs=0.05)
    assert claims()["bcrit-bf16"].exact == pytest.approx(243.2, abs=0.05)


def test_44_sequences_do_not_fit_at_full_hbm_exact_is_42():
    p = plan(chip="tpu-v5e-article", chips=16, weights="bf16", batch=44, ici="ignore", reserve=0)
    assert not p.fits and p.max_batch == 42
    assert claims()["max-batch-full"].exact == 42


def test_372_over_2_62_is_142_not_143_and_143_does_not_fit():
    a = ARTICLE_INPUTS
    kv_room = 32 * 16e9 - 2 * a["params"]
    assert math.floor(kv_room / a["kv_seq_bf16_gb"]) == 141
    assert 143 * a["kv_seq_bf16_gb"] > kv_room
    assert claims()["max-batch-4x8"].exact == 138


def test_ici_threshold_is_the_max_of_the_bounds_not_the_min():
    c = claims()["ici-verdict"]
    # the max of the bounds with M = 2 for both, over the 4x8's own links (no wraparound): 44.6 halved
    assert c.article_calc == pytest.approx(22.3, abs=0.05) and c.exact == pytest.approx(44.6 / 2, abs=0.05)


def test_pd_ratio_3_mixes_the_int8_8_chip_step_into_bf16_16_chips():
    c = claims()["pd-ratio"]
    assert c.article_calc == pytest.approx(3.35, abs=0.005)
    assert c.exact == pytest.approx(3.30, abs=0.01)


# --- the source chapter's own errata ---------------------------------------------------------------

def test_source_errata_are_complete_and_point_at_chapters():
    chapters = {c.chapter for c in claims().values()}
    errata = article.source_errata()
    assert len(errata) >= 8 and len({e.id for e in errata}) == len(errata)
    for erratum in errata:
        assert erratum.where and erratum.stated and erratum.corrected and erratum.note
        assert erratum.chapter in chapters | {"decision-framework"}


def test_source_errata_values():
    errata = {e.id: e for e in article.source_errata()}
    assert errata["int4-min-chips"].corrected.startswith("2.19 chips")
    assert errata["doubled-batch"].corrected.startswith("138")
    assert errata["v5e-flops-per-dollar"].corrected == "5.9e17 FLOPs/$"


def test_every_claim_has_its_value_on_the_datasheet_chip_and_the_changes_of_verdict_are_listed():
    c = claims()
    assert c["max-batch-full"].exact == 42 and c["max-batch-full"].datasheet == 49      # 16 GB against 16 GiB
    step = c["step-bs32"]
    assert step.reproduces(step.exact) and not step.reproduces(step.datasheet)       # 17.35 ms, 20.07 ms
    assert 0.020 < step.datasheet < 0.0201
    assert {x.id for x in verdict_changes()} == {"step-bs32", "bcrit-int8-bf16", "tput-gain-chip"}
    assert c["bcrit-int8-bf16"].reproduces(c["bcrit-int8-bf16"].datasheet)            # 120.3 rounds to "120"


def test_the_rounding_rule_reads_the_digits_the_article_prints():
    c = claims()
    assert (c["step-bs32"].digits, c["qps-bf16"].digits, c["alpha-ici"].digits) == (2, 2, 4)
    assert c["alpha-ici"].reproduces(2189.0) and not c["alpha-ici"].reproduces(2190.0)


def test_the_numbers_decide_every_verdict_they_can():
    """A claim is judged only where the numbers cannot say it: an "error" of reasoning is a number that
    reproduces from the article's inputs or the exact value; the rest follow the rules of VERDICTS."""
    for c in claims().values():
        assert c.judged in ("",) + article.JUDGED, c.id
        if c.judged == "error":
            assert c.reproduces(c.exact) or c.reproduces(c.article_calc), f"{c.id}: the numbers say error already"
    c = claims()
    assert c["step-bs32"].verdict == "correct"            # 17.35 ms prints as 17
    assert c["tput-bs32"].verdict == "rounding"           # only 32 / 0.017 / 8 gives 235
    assert c["kv-per-sequence-32k"].verdict == "error"    # 5.24 and 5.37 GB, neither prints as 5.3
    assert c["tput-gain-total"].reproduces(3.25)          # half up: 3.25 prints as 3.3
