"""Chapter 09 figures: time to first token over the prompt, the attention share, the measured prefill MFU."""

import numpy as np
import sympy as sp

from .. import formulas as f
from .. import measured
from ..checks import check_count, check_fraction
from ..chips import check_chips, get_chip
from ..display import gb, num
from ..models import get_model
from ..precision import bytes_per_element
from ..symbols import H, L, N_q, P, T
from . import explorer, new_figure

PROMPTS = 2.0 ** np.arange(9, 18)   # 512 ... 131072 tokens
ARTICLE_MFU = 0.4                    # the article's assumption


def attention_crossover(model="llama-3-70b", share=0.1) -> float:
    """Prompt length at which attention FLOPs reach ``share`` of the matmul FLOPs (solved with SymPy)."""
    m = get_model(model)
    values = {N_q: m.heads, H: m.head_dim, L: m.layers, P: m.param_count}
    solution = sp.solve(sp.Eq(f.attention_flops_share.expr.subs(values), sp.nsimplify(share)), T)
    return float(solution[0])


def prefill_numbers(model="llama-3-70b", chip="tpu-v5e", chips=16, mfu=ARTICLE_MFU, weights="bf16",
                    prompt=8192) -> dict:
    """Prefill of one prompt: TTFT without and with attention FLOPs, the attention share, tokens/s."""
    m, hw = get_model(model), get_chip(chip)
    prompt = check_count("prompt", prompt)
    chips = check_chips(hw, chips)
    mfu = check_fraction("mfu", mfu)
    b_w = bytes_per_element(weights, "weights")
    kvt = m.kv_bytes_per_token(weights)
    need = f.total_bytes(B=1, P=m.param_count, S=prompt, b_w=b_w, kv=kvt)
    if need > chips * hw.hbm_bytes:
        raise ValueError(f"chips: {chips} x {hw.name} hold {gb(chips * hw.hbm_bytes)}, less than the {weights} "
                         f"weights plus one {prompt:,}-token cache ({gb(need)})")
    s = m.symbols
    common = dict(C=hw.flops_bf16, MFU=mfu, N=chips, P=m.param_count)
    matmul = f.prefill_time(T=prompt, **common)
    full = f.prefill_time_with_attention(T=prompt, H=s["H"], L=s["L"], N_q=s["N_q"], **common)
    share = f.attention_flops_share(H=s["H"], L=s["L"], N_q=s["N_q"], P=m.param_count, T=prompt)
    return {"model": m, "chip": hw, "chips": chips, "mfu": mfu, "prompt": prompt, "weights": weights,
            "ttft_matmul": matmul, "ttft": full, "share": share, "tokens_per_s": prompt / full}


@explorer
def prefill_view(fig=None, prompt=8192, chips=16, mfu=ARTICLE_MFU, weights="bf16", model="llama-3-70b",
                 chip="tpu-v5e"):
    """Left: TTFT over the prompt length, matmuls only and with attention. Right: attention share."""
    here = prefill_numbers(model, chip, chips, mfu, weights, prompt)
    m, hw = here["model"], here["chip"]
    s = m.symbols
    common = dict(C=hw.flops_bf16, MFU=np.full_like(PROMPTS, here["mfu"]), N=np.full_like(PROMPTS, here["chips"]),
                  P=np.full_like(PROMPTS, m.param_count))
    matmul = f.prefill_time(T=PROMPTS, **common)
    full = f.prefill_time_with_attention(T=PROMPTS, H=np.full_like(PROMPTS, s["H"]), L=np.full_like(PROMPTS, s["L"]),
                                         N_q=np.full_like(PROMPTS, s["N_q"]), **common)
    share = f.attention_flops_share(H=np.full_like(PROMPTS, s["H"]), L=np.full_like(PROMPTS, s["L"]),
                                    N_q=np.full_like(PROMPTS, s["N_q"]), P=np.full_like(PROMPTS, m.param_count),
                                    T=PROMPTS)
    t10 = attention_crossover(m, 0.1)
    if fig is None:
        fig, (left, right) = new_figure(2, figsize=(8, 3.4))
        art = {
            "matmul": left.plot(PROMPTS, matmul, color="C0", ls="--", label="matmuls only (the article)")[0],
            "full": left.plot(PROMPTS, full, color="C0", label="with attention")[0],
            "pt": left.plot([prompt], [here["ttft"]], "o", color="C0")[0],
            "share": right.plot(PROMPTS, 100 * share, color="C1", label="attention / matmul FLOPs")[0],
            "ten": right.axhline(10, color="0.4", ls=":", label="10 %"),
            "t10": right.axvline(t10, color="0.4", ls=":"),
            "share_pt": right.plot([prompt], [100 * here["share"]], "o", color="C1")[0],
            "left": left, "right": right,
        }
        left.set(xscale="log", yscale="log", xlabel="prompt length T (tokens)", ylabel="time to first token (s)")
        right.set(xscale="log", yscale="log", xlabel="prompt length T (tokens)", ylabel="attention share (%)")
        for ax in (left, right):
            ax.set_xticks(PROMPTS[::2], [f"{int(p):,}" for p in PROMPTS[::2]])
            ax.minorticks_off()
        left.legend(loc="upper left")
        right.legend(loc="upper left")
        fig._servingmath = art
    art = fig._servingmath
    art["matmul"].set_ydata(matmul)
    art["full"].set_ydata(full)
    art["pt"].set_data([prompt], [here["ttft"]])
    art["share"].set_ydata(100 * share)
    art["t10"].set_xdata([t10] * 2)
    art["share_pt"].set_data([prompt], [100 * here["share"]])
    art["left"].set_title(f"{here['chips']} x {hw.label}, MFU {here['mfu']:.0%}")
    art["right"].set_title(f"{m.name}: the same at any chip count")
    for ax in (art["left"], art["right"]):
        ax.relim()
        ax.autoscale_view()
    text = (f"{m.name}, {prompt:,}-token prompt, {here['chips']} x {hw.name}, MFU {here['mfu']:.0%}, "
            f"{weights} weights\n"
            f"TTFT {num(here['ttft_matmul'])} s from the matmuls alone (the article's formula)\n"
            f"TTFT {num(here['ttft'])} s with attention (+{here['share']:.1%}), {here['tokens_per_s']:,.0f} tokens/s\n"
            f"attention reaches 10% of the matmul FLOPs at {t10:,.0f} tokens")
    return fig, text


