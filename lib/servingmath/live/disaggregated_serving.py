"""Chapter 10 live: prefill servers per decode server over the prefix-cache hit rate and the prompt, in the page.

The page sizes both servers as ``analysis.disaggregated_serving.split`` does, step by step from the printed
formulas: the decode batch (the smaller of the HBM's and the TPOT target's), its step, the smallest valid slice
that holds the weights and meets the TTFT target (unrolled over the chip's slices), the cached prefill, the ratios.
"""

import inspect
import json

import altair as alt
import sympy as sp

from ..analysis.disaggregated_serving import HITS, LLAMA, PROMPTS, V5E, split
from ..core import formulas as f
from ..core.precision import bytes_per_element
from . import LiveExplorer, Number, derived, numbers_chart, select, slider, top_level
from .vega import vega

CHAPTER = "disaggregated-serving"
DEFAULTS = {name: p.default for name, p in inspect.signature(split).parameters.items()}
WEIGHTS, MFU = DEFAULTS["weights"], DEFAULTS["mfu"]
PROMPT_EXP, DECODE_EXP = (9, 17), (5, 12)
HIT_PCT, TTFT_MS, TPOT_MS = (0, 95, 5), (250, 10000, 250), (5, 200, 5)
#: Why a workload cannot be split, by the code k (its numbers hold -k; the order ``split`` checks them in).
WHY = ("the decode server cannot hold the weights and one cache", "the TPOT target is below one sequence's step",
       "no slice prefills a prompt within the TTFT target")
FIT = "does not fit"     # what every number shows where the workload cannot be split (the value -k)
FAILS = {"decode_chips": 1, "tpot": 2, "ttft": 3}     # the control ``split``'s error names → its code
NUMBERS = {"decode_batch": Number("decode batch", ",.0f", 1, "sequences", FIT),
           "step_time": Number("decode step", ",.2f", 1e-3, "ms", FIT),
           "decode_rps": Number("one decode server finishes", ",.2f", 1, "requests/s", FIT),
           "prefill_chips": Number("prefill server", ",.0f", 1, "chips", FIT),
           "prefill_time": Number("prefill of one prompt", ",.3f", 1, "s", FIT),
           "prefill_rps": Number("one prefill server finishes", ",.2f", 1, "prompts/s", FIT),
           "server_ratio": Number("ratio", ",.2f", 1, "prefill servers per decode server", FIT),
           "chip_ratio": Number("in chips", ",.2f", 1, "prefill chips per decode chip", FIT)}
CONST = {"C": "h_C", "HBM": "h_M", "W_hbm": "h_W", "P": "m_P", "H": "m_H", "L": "m_L", "N_q": "m_Nq",
         "MFU": "mfu", "b_w": "b_w", "kv": "kv"}
INPUTS = {"hit": "hit", "prompt": "prompt", "decode": "decode", "ttft": "ttft", "tpot": "tpot",
          "decode_chips": "decode_chips", "one": "1"}
#: Decode servers: the slices that hold the weights and one cache of the shortest prompt and decode.
DECODE_CHIPS = [n for n in V5E.slices if n >= V5E.smallest_slice(f.memory_chips(
    B=1, HBM=V5E.hbm_bytes, P=LLAMA.param_count, S=2**PROMPT_EXP[0] + 2**DECODE_EXP[0],
    b_w=bytes_per_element(WEIGHTS, "weights"), kv=LLAMA.kv_bytes_per_token(WEIGHTS)))]
COLORS = ("#1f77b4", "#2ca02c", "#666666")


def _smallest_slice(need: str) -> str:
    """The chip's smallest valid slice of at least ``need`` chips, or -1 if none is that large."""
    text = "-1"
    for size in reversed(V5E.slices):
        text = f"({need} <= {size} ? {size} : {text})"
    return text


