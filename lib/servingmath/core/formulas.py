"""Every formula of the article and its source, each built once from the named symbols.

Each entry is a ``Formula``: ``.expr`` is the SymPy expression a chapter shows and
manipulates; calling it runs the numeric function lambdified from that expression.
Quantities defined by an equation (the critical batch, the ICI bounds) are solved
for here with SymPy, so the closed form and its derivation cannot disagree. Such a
derivation is a function of no arguments: it runs the first time the formula is used.
Equations are solved with ``solveset`` (every symbol is positive, so each has one root).
"""

import sympy as sp

from .formula import Formula
from .symbols import (B, C, D, E, F, F_e, F_s, G, H, H_n, H_r, H_v, HBM, K, L, L_e, L_w, M, MFU, N, N_q, P,
                      P_attn, P_dense, P_e, P_vis, P_x, S, S_w, T, T_c, T_ici, T_prefill, T_step, U, V, W_c, W_hbm, W_ici,
                      W_link, W_mm, Y, alpha, b_a, b_kv, b_w, beta, c, h, k, kv, kv_seq, lam, n_emb, n_hop, n_mlp, nu, r,
                      r_kv, r_q, t_hop, w_s)



def solved(lhs, rhs, x):
    """The one root of ``lhs = rhs`` in ``x`` (SymPy's ``solveset``; the symbols are positive)."""
    (root,) = sp.solveset(sp.Eq(lhs, rhs), x)
    return root


# --- Chapter 01: the hardware choice -------------------------------------------------
flops_per_dollar = Formula("flops_per_dollar", r"\mathrm{FLOPs}/\$", lambda: C * 3600 / c, "01",
                           "Peak FLOPs bought with one dollar of chip time")
bytes_per_dollar = Formula("bytes_per_dollar", r"\mathrm{bytes}/\$", lambda: W_hbm * 3600 / c, "01",
                           "HBM bytes read with one dollar of chip time (the metric when decode is bandwidth-bound)")
cost_per_million_tokens = Formula("cost_per_million_tokens", r"\$/10^6\,\mathrm{tokens}",
                                  # kept unevaluated so it reads 10^6 c / (3600 U r), not 2500 c / (9 U r)
                                  lambda: sp.Mul(c, sp.Pow(sp.Mul(3600, r, U, evaluate=False), -1, evaluate=False),
                                         sp.Pow(10, 6, evaluate=False), evaluate=False), "01",
                                  "Dollars per million tokens at r tokens/s/chip, busy a fraction U of the time")

# --- Chapter 02: the KV cache ---------------------------------------------------------
param_count = Formula("param_count", "P", lambda: L * (2 * D * N_q * H + 2 * D * K * H + 3 * D * F) + n_emb * V * D, "02",
                      "Parameters: attention (Q, K, V, O) + gated MLP per layer, plus n_emb embedding matrices")
param_bytes = Formula("param_bytes", r"P_{\mathrm{bytes}}", lambda: P * b_w, "02", "Bytes of the weights")
kv_bytes_per_token = Formula("kv_bytes_per_token", r"\mathrm{KV}", lambda: 2 * K * H * L * b_kv, "02",
                             "KV-cache bytes per token: a key and a value per KV head, per layer")
kv_bytes_per_sequence = Formula("kv_bytes_per_sequence", r"\mathrm{KV}_{\mathrm{seq}}", lambda: S * kv, "02",
                                "KV-cache bytes of one sequence of S tokens")
kv_cache_bytes = Formula("kv_cache_bytes", r"\mathrm{KV}_{\mathrm{total}}", lambda: B * S * kv, "02",
                         "KV-cache bytes of a batch of B sequences")
kv_bytes_per_token_mha = Formula("kv_bytes_per_token_mha", r"\mathrm{KV}_{\mathrm{MHA}}", lambda: 2 * N_q * H * L * b_kv, "02",
                                 "KV bytes per token if every query head kept its own keys and values (no GQA)")
kv_bytes_gpu_poor = Formula("kv_bytes_gpu_poor", r"\mathrm{KV}_{\mathrm{gpu\_poor}}", lambda: 2 * S * 2 * 2 * D * L, "02",
                            "KV bytes per sequence as the gpu_poor calculator computes them (KV heads ignored)")
kv_crossover_batch = Formula("kv_crossover_batch", r"B_{\mathrm{KV}=\mathrm{weights}}",
                             lambda: solved(kv_cache_bytes.expr, param_bytes.expr, B), "02",
                             "Batch (a real number) whose KV caches weigh as much as the weights")
total_bytes = Formula("total_bytes", r"\mathrm{Mem}", lambda: param_bytes.expr + kv_cache_bytes.expr, "03",
                      "Weights plus KV caches (activations and working memory left out)")

# --- Chapter 03: BS=32 worked numbers ---------------------------------------------------
memory_chips = Formula("memory_chips", r"N_{\mathrm{mem}}", lambda: total_bytes.expr / HBM, "03",
                       "Chips whose HBM the weights and caches fill exactly (a real number)")