def measured_prefill_mfu(chip="h100") -> dict:
    """MFU of one measured LLaMA-3-70B-shaped layer per prompt length and run (matmul + attention FLOPs).

    Returns ``tokens``, ``runs`` ({run: array}), ``median``, ``low`` and ``high`` over the runs, and the
    matmul-only MFU (``matmul_median``) that the article's formula would infer from the same times.
    """
    hw, m = get_chip(chip), get_model("llama-3-70b")   # the measured layers have LLaMA 3-70B's shapes
    runs, matmul_only = {}, {}
    for run in measured.RUNS:
        d = measured.table("prefill_layer", run)
        seconds = d["time_us_median"] * 1e-6
        ones = np.ones_like(seconds)
        # one layer on one chip: P = the layer's parameters, L = 1, N = 1
        runs[run] = f.prefill_mfu(C=hw.flops_bf16, H=m.head_dim * ones, L=ones, N=ones, N_q=m.heads * ones,
                                  P=d["layer_params"], T=d["tokens"], T_prefill=seconds)
        matmul_only[run] = f.prefill_matmul_flops(P=d["layer_params"], T=d["tokens"]) / (seconds * hw.flops_bf16)
        tokens = d["tokens"]
    stack = np.vstack(list(runs.values()))
    return {"tokens": tokens, "runs": runs, "median": np.median(stack, axis=0), "low": stack.min(axis=0),
            "high": stack.max(axis=0), "matmul_median": np.median(np.vstack(list(matmul_only.values())), axis=0),
            "chip": hw}


def measured_mfu(fig=None, chip="h100"):
    """Measured prefill MFU of one layer on an H100 over the prompt length, with the article's 40 %."""
    data = measured_prefill_mfu(chip)
    hw = data["chip"]
    crit = f.critical_batch(C=hw.flops_bf16, W_hbm=hw.hbm_bw, b_w=2)
    if fig is None:
        fig, ax = new_figure(1, figsize=(7, 3.4))
        for i, (run, values) in enumerate(data["runs"].items()):
            ax.plot(data["tokens"], 100 * values, "o", color=f"C{i}", ms=4, alpha=0.8, label=run)
        ax.plot(data["tokens"], 100 * data["median"], color="0.2", label="median")
        ax.axhline(100 * ARTICLE_MFU, color="C3", ls="--", label="the article's 40 %")
        ax.axvline(crit, color="0.5", ls=":", label=f"critical batch {crit:.0f}")
        ax.set(xscale="log", xlabel="prompt length T (tokens)", ylabel="MFU (%)", ylim=(0, 100),
               title=f"one LLaMA-3-70B layer, bf16, on {hw.label}")
        ax.set_xticks(data["tokens"][::2], [f"{int(t):,}" for t in data["tokens"][::2]])
        ax.minorticks_off()
        ax.legend(loc="lower right", ncols=2)
    best = int(np.argmax(data["median"]))
    text = (f"median MFU {data['median'].min():.0%} to {data['median'].max():.0%} "
            f"(highest at {int(data['tokens'][best]):,} tokens); the article assumes {ARTICLE_MFU:.0%}")
    return fig, text
