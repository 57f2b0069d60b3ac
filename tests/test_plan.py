"""The planner: the article's worked example, the JSON contract, answers that do not fit, bad input."""

import math

import pytest

from servingmath import plan
from servingmath.present import fit_message, plan_json

CONTRACT = ("param_count param_bytes kv_bytes_per_token kv_bytes_per_sequence batch kv_bytes total_bytes hbm_bytes "
            "fits min_chips min_slice_chips max_batch step_time_s bound critical_batch tokens_per_s "
            "tokens_per_s_per_chip qps_per_chip prefill_time_s prefill_decode_ratio ici_flops_bound_chips "
            "ici_hbm_bound_chips cost_per_million_tokens").split()

WORKED = dict(model="llama-3-70b", chip="tpu-v5e", chips=8, weights="int8", kv_dtype="int8", context=8192, batch=32)


def test_worked_example_matches_the_article():
    p = plan(**WORKED)
    assert 112e9 <= p.total_bytes <= 114e9            # "~112 GB" (113.5 exact)
    assert 0.017 <= p.step_time_s <= 0.018            # "17 ms"
    assert p.bound == "memory" and p.fits
    assert p.min_chips == 8 and p.min_slice_chips == 8
    assert p.tokens_per_s_per_chip == pytest.approx(228.4, abs=0.1)


def test_json_contract_has_every_key():
    data = plan_json(plan(**WORKED))
    assert set(CONTRACT) <= set(data)
    assert data["kv"] == "int8" and data["fit_message"].startswith("fits: needs 113.5 GB")


def test_default_chips_is_the_smallest_slice_that_fits():
    assert plan(weights="bf16").chips == 16
    assert plan(weights="int8").chips == 8
    assert plan(weights="int4").chips == 4


def test_four_by_four_halves_the_step():
    p8, p16 = plan(**WORKED), plan(**{**WORKED, "chips": 16})
    assert p16.step_time_s == pytest.approx(p8.step_time_s / 2)
    assert p16.tokens_per_s_per_chip == pytest.approx(p8.tokens_per_s_per_chip)


def test_a_deployment_that_does_not_fit_is_an_answer():
    p = plan(chip="tpu-v5e", chips=1, weights="bf16", batch=8)
    assert not p.fits
    assert fit_message(p).startswith("does not fit: needs ") and ", has 16.0 GB" in fit_message(p)
    for key, value in p.to_dict().items():
        if isinstance(value, float):
            assert math.isfinite(value), key


def test_max_batch_when_weights_do_not_fit_is_zero_and_nothing_is_infinite():
    p = plan(chip="tpu-v5e", chips=4, weights="bf16")
    assert not p.fits and p.batch == 0 and p.max_batch == 0
    assert p.ici_hbm_bound_chips is None and p.cost_per_million_tokens is None
    assert all(math.isfinite(v) for v in p.to_dict().values() if isinstance(v, float))


def test_unknown_price_gives_null_cost_and_override_gives_one():
    assert plan(chip="tpu-v6e").cost_per_million_tokens is None
    assert plan(chip="tpu-v6e", price=2.7).cost_per_million_tokens > 0


def test_measured_efficiency_is_slower_than_ideal_with_the_same_keys():
    ideal, measured = plan(chip="h100", weights="fp8", compute="fp8"), plan(chip="h100", weights="fp8",
                                                                               compute="fp8", efficiency="measured")
    assert measured.step_time_s > ideal.step_time_s
    assert set(ideal.to_dict()) == set(measured.to_dict())
    assert (ideal.efficiency_measured_on, measured.efficiency_measured_on) == (None, "h100")


@pytest.mark.parametrize("kwargs, message", [
    ({"chips": -1}, "chips: must be > 0"),
    ({"chips": 0}, "chips: must be > 0"),
    ({"chips": 2.5}, "chips: expected a whole number"),
    ({"chips": "abc"}, "chips: expected a whole number"),
    ({"chips": 7}, "chips: 7 is not a valid tpu-v5e slice"),
    ({"batch": -3}, "batch: must be > 0"),
    ({"batch": float("nan")}, "batch: must be finite"),
    ({"context": float("inf")}, "context: must be finite"),
    ({"decode": "many"}, "decode: expected a whole number"),
    ({"mfu": 0}, "mfu: must be > 0"),
    ({"mfu": 1.5}, "mfu: must be in (0, 1]"),
    ({"mesh_axes": 0}, "mesh_axes: must be > 0"),
    ({"hbm_bw": float("nan")}, "hbm_bw: must be finite"),
    ({"hbm_bytes": -16e9}, "hbm_bytes: must be > 0"),
    ({"flops": "fast"}, "flops: expected a number"),
    ({"ici_bw": float("inf")}, "ici_bw: must be finite"),
    ({"price": 0}, "price: must be > 0"),
    ({"model": "llama-9"}, "model: unknown 'llama-9'"),
    ({"chip": "tpu-v9"}, "chip: unknown 'tpu-v9'"),
    ({"weights": "fp4"}, "weights: unknown 'fp4'"),
    ({"kv_dtype": "fp16"}, "kv: unknown 'fp16'"),
    ({"compute": "int4"}, "compute: unknown 'int4'"),
    ({"efficiency": "optimistic"}, "efficiency: unknown 'optimistic'"),
])
def test_bad_input_raises_a_value_error_naming_the_parameter(kwargs, message):
    with pytest.raises(ValueError) as err:
        plan(**kwargs)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)
