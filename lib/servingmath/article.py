"""Every numeric claim of the article, with the article's own arithmetic and the exact value.

The article (a learner's summary of Part 8 of *How to Scale Your Model*) rounds its
inputs: 70e9 parameters, 160e3 KV bytes per token, 8.1e11 B/s. ``ARTICLE_INPUTS``
names those roundings; each ``Claim`` recomputes the stated number from them
(``article_calc``) and from the exact model and chip (``exact``), both through
``servingmath.formulas``, and says which of the two explains the stated figure.
The numbers tables of the chapters and the audit appendix are printed from here.
"""

from dataclasses import dataclass
import math

from . import formulas as f
from .chips import get_chip
from .models import get_model

V5E = get_chip("tpu-v5e")
V5E_2026 = get_chip("tpu-v5e-2026")
H100 = get_chip("h100")
V5P = get_chip("tpu-v5p")
LLAMA = get_model("llama-3-70b")

#: The rounded inputs the article computes with.
ARTICLE_INPUTS = {
    "params": 70e9,             # "70B params"; exact 70,552,387,584
    "kv_int8_per_token": 160e3,  # "160 kB"; exact 163,840 B = 160 KiB
    "h100_flops": 9.9e14,        # the article's table; datasheet 9.89e14
    "alpha_ici": 2189,           # "2,189" = C / W_ici (bidirectional) for v5e
    "beta_ici": 9,               # "9" = W_hbm / W_ici for v5e at 8.1e11
    "step_17ms": 0.017,          # the rounded BS=32 int8 step
    "prefill_091s": 0.91,        # the rounded prefill
    "batch_44": 44,
    "batch_143": 143,
    "kv_seq_bf16_gb": 2.62e9,    # "2.62 GB/seq" at 8k in bf16 with 160e3 x 2
}

CONTEXT = 8192
DECODE = 512

VERDICTS = {
    "correct": "reproduces (within the article's rounding)",
    "rounding": "rounded inputs; the exact value differs in the last digit(s)",
    "units": "right number, ambiguous or mixed units or dtype",
    "constants": "uses a different constant than the source now does",
    "error": "wrong: the arithmetic or the reasoning does not give this",
    "mixed": "mixes numbers from two configurations",
}


@dataclass(frozen=True)
class Claim:
    id: str
    chapter: str           # chapter slug that explains it
    quantity: str
    stated: str            # as printed in the article
    stated_value: float
    article_calc: float    # the article's own inputs, our arithmetic
    exact: float           # exact model and chip
    unit: str              # display unit: "", "GB", "ms", "s", "kB"
    verdict: str
    note: str

    def show(self, x: float) -> str:
        scale = {"GB": 1e9, "TB": 1e12, "kB": 1e3, "ms": 1e-3, "s": 1, "": 1}[self.unit]
        value = x / scale
        return f"{value:.4g} {self.unit}".strip()


def _kv_seq(dtype="int8", context=CONTEXT):
    return f.kv_bytes_per_sequence(S=context, kv=LLAMA.kv_bytes_per_token(dtype))


def _step(B, N, b_w, kv_dtype, chip=V5E, P=None):
    return f.step_time(B=B, C=chip.flops_bf16, N=N, P=LLAMA.param_count if P is None else P, S=CONTEXT,
                       W_hbm=chip.hbm_bw, b_w=b_w, kv=LLAMA.kv_bytes_per_token(kv_dtype))


def _max_batch(N, b_w, dtype, P=None, kv=None):
    return f.max_batch(HBM=V5E.hbm_bytes, N=N, P=LLAMA.param_count if P is None else P, S=CONTEXT, b_w=b_w,
                       kv=LLAMA.kv_bytes_per_token(dtype) if kv is None else kv)


def _qps(B, T, N):
    return f.qps_per_chip(B=B, G=DECODE, N=N, T_step=T)