min_chips = Formula("min_chips", r"N_{\min}", lambda: sp.ceiling(memory_chips.expr), "03",
                    "Whole chips needed to hold weights and caches")
decode_param_count = Formula("decode_param_count", r"P_{\mathrm{decode}}", lambda: P - (n_emb - 1) * V * D, "03",
                             "Parameters a decode step reads and multiplies: an untied input embedding is only "
                             "gathered (B rows), so it leaves the read (memory still holds it)")
_attention_time = B * S * kv / (N * W_hbm)
_mlp_flops_time = 2 * B * P / (N * C)
_param_load_time = P * b_w / (N * W_hbm)
kv_load_time = Formula("kv_load_time", r"T_{\mathrm{KV}}", lambda: _attention_time, "03",
                       "Time to read the batch's KV caches from HBM (attention: always bandwidth-bound)")
step_flops_time = Formula("step_flops_time", r"T_{\mathrm{FLOPs}}", lambda: _mlp_flops_time, "03",
                          "Time of a decode step's weight-matmul FLOPs (2 per parameter per token) at peak FLOP/s")
param_load_time = Formula("param_load_time", r"T_{\mathrm{params}}", lambda: _param_load_time, "03",
                          "Time to read every chip's shard of the weights from HBM")
step_time = Formula("step_time", r"T_{\mathrm{step}}",
                    lambda: _attention_time + sp.Max(_mlp_flops_time, _param_load_time), "03",
                    "Decode step: KV read (always bandwidth-bound) + max(matmul FLOPs, weight read)")
step_time_memory_bound = Formula("step_time_memory_bound", r"T_{\mathrm{step}}",
                                 lambda: total_bytes.expr / (N * W_hbm), "03",
                                 "Decode step when both weights and caches are read at HBM speed")
tokens_per_s = Formula("tokens_per_s", r"\mathrm{tokens/s}", lambda: B / T_step, "03",
                       "Tokens generated per second by one model copy")
tokens_per_s_per_chip = Formula("tokens_per_s_per_chip", r"\mathrm{tokens/s/chip}", lambda: B / (N * T_step), "03",
                                "Tokens per second per chip")

# --- Chapter 04: critical batch ----------------------------------------------------------
critical_batch = Formula("critical_batch", r"B_{\mathrm{crit}}",
                         lambda: solved(_mlp_flops_time, _param_load_time, B), "04",
                         "Batch where the matmul FLOPs take as long as reading the weights")
matmul_time = Formula("matmul_time", r"T_{\mathrm{matmul}}",
                      lambda: sp.Max(matmul_flops_time.expr, matmul_bytes_time.expr), "04",
                      "Roofline time of x[B, D] @ W[D, F] on one chip")
matmul_flops_time = Formula("matmul_flops_time", r"T_{\mathrm{FLOPs}}",
                            lambda: 2 * B * D * F / C, "04",
                            "The compute term of matmul_time: its FLOPs at peak rate")
matmul_bytes_time = Formula("matmul_bytes_time", r"T_{\mathrm{bytes}}",
                            lambda: (b_w * D * F + b_a * B * (D + F)) / W_hbm, "04",
                            "The memory term of matmul_time: weights and activations at HBM speed")
matmul_ridge = Formula("matmul_ridge", r"B_{\mathrm{ridge}}",
                       lambda: solved(matmul_flops_time.expr, matmul_bytes_time.expr, B), "04",
                       "Batch where one D x F matmul's FLOPs take as long as its bytes (activations included)")
critical_batch_source = Formula("critical_batch_source", r"B_{\mathrm{crit}}^{\beta\alpha}",
                                lambda: (b_w / b_a) * (C / W_hbm), "04",
                                "The source's form beta * alpha_hbm: (bits per weight / bits per activation) x C / W_hbm")

# --- Chapter 05: minimum topology ---------------------------------------------------------
kv_room = Formula("kv_room", r"\mathrm{Mem}_{\mathrm{KV}}", lambda: N * HBM - param_bytes.expr, "05",
                  "HBM left for KV caches on N chips once the weights are loaded (paid once per model copy)")
batch_fill = Formula("batch_fill", r"B_{\mathrm{fill}}", lambda: kv_room.expr / kv_bytes_per_sequence.expr, "05",
                     "The batch (a real number) whose KV caches fill the HBM left beside the weights")
max_batch = Formula("max_batch", r"B_{\max}", lambda: sp.floor(batch_fill.expr), "05",
                    "Most sequences whose caches fit beside the weights")
step_time_full_hbm = Formula("step_time_full_hbm", r"T_{\mathrm{step}}", lambda: HBM / W_hbm, "05",
                             "Memory-bound step time when weights and caches fill every chip's HBM")
hbm_weights_ratio = Formula("hbm_weights_ratio", "k", lambda: N * HBM / param_bytes.expr, "05",
                            "HBM of an N-chip slice over the bytes of the weights (k > 1: room for KV caches)")

