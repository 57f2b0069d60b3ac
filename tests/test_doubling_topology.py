"""Chapter 07: doubling the topology: the super-linear formulas, the claims, the figure, the answers."""

import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.analysis.doubling_topology import at_max_batch, doubling, superlinear_limit
from servingmath.answers import answers, check
from servingmath.article import claims
from servingmath.core.symbols import B, N, S, T_step, kv
from servingmath.present import doubling_topology as show
from servingmath.widgets.doubling_topology import explorer, throughput_vs_chips

LLAMA, V5E = sm.get_model("llama-3-70b"), sm.get_chip("tpu-v5e-article")


def test_kv_room_grows_faster_than_the_chips():
    extra = sp.simplify(f.kv_room.expr.subs(N, 2 * N) / f.kv_room.expr - 2)
    weights = f.param_bytes.expr
    assert sp.simplify(extra - weights / f.kv_room.expr) == 0       # P b_w / (N HBM - P b_w)
    values = dict(HBM=V5E.hbm_bytes, P=LLAMA.param_count, b_w=2)
    assert f.kv_room(N=32, **values) / f.kv_room(N=16, **values) == pytest.approx(3.23, abs=0.005)


def test_full_hbm_rate_is_the_memory_bound_rate_at_the_filling_batch():
    fill = f.kv_room.expr / (S * kv)
    expr = f.tokens_per_s_per_chip.expr.subs(T_step, f.step_time_memory_bound.expr).subs(B, fill)
    assert sp.simplify(expr - f.tokens_per_s_per_chip_full.expr) == 0
    assert sp.simplify(sp.diff(f.tokens_per_s_per_chip_full.expr, N)).is_positive
    assert sp.limit(f.tokens_per_s_per_chip_full.expr, N, sp.oo) == sp.Symbol("W_hbm", positive=True) / (S * kv)


def test_superlinear_chips_is_where_the_filling_batch_reaches_the_critical_batch():
    args = dict(C=V5E.flops_bf16, HBM=V5E.hbm_bytes, P=LLAMA.param_count, S=8192, W_hbm=V5E.hbm_bw, b_w=2,
                kv=LLAMA.kv_bytes_per_token("bf16"))
    n_star = f.superlinear_chips(**args)
    assert n_star == pytest.approx(49.6, abs=0.05)
    fill = f.kv_room(HBM=args["HBM"], N=n_star, P=args["P"], b_w=2) / (args["S"] * args["kv"])
    assert fill == pytest.approx(f.critical_batch(C=args["C"], W_hbm=args["W_hbm"], b_w=2))
    # at N*, the memory-bound rate meets the compute-bound ceiling
    full = f.tokens_per_s_per_chip_full(N=n_star, **{k: v for k, v in args.items() if k != "C"})
    ceiling = f.tokens_per_s_per_chip_compute_bound(C=args["C"], P=args["P"], S=8192, W_hbm=args["W_hbm"],
                                                    kv=args["kv"])
    assert full == pytest.approx(ceiling)
    fill = f.kv_room.expr / (S * kv)
    assert sp.simplify(sp.solve(sp.Eq(fill, f.critical_batch.expr), N)[0] - f.superlinear_chips.expr) == 0


def test_the_compute_bound_ceiling_is_the_rate_at_the_kv_read_plus_the_flops():
    step = f.kv_load_time.expr + f.step_flops_time.expr
    rate = f.tokens_per_s_per_chip.expr.subs(T_step, step)
    assert sp.simplify(rate - f.tokens_per_s_per_chip_compute_bound.expr) == 0


def test_doubling_claims():
    c = claims()
    assert c["max-batch-4x8"].exact == 138 and round(c["max-batch-4x8"].article_calc) == 142
    assert c["max-batch-4x8"].stated_value * 2.62e9 > c["kv-room-4x8"].article_calc   # 143 does not fit
    assert round(c["tput-gain-total"].article_calc, 2) == 3.25
    assert c["tput-gain-total"].exact == pytest.approx(3.25, abs=0.01) and round(c["tput-gain-chip"].exact, 1) == 1.6
    assert f"{c['qps-int8-doubled'].article_calc:.2f}" == "0.90"
    assert f"{c['qps-int4-doubled'].article_calc:.2f}" == "1.80"
    assert c["qps-int8-doubled"].exact == pytest.approx(0.827, abs=5e-4)
    assert c["qps-int4-doubled"].exact == pytest.approx(1.273, abs=5e-4)


