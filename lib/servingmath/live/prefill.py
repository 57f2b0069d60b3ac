"""Chapter 09 live: time to first token over the prompt, with and without attention, and the attention share."""

import json

import altair as alt

from ..analysis.doubling_topology import model_parallel_slices
from ..analysis.prefill import (ACTIVATIONS, ARTICLE_MFU, ATTENTION_SHARE, LLAMA, V5E, attention_crossover,
                                prefill_numbers)
from ..core import formulas as f
from ..core.precision import SERVING_PRECISIONS, bytes_per_element
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider, top_level
from .vega import vega

CHAPTER = "prefill"
PROMPT_EXP = (9, 17)                 # 512 ... 131,072 tokens
CURVE_STEPS = 4                      # curve points per doubling of the prompt
SLICES = model_parallel_slices(V5E)
MFU_PERCENT = (5, 100, 5)
NAMES = {"C": "h_C", "HBM": "h_M", "t_hop": "h_t", "P": "m_P", "H": "m_H", "L": "m_L", "N_q": "m_Nq", "D": "m_D",
         "K": "m_K", "b_kv": "b_w", "b_w": "b_w", "b_a": "b_a", "kv": "kv", "N": "chips", "MFU": "mfu", "T": "prompt",
         "S": "prompt", "B": "1", "W_c": "w_c", "n_hop": "hops", "T_prefill": "ttft", "T_ici": "ici"}
CURVE = {**NAMES, "T": "datum.T"}
COLORS = ("#1f77b4", "#ff7f0e", "#666666")
FIT = "does not fit"     # shown where the weights and one prompt's cache overflow the chips (the value -1)


NUMBERS = {"ttft_matmul": Number("TTFT from the matmuls alone (the article)", ",.1f", 1e-3, "ms", FIT),
           "ttft": Number("TTFT with attention", ",.1f", 1e-3, "ms", FIT),
           "share": Number("attention adds", ",.1f", 0.01, "% of the matmul FLOPs"),
           "tokens": Number("prompt tokens processed", ",.0f", 1, "tokens/s", FIT),
           "ici": Number("the prompt's collectives over the slice", ",.1f", 1e-3, "ms"),
           "ttft_ici": Number("TTFT with them overlapped", ",.1f", 1e-3, "ms", FIT),
           "crossover": Number(f"attention reaches {ATTENTION_SHARE:.0%} of the matmul FLOPs at", ",.0f", 1,
                               "tokens")}


def _params() -> list:
    const = {"h_C": V5E.flops_bf16, "h_M": V5E.hbm_bytes, "h_t": V5E.ici_hop_latency or 0.0,
             "m_P": LLAMA.param_count, "m_H": LLAMA.head_dim, "m_L": LLAMA.layers, "m_Nq": LLAMA.heads,
             "m_D": LLAMA.d_model, "m_K": LLAMA.kv_heads, "b_a": bytes_per_element(ACTIVATIONS),
             "crossover": attention_crossover(LLAMA)}
    fit = lambda formula: f"fits ? {vega(formula, NAMES)} : -1"
    return [
        slider("log_prompt", "prompt T (log2 tokens)", *PROMPT_EXP, 13),
        select("chips", "chips N", SLICES, 16),
        slider("mfu_pct", "MFU (%)", *MFU_PERCENT[:2], round(100 * ARTICLE_MFU), MFU_PERCENT[2]),
        select("weights", "weights", list(SERVING_PRECISIONS), "bf16"),
        *(derived(name, repr(float(value)), {}) for name, value in const.items()),
        derived("prompt", "pow(2, log_prompt)", {}), derived("mfu", "mfu_pct / 100", {}),
        derived("b_w", choice("weights", {d: bytes_per_element(d, "weights") for d in SERVING_PRECISIONS}), {}),
        derived("w_c", choice("chips", {n: V5E.collective_links(n)[0] for n in SLICES}), {}),
        derived("hops", choice("chips", {n: V5E.collective_links(n)[1] for n in SLICES}), {}),
        derived("kv", f.kv_bytes_per_token, NAMES),
        derived("fits", f"{vega(f.memory_chips, NAMES)} <= chips", {}),
        derived("ttft_matmul", fit(f.prefill_time), {}), derived("ttft", fit(f.prefill_time_with_attention), {}),
        derived("share", f.attention_flops_share, NAMES), derived("tokens", fit(f.prefill_tokens_per_s), {}),
        derived("ici", f.prefill_ici_time, NAMES), derived("ttft_ici", fit(f.prefill_time_ici), {}),
    ]


