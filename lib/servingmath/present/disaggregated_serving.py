"""Chapter 10's words: the explorer's text and titles, the published ratios' table (from ``analysis.disaggregated_serving``)."""

from ..analysis.disaggregated_serving import Split, reported_ratios
from ..article import SOURCE_INPUTS
from ..data.disaggregated import REPORTED
from .tables import table
from .units import ms, num

#: The source's own inputs to its P:G answer (How to Scale Your Model, Part 8): "19ms per decode step at
#: batch size 43 (let's call that 32)", i.e. the HBM-full step time with 8.2e11 B/s and its max batch.
SOURCE_PD = {"step": SOURCE_INPUTS["step_19ms"], "batch": SOURCE_INPUTS["batch_43"], "batch_used": 32}


def ratio_titles(s: Split) -> tuple:
    """The two panels' titles: what each curve holds fixed."""
    return f"prompt {s.prompt:,}, decode {s.decode:,}", f"hit rate {s.hit:.0%}, decode {s.decode:,}"


def split_text(s: Split) -> str:
    """The explorer's text: both servers, what each finishes per second, and the ratio."""
    limit = "HBM-limited" if s.batch_limit == "HBM" else "TPOT-limited"
    name = s.chip.name
    return (f"decode:  {s.decode_chips} x {name}, batch {s.decode_batch} ({limit}), "
            f"step {ms(s.step_time)} -> {num(s.decode_rps)} requests/s\n"
            f"prefill: {s.prefill_chips} x {name}, {num(s.prefill_time)} s per prompt "
            f"(target {num(s.ttft_target)} s) -> {num(s.prefill_rps)} prompts/s\n"
            f"         {1 - s.hit:.0%} of each prompt recomputed (hit rate {s.hit:.0%})\n"
            f"ratio:   {num(s.server_ratio)} servers per decode server, "
            f"{num(s.chip_ratio)} chips per decode chip")


def reported_rows() -> list:
    """(system, setup, prefill:decode as published, as one number, unit) for the published allocations."""
    return [(r["system"], r["setup"], f"{r['prefill']}:{r['decode']}", f"{ratio:.2f}", r["unit"])
            for r, ratio in zip(REPORTED, reported_ratios())]


def reported_table() -> str:
    return table(reported_rows(), ("system", "setup", "prefill:decode", "ratio", "unit"))
