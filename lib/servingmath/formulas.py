"""Every formula of the article and its source, each built once from the named symbols.

Each entry is a ``Formula``: ``.expr`` is the SymPy expression a chapter shows and
manipulates; calling it runs the numeric function lambdified from that expression.
Quantities defined by an equation (the critical batch, the ICI bounds) are solved
for here with SymPy, so the closed form and its derivation cannot disagree.
"""

import sympy as sp

from .formula import Formula
from .symbols import (B, C, D, E, F, G, H, HBM, K, L, M, MFU, N, N_q, P, S, T, T_prefill, T_step, U, V,
                      W_hbm, W_ici, Y, b_a, b_kv, b_w, c, kv, r)

# --- Chapter 01: the hardware choice -------------------------------------------------
flops_per_dollar = Formula("flops_per_dollar", r"\mathrm{FLOPs}/\$", C * 3600 / c, "01",
                           "Peak FLOPs bought with one dollar of chip time")
bytes_per_dollar = Formula("bytes_per_dollar", r"\mathrm{bytes}/\$", W_hbm * 3600 / c, "01",
                           "HBM bytes read with one dollar of chip time (the metric when decode is bandwidth-bound)")
cost_per_million_tokens = Formula("cost_per_million_tokens", r"\$/10^6\,\mathrm{tokens}",
                                  10**6 * c / (3600 * r * U), "01",
                                  "Dollars per million tokens at r tokens/s/chip, busy a fraction U of the time")

# --- Chapter 02: the KV cache ---------------------------------------------------------
param_count = Formula("param_count", "P", L * (2 * D * N_q * H + 2 * D * K * H + 3 * D * F) + E * V * D, "02",
                      "Parameters: attention (Q, K, V, O) + gated MLP per layer, plus E embedding matrices")
param_bytes = Formula("param_bytes", r"P_{\mathrm{bytes}}", P * b_w, "02", "Bytes of the weights")
kv_bytes_per_token = Formula("kv_bytes_per_token", r"\mathrm{KV}", 2 * K * H * L * b_kv, "02",
                             "KV-cache bytes per token: a key and a value per KV head, per layer")
kv_bytes_per_sequence = Formula("kv_bytes_per_sequence", r"\mathrm{KV}_{\mathrm{seq}}", S * kv, "02",
                                "KV-cache bytes of one sequence of S tokens")
kv_cache_bytes = Formula("kv_cache_bytes", r"\mathrm{KV}_{\mathrm{total}}", B * S * kv, "02",
                         "KV-cache bytes of a batch of B sequences")
kv_bytes_per_token_mha = Formula("kv_bytes_per_token_mha", r"\mathrm{KV}_{\mathrm{MHA}}", 2 * N_q * H * L * b_kv, "02",
                                 "KV bytes per token if every query head kept its own keys and values (no GQA)")
kv_bytes_gpu_poor = Formula("kv_bytes_gpu_poor", r"\mathrm{KV}_{\mathrm{gpu\_poor}}", 2 * S * 2 * 2 * D * L, "02",
                            "KV bytes per sequence as the gpu_poor calculator computes them (KV heads ignored)")
total_bytes = Formula("total_bytes", r"\mathrm{Mem}", P * b_w + B * S * kv, "03",
                      "Weights plus KV caches (activations and working memory left out)")

# --- Chapter 03: BS=32 worked numbers ---------------------------------------------------
memory_chips = Formula("memory_chips", r"N_{\mathrm{mem}}", (P * b_w + B * S * kv) / HBM, "03",
                       "Chips whose HBM the weights and caches fill exactly (a real number)")
min_chips = Formula("min_chips", r"N_{\min}", sp.ceiling((P * b_w + B * S * kv) / HBM), "03",
                    "Whole chips needed to hold weights and caches")
_attention_time = B * S * kv / (N * W_hbm)
_mlp_flops_time = 2 * B * P / (N * C)
_param_load_time = P * b_w / (N * W_hbm)
step_time = Formula("step_time", r"T_{\mathrm{step}}",
                    _attention_time + sp.Max(_mlp_flops_time, _param_load_time), "03",
                    "Decode step: KV read (always bandwidth-bound) + max(matmul FLOPs, weight read)")