def test_points_and_regimes():
    for d, n in (("bf16", 32), ("int8", 16), ("int4", 8)):
        assert at_max_batch(n, d).batch == 138
    assert at_max_batch(16, "bf16").batch == 42
    assert at_max_batch(32, "bf16").bound == "memory"
    assert at_max_batch(16, "int8").bound == "compute" and at_max_batch(8, "int4").bound == "compute"
    assert not at_max_batch(8, "bf16").fits
    assert at_max_batch(8, "bf16").overflow == pytest.approx(2 * LLAMA.param_count - 8 * V5E.hbm_bytes)
    assert at_max_batch(32, "bf16").overflow == 0
    p = at_max_batch(8, "int4")
    assert p.step == pytest.approx(f.step_time(B=138, C=V5E.flops_bf16, N=8, P=LLAMA.decode_param_count, S=8192,
                                               W_hbm=V5E.hbm_bw, b_w=0.5, kv=LLAMA.kv_bytes_per_token("int4")))
    assert superlinear_limit("int8").chips == pytest.approx(14.6, abs=0.05)


def test_doubling_gains():
    gain = doubling(at_max_batch(16, "bf16"), at_max_batch(32, "bf16"))
    assert f"x{gain.total_gain:.2f} / x{gain.per_chip_gain:.2f}" == "x3.25 / x1.62"
    assert gain.total_gain == pytest.approx(2 * gain.per_chip_gain)


def test_slice_shapes():
    assert [V5E.shape_name(n) for n in (4, 8, 16, 32, 64, 128, 256)] == ["2x2", "2x4", "4x4", "4x8", "8x8", "8x16",
                                                                         "16x16"]
    assert V5E.shape(32) == (4, 8)


def test_figure_updates_in_place_and_reports():
    drawing, text = throughput_vs_chips(None)
    assert "138 sequences" in text and "x3.25 total, x1.62 per chip" in text
    lines = list(drawing.fig.axes[0].lines)
    drawing2, text2 = throughput_vs_chips(drawing, weights="int4", context=32768, chips=8)
    assert drawing2 is drawing and list(drawing.fig.axes[0].lines) == lines
    assert "int4" in text2
    _, text3 = throughput_vs_chips(drawing, weights="bf16", chips=8)
    assert "no sequence fits (the weights overflow HBM by 13.1 GB)" in text3
    assert max(len(line) for t in (text, text2, text3) for line in t.splitlines()) <= 80


def test_explorer_has_the_chapters_controls():
    ex = explorer()
    assert ex.values() == {"weights": "bf16", "context": 8192, "chips": 32}
    assert list(ex.controls["chips"].options) == [4, 8, 16, 32, 64, 128, 256]
    assert "138 sequences" in ex.text.value


@pytest.mark.parametrize("bad, name", [(dict(chips=12), "chips"), (dict(chips=1), "chips"),
                                       (dict(weights="fp8"), "weights"), (dict(context=0), "context")])
def test_figure_rejects_bad_input(bad, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        throughput_vs_chips(None, **bad)


def test_answers_check():
    table = answers()
    for label in ("doubling-topology-1", "doubling-topology-2", "doubling-topology-3"):
        value = float(table[label].value())
        assert check(label, value, quiet=True) and not check(label, value * 1.2, quiet=True)
    assert table["doubling-topology-2"].value() == pytest.approx(14.6, abs=0.05)
    assert table["doubling-topology-3"].value() == pytest.approx(26.5, abs=0.05)


def test_tables_of_the_chapter():
    rooms = show.rooms_table({n: at_max_batch(n, "bf16") for n in (16, 32)}, V5E)
    assert [r[2:] for r in rooms.rows] == [["114.9 GB", "42"], ["370.9 GB", "138"]]
    limits = show.limits_table({d: superlinear_limit(d) for d in ("bf16", "int8", "int4")}, V5E)
    assert [r[2] for r in limits.rows] == ["49.6", "14.6", "4.76"]
    configs = (("bf16", 16), ("bf16", 32), ("int8", 8), ("int8", 16))
    table = show.doubling_table({(d, n): at_max_batch(n, d) for d, n in configs}, V5E)
    assert [r[4] for r in table.rows] == ["memory", "memory", "memory", "compute"]
    assert table.rows[1][-1] == "x3.25 / x1.62" and table.rows[0][-1] == "-"