# --- Chapter 06: QPS per chip ---------------------------------------------------------------
qps_per_chip = Formula("qps_per_chip", r"\mathrm{QPS/chip}", lambda: B / (T_step * G * N), "06",
                       "Requests finished per second per chip when each request decodes G tokens")
qps_per_chip_full = Formula(
    "qps_per_chip_full", r"\mathrm{QPS/chip}_{\mathrm{full}}",
    lambda: sp.simplify(qps_per_chip.expr.subs({T_step: step_time_memory_bound.expr.subs(B, batch_fill.expr),
                                                B: batch_fill.expr})), "06",
    "QPS per chip when the KV caches fill HBM (batch not rounded down) and the step is memory-bound")

# --- Chapter 07: doubling the topology ----------------------------------------------------------
tokens_per_s_per_chip_full = Formula(
    "tokens_per_s_per_chip_full", r"r_{\mathrm{full}}",
    lambda: sp.factor(sp.simplify(tokens_per_s_per_chip.expr.subs(T_step, step_time_memory_bound.expr)
                                  .subs(B, batch_fill.expr))), "07",
    "Tokens/s/chip when the KV caches fill HBM and the step is memory-bound (batch not rounded down)")
tokens_per_s_per_chip_compute_bound = Formula(
    "tokens_per_s_per_chip_compute_bound", r"r_{\mathrm{compute}}",
    lambda: sp.simplify(tokens_per_s_per_chip.expr.subs(T_step, _attention_time + _mlp_flops_time)), "07",
    "Tokens/s/chip once the matmuls are compute-bound (B > B_crit): KV read + FLOPs, the same for any N")
superlinear_chips = Formula("superlinear_chips", r"N^{*}",
                            lambda: sp.factor(solved(batch_fill.expr, critical_batch.expr, N)), "07",
                            "Chips at which the batch that fills HBM reaches B_crit: below, per-chip throughput "
                            "rises with N (super-linear total); above, it is flat")

# --- Chapter 08: ICI bounds (per matmul, Y-way model parallel over M mesh axes) ---------------
ici_time_math = Formula("ici_time_math", r"T_{\mathrm{math}}", lambda: 2 * B * D * F / (Y * C), "08",
                        "FLOPs time of one D x F matmul sharded Y ways")
ici_time_hbm = Formula("ici_time_hbm", r"T_{\mathrm{hbm}}", lambda: b_w * D * F / (Y * W_hbm), "08",
                       "Time to read one chip's shard of a D x F weight")
ici_time_comms = Formula("ici_time_comms", r"T_{\mathrm{ici}}", lambda: b_a * B * D / (M * W_ici), "08",
                         "Time to gather or scatter the activations over M mesh axes")
ici_flops_bound = Formula("ici_flops_bound", r"Y_{\mathrm{FLOPs}}",
                          lambda: solved(ici_time_math.expr, ici_time_comms.expr, Y), "08",
                          "Sharding degree where communication catches up with the FLOPs")
ici_hbm_bound = Formula("ici_hbm_bound", r"Y_{\mathrm{HBM}}",
                        lambda: solved(ici_time_hbm.expr, ici_time_comms.expr, Y), "08",
                        "Sharding degree where communication catches up with the weight read")
ici_flops_bound_source = Formula("ici_flops_bound_source", r"Y_{\mathrm{FLOPs}}^{\alpha}", lambda: M * F / alpha, "08",
                                 "The source's form of the FLOPs-ICI bound (bf16): M F / alpha, alpha = C / W_ici")
ici_hbm_bound_source = Formula("ici_hbm_bound_source", r"Y_{\mathrm{HBM}}^{\beta}", lambda: M * F / (B * beta), "08",
                               "The source's form of the HBM-ICI bound (bf16): M F / (B beta), beta = W_hbm / W_ici")
ici_alpha = Formula("ici_alpha", r"\alpha_{\mathrm{ici}}", lambda: C / W_ici, "08",
                    "ICI arithmetic intensity: FLOPs a chip computes in the time one link moves a byte")
ici_beta = Formula("ici_beta", r"\beta", lambda: W_hbm / W_ici, "08",
                   "HBM-to-ICI bandwidth ratio: bytes read from HBM in the time one link moves a byte")
#: Collectives per layer of a decode step under Megatron-style model parallelism: an AllGather before
#: the QKV and before the gate/up projections, a ReduceScatter after the output and the down projection.
ICI_COLLECTIVES_PER_LAYER = 4
collective_time = Formula("collective_time", r"T_{\mathrm{coll}}",
                          lambda: b_a * B * D * (1 - 1 / N) / W_c + n_hop * t_hop, "08",
                          "One AllGather or ReduceScatter of the B x D activations over N chips: each chip "
                          "receives (N-1)/N of them over its links, and each hop adds a latency")
