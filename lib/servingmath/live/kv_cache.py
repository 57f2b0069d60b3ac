"""Chapter 02 live: a model's KV caches against its weights, over context and over batch, in the page."""

import altair as alt

from ..analysis import kv_cache as kc
from ..core import formulas as f
from ..core.models import PRESETS as MODELS
from ..core.precision import SERVING_PRECISIONS, bytes_per_element
from . import LiveExplorer, Number, choice, derived, numbers_chart, select, slider, top_level
from .vega import vega

CHAPTER = "kv-cache"
CONTEXT_EXP, BATCH_EXP = (9, 17), (0, 8)   # 512 ... 131,072 tokens; 1 ... 256 sequences
NUMBERS = {"kvt": Number("KV per token", ",.0f", 1, "B"), "seq": Number("KV per sequence", ",.3f", 1e9, "GB"),
           "cache": Number("KV caches of the batch", ",.2f", 1e9, "GB"),
           "weights": Number("weights", ",.2f", 1e9, "GB"),
           "crossover": Number("caches outweigh the weights beyond", ",.1f", 1, "sequences")}
MODEL = {"K": "m_K", "H": "m_H", "L": "m_L", "P": "m_P", "b_kv": "m_b", "b_w": "m_b"}
AT = {"S": "ctx", "B": "batch", "kv": "kvt"}


def _params() -> list:
    pick = lambda field: choice("model", {name: getattr(m, field) for name, m in MODELS.items()})
    return [
        select("model", "model", list(MODELS), kc.LLAMA.name),
        select("dtype", "KV and weight format", list(SERVING_PRECISIONS), "int8"),
        slider("log_ctx", "context S (log2 tokens)", *CONTEXT_EXP, 13),
        slider("log_batch", "batch B (log2 sequences)", *BATCH_EXP, 5),
        derived("m_K", pick("kv_heads"), {}), derived("m_H", pick("head_dim"), {}),
        derived("m_L", pick("layers"), {}), derived("m_P", pick("param_count"), {}),
        derived("m_b", choice("dtype", {d: bytes_per_element(d, "kv_dtype") for d in SERVING_PRECISIONS}), {}),
        derived("ctx", "pow(2, log_ctx)", {}), derived("batch", "pow(2, log_batch)", {}),
        derived("kvt", f.kv_bytes_per_token, MODEL), derived("seq", f.kv_bytes_per_sequence, AT),
        derived("cache", f.kv_cache_bytes, AT), derived("weights", f.param_bytes, MODEL),
        derived("crossover", f.kv_crossover_batch, {**MODEL, **AT}),
    ]


def _panel(along: str, exps: tuple, title: str):
    """The batch's caches along ``along`` ("S" or "B", powers of two over ``exps``), the weights, the point."""
    names = {**AT, along: "datum.x"}
    base = alt.Chart(alt.sequence(exps[0], exps[1] + 1, as_="k")).transform_calculate(
        x="pow(2, datum.k)").transform_calculate(gb=f"({vega(f.kv_cache_bytes, names)}) / 1e9", w="weights / 1e9")
    x = alt.X("x:Q", scale=alt.Scale(type="log", base=2), title=title)
    y = alt.Y("gb:Q", scale=alt.Scale(type="log"), title="GB (1e9 bytes)")
    point = alt.Chart(alt.Data(values=[{}])).transform_calculate(x=AT[along], gb="cache / 1e9")
    return alt.layer(base.mark_line(), base.mark_line(color="#c03", strokeDash=[4, 3]).encode(x=x, y="w:Q"),
                     point.mark_point(filled=True, size=60, color="#1f77b4")).encode(x=x, y=y).properties(
        width=250, height=190)


def expected(model: str, dtype: str, log_ctx: int, log_batch: int) -> dict:
    """The page's numbers for a state of its controls, from the Python library."""
    r = kc.kv_memory(MODELS[model], kv_dtype=dtype, weights=dtype, context=2**log_ctx, batch=2**log_batch)
    return {"kvt": r.kv_bytes_per_token, "seq": r.sequence_bytes, "cache": r.cache_bytes, "weights": r.weight_bytes,
            "crossover": r.crossover_batch}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    charts = alt.hconcat(_panel("S", CONTEXT_EXP, "context S (tokens)"), _panel("B", BATCH_EXP, "batch B (sequences)"))
    return alt.vconcat(charts, numbers_chart(NUMBERS),
                       params=top_level(_params()),
                       title="KV caches (blue) against the weights (red), over context and over batch")


def explorers() -> list:
    controls = {"model": list(MODELS), "dtype": list(SERVING_PRECISIONS),
                "log_ctx": list(range(CONTEXT_EXP[0], CONTEXT_EXP[1] + 1)),
                "log_batch": list(range(BATCH_EXP[0], BATCH_EXP[1] + 1))}
    return [LiveExplorer(CHAPTER, CHAPTER, "KV cache vs weights", _chart, controls, NUMBERS, expected)]
