"""Chapter 05 in words: the tables of slices, full slices and the measured fp8 speed-up, the audit's table of
the HBM-full batch input set by input set, and the topology explorer's title and text."""

from ..analysis.critical_batch import critical_batch
from ..analysis.minimum_topology import LLAMA, Speedup, Topology, topology_row
from ..article import ARTICLE_INPUTS, SOURCE_INPUTS
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.precision import SERVING_PRECISIONS
from .tables import Table, table
from .units import gb, ms, num

#: The context of the chapter's tables and of the article's batch.
CONTEXT = 8192


def slices_table(rows: dict) -> Table:
    """Each precision's weights, the chips they fill, the smallest slice and the HBM it leaves for KV caches."""
    return table([(p, gb(r.weight_bytes, 4), num(r.chips_needed), r.chips, gb(r.kv_room, 4), f"{r.kv_per_token:,.0f} B")
                  for p, r in rows.items()],
                 ("precision", "weights", "chips they fill", "smallest slice", "HBM left for KV", "KV per token"))


def full_slices_table(rows: dict, chip: Chip) -> Table:
    """Each precision on its smallest slice with HBM full: k, the batch, the step beside HBM / W_hbm, B_crit."""
    full = ms(f.step_time_full_hbm(HBM=chip.hbm_bytes, W_hbm=chip.hbm_bw))
    return table([(p, r.chips, f"{r.hbm_over_weights:.4f}", r.batch, ms(r.step), full,
                   num(critical_batch(chip, p, "bf16"), 4)) for p, r in rows.items()],
                 ("precision", "chips", "k", "max batch", "step", "HBM / W_hbm", "B_crit (bf16 FLOPs)"))


def speedup_table(s: Speedup) -> Table:
    """The measured bf16 and fp8 steps of one layer by batch and context, their ratio and the roofline's."""
    columns = zip(s.batch, s.context, s.weight_bytes_bf16, s.kv_bytes, s.time_bf16, s.time_fp8, s.measured,
                  s.predicted)
    return table([(int(b), int(c), f"{w / 1e6:,.0f}", f"{kv / 1e6:,.0f}", f"{tb * 1e6:,.0f}", f"{t8 * 1e6:,.0f}",
                   f"{m:.2f}", f"{p:.2f}") for b, c, w, kv, tb, t8, m, p in columns],
                 ("batch", "context", "weights MB (bf16)", "KV MB", "bf16 µs", "fp8 µs", "speed-up", "roofline"))


def audit_tables() -> list:
    """The audit appendix's extra table: bf16 on 16 chips at 8,192 tokens with HBM full, one input set a row."""
    A, S, v5e = ARTICLE_INPUTS, SOURCE_INPUTS, CHIPS["tpu-v5e-article"]
    kv_bf16 = LLAMA.kv_bytes_per_token("bf16")
    sets = (("the article: 70e9 parameters, 2 x 160e3 B per token", v5e, A["params"], 2 * A["kv_int8_per_token"],
             "~44, 19.8 ms"),
            ("the source: 70e9 parameters, 324e3 B per token, 8.2e11 B/s", CHIPS["tpu-v5e-source"], S["params"],
             S["kv_bf16_per_token"], "43, 19 ms"),
            ("70e9 parameters, 327,680 B per token", v5e, A["params"], kv_bf16, ""),
            (f"exact: {LLAMA.param_count:,} parameters, 327,680 B per token", v5e, LLAMA.param_count, kv_bf16, ""),
            ("exact, on the datasheet chip (16 GiB, 8.19e11 B/s)", CHIPS["tpu-v5e"], LLAMA.param_count, kv_bf16, ""))
    rows = [(name, f"{f.batch_fill(HBM=chip.hbm_bytes, N=16, P=params, S=CONTEXT, b_w=2, kv=kv):.2f}",
             int(f.max_batch(HBM=chip.hbm_bytes, N=16, P=params, S=CONTEXT, b_w=2, kv=kv)),
             ms(f.step_time_full_hbm(HBM=chip.hbm_bytes, W_hbm=chip.hbm_bw), 4), printed)
            for name, chip, params, kv, printed in sets]
    return [("The HBM-full batch and step of bf16 weights on 16 chips at 8,192 tokens, one input set a row",
             table(rows, ("inputs", "sequences that fill HBM", "max batch", "step, HBM / W_hbm", "printed")))]


def topology_title(t: Topology) -> str:
    return f"{t.chip.label}, context {t.context:,}; circles: smallest slice"


def topology_text(t: Topology) -> str:
    r = t.rows[t.precision]
    return (f"{t.precision} weights: {gb(r.weight_bytes)} = {num(r.chips_needed)} chips of "
            f"{gb(t.chip.hbm_bytes)} -> smallest slice {r.chips}\n"
            f"max batch at {t.context:,} tokens: {r.batch} sequences; step {ms(r.step)} "
            f"(HBM/W_hbm {ms(t.step_full_hbm)})\n"
            "on their smallest slices: " + ", ".join(f"{p} {t.rows[p].batch} on {t.rows[p].chips}"
                                                      for p in SERVING_PRECISIONS))


def context_label(context: int, what: str) -> str:
    """A legend entry of the speed-up figure: one context, ``what`` = "measured" or "roofline"."""
    return f"context {context:,}: {what}"


def speedup_title(s: Speedup) -> str:
    return f"One LLaMA 3-70B layer on one H100 ({s.run}, CUDA graphs); roofline: {s.chip.label}"


def speedup_text(s: Speedup) -> str:
    return (f"speed-up from fp8 weights, measured: {num(s.measured.min())}x to {num(s.measured.max())}x\n"
            f"roofline ({s.chip.name}): {num(s.predicted.min())}x to {num(s.predicted.max())}x")
