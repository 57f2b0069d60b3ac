"""Chapter 09 figures: time to first token over the prompt, the attention share, the measured prefill MFU."""

from ..analysis.prefill import ARTICLE_MFU, ATTENTION_SHARE, MeasuredMfu, Prefill, PrefillCurves
from ..present.prefill import (article_mfu_label, critical_label, measured_title, share_label, share_title,
                               tokens_label, ttft_title)
from . import Drawing, new_figure


def _create_prefill(here: Prefill, curves: PrefillCurves) -> Drawing:
    fig, (left, right) = new_figure(2, figsize=(8, 3.4))
    prompts = curves.prompts
    art = {
        "matmul": left.plot(prompts, curves.ttft_matmul, color="C0", ls="--", label="matmuls only (the article)")[0],
        "full": left.plot(prompts, curves.ttft, color="C0", label="with attention")[0],
        "pt": left.plot([here.prompt], [here.ttft], "o", color="C0")[0],
        "share": right.plot(prompts, 100 * curves.share, color="C1", label="attention / matmul FLOPs")[0],
        "ten": right.axhline(100 * ATTENTION_SHARE, color="0.4", ls=":", label=share_label()),
        "t10": right.axvline(curves.crossover, color="0.4", ls=":"),
        "share_pt": right.plot([here.prompt], [100 * here.share], "o", color="C1")[0],
        "left": left, "right": right,
    }
    left.set(xscale="log", yscale="log", xlabel="prompt length T (tokens)", ylabel="time to first token (s)")
    right.set(xscale="log", yscale="log", xlabel="prompt length T (tokens)", ylabel="attention share (%)")
    for ax in (left, right):
        ax.set_xticks(prompts[::2], [tokens_label(p) for p in prompts[::2]])
        ax.minorticks_off()
    left.legend(loc="upper left")
    right.legend(loc="upper left")
    return Drawing(fig, art)


def draw_prefill(drawing: Drawing | None, here: Prefill, curves: PrefillCurves) -> Drawing:
    """Left: TTFT over the prompt length, matmuls only and with attention. Right: the attention share."""
    drawing = _create_prefill(here, curves) if drawing is None else drawing
    art = drawing.art
    art["matmul"].set_ydata(curves.ttft_matmul)
    art["full"].set_ydata(curves.ttft)
    art["pt"].set_data([here.prompt], [here.ttft])
    art["share"].set_ydata(100 * curves.share)
    art["t10"].set_xdata([curves.crossover] * 2)
    art["share_pt"].set_data([here.prompt], [100 * here.share])
    art["left"].set_title(ttft_title(here))
    art["right"].set_title(share_title(here))
    for ax in (art["left"], art["right"]):
        ax.relim()
        ax.autoscale_view()
    return drawing


def _create_measured(data: MeasuredMfu) -> Drawing:
    fig, ax = new_figure(1, figsize=(7, 3.4))
    art = {"ax": ax, "runs": {}}
    for i, (run, values) in enumerate(data.runs.items()):
        art["runs"][run] = ax.plot(data.tokens, 100 * values, "o", color=f"C{i}", ms=4, alpha=0.8, label=run)[0]
    art["median"] = ax.plot(data.tokens, 100 * data.median, color="0.2", label="median")[0]
    ax.axhline(100 * ARTICLE_MFU, color="C3", ls="--", label=article_mfu_label())
    art["critical"] = ax.axvline(data.critical_batch, color="0.5", ls=":", label=critical_label(data))
    ax.set(xscale="log", xlabel="prompt length T (tokens)", ylabel="MFU (%)", ylim=(0, 100))
    ax.set_xticks(data.tokens[::2], [tokens_label(t) for t in data.tokens[::2]])
    ax.minorticks_off()
    ax.legend(loc="lower right", ncols=2)
    return Drawing(fig, art)


def draw_measured_mfu(drawing: Drawing | None, data: MeasuredMfu) -> Drawing:
    """Measured prefill MFU of one layer over the prompt length, per run and the median, with the article's 40 %."""
    drawing = _create_measured(data) if drawing is None else drawing
    art = drawing.art
    for run, values in data.runs.items():
        art["runs"][run].set_ydata(100 * values)
    art["median"].set_ydata(100 * data.median)
    art["critical"].set_xdata([data.critical_batch] * 2)
    art["ax"].set_title(measured_title(data))
    return drawing