def _claims():
    A = ARTICLE_INPUTS
    P, Pa = LLAMA.param_count, A["params"]
    kv8, kv8a = LLAMA.kv_bytes_per_token("int8"), A["kv_int8_per_token"]
    W, C = V5E.hbm_bw, V5E.flops_bf16
    fpd = lambda chip, flops=None: f.flops_per_dollar(C=flops or chip.flops_bf16, c=chip.price_per_hour)
    mem32 = f.total_bytes(B=32, P=P, S=CONTEXT, b_w=1, kv=kv8)
    mem32a = f.total_bytes(B=32, P=Pa, S=CONTEXT, b_w=1, kv=kv8a)
    step32 = _step(32, 8, 1, "int8")
    step32a = f.step_time_memory_bound(B=32, N=8, P=Pa, S=CONTEXT, W_hbm=W, b_w=1, kv=kv8a)
    full = f.step_time_full_hbm(HBM=V5E.hbm_bytes, W_hbm=W)
    bmax = {d: int(_max_batch(n, b, d)) for d, n, b in (("bf16", 16, 2), ("int8", 8, 1), ("int4", 4, 0.5))}
    bmax_a = {d: _max_batch(n, b, "bf16", P=Pa, kv=2 * kv8a) * 1 for d, n, b in (("bf16", 16, 2),)}
    t_full = {d: _step(bmax[d], n, b, d) for d, n, b in (("bf16", 16, 2), ("int8", 8, 1), ("int4", 4, 0.5))}
    b32 = int(_max_batch(32, 2, "bf16"))
    t32 = _step(b32, 32, 2, "bf16")
    kv_room_a = 32 * V5E.hbm_bytes - 2 * Pa
    tput = lambda B, T: B / T
    y_flops = lambda M, chip=V5E: f.ici_flops_bound(C=chip.flops_bf16, F=LLAMA.d_ff, M=M, W_ici=chip.ici_bw_bidi, b_a=2)
    y_hbm = lambda B, M: f.ici_hbm_bound(B=B, F=LLAMA.d_ff, M=M, W_hbm=W, W_ici=V5E.ici_bw_bidi, b_a=2, b_w=2)
    pre = lambda P_: f.prefill_time(C=C, MFU=0.4, N=16, P=P_, T=CONTEXT)
    bf16_32 = _step(32, 16, 2, "bf16")
    crit = lambda chip, compute, b: f.critical_batch(C=chip.flops(compute), W_hbm=chip.hbm_bw, b_w=b)
    return [
        Claim("flops-per-dollar-h100", "hardware-choice", "H100 FLOPs per dollar", "3.3e17", 3.3e17,
              fpd(H100, A["h100_flops"]), fpd(H100), "", "correct",
              "FLOP/s x 3600 / ($/h); the datasheet's 9.89e14 gives 3.297e17"),
        Claim("flops-per-dollar-v5p", "hardware-choice", "v5p FLOPs per dollar", "3.9e17", 3.9e17,
              fpd(V5P), fpd(V5P), "", "correct", "4.59e14 x 3600 / 4.2"),
        Claim("flops-per-dollar-v5e", "hardware-choice", "v5e FLOPs per dollar", "5.8e17", 5.8e17,
              fpd(V5E), fpd(V5E), "", "error", "1.97e14 x 3600 / 1.2 = 5.91e17: a rounding slip copied from the source"),
        Claim("kv-per-token", "kv-cache", "KV bytes per token (int8)", "160 kB", 160e3,
              kv8, kv8, "kB", "units",
              "2·K·H·L = 163,840 B = 160 KiB = 163.8 kB, and only in int8 (bf16 doubles it); the dtype is unstated"),
        Claim("kv-per-sequence-32k", "kv-cache", "KV per sequence at 32k (int8)", "5.3 GB", 5.3e9,
              f.kv_bytes_per_sequence(S=32768, kv=kv8a), _kv_seq("int8", 32768), "GB", "error",
              "160e3 x 32768 = 5.24 GB and the exact 163,840 x 32768 = 5.37 GB; 5.3 follows from the "
              "source's older 162e3"),
        Claim("kv-batch-240", "kv-cache", "KV of 240 sequences at 32k (int8)", "1.3 TB", 1.3e12,
              f.kv_cache_bytes(B=240, S=32768, kv=kv8a), f.kv_cache_bytes(B=240, S=32768, kv=kv8), "TB", "correct",
              "1.26 TB with 160e3, 1.29 TB exact"),
        Claim("params-int8", "kv-cache", "Parameter bytes (int8)", "70 GB", 70e9,
              Pa, f.param_bytes(P=P, b_w=1), "GB", "rounding", "exact count 70,552,387,584 (attention + MLP + embeddings)"),
        Claim("kv-bs32", "worked-numbers", "KV caches, 32 x 8k (int8)", "41.9 GB", 41.9e9,
              f.kv_cache_bytes(B=32, S=CONTEXT, kv=kv8a), f.kv_cache_bytes(B=32, S=CONTEXT, kv=kv8), "GB",
              "rounding", "160e3 B/token is decimal kB; the exact 163,840 B gives 42.9 GB"),
        Claim("memory-bs32", "worked-numbers", "Total memory, BS=32 int8", "~112 GB", 112e9,
              mem32a, mem32, "GB", "rounding", "113.5 GB with the exact parameter count and KV size"),
        Claim("chips-bs32", "worked-numbers", "Chips for 112 GB", "7 chips", 7,
              f.memory_chips(B=32, HBM=V5E.hbm_bytes, P=Pa, S=CONTEXT, b_w=1, kv=kv8a),
              f.memory_chips(B=32, HBM=V5E.hbm_bytes, P=P, S=CONTEXT, b_w=1, kv=kv8), "", "rounding",
              "7.09 exact; neither 7 nor 8 leaves headroom, and 7 is no slice: round up to 4x2 = 8"),
        Claim("step-bs32", "worked-numbers", "Decode step, BS=32 int8 on 8 chips", "17 ms", 0.017,
              step32a, step32, "ms", "rounding", "memory-bound: the FLOPs term (2.9 ms) is below the weight read"),
        Claim("tput-bs32", "worked-numbers", "Throughput per chip, BS=32 int8", "235 tok/s/chip", 235,
              f.tokens_per_s_per_chip(B=32, N=8, T_step=A["step_17ms"]),
              f.tokens_per_s_per_chip(B=32, N=8, T_step=step32), "", "rounding",
              "32 / 0.017 / 8 uses the rounded 17 ms; 17.28 ms gives 231, the exact 17.5 ms gives 228"),
        Claim("step-bs32-4x4", "worked-numbers", "Decode step on 4x4", "8.5 ms", 0.0085,
              step32a / 2, _step(32, 16, 1, "int8"), "ms", "rounding", "half of 17.3 ms is 8.6 ms; exact 8.8 ms"),
        Claim("bcrit-bf16", "critical-batch", "B_crit, bf16 weights + bf16 FLOPs", "240", 240,
              crit(V5E, "bf16", 2), crit(V5E, "bf16", 2), "", "constants",
              "1.97e14 / 8.1e11 = 243; 240 needs the source's 8.2e11"),
        Claim("bcrit-int8-bf16", "critical-batch", "B_crit, int8 weights + bf16 FLOPs", "120", 120,
              crit(V5E, "bf16", 1), crit(V5E, "bf16", 1), "", "constants", "243 / 2 = 122 at 8.1e11; 120 at 8.2e11"),
        Claim("bcrit-int8-int8", "critical-batch", "B_crit, int8 weights + int8 FLOPs", "240", 240,
              crit(V5E, "int8", 1), crit(V5E, "int8", 1), "", "constants",
              "right cancellation; the source's beta·alpha form would give 486 here"),
        Claim("params-bf16", "minimum-topology", "Parameter bytes (bf16)", "140 GB", 140e9,
              2 * Pa, f.param_bytes(P=P, b_w=2), "GB", "rounding", "141.1 GB exact"),
        Claim("params-int4", "minimum-topology", "Parameter bytes (int4)", "35 GB", 35e9,
              Pa / 2, f.param_bytes(P=P, b_w=0.5), "GB", "rounding",
              "35.3 GB exact; the source's table still says 2.81 chips (from an old 45 GB), it is 2.2"),
        Claim("max-batch-full", "minimum-topology", "Max batch, HBM full, 8k", "~44 seqs", 44,
              math.floor(bmax_a["bf16"]), bmax["bf16"], "", "error",
              "44 needs the decimal 160e3 B/token; at the true 327,680 B (bf16) 44 sequences need 118 GB beside "
              "140 GB of weights on 256 GB: 43 fit with 70e9 parameters, 42 with the exact count"),
        Claim("step-full", "minimum-topology", "Step time, HBM full", "19.8 ms", 0.0198,
              full, t_full["bf16"], "ms", "correct",
              "16e9 / 8.1e11 = 19.75 ms with HBM exactly full, for every precision; with the 42 sequences "
              "that really fit, 19.6 ms"),
        Claim("qps-bf16", "qps-per-chip", "QPS per chip, bf16 on 16", "0.27", 0.27,
              _qps(A["batch_44"], 0.020, 16), _qps(bmax["bf16"], t_full["bf16"], 16), "", "rounding",
              "44 / (0.020 x 512 x 16); exact batch 42 at 19.6 ms gives 0.26"),
        Claim("qps-int8", "qps-per-chip", "QPS per chip, int8 on 8", "0.54", 0.54,
              _qps(A["batch_44"], 0.020, 8), _qps(bmax["int8"], t_full["int8"], 8), "", "rounding",
              "twice bf16: same batch and step on half the chips"),
        Claim("qps-int4", "qps-per-chip", "QPS per chip, int4 on 4", "1.07", 1.07,
              _qps(A["batch_44"], 0.020, 4), _qps(bmax["int4"], t_full["int4"], 4), "", "rounding",
              "the article rounds the step to 20 ms; with its own 19.8 ms it would print 1.09"),
        Claim("qps-ratio", "qps-per-chip", "int4 vs bf16 QPS per chip", "4x", 4,
              4, _qps(bmax["int4"], t_full["int4"], 4) / _qps(bmax["bf16"], t_full["bf16"], 16), "", "correct",
              "same batch, same step, a quarter of the chips"),
        Claim("kv-room-4x8", "doubling-topology", "HBM left for KV on 4x8 (bf16)", "372 GB", 372e9,
              kv_room_a, 32 * V5E.hbm_bytes - f.param_bytes(P=P, b_w=2), "GB", "rounding", "370.9 GB exact"),
        Claim("max-batch-4x8", "doubling-topology", "Max batch on 4x8 (bf16)", "143", 143,
              kv_room_a / A["kv_seq_bf16_gb"], b32, "", "error",
              "372 / 2.62 = 142.0, not 143, and 143 x 2.62 GB = 375 GB > 372 GB; exactly 138 fit"),
        Claim("tput-gain-total", "doubling-topology", "Total throughput gain, 4x4 -> 4x8", "3.3x", 3.3,
              A["batch_143"] / A["batch_44"], tput(b32, t32) / tput(bmax["bf16"], t_full["bf16"]), "", "correct",
              "143 / 44 = 3.25; exact 138 and 42 sequences at their own step times give 3.26"),
        Claim("tput-gain-chip", "doubling-topology", "Per-chip throughput gain", "1.6x", 1.6,
              A["batch_143"] / A["batch_44"] / 2, tput(b32, t32) / tput(bmax["bf16"], t_full["bf16"]) / 2, "",
              "correct", "half the total gain: super-linear because the weights are paid for once"),
        Claim("alpha-ici", "ici-bounds", "ICI arithmetic intensity alpha", "2,189", 2189,
              C / V5E.ici_bw_bidi, C / V5E.ici_bw_bidi, "", "correct", "C / W_ici with the bidirectional 9e10 B/s"),
        Claim("ici-flops-bound", "ici-bounds", "FLOPs-ICI bound on chips", "26", 26,
              2 * LLAMA.d_ff / A["alpha_ici"], y_flops(2), "", "correct",
              "the factor 2 is M = 2 mesh axes (4x8 shards over both), not a constant"),
        Claim("ici-hbm-bound", "ici-bounds", "HBM-ICI bound on chips at B=143", "22", 22,
              LLAMA.d_ff / (A["batch_143"] * A["beta_ici"]), y_hbm(A["batch_143"], 1), "", "mixed",
              "computed for M = 1 while the FLOPs bound uses M = 2; with M = 2 it is 44.6"),
        Claim("ici-verdict", "ici-bounds", "Chips before ICI binds (4x8, B=143)", "~22-26", 22,
              min(2 * LLAMA.d_ff / A["alpha_ici"], LLAMA.d_ff / (A["batch_143"] * A["beta_ici"])),
              max(y_flops(2), y_hbm(A["batch_143"], 2)), "", "error",
              "ICI binds only when it is slower than both FLOPs and HBM: the threshold is the max of the bounds "
              "(44.6 > 32), not the min; but a 4x8 slice has no wraparound, which halves W_ici (22.3)"),
        Claim("prefill-8k", "prefill", "Prefill of 8192 tokens, 16 chips, 40% MFU", "0.91 s", 0.91,
              pre(Pa), pre(P), "s", "correct", "0.910 s with 70e9 parameters, 0.917 s exact; attention FLOPs left out"),
        Claim("pd-ratio", "disaggregated-serving", "Prefill:decode servers", "3", 3,
              f.prefill_decode_ratio(B=32, G=DECODE, T_prefill=A["prefill_091s"], T_step=A["step_17ms"]),
              f.prefill_decode_ratio(B=32, G=DECODE, T_prefill=pre(P), T_step=bf16_32), "", "mixed",
              "0.91 x 32 / (0.017 x 512) = 3.35, not 3; 17 ms is the int8 8-chip step. A consistent bf16 "
              "BS=32 step on 16 chips (17.5 ms) gives 3.27"),
    ]


_CACHE = {}


def claims() -> dict:
    """All claims by id (computed once)."""
    if not _CACHE:
        _CACHE.update({c.id: c for c in _claims()})
    return _CACHE


def claims_for(chapter: str) -> list:
    return [c for c in claims().values() if c.chapter == chapter]


def claims_table(chapter: str | None = None) -> str:
    """The numbers table: quantity · article · its own arithmetic · exact · verdict."""
    from .display import table
    rows = [(c.quantity, c.stated, c.show(c.article_calc), c.show(c.exact), c.verdict)
            for c in (claims().values() if chapter is None else claims_for(chapter))]
    return table(rows, ("quantity", "article", "article's arithmetic", "exact", "verdict"))