def _split(inputs: dict, ref) -> list:
    """``split``'s steps as (name, Vega expression); ``inputs`` and ``ref(name)`` say where each value is held."""
    at, steps = dict(inputs), []

    def add(name, expression):
        steps.append((name, expression))
        at[name] = ref(name)

    def v(expression, **symbols):
        return vega(expression, {**CONST, **{s: at[x] for s, x in symbols.items()}})

    decode = dict(N="decode_chips", S="context")
    prefill = dict(T="prompt", h="hit")
    add("context", f"{at['prompt']} + {at['decode']}")
    add("b_mem", v(f.max_batch, **decode))
    add("b_time", v(sp.floor(f.batch_for_step_time.expr), T_step="tpot", **decode))
    add("batch", f"min({at['b_mem']}, {at['b_time']})")
    add("step", v(f.step_time, B="batch", **decode))
    for_time = v(f.prefill_chips_for_ttft, T_prefill="ttft", **prefill)
    add("need", f"max({for_time}, {v(f.min_chips, B='one', S='prompt')})")
    add("pchips", _smallest_slice(at["need"]))
    add("t_prefill", v(f.prefill_time_cached, N="pchips", **prefill))
    add("fail", f"({at['b_mem']} < 1 ? 1 : ({at['b_time']} < 1 ? 2 : ({at['pchips']} < 0 ? 3 : 0)))")
    ratio = dict(B="batch", G="decode", T_step="step")
    add("servers", v(f.prefill_decode_ratio, T_prefill="t_prefill", **ratio))
    add("chips", v(f.prefill_decode_chip_ratio, N="decode_chips", **ratio, **prefill))
    return steps


def _params() -> list:
    const = {"h_C": V5E.flops_bf16, "h_M": V5E.hbm_bytes, "h_W": V5E.hbm_bw, "m_P": LLAMA.param_count,
             "m_H": LLAMA.head_dim, "m_L": LLAMA.layers, "m_Nq": LLAMA.heads, "mfu": MFU,
             "b_w": bytes_per_element(WEIGHTS, "weights"), "kv": LLAMA.kv_bytes_per_token(WEIGHTS)}
    shown = {"decode_batch": "batch", "step_time": "step", "prefill_chips": "pchips", "prefill_time": "t_prefill",
             "server_ratio": "servers", "chip_ratio": "chips",
             "decode_rps": vega(f.decode_requests_per_s, {"B": "batch", "G": "decode", "T_step": "step"}),
             "prefill_rps": vega(f.prefill_requests_per_s, {"T_prefill": "t_prefill"})}
    return [
        slider("hit_pct", "hit rate (%)", *HIT_PCT[:2], 0, HIT_PCT[2]),
        slider("log_prompt", "prompt T (log2 tokens)", *PROMPT_EXP, 13),
        slider("log_decode", "decode G (log2 tokens)", *DECODE_EXP, 9),
        slider("ttft_ms", "TTFT target (ms)", *TTFT_MS[:2], 2000, TTFT_MS[2]),
        slider("tpot_ms", "TPOT target (ms)", *TPOT_MS[:2], 50, TPOT_MS[2]),
        select("decode_chips", "decode chips", DECODE_CHIPS, 16),
        *(derived(name, repr(float(value)), {}) for name, value in const.items()),
        derived("hit", "hit_pct / 100", {}), derived("prompt", "pow(2, log_prompt)", {}),
        derived("decode", "pow(2, log_decode)", {}), derived("ttft", "ttft_ms / 1000", {}),
        derived("tpot", "tpot_ms / 1000", {}),
        *(derived(name, expression, {}) for name, expression in _split(INPUTS, lambda name: name)),
        *(derived(name, f"fail > 0 ? -fail : {expression}", {}) for name, expression in shown.items()),
    ]


def _panel(over: str, values, x, scale: float, legend):
    """Both ratios with ``over`` (the hit rate or the prompt) swept over ``values`` (drawn times ``scale``),
    1:1 and the current point."""
    base = alt.Chart(alt.Data(values=[{"x": float(v)} for v in values]))
    for name, expression in _split({**INPUTS, over: "datum.x"}, lambda name: f"datum.{name}"):
        base = base.transform_calculate(**{name: expression})
    per = alt.Scale(domain=["servers", "chips"], range=list(COLORS[:2]))
    dash = alt.Scale(domain=["servers", "chips"], range=[[1, 0], [5, 3]])
    lines = base.transform_filter("datum.fail === 0").transform_calculate(at=f"datum.x * {scale!r}").transform_fold(
        ["servers", "chips"], as_=["per", "ratio"]).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=x, y=alt.Y("ratio:Q", scale=alt.Scale(type="log"), title="prefill per decode"),
        color=alt.Color("per:N", scale=per, legend=legend), strokeDash=alt.StrokeDash("per:N", scale=dash, legend=None))
    here = alt.Chart(alt.Data(values=[{}])).transform_calculate(at=f"{over} * {scale!r}", ratio="server_ratio", one="1")
    point = here.transform_filter("server_ratio > 0").mark_point(filled=True, size=70, color=COLORS[0])
    return alt.layer(lines, here.mark_rule(color=COLORS[2], strokeDash=[2, 2]).encode(y="one:Q"),
                     point.encode(x="at:Q", y="ratio:Q")).properties(width=280, height=200)