step_time_memory_bound = Formula("step_time_memory_bound", r"T_{\mathrm{step}}",
                                 (P * b_w + B * S * kv) / (N * W_hbm), "03",
                                 "Decode step when both weights and caches are read at HBM speed")
tokens_per_s = Formula("tokens_per_s", r"\mathrm{tokens/s}", B / T_step, "03",
                       "Tokens generated per second by one model copy")
tokens_per_s_per_chip = Formula("tokens_per_s_per_chip", r"\mathrm{tokens/s/chip}", B / (N * T_step), "03",
                                "Tokens per second per chip")

# --- Chapter 04: critical batch ----------------------------------------------------------
critical_batch = Formula("critical_batch", r"B_{\mathrm{crit}}",
                         sp.solve(sp.Eq(_mlp_flops_time, _param_load_time), B)[0], "04",
                         "Batch where the matmul FLOPs take as long as reading the weights")
matmul_time = Formula("matmul_time", r"T_{\mathrm{matmul}}",
                      sp.Max(2 * B * D * F / C, (b_w * D * F + b_a * B * (D + F)) / W_hbm), "04",
                      "Roofline time of x[B, D] @ W[D, F] on one chip")

# --- Chapter 05: minimum topology ---------------------------------------------------------
max_batch = Formula("max_batch", r"B_{\max}", sp.floor((N * HBM - P * b_w) / (S * kv)), "05",
                    "Most sequences whose caches fit beside the weights")
step_time_full_hbm = Formula("step_time_full_hbm", r"T_{\mathrm{step}}", HBM / W_hbm, "05",
                             "Memory-bound step time when weights and caches fill every chip's HBM")

# --- Chapter 06: QPS per chip ---------------------------------------------------------------
qps_per_chip = Formula("qps_per_chip", r"\mathrm{QPS/chip}", B / (T_step * G * N), "06",
                       "Requests finished per second per chip when each request decodes G tokens")

# --- Chapter 08: ICI bounds (per matmul, Y-way model parallel over M mesh axes) ---------------
ici_time_math = Formula("ici_time_math", r"T_{\mathrm{math}}", 2 * B * D * F / (Y * C), "08",
                        "FLOPs time of one D x F matmul sharded Y ways")
ici_time_hbm = Formula("ici_time_hbm", r"T_{\mathrm{hbm}}", b_w * D * F / (Y * W_hbm), "08",
                       "Time to read one chip's shard of a D x F weight")
ici_time_comms = Formula("ici_time_comms", r"T_{\mathrm{ici}}", b_a * B * D / (M * W_ici), "08",
                         "Time to gather or scatter the activations over M mesh axes")
ici_flops_bound = Formula("ici_flops_bound", r"Y_{\mathrm{FLOPs}}",
                          sp.solve(sp.Eq(ici_time_math.expr, ici_time_comms.expr), Y)[0], "08",
                          "Sharding degree where communication catches up with the FLOPs")
ici_hbm_bound = Formula("ici_hbm_bound", r"Y_{\mathrm{HBM}}",
                        sp.solve(sp.Eq(ici_time_hbm.expr, ici_time_comms.expr), Y)[0], "08",
                        "Sharding degree where communication catches up with the weight read")

# --- Chapter 09: prefill ----------------------------------------------------------------------
prefill_time = Formula("prefill_time", r"T_{\mathrm{prefill}}", 2 * P * T / (N * C * MFU), "09",
                       "Prefill of one T-token prompt: matmul FLOPs at a fraction MFU of peak")
prefill_attention_flops = Formula("prefill_attention_flops", r"\mathrm{FLOPs}_{\mathrm{attn}}",
                                  2 * N_q * H * L * T**2, "09",
                                  "Causal attention FLOPs of a T-token prompt (QK^T and AV, half the square)")
tokens_evicted_per_step = Formula("tokens_evicted_per_step", r"\mathrm{evicted/step}", B * (T + G) / G, "09",
                                  "Cache tokens freed per decode step: B/G sequences finish, each T+G long")

# --- Chapter 10: disaggregated serving ------------------------------------------------------------
prefill_decode_ratio = Formula("prefill_decode_ratio", r"P_{\mathrm{servers}}/G_{\mathrm{servers}}",
                               T_prefill * B / (T_step * G), "10",
                               "Prefill servers per decode server that keep both busy")

FORMULAS = {f.name: f for f in globals().values() if isinstance(f, Formula)}