ici_step_time_comms = Formula("ici_step_time_comms", r"T_{\mathrm{ici}}",
                              lambda: ICI_COLLECTIVES_PER_LAYER * L * collective_time.expr, "08",
                              "ICI time of one decode step: 4 collectives of the B x D activations per layer")
collective_latency_batch = Formula("collective_latency_batch", r"B_{\mathrm{lat}}",
                                   lambda: solved(collective_time.expr.subs(t_hop, 0), n_hop * t_hop, B), "08",
                                   "Batch below which a collective's hop latency exceeds its transfer time")
step_time_ici = Formula("step_time_ici", r"T_{\mathrm{step}}^{\mathrm{ici}}", lambda: T_step + T_ici, "08",
                        "Decode step with its collectives on the critical path (each waits for the matmul "
                        "before it and the next matmul waits for it): the planner's --ici count")
step_time_ici_overlap = Formula("step_time_ici_overlap", r"T_{\mathrm{step}}^{\mathrm{overlap}}",
                                lambda: sp.Max(T_step, T_ici), "08",
                                "Decode step if the collectives overlapped perfectly with the HBM reads and "
                                "FLOPs: the other bound")
ici_time_hbm_kv = Formula("ici_time_hbm_kv", r"T_{\mathrm{hbm+KV}}",
                          lambda: step_time_memory_bound.expr.subs(N, Y) / (ICI_COLLECTIVES_PER_LAYER * L), "08",
                          "HBM time per collective of a decode step: the step's weight and KV-cache reads "
                          "spread over its 4L collectives")
ici_hbm_kv_bound = Formula("ici_hbm_kv_bound", r"Y_{\mathrm{HBM+KV}}",
                           lambda: solved(ici_time_hbm_kv.expr, ici_time_comms.expr, Y), "08",
                           "Sharding degree where communication catches up with the weight and KV-cache reads")

# --- Chapter 09: prefill ----------------------------------------------------------------------
prefill_ici_time = Formula("prefill_ici_time", r"T_{\mathrm{ici}}^{\mathrm{prefill}}",
                           lambda: ici_step_time_comms.expr.subs(B, T), "09",
                           "ICI time of a T-token prefill: the decode step's 4L collectives over T x D activations")
prefill_time_ici = Formula("prefill_time_ici", r"T_{\mathrm{prefill}}^{\mathrm{ici}}",
                           lambda: step_time_ici_overlap.expr.subs(T_step, T_prefill), "09",
                           "Prefill with its collectives overlapped with the matmuls (collective matmuls): "
                           "the slower of the two")
prefill_time = Formula("prefill_time", r"T_{\mathrm{prefill}}", lambda: 2 * P * T / (N * C * MFU), "09",
                       "Prefill of one T-token prompt: matmul FLOPs at a fraction MFU of peak")
prefill_attention_flops = Formula("prefill_attention_flops", r"\mathrm{FLOPs}_{\mathrm{attn}}",
                                  lambda: 2 * N_q * H * L * T**2, "09",
                                  "Causal attention FLOPs of a T-token prompt (QK^T and AV, half the square)")
tokens_evicted_per_step = Formula("tokens_evicted_per_step", r"\mathrm{evicted/step}", lambda: B * (T + G) / G, "09",
                                  "Cache tokens freed per decode step: B/G sequences finish, each T+G long")
prefill_matmul_flops = Formula("prefill_matmul_flops", r"\mathrm{FLOPs}_{\mathrm{matmul}}", lambda: 2 * P * T, "09",
                               "Matmul FLOPs of a T-token prompt: one multiply-add per parameter per token")
attention_flops_share = Formula("attention_flops_share",
                                r"\mathrm{FLOPs}_{\mathrm{attn}}/\mathrm{FLOPs}_{\mathrm{matmul}}",
                                lambda: sp.simplify(prefill_attention_flops.expr / prefill_matmul_flops.expr), "09",
                                "Attention FLOPs of a prompt as a fraction of its matmul FLOPs (grows with T)")
prefill_time_with_attention = Formula("prefill_time_with_attention", r"T_{\mathrm{prefill}}",
                                      lambda: (prefill_matmul_flops.expr + prefill_attention_flops.expr) / (N * C * MFU),
                                      "09", "Prefill of one T-token prompt, matmul and causal-attention FLOPs at MFU")
prefill_mfu = Formula("prefill_mfu", r"\mathrm{MFU}",
                      lambda: solved(prefill_time_with_attention.expr, T_prefill, MFU), "09",
                      "MFU reached by a prefill that took T_prefill (matmul and attention FLOPs counted)")
sequences_finished_per_step = Formula("sequences_finished_per_step", r"\mathrm{finished/step}", lambda: B / G, "09",
                                      "Sequences that finish per decode step when each decodes G tokens")
prefill_mfu_matmul = Formula("prefill_mfu_matmul", r"\mathrm{MFU}_{\mathrm{matmul}}",
                             lambda: solved(prefill_time.expr, T_prefill, MFU), "09",
                             "MFU the article's formula infers from a prefill that took T_prefill (matmul FLOPs only)")