def _prompts():
    k0, k1 = PROMPT_EXP
    return alt.Chart(alt.sequence(k0 * CURVE_STEPS, k1 * CURVE_STEPS + 1, as_="k")).transform_calculate(
        T=f"pow(2, datum.k / {CURVE_STEPS})")


def _axis(title: str):
    return alt.X("T:Q", scale=alt.Scale(type="log", base=2), title=title,
                 axis=alt.Axis(values=[2**k for k in range(PROMPT_EXP[0], PROMPT_EXP[1] + 1, 2)], format=","))


def _ttft():
    """TTFT over the prompt, matmuls only (dashed) and with attention, and the current prompt."""
    series = ("matmuls only (the article)", "with attention")
    lines = _prompts().transform_calculate(
        **{series[0]: vega(f.prefill_time, CURVE), series[1]: vega(f.prefill_time_with_attention, CURVE)}
    ).transform_fold(list(series), as_=["kind", "s"]).mark_line(color=COLORS[0]).encode(
        x=_axis("prompt length T (tokens)"),
        y=alt.Y("s:Q", scale=alt.Scale(type="log"), title="time to first token (s)"),
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=list(series), range=[[5, 3], [1, 0]]),
                                  legend=alt.Legend(title=None, orient="top-left")))
    point = alt.Chart(alt.Data(values=[{}])).transform_filter("fits").transform_calculate(
        T="prompt", s="ttft").mark_point(filled=True, size=60, color=COLORS[0]).encode(x="T:Q", y="s:Q")
    title = alt.Title(alt.ExprRef(f"chips + {json.dumps(' x ' + V5E.name)} + ', MFU ' + mfu_pct + ' %'"
                                  f" + (fits ? '' : {json.dumps(': ' + FIT)})"))
    return alt.layer(lines, point).properties(width=280, height=200, title=title)


def _share():
    """The attention FLOPs as a share of the matmul FLOPs over the prompt (the same at any chip count)."""
    lines = _prompts().transform_calculate(pct=f"100 * {vega(f.attention_flops_share, CURVE)}").mark_line(
        color=COLORS[1]).encode(x=_axis("prompt length T (tokens)"),
                                y=alt.Y("pct:Q", scale=alt.Scale(type="log"), title="attention share (%)"))
    marks = alt.Chart(alt.Data(values=[{}])).transform_calculate(T="prompt", pct="100 * share", at="crossover",
                                                                 ten=repr(100 * ATTENTION_SHARE))
    return alt.layer(lines, marks.mark_rule(color=COLORS[2], strokeDash=[2, 2]).encode(x="at:Q"),
                     marks.mark_rule(color=COLORS[2], strokeDash=[2, 2]).encode(y="ten:Q"),
                     marks.mark_point(filled=True, size=60, color=COLORS[1]).encode(x="T:Q", y="pct:Q")).properties(
        width=280, height=200, title=f"{LLAMA.name}, any chip count; dotted: {ATTENTION_SHARE:.0%}")


def expected(log_prompt: int, chips: int, mfu_pct: int, weights: str) -> dict:
    """The page's numbers for a state of its controls, from the Python library (-1: does not fit)."""
    r = prefill_numbers(LLAMA, V5E, chips, mfu_pct / 100, weights, 2**log_prompt)
    fit = lambda value: value if r.fits else -1
    return {"ttft_matmul": fit(r.ttft_matmul), "ttft": fit(r.ttft), "share": r.share, "tokens": fit(r.tokens_per_s),
            "ici": r.ici_time, "ttft_ici": fit(r.ttft_ici), "crossover": attention_crossover(LLAMA)}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    return alt.vconcat(alt.hconcat(_ttft(), _share()), numbers_chart(NUMBERS, width=600),
                       params=top_level(_params()),
                       title=f"Prefill time of {LLAMA.name} on {V5E.label}")


def explorers() -> list:
    controls = {"log_prompt": list(range(PROMPT_EXP[0], PROMPT_EXP[1] + 1)), "chips": SLICES,
                "mfu_pct": list(range(MFU_PERCENT[0], MFU_PERCENT[1] + 1, MFU_PERCENT[2])),
                "weights": list(SERVING_PRECISIONS)}
    return [LiveExplorer(CHAPTER, CHAPTER, "Prefill time", _chart, controls, NUMBERS, expected)]
