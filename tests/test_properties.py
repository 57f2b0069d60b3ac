"""Properties of the serving arithmetic over random models, chips, precisions and workloads (hypothesis)."""

import math

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from servingmath import CHIPS, Model, formulas as f, get_chip, plan
from servingmath.core.precision import BYTES

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


@st.composite
def models(draw):
    heads = draw(st.sampled_from([8, 16, 32, 64, 128]))
    kv_heads = draw(st.sampled_from([k for k in (1, 2, 4, 8, 16, heads) if heads % k == 0]))
    head_dim = draw(st.sampled_from([64, 128]))
    d_model = heads * head_dim
    return Model("random", layers=draw(st.integers(1, 128)), d_model=d_model,
                 d_ff=int(d_model * draw(st.sampled_from([2, 2.6875, 3.5, 4]))), heads=heads,
                 kv_heads=kv_heads, head_dim=head_dim, vocab=draw(st.integers(1000, 256_000)),
                 tied_embeddings=draw(st.booleans()))


chips = st.sampled_from(sorted(CHIPS))
dtypes = st.sampled_from(sorted(BYTES))
computes = st.sampled_from(["bf16", "fp8", "int8"])
contexts = st.integers(1, 131_072)


def slices(chip, count=3):
    return st.lists(st.sampled_from(get_chip(chip).slices), min_size=count, max_size=count)


@SETTINGS
@given(models(), chips, dtypes, contexts, st.data())
def test_more_chips_never_lowers_max_batch(model, chip, dtype, context, data):
    sizes = sorted(data.draw(slices(chip, 2)))
    small, big = (plan(model=model, chip=chip, chips=n, weights=dtype, context=context).max_batch for n in sizes)
    assert big >= small


@SETTINGS
@given(models(), chips, dtypes, dtypes, computes, contexts, st.integers(1, 4096), st.data())
def test_step_time_never_below_the_weight_read(model, chip, weights, kv, compute, context, batch, data):
    n = data.draw(st.sampled_from(get_chip(chip).slices))
    p = plan(model=model, chip=chip, chips=n, weights=weights, kv_dtype=kv, compute=compute, context=context, batch=batch)
    assert p.step_time_s >= p.weight_bytes_read / (n * p.hbm_bw) * (1 - 1e-12)


@SETTINGS
@given(chips)
def test_int8_weights_with_int8_flops_have_the_critical_batch_of_bf16(chip):
    c = get_chip(chip)
    bf16 = f.critical_batch(C=c.flops("bf16"), W_hbm=c.hbm_bw, b_w=BYTES["bf16"])
    int8 = f.critical_batch(C=c.flops("int8"), W_hbm=c.hbm_bw, b_w=BYTES["int8"])
    # the two cancel exactly when the 8-bit path doubles the FLOP/s (every preset but B200's rounded figures)
    assert math.isclose(int8 / bf16, c.flops_int8 / (2 * c.flops_bf16), rel_tol=1e-12)
    if math.isclose(c.flops_int8, 2 * c.flops_bf16, rel_tol=2e-3):
        assert math.isclose(bf16, int8, rel_tol=2e-3)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.filter_too_much])
@given(models(), st.integers(4096, 131_072), st.sampled_from([1, 2]))
def test_full_hbm_batch_and_step_are_the_same_for_every_precision(model, context, headroom):
    # int4 on k chips, int8 on 2k, bf16 on 4k: chips in proportion to the bytes per weight
    v5e = get_chip("tpu-v5e-article")
    k = max(4, v5e.smallest_slice(headroom * model.param_count * BYTES["int4"] / v5e.hbm_bytes) or 512)
    assume(4 * k <= 256)
    plans = [plan(model=model, chip="tpu-v5e-article", chips=n, weights=w, context=context, ici="ignore",
                  reserve=0)
             for w, n in (("int4", k), ("int8", 2 * k), ("bf16", 4 * k))]
    assume(all(p.batch >= 1 and p.bound == "memory" for p in plans))
    assert max(p.max_batch for p in plans) - min(p.max_batch for p in plans) <= 1
    # the step reads HBM less the input embedding it only gathers: add that back, and b_w cancels
    steps = [p.step_time_s + (p.param_bytes - p.weight_bytes_read) / (p.chips * p.hbm_bw) for p in plans]
    assert max(steps) / min(steps) - 1 <= 1 / plans[0].max_batch + 1e-9


@SETTINGS
@given(models(), chips, dtypes, contexts, st.integers(1, 8192), st.data())
def test_qps_times_decode_times_step_is_batch_per_chip(model, chip, dtype, context, decode, data):
    n = data.draw(st.sampled_from(get_chip(chip).slices))
    p = plan(model=model, chip=chip, chips=n, weights=dtype, context=context, decode=decode)
    assert math.isclose(p.qps_per_chip * decode * p.step_time_s, p.batch / n, rel_tol=1e-9, abs_tol=1e-12)


@SETTINGS
@given(models(), chips, dtypes, dtypes, computes, contexts, st.one_of(st.just("max"), st.integers(1, 10_000)),
       st.integers(1, 8192), st.floats(0.01, 1.0), st.integers(1, 3), st.data())
def test_plan_never_returns_nan_or_infinity(model, chip, weights, kv, compute, context, batch, decode, mfu, axes,
                                            data):
    n = data.draw(st.sampled_from(get_chip(chip).slices))
    p = plan(model=model, chip=chip, chips=n, weights=weights, kv_dtype=kv, compute=compute, context=context,
             batch=batch, decode=decode, mfu=mfu, mesh_axes=axes)
    for key, value in p.to_dict().items():
        if isinstance(value, float):
            assert math.isfinite(value), key