prefill_tokens_per_s = Formula("prefill_tokens_per_s", r"\mathrm{tokens/s}_{\mathrm{prefill}}", lambda: T / T_prefill,
                               "09", "Prompt tokens processed per second by a prefill of T tokens that took T_prefill")

# continuous batching: a decode server refills its batch as sequences finish (Little's law)
decode_batch_littles_law = Formula("decode_batch_littles_law", "B", lambda: lam * G * T_step, "09",
                                   "Little's law for a continuously batched decode server: sequences in flight = "
                                   "arrival rate x the time each spends decoding (G steps of T_step)")
continuous_batch = Formula("continuous_batch", r"B_{\lambda}",
                           lambda: solved(B, decode_batch_littles_law.expr.subs(T_step, step_time_memory_bound.expr), B),
                           "09", "Steady-state batch at arrival rate lambda: Little's law with the memory-bound step, "
                           "which itself grows with the batch (finite only while lambda G S kv < N W_hbm)")
# chunked prefill: a prompt split into chunks of T_c tokens, each riding along one decode step
_chunk_flops_time = 2 * (B + T_c) * P / (N * C)
step_time_chunked = Formula("step_time_chunked", r"T_{\mathrm{step}}^{\mathrm{chunk}}",
                            lambda: _attention_time + sp.Max(_chunk_flops_time, _param_load_time), "09",
                            "Decode step that carries a prefill chunk of T_c tokens: the batch's KV read + max(FLOPs "
                            "of B + T_c tokens, weight read); the chunk's attention to the earlier chunks left out")
free_chunk = Formula("free_chunk", r"T_{\mathrm{c}}^{\mathrm{free}}", lambda: solved(_chunk_flops_time, _param_load_time, T_c),
                     "09", "Largest chunk a memory-bound decode step carries without slowing down: its FLOPs "
                     "catch up with the weight read (negative above the critical batch)")
chunked_prefill_steps = Formula("chunked_prefill_steps", r"n_{\mathrm{chunks}}", lambda: sp.ceiling(T / T_c), "09",
                                "Decode steps a T-token prefill takes in chunks of T_c tokens")

# --- Chapter 10: disaggregated serving ------------------------------------------------------------
prefill_decode_ratio = Formula("prefill_decode_ratio", r"P_{\mathrm{servers}}/G_{\mathrm{servers}}",
                               lambda: T_prefill * B / (T_step * G), "10",
                               "Prefill servers per decode server that keep both busy")
prefill_chip_seconds_cached = Formula(
    "prefill_chip_seconds_cached", r"N\,T_{\mathrm{prefill}}",
    lambda: 2 * T * (1 - h) * (P + N_q * H * L * T * (1 + h)) / (C * MFU), "10",
    "Chip-seconds of one prefill whose first hT prompt tokens hit the prefix cache")
# the whole prompt's prefill minus the cached prefix's (a test checks it): the (1-h)T new tokens attend to all T
prefill_time_cached = Formula("prefill_time_cached", r"T_{\mathrm{prefill}}", lambda: prefill_chip_seconds_cached.expr / N, "10",
                              "Prefill when the first hT prompt tokens hit the prefix cache: the other (1-h)T "
                              "tokens are computed, attending to all T")
prefill_chips_for_ttft = Formula("prefill_chips_for_ttft", r"N_{\mathrm{prefill}}",
                                 lambda: prefill_chip_seconds_cached.expr / T_prefill, "10",
                                 "Chips (a real number) that finish the cached prefill in T_prefill")
decode_requests_per_s = Formula("decode_requests_per_s", r"\mathrm{req/s}_{\mathrm{decode}}", lambda: B / (T_step * G),
                                "10", "Requests one decode server finishes per second: B slots, G steps each")
prefill_requests_per_s = Formula("prefill_requests_per_s", r"\mathrm{req/s}_{\mathrm{prefill}}", lambda: 1 / T_prefill,
                                 "10", "Prompts one prefill server finishes per second, one at a time")
prefill_decode_chip_ratio = Formula("prefill_decode_chip_ratio", r"N_{\mathrm{prefill}}/N_{\mathrm{decode}}",
                                    lambda: prefill_chip_seconds_cached.expr * B / (N * T_step * G), "10",
                                    "Prefill chips per decode chip (N: chips of one decode server): prefill "
                                    "chip-seconds per request over decode chip-seconds per request")
# moving the KV cache from the prefill server to the decode server
kv_transfer_time = Formula("kv_transfer_time", r"T_{\mathrm{xfer}}", lambda: kv_bytes_per_sequence.expr / W_link, "10",
                           "Time to move one sequence's KV cache (S tokens) from a prefill to a decode server over "
                           "links of W_link bytes/s in all")