def _verdict():
    """What limits the decode batch and how much of each prompt is recomputed (the kernel's text)."""
    limit = "(b_mem <= b_time ? 'HBM-limited' : 'TPOT-limited')"
    why = " : ".join(f"fail === {k} ? {json.dumps(w)}" for k, w in enumerate(WHY, 1))
    text = (f"fail > 0 ? {json.dumps(FIT + ': ')} + ({why} : '') : 'decode batch ' + {limit} + '; ' "
            "+ format(1 - hit, '.0%') + ' of each prompt recomputed (hit rate ' + format(hit, '.0%') + ')' "
            "+ '; dotted: 1:1'")
    return alt.Chart(alt.Data(values=[{}])).transform_calculate(line=text).mark_text(
        align="left", fontSize=13, fontWeight="bold").encode(x=alt.value(0), text="line:N").properties(
        width=640, height=20)


def expected(hit_pct: int, log_prompt: int, log_decode: int, ttft_ms: int, tpot_ms: int, decode_chips: int) -> dict:
    """The page's numbers for a state of its controls, from the Python library (-k: cannot split, ``WHY``)."""
    try:
        s = split(LLAMA, V5E, WEIGHTS, 2**log_prompt, 2**log_decode, hit_pct / 100, ttft_ms / 1000, tpot_ms / 1000,
                  decode_chips, mfu=MFU)
    except ValueError as error:
        return dict.fromkeys(NUMBERS, -FAILS[str(error).split(":")[0]])
    return {name: getattr(s, name) for name in NUMBERS}


def _chart():
    """The chart, built when the page (or a test of its spec) asks for it."""
    hit = alt.X("at:Q", title="prefix-cache hit rate h (%)", scale=alt.Scale(domain=[0, 100 * HITS[-1]]))
    prompt = alt.X("at:Q", scale=alt.Scale(type="log", base=2), title="prompt length T (tokens)",
                   axis=alt.Axis(values=[int(p) for p in PROMPTS[::2]], format=","))
    by_hit = _panel("hit", HITS, hit, 100.0, alt.Legend(title=None, orient="top-right")).properties(
        title=alt.Title(alt.ExprRef("'prompt ' + format(prompt, ',') + ', decode ' + format(decode, ',')")))
    by_prompt = _panel("prompt", PROMPTS, prompt, 1.0, None).properties(
        title=alt.Title(alt.ExprRef("'hit rate ' + format(hit, '.0%') + ', decode ' + format(decode, ',')")))
    panels = alt.hconcat(by_hit, by_prompt).resolve_scale(color="independent", strokeDash="independent")
    return alt.vconcat(panels, _verdict(), numbers_chart(NUMBERS, width=600),
                       params=top_level(_params()),
                       title=f"Prefill servers per decode server, {LLAMA.name} {WEIGHTS} on {V5E.label}")


def explorers() -> list:
    controls = {"hit_pct": list(range(HIT_PCT[0], HIT_PCT[1] + 1, HIT_PCT[2])),
                "log_prompt": list(range(PROMPT_EXP[0], PROMPT_EXP[1] + 1)),
                "log_decode": list(range(DECODE_EXP[0], DECODE_EXP[1] + 1)),
                "ttft_ms": list(range(TTFT_MS[0], TTFT_MS[1] + 1, TTFT_MS[2])),
                "tpot_ms": list(range(TPOT_MS[0], TPOT_MS[1] + 1, TPOT_MS[2])), "decode_chips": DECODE_CHIPS}
    return [LiveExplorer(CHAPTER, CHAPTER, "Prefill servers per decode server", _chart, controls, NUMBERS, expected)]
