"""Chapter 06: QPS per chip, the article's and the source's tables, cost per token, the half caveat."""

import pytest
import sympy as sp

import servingmath as sm
from servingmath import formulas as f
from servingmath.analysis import qps_per_chip as q
from servingmath.answers.qps_per_chip import usable_hbm_for_half_qps
from servingmath.article import ARTICLE_INPUTS, SOURCE_INPUTS, claims
from servingmath.core.symbols import B, G, HBM, N, P, T_step, b_kv, b_w, kv
from servingmath.present import qps_per_chip as show
from servingmath.widgets import qps_per_chip as views

CHIPS = {"bf16": 16, "int8": 8, "int4": 4}


def test_qps_is_token_rate_over_decode_length():
    assert sp.simplify(f.tokens_per_s_per_chip.expr / G - f.qps_per_chip.expr) == 0


def test_full_hbm_qps_is_qps_at_the_filling_batch_and_the_memory_bound_step():
    filling = f.batch_fill.expr
    step = f.step_time_memory_bound.expr.subs(B, filling)
    assert sp.simplify(f.qps_per_chip.expr.subs({T_step: step, B: filling}) - f.qps_per_chip_full.expr) == 0


def test_full_hbm_qps_scales_as_one_over_bytes_per_weight():
    k = sp.Symbol("k", positive=True)
    q_k = f.qps_per_chip_full.expr.subs({N: k * P * b_w / HBM, kv: f.kv_bytes_per_token.expr.subs(b_kv, b_w)})
    assert sp.simplify(q_k.subs(b_w, sp.Rational(1, 2)) / q_k.subs(b_w, 2)) == 4


@pytest.mark.parametrize("precision, article, source, exact", [
    ("bf16", 0.2686, 0.2763, 0.2639), ("int8", 0.5371, 0.5525, 0.5279), ("int4", 1.0742, 1.1051, 1.0558)])
def test_article_source_and_exact_qps(precision, article, source, exact):
    qps = lambda b, t: f.qps_per_chip(B=b, G=512, N=CHIPS[precision], T_step=t)
    assert qps(ARTICLE_INPUTS["batch_44"], ARTICLE_INPUTS["step_20ms"]) == pytest.approx(article, abs=5e-5)
    assert qps(SOURCE_INPUTS["batch_43"], SOURCE_INPUTS["step_19ms"]) == pytest.approx(source, abs=5e-5)
    assert q.serving_row(precision).qps_per_chip == pytest.approx(exact, abs=5e-5)
    assert claims()[f"qps-{precision}"].exact == pytest.approx(exact, abs=5e-5)


def test_printed_roundings():
    src = {p: f.qps_per_chip(B=43, G=512, N=n, T_step=0.019) for p, n in CHIPS.items()}
    assert (round(src["int8"], 2), round(src["int4"], 2)) == (0.55, 1.11)
    assert round(src["bf16"], 2) == 0.28        # the source prints 0.27
    own = f.qps_per_chip(B=44, G=512, N=4, T_step=f.step_time_full_hbm(HBM=16e9, W_hbm=8.1e11))
    assert round(own, 2) == 1.09                 # the article prints 1.07 after rounding the step to 20 ms


def test_cost_per_million_tokens_and_half_qps():
    row = q.serving_row("bf16")
    assert row.tokens_per_s_per_chip == pytest.approx(135.1, abs=0.1)
    assert row.cost_per_million == pytest.approx(2.467, abs=0.001)
    assert q.serving_row("int4").cost_per_million == pytest.approx(row.cost_per_million / 4)
    assert usable_hbm_for_half_qps() / 1e9 == pytest.approx(11.37, abs=0.01)
    assert q.serving_row("bf16", decode=1024).cost_per_million == pytest.approx(row.cost_per_million)


def test_no_batch_no_throughput_and_the_realistic_guess():
    empty = q.serving_row("bf16", context=2**19)
    assert empty.batch == 0 and empty.qps_per_chip == 0 and empty.cost_per_million is None
    over = q.qps_over_context("int8", realistic_fraction=0.5)
    assert over.realistic_here == pytest.approx(over.here["int8"].qps_per_chip / 2)
    assert list(over.realistic) == pytest.approx([r.qps_per_chip / 2 for r in over.rows["int8"]])


def test_qps_view_updates_in_place_and_rejects_bad_input():
    drawing, text = views.qps()
    assert "0.264" in text and "$2.47" in text
    fig = drawing.fig
    n_lines = [len(ax.lines) for ax in fig.axes]
    again, text = views.qps(drawing, decode=64, context=131072, precision="int4")
    assert again is drawing and [len(ax.lines) for ax in fig.axes] == n_lines
    assert all(len(line) <= 88 for line in text.splitlines())
    for bad, name in ((dict(precision="fp8"), "precision"), (dict(decode=0), "decode"),
                      (dict(chip=sm.CHIPS["h200"]), "chip"), (dict(context=-1), "context")):
        with pytest.raises(ValueError, match=f"^{name}"):
            views.qps(None, **bad)


def test_explorer_starts_at_the_chapters_choice():
    explorer = views.explorer()
    assert explorer.values() == {"decode": 512, "context": 8192, "precision": "bf16"}
    assert "0.264" in explorer.text.value


def test_answers_registered():
    for label in ("critical-batch-1", "critical-batch-2", "critical-batch-3", "minimum-topology-1",
                  "minimum-topology-2", "minimum-topology-3", "qps-per-chip-1", "qps-per-chip-2", "qps-per-chip-3"):
        answer = sm.answers.answers()[label]
        assert sm.check(label, answer.value(), quiet=True)
    assert sm.check("minimum-topology-1", 32, quiet=True) and not sm.check("minimum-topology-1", 16, quiet=True)
    assert sm.check("critical-batch-2", 121.6, quiet=True)


def test_capacity_of_a_load():
    plans = {p: q.capacity(q.serving_row(p), 100) for p in ("bf16", "int8", "int4")}
    assert {c.copies for c in plans.values()} == {24}
    assert [c.chips for c in plans.values()] == [384, 192, 96]
    assert plans["bf16"].dollars_per_hour == pytest.approx(384 * 1.2)
    per_token = plans["bf16"].row.cost_per_million
    assert plans["bf16"].cost_per_million_requests == pytest.approx(per_token * 512)
    assert plans["int4"].cost_per_million_requests == pytest.approx(plans["bf16"].cost_per_million_requests / 4)
    with pytest.raises(ValueError, match="^load:"):
        q.capacity(q.serving_row("bf16"), 0)
    with pytest.raises(ValueError, match="^row:"):
        q.capacity(q.serving_row("bf16", context=2**19), 1)


def test_tables_of_the_chapter_and_of_the_audit():
    by_decode = {g: {p: q.serving_row(p, 8192, g) for p in ("bf16", "int8", "int4")} for g in (128, 512)}
    decode = show.decode_table(by_decode)
    assert decode.rows[1][1:4] == ["0.264", "0.528", "1.06"] and decode.rows[0][-1] == decode.rows[1][-1]
    plan = show.capacity_table({p: q.capacity(q.serving_row(p), 100) for p in ("bf16", "int4")})
    assert plan.rows[1][4] == "96" and plan.rows[0][6] == "$1,262.92"
    (caption, audit), = show.audit_tables()
    assert [r[0] for r in audit.rows] == ["the article", "the article's batch, its own step", "the source", "exact"]
    assert audit.rows[0][3:6] == ["0.2686", "0.5371", "1.0742"] and audit.rows[2][3] == "0.2763"