kv_transfer_share = Formula("kv_transfer_share", r"T_{\mathrm{xfer}}/T_{\mathrm{prefill}}",
                            lambda: kv_transfer_time.expr / T_prefill, "10",
                            "The KV transfer as a fraction of the prefill that produced the cache")
kv_transfer_exposed = Formula("kv_transfer_exposed", r"T_{\mathrm{xfer}}^{\mathrm{exposed}}",
                              lambda: (sp.Max(T_prefill, kv_transfer_time.expr)
                                       + sp.Min(T_prefill, kv_transfer_time.expr) / L - T_prefill), "10",
                              "Transfer time left after the prefill when each layer's cache is sent as soon as the "
                              "layer is done: a two-stage pipeline over L layers")

# --- Chapter 11: the decision framework -----------------------------------------------------------
batch_for_step_time = Formula("batch_for_step_time", r"B_{T}",
                              lambda: sp.Min(*(sp.factor(solved(_attention_time + term, T_step, B))
                                               for term in (_mlp_flops_time, _param_load_time))),
                              "11",
                              "Largest (real) batch whose decode step takes at most T_step: the step is "
                              "KV read + max(FLOPs, weight read), so both branches must meet it")
decode_flops = Formula("decode_flops", r"\mathrm{FLOPs}_{\mathrm{step}}", lambda: 2 * B * P, "11",
                       "Matmul FLOPs of one decode step: 2 per parameter per token (attention's QK and AV left out)")
mlp_activation_bytes = Formula("mlp_activation_bytes", r"\mathrm{Act}_{\mathrm{MLP}}", lambda: 2 * B * F * b_a, "11",
                               "Bytes of the gated MLP's two B x F intermediates in one decode step "
                               "(the largest activations alive at once)")
prefill_decode_ratio_article = Formula("prefill_decode_ratio_article", r"\left(P/G\right)_{\mathrm{article}}",
                                       lambda: T_prefill / (B * T_step), "11",
                                       "The article's step 6, prefill_time / (B / decode_rate), read with "
                                       "decode_rate = 1/T_step: G is missing and B is inverted (wrong)")
batch_for_ici = Formula("batch_for_ici", r"B_{\mathrm{ICI}}", lambda: solved(ici_hbm_bound.expr, Y, B), "11",
                        "Largest batch at which Y-way sharding stays within the HBM-ICI bound (it matters "
                        "only when Y exceeds the FLOPs-ICI bound)")

# --- Chapter 12: reality check (the roofline calibrated on a real chip) ----------------------------


def _soft_max(a, b):
    """(a^nu + b^nu)^(1/nu): nu = 1 adds the two times, nu -> infinity takes the larger."""
    return (a**nu + b**nu) ** (1 / nu)


attention_streams_bandwidth = Formula("attention_streams_bandwidth", r"W_{\mathrm{attn}}",
                                      lambda: sp.Min(W_hbm, w_s * B * K / N), "12",
                                      "HBM bandwidth the attention kernel reaches on one chip: B K / N streams "
                                      "(sequence x KV head) of w_s each, at most the chip's streaming bandwidth")
kv_load_time_calibrated = Formula("kv_load_time_calibrated", r"T_{\mathrm{KV}}^{\mathrm{cal}}",
                                  lambda: B * S * kv / (N * attention_streams_bandwidth.expr), "12",
                                  "Time to read the batch's KV caches at the bandwidth its attention streams reach")
weight_stream_time = Formula("weight_stream_time", r"T_{\mathrm{params}}^{\mathrm{cal}}", lambda: P * b_w / (N * W_mm), "12",
                             "Time to read every chip's shard of the weights at a matmul's streaming bandwidth")
step_time_calibrated = Formula("step_time_calibrated", r"T_{\mathrm{step}}^{\mathrm{cal}}",
                               lambda: kv_load_time_calibrated.expr + _soft_max(weight_stream_time.expr, _mlp_flops_time), "12",
                               "Decode step on a real chip: the KV read at the bandwidth its streams reach, plus the "
                               "weight read (at the matmul's bandwidth) and the FLOPs overlapping imperfectly")
matmul_time_calibrated = Formula("matmul_time_calibrated", r"T_{\mathrm{matmul}}^{\mathrm{cal}}",
                                 lambda: _soft_max(matmul_bytes_time.expr.subs(W_hbm, W_mm), matmul_flops_time.expr), "12",
                                 "x[B, D] @ W[D, F] on a real chip: bytes and FLOPs overlapping imperfectly")
attention_saturation_batch = Formula("attention_saturation_batch", r"B_{\mathrm{sat}}",
                                     lambda: solved(W_hbm, w_s * B * K / N, B), "12",
                                     "Smallest batch whose attention streams reach the chip's streaming bandwidth")
sequences_in_flight = Formula("sequences_in_flight", r"B_{\mathrm{flight}}", lambda: r * N * T_step, "12",
                              "Little's law: sequences decoding at once = tokens/s of the N chips x time per token")
