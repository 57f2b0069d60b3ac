"""Chapter 10's words: its tables, the explorer's text and titles, the published ratios' table (from
``analysis.disaggregated_serving``)."""

import textwrap

from ..analysis.disaggregated_serving import Split, reported_ratios
from ..article import SOURCE_INPUTS
from ..data.disaggregated import REPORTED
from .tables import Table, table
from .units import duration, gb, ms, num

#: Characters of a line of text the page shows in monospace.
WIDTH = 80

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
    lines = [f"decode:  {s.decode_chips} x {name}, batch {s.decode_batch} ({limit}), "
             f"step {ms(s.step_time)} -> {num(s.decode_rps)} requests/s",
             f"prefill: {s.prefill_chips} x {name}, {num(s.prefill_time)} s per prompt "
             f"(target {num(s.ttft_target)} s) -> {num(s.prefill_rps)} prompts/s",
             f"         {1 - s.hit:.0%} of each prompt recomputed (hit rate {s.hit:.0%})",
             f"ratio:   {num(s.server_ratio)} servers per decode server, "
             f"{num(s.chip_ratio)} chips per decode chip"]
    return "\n".join(textwrap.fill(line, WIDTH, subsequent_indent=" " * 9) for line in lines)


def readings_table(readings: list) -> Table:
    """The article's P:G inputs read several ways (``analysis.disaggregated_serving.Reading``)."""
    return table([(r.name, f"{r.prefill_time:.3f} s", r.batch, ms(r.step_time), f"{r.ratio:.2f}") for r in readings],
                 ("reading", "T_prefill", "B", "T_step", "P/G servers"))


def split_table(splits: dict) -> Table:
    """Both pools, ``{label: Split}``: the decode batch and step, the prefill server and time, the ratio."""
    return table([(label, s.decode_batch, ms(s.step_time), s.prefill_chips, f"{s.prefill_time:.3f} s",
                   f"{s.server_ratio:.2f}", f"{s.chip_ratio:.2f}") for label, s in splits.items()],
                 ("setting", "decode B", "T_step", "prefill chips", "T_prefill", "servers", "chips"))


def mooncake_table(naive: Split, rows: list, hit: float) -> Table:
    """Mooncake's workload through the chapter's formulas (``analysis.disaggregated_serving.mooncake_gap``)."""
    head = [("decode node", f"batch {naive.decode_batch} ({naive.batch_limit}-limited), step {ms(naive.step_time)}, "
                            f"{naive.decode_rps:.1f} requests/s"),
            ("prefill node", f"{naive.prefill_time:.2f} s per prompt")]
    return table(head + [(name, f"{ratio:.1f} prefill nodes per decode node") for name, ratio in rows]
                 + [("hit rate that brings it to 1:1", f"{hit:.1%}")], ("Mooncake's workload", "value"))


def transfer_table(transfers: list) -> Table:
    """One sequence's KV cache over each link (``analysis.disaggregated_serving.kv_transfer``)."""
    return table([(t.link, f"{num(t.w_link)} B/s", gb(t.bytes), duration(t.time), f"{t.share:.1%}",
                   duration(t.exposed)) for t in transfers],
                 ("link", "W_link", "cache", "transfer", "of the prefill", "left after per-layer overlap"))


def reported_rows() -> list:
    """(system, setup, prefill:decode as published, as one number, unit) for the published allocations."""
    return [(r["system"], r["setup"], f"{r['prefill']}:{r['decode']}", f"{ratio:.2f}", r["unit"])
            for r, ratio in zip(REPORTED, reported_ratios())]


def reported_table() -> str:
    return table(reported_rows(), ("system", "setup", "prefill:decode", "ratio", "unit"))