serving_tokens_per_s_per_chip = Formula("serving_tokens_per_s_per_chip", r"\mathrm{tokens/s/chip}_{\mathrm{serve}}",
                                        lambda: B * G / (N * (G * T_step + B * T_prefill)), "12",
                                        "Output tokens/s per chip when the same chips also prefill every request "
                                        "(B sequences, G tokens each, one prefill of T_prefill per request)")

# --- Chapter 13: beyond dense LLaMA (mixture of experts, latent attention, sliding windows) ---------
attention_params = Formula("attention_params", r"P_{\mathrm{attn}}", lambda: 2 * D * H * (N_q + K), "13",
                           "Parameters of one layer's grouped-query attention: Q and O for N_q heads, K and V for "
                           "K heads (biases counted apart)")
_mla_key_value_output = D * (r_kv + H_r) + r_kv * N_q * (H_n + H_v) + N_q * H_v * D
mla_attention_params = Formula("mla_attention_params", r"P_{\mathrm{attn}}^{\mathrm{MLA}}",
                               lambda: D * r_q + r_q * N_q * (H_n + H_r) + _mla_key_value_output, "13",
                               "Parameters of one layer's multi-head latent attention (DeepSeek): the query's down- "
                               "and up-projection, the latent and the shared rotary key, the latent's up-projection "
                               "to every head's key and value, and the output")
mla_attention_params_full_query = Formula("mla_attention_params_full_query", r"P_{\mathrm{attn}}^{\mathrm{MLA}}",
                                          lambda: D * N_q * (H_n + H_r) + _mla_key_value_output, "13",
                                          "Multi-head latent attention whose query is not compressed "
                                          "(q_lora_rank null, as in DeepSeek-V2-Lite)")
mlp_params = Formula("mlp_params", r"P_{\mathrm{mlp}}", lambda: n_mlp * D * F, "13",
                     "Parameters of one MLP of width F: n_mlp = 3 matrices gated (SwiGLU, GeGLU), 2 plain "
                     "(GPT-2, OPT, Phi, Falcon)")
expert_params = Formula("expert_params", r"P_{\mathrm{e}}", lambda: mlp_params.expr.subs(F, F_e), "13",
                        "Parameters of one routed expert: an MLP of width F_e")


def _decoder_params(experts_used):
    """Attention in every layer, a dense MLP in L - L_e layers, MoE in L_e, the embeddings and the rest."""
    moe_layer = experts_used * P_e + mlp_params.expr.subs(F, F_s) + D * E   # routed, shared, router (D x E)
    return L * P_attn + (L - L_e) * mlp_params.expr + L_e * moe_layer + n_emb * V * D + P_x


moe_param_count = Formula("moe_param_count", "P", lambda: _decoder_params(E) + P_vis, "13",
                          "Parameters held in memory: every expert of every MoE layer, the dense layers, the "
                          "embeddings, the biases and position table (P_x) and a vision tower (P_vis)")
moe_active_param_count = Formula("moe_active_param_count", r"P_{\mathrm{act}}", lambda: _decoder_params(k), "13",
                                 "Parameters one generated token uses: the same with k experts per MoE layer "
                                 "instead of E, and no vision tower (the router still scores all E)")
moe_dense_param_count = Formula("moe_dense_param_count", r"P_{\mathrm{dense}}", lambda: _decoder_params(0), "13",
                                "Parameters outside the routed experts (attention, dense and shared MLPs, routers, "
                                "embeddings): every decode step reads them, whatever the routing")


def _experts_touched():
    """Expected distinct experts of one MoE layer that B tokens route to, each choosing k of the E.

    A balanced router sends a token to a given expert with probability k/E (k distinct choices
    among E equally likely ones), so one token misses it with probability 1 - k/E (0 when k >= E);
    independent tokens all miss it with that probability to the power B. By linearity of
    expectation the distinct experts touched are the sum, over the E experts, of the probability
    that some token picks it.
    """
    j = sp.Symbol("j", positive=True, integer=True)
    missed_by_one_token = sp.Max(0, 1 - k / E)
    missed_by_all = missed_by_one_token ** B
    return sp.summation(1 - missed_by_all, (j, 1, E))


experts_touched = Formula("experts_touched", r"E_{B}", _experts_touched, "13",
                          "Expected distinct experts per MoE layer that a decode step of B tokens reads, each "
                          "token routed to k of E (a balanced, independent router)")
weight_bytes_read = Formula("weight_bytes_read", r"R_{\mathrm{w}}",
                            lambda: b_w * (P_dense + L_e * P_e * experts_touched.expr), "13",
                            "Weight bytes one decode step reads at batch B: the parameters outside the routed "
                            "experts, and the E_B experts the batch touches in each MoE layer (k at B = 1)")
kv_bytes_per_token_mla = Formula("kv_bytes_per_token_mla", r"\mathrm{KV}_{\mathrm{MLA}}", lambda: (r_kv + H_r) * L * b_kv,
                                 "13", "KV-cache bytes per token of multi-head latent attention: one latent of r_kv "
                                 "and one shared rotary key of H_r per layer, for every head")
kv_bytes_per_sequence_windowed = Formula(
    "kv_bytes_per_sequence_windowed", r"\mathrm{KV}_{\mathrm{seq}}",
    lambda: kv / L * ((L - L_w) * S + L_w * sp.Min(S, S_w)), "13",
    "KV-cache bytes of a sequence of S tokens when L_w of the L layers attend within a window of S_w tokens "
    "(kv: bytes per token with every layer full)")


def _per_sequence(expr):
    """``expr`` with a sequence's KV bytes S kv written as KV_seq (a windowed cache is not S kv)."""
    return expr.subs(S * kv, kv_seq)


kv_cache_bytes_seq = Formula("kv_cache_bytes_seq", r"\mathrm{KV}_{\mathrm{total}}",
                             lambda: _per_sequence(kv_cache_bytes.expr), "13",
                             "KV-cache bytes of a batch of B sequences of KV_seq bytes each")
total_bytes_seq = Formula("total_bytes_seq", r"\mathrm{Mem}", lambda: _per_sequence(total_bytes.expr), "13",
                          "Weights plus the batch's KV caches, KV_seq bytes per sequence")
min_chips_seq = Formula("min_chips_seq", r"N_{\min}", lambda: _per_sequence(min_chips.expr), "13",
                        "Whole chips that hold the weights and B caches of KV_seq bytes")
max_batch_seq = Formula("max_batch_seq", r"B_{\max}", lambda: _per_sequence(max_batch.expr), "13",
                        "Most sequences of KV_seq bytes whose caches fit beside the weights")
_moe_active = P_dense + L_e * k * P_e   # P_act: moe_active_param_count minus moe_dense_param_count is L_MoE k P_e
_moe_flops_time = _mlp_flops_time.subs(P, _moe_active)
step_time_moe = Formula("step_time_moe", r"T_{\mathrm{step}}",
                        lambda: (_per_sequence(_attention_time)
                                 + sp.Max(_moe_flops_time, weight_bytes_read.expr / (N * W_hbm))), "13", "Decode step of any decoder: the KV read, then max(FLOPs of the active parameters, "
                        "the weight bytes the step reads); a dense model's step_time when L_MoE = 0 and P_dense = P")
moe_critical_batch_gap = Formula("moe_critical_batch_gap", r"T_{\mathrm{FLOPs}} - T_{\mathrm{params}}",
                                 lambda: 2 * B * _moe_active / C - weight_bytes_read.expr / W_hbm, "13",
                                 "FLOPs time minus weight-read time of a decode step on one chip: its root in B is "
                                 "the critical batch, which has no closed form once the weight read grows with B")
step_time_calibrated_moe = Formula(
    "step_time_calibrated_moe", r"T_{\mathrm{step}}^{\mathrm{cal}}",
    lambda: (_per_sequence(kv_load_time_calibrated.expr)
             + _soft_max(weight_bytes_read.expr / (N * W_mm), _moe_flops_time)), "13",
    "The calibrated decode step (chapter 12) of any decoder: KV_seq per sequence, the weight bytes the step "
    "reads, the FLOPs of the active parameters")
kv_load_time_seq = Formula("kv_load_time_seq", r"T_{\mathrm{KV}}", lambda: _per_sequence(kv_load_time.expr), "13",
                           "Time to read the batch's KV caches, KV_seq bytes per sequence (a windowed layer "
                           "keeps only its window)")
weight_read_time = Formula("weight_read_time", r"T_{\mathrm{params}}", lambda: weight_bytes_read.expr / (N * W_hbm),
                           "13", "Time to read the weight bytes a decode step of B tokens touches, each chip its shard")
step_flops_time_moe = Formula("step_flops_time_moe", r"T_{\mathrm{FLOPs}}", lambda: _moe_flops_time, "13",
                              "Time of a decode step's matmul FLOPs: 2 per active parameter per token")
kv_bytes_per_token_mla_heads = Formula("kv_bytes_per_token_mla_heads", r"\mathrm{KV}_{\mathrm{heads}}",
                                       lambda: N_q * (H_n + H_r + H_v) * L * b_kv, "13",
                                       "KV bytes per token if MLA's keys (H_n + H_r wide) and values (H_v) were "
                                       "cached per query head, as multi-head attention with these widths would")
moe_critical_batch_all_experts = Formula(
    "moe_critical_batch_all_experts", r"B_{\mathrm{crit}}^{\mathrm{all}}",
    lambda: solved(2 * B * _moe_active / C, b_w * (P_dense + L_e * E * P_e) / W_hbm, B), "13",
    "Batch where the FLOPs of the active parameters take as long as reading every expert: the MoE critical "
    "batch once the batch touches all E experts of each MoE layer")

FORMULAS = {f.name: f for f in globals().values() if isinstance(f, Formula)}
