"""The numeric function of every formula, printed from its SymPy expression (``core/formulas.py``).

Written by ``python -m servingmath.core.codegen`` (``make formulas``); do not edit. A unit test
fails when a function here no longer matches its expression.
"""

import math


def flops_per_dollar(C, c):
    return 3600*C/c


def bytes_per_dollar(W_hbm, c):
    return 3600*W_hbm/c


def cost_per_million_tokens(U, c, r):
    return 10**6*c/((3600*U*r))


def param_count(D, F, H, K, L, N_q, V, n_emb):
    return D*V*n_emb + L*(3*D*F + 2*D*H*K + 2*D*H*N_q)


def param_bytes(P, b_w):
    return P*b_w


def kv_bytes_per_token(H, K, L, b_kv):
    return 2*H*K*L*b_kv


def kv_bytes_per_sequence(S, kv):
    return S*kv


def kv_cache_bytes(B, S, kv):
    return B*S*kv


def kv_bytes_per_token_mha(H, L, N_q, b_kv):
    return 2*H*L*N_q*b_kv


def kv_bytes_gpu_poor(D, L, S):
    return 8*D*L*S


def kv_crossover_batch(P, S, b_w, kv):
    return P*b_w/(S*kv)


def total_bytes(B, P, S, b_w, kv):
    return B*S*kv + P*b_w


def memory_chips(B, HBM, P, S, b_w, kv):
    return (B*S*kv + P*b_w)/HBM


def min_chips(B, HBM, P, S, b_w, kv):
    return math.ceil((B*S*kv + P*b_w)/HBM)


def decode_param_count(D, P, V, n_emb):
    return -D*V*(n_emb - 1) + P


def kv_load_time(B, N, S, W_hbm, kv):
    return B*S*kv/(N*W_hbm)


def step_flops_time(B, C, N, P):
    return 2*B*P/(C*N)


def param_load_time(N, P, W_hbm, b_w):
    return P*b_w/(N*W_hbm)


def step_time(B, C, N, P, S, W_hbm, b_w, kv):
    return B*S*kv/(N*W_hbm) + max(P*b_w/(N*W_hbm), 2*B*P/(C*N))


def step_time_memory_bound(B, N, P, S, W_hbm, b_w, kv):
    return (B*S*kv + P*b_w)/(N*W_hbm)


def tokens_per_s(B, T_step):
    return B/T_step


def tokens_per_s_per_chip(B, N, T_step):
    return B/(N*T_step)


def critical_batch(C, W_hbm, b_w):
    return (1/2)*C*b_w/W_hbm


def matmul_time(B, C, D, F, W_hbm, b_a, b_w):
    return max(2*B*D*F/C, (B*b_a*(D + F) + D*F*b_w)/W_hbm)


def matmul_flops_time(B, C, D, F):
    return 2*B*D*F/C


def matmul_bytes_time(B, D, F, W_hbm, b_a, b_w):
    return (B*b_a*(D + F) + D*F*b_w)/W_hbm


def matmul_ridge(C, D, F, W_hbm, b_a, b_w):
    return -C*D*F*b_w/(C*D*b_a + C*F*b_a - 2*D*F*W_hbm)


def critical_batch_source(C, W_hbm, b_a, b_w):
    return C*b_w/(W_hbm*b_a)


def kv_room(HBM, N, P, b_w):
    return HBM*N - P*b_w


def batch_fill(HBM, N, P, S, b_w, kv):
    return (HBM*N - P*b_w)/(S*kv)


def max_batch(HBM, N, P, S, b_w, kv):
    return math.floor((HBM*N - P*b_w)/(S*kv))


def step_time_full_hbm(HBM, W_hbm):
    return HBM/W_hbm


def hbm_weights_ratio(HBM, N, P, b_w):
    return HBM*N/(P*b_w)


def qps_per_chip(B, G, N, T_step):
    return B/(G*N*T_step)


def qps_per_chip_full(G, HBM, N, P, S, W_hbm, b_w, kv):
    return W_hbm*(HBM*N - P*b_w)/(G*HBM*N*S*kv)


def tokens_per_s_per_chip_full(HBM, N, P, S, W_hbm, b_w, kv):
    return W_hbm*(HBM*N - P*b_w)/(HBM*N*S*kv)


def tokens_per_s_per_chip_compute_bound(C, P, S, W_hbm, kv):
    return C*W_hbm/(C*S*kv + 2*P*W_hbm)


def superlinear_chips(C, HBM, P, S, W_hbm, b_w, kv):
    return (1/2)*b_w*(C*S*kv + 2*P*W_hbm)/(HBM*W_hbm)


def ici_time_math(B, C, D, F, Y):
    return 2*B*D*F/(C*Y)


def ici_time_hbm(D, F, W_hbm, Y, b_w):
    return D*F*b_w/(W_hbm*Y)


def ici_time_comms(B, D, M, W_ici, b_a):
    return B*D*b_a/(M*W_ici)


def ici_flops_bound(C, F, M, W_ici, b_a):
    return 2*F*M*W_ici/(C*b_a)


def ici_hbm_bound(B, F, M, W_hbm, W_ici, b_a, b_w):
    return F*M*W_ici*b_w/(B*W_hbm*b_a)


def ici_flops_bound_source(F, M, alpha):
    return F*M/alpha


def ici_hbm_bound_source(B, F, M, beta):
    return F*M/(B*beta)


def ici_alpha(C, W_ici):
    return C/W_ici


def ici_beta(W_hbm, W_ici):
    return W_hbm/W_ici


def collective_time(B, D, N, W_c, b_a, n_hop, t_hop):
    return B*D*b_a*(1 - 1/N)/W_c + n_hop*t_hop


def ici_step_time_comms(B, D, L, N, W_c, b_a, n_hop, t_hop):
    return 4*L*(B*D*b_a*(1 - 1/N)/W_c + n_hop*t_hop)


def collective_latency_batch(D, N, W_c, b_a, n_hop, t_hop):
    return W_c*n_hop*t_hop/(D*b_a*(1 - 1/N))


def step_time_ici(T_ici, T_step):
    return T_ici + T_step


def step_time_ici_overlap(T_ici, T_step):
    return max(T_ici, T_step)


def ici_time_hbm_kv(B, L, P, S, W_hbm, Y, b_w, kv):
    return (1/4)*(B*S*kv + P*b_w)/(L*W_hbm*Y)


def ici_hbm_kv_bound(B, D, L, M, P, S, W_hbm, W_ici, b_a, b_w, kv):
    return (1/4)*M*W_ici*(B*S*kv + P*b_w)/(B*D*L*W_hbm*b_a)


def prefill_ici_time(D, L, N, T, W_c, b_a, n_hop, t_hop):
    return 4*L*(D*T*b_a*(1 - 1/N)/W_c + n_hop*t_hop)


def prefill_time_ici(T_ici, T_prefill):
    return max(T_ici, T_prefill)


def prefill_time(C, MFU, N, P, T):
    return 2*P*T/(C*MFU*N)


def prefill_attention_flops(H, L, N_q, T):
    return 2*H*L*N_q*T**2


def tokens_evicted_per_step(B, G, T):
    return B*(G + T)/G


def prefill_matmul_flops(P, T):
    return 2*P*T


def attention_flops_share(H, L, N_q, P, T):
    return H*L*N_q*T/P


def prefill_time_with_attention(C, H, L, MFU, N, N_q, P, T):
    return (2*H*L*N_q*T**2 + 2*P*T)/(C*MFU*N)


def prefill_mfu(C, H, L, N, N_q, P, T, T_prefill):
    return 2*T*(H*L*N_q*T + P)/(C*N*T_prefill)


def sequences_finished_per_step(B, G):
    return B/G


def prefill_mfu_matmul(C, N, P, T, T_prefill):
    return 2*P*T/(C*N*T_prefill)


def prefill_tokens_per_s(T, T_prefill):
    return T/T_prefill


def decode_batch_littles_law(G, T_step, lam):
    return G*T_step*lam


def continuous_batch(G, N, P, S, W_hbm, b_w, kv, lam):
    return -G*P*b_w*lam/(G*S*kv*lam - N*W_hbm)


def step_time_chunked(B, C, N, P, S, T_c, W_hbm, b_w, kv):
    return B*S*kv/(N*W_hbm) + max(P*b_w/(N*W_hbm), P*(2*B + 2*T_c)/(C*N))


def free_chunk(B, C, W_hbm, b_w):
    return -B + (1/2)*C*b_w/W_hbm


def chunked_prefill_steps(T, T_c):
    return math.ceil(T/T_c)


def prefill_decode_ratio(B, G, T_prefill, T_step):
    return B*T_prefill/(G*T_step)


def prefill_chip_seconds_cached(C, H, L, MFU, N_q, P, T, h):
    return 2*T*(1 - h)*(H*L*N_q*T*(h + 1) + P)/(C*MFU)


def prefill_time_cached(C, H, L, MFU, N, N_q, P, T, h):
    return 2*T*(1 - h)*(H*L*N_q*T*(h + 1) + P)/(C*MFU*N)


def prefill_chips_for_ttft(C, H, L, MFU, N_q, P, T, T_prefill, h):
    return 2*T*(1 - h)*(H*L*N_q*T*(h + 1) + P)/(C*MFU*T_prefill)


def decode_requests_per_s(B, G, T_step):
    return B/(G*T_step)


def prefill_requests_per_s(T_prefill):
    return 1/T_prefill


def prefill_decode_chip_ratio(B, C, G, H, L, MFU, N, N_q, P, T, T_step, h):
    return 2*B*T*(1 - h)*(H*L*N_q*T*(h + 1) + P)/(C*G*MFU*N*T_step)


def kv_transfer_time(S, W_link, kv):
    return S*kv/W_link


def kv_transfer_share(S, T_prefill, W_link, kv):
    return S*kv/(T_prefill*W_link)


def kv_transfer_exposed(L, S, T_prefill, W_link, kv):
    return -T_prefill + max(T_prefill, S*kv/W_link) + min(T_prefill, S*kv/W_link)/L


def batch_for_step_time(C, N, P, S, T_step, W_hbm, b_w, kv):
    return min((N*T_step*W_hbm - P*b_w)/(S*kv), C*N*T_step*W_hbm/(C*S*kv + 2*P*W_hbm))


def decode_flops(B, P):
    return 2*B*P


def mlp_activation_bytes(B, F, b_a):
    return 2*B*F*b_a


def prefill_decode_ratio_article(B, T_prefill, T_step):
    return T_prefill/(B*T_step)


def batch_for_ici(F, M, W_hbm, W_ici, Y, b_a, b_w):
    return F*M*W_ici*b_w/(W_hbm*Y*b_a)


def attention_streams_bandwidth(B, K, N, W_hbm, w_s):
    return min(W_hbm, B*K*w_s/N)


def kv_load_time_calibrated(B, K, N, S, W_hbm, kv, w_s):
    return B*S*kv/(N*min(W_hbm, B*K*w_s/N))


def weight_stream_time(N, P, W_mm, b_w):
    return P*b_w/(N*W_mm)


def step_time_calibrated(B, C, K, N, P, S, W_hbm, W_mm, b_w, kv, nu, w_s):
    return B*S*kv/(N*min(W_hbm, B*K*w_s/N)) + ((P*b_w/(N*W_mm))**nu + (2*B*P/(C*N))**nu)**(1/nu)


def matmul_time_calibrated(B, C, D, F, W_mm, b_a, b_w, nu):
    return (((B*b_a*(D + F) + D*F*b_w)/W_mm)**nu + (2*B*D*F/C)**nu)**(1/nu)


def attention_saturation_batch(K, N, W_hbm, w_s):
    return N*W_hbm/(K*w_s)


def sequences_in_flight(N, T_step, r):
    return N*T_step*r


def serving_tokens_per_s_per_chip(B, G, N, T_prefill, T_step):
    return B*G/(N*(B*T_prefill + G*T_step))


def attention_params(D, H, K, N_q):
    return 2*D*H*(K + N_q)


def mla_attention_params(D, H_n, H_r, H_v, N_q, r_kv, r_q):
    return D*H_v*N_q + D*r_q + D*(H_r + r_kv) + N_q*r_kv*(H_n + H_v) + N_q*r_q*(H_n + H_r)


def mla_attention_params_full_query(D, H_n, H_r, H_v, N_q, r_kv):
    return D*H_v*N_q + D*N_q*(H_n + H_r) + D*(H_r + r_kv) + N_q*r_kv*(H_n + H_v)


def mlp_params(D, F, n_mlp):
    return D*F*n_mlp


def expert_params(D, F_e, n_mlp):
    return D*F_e*n_mlp


def moe_param_count(D, E, F, F_s, L, L_e, P_attn, P_e, P_vis, P_x, V, n_emb, n_mlp):
    return D*F*n_mlp*(L - L_e) + D*V*n_emb + L*P_attn + L_e*(D*E + D*F_s*n_mlp + E*P_e) + P_vis + P_x


def moe_active_param_count(D, E, F, F_s, L, L_e, P_attn, P_e, P_x, V, k, n_emb, n_mlp):
    return D*F*n_mlp*(L - L_e) + D*V*n_emb + L*P_attn + L_e*(D*E + D*F_s*n_mlp + P_e*k) + P_x


def moe_dense_param_count(D, E, F, F_s, L, L_e, P_attn, P_x, V, n_emb, n_mlp):
    return D*F*n_mlp*(L - L_e) + D*V*n_emb + L*P_attn + L_e*(D*E + D*F_s*n_mlp) + P_x


def experts_touched(B, E, k):
    return E*(1 - max(0, 1 - k/E)**B)


def weight_bytes_read(B, E, L_e, P_dense, P_e, b_w, k):
    return b_w*(E*L_e*P_e*(1 - max(0, 1 - k/E)**B) + P_dense)


def kv_bytes_per_token_mla(H_r, L, b_kv, r_kv):
    return L*b_kv*(H_r + r_kv)


def kv_bytes_per_sequence_windowed(L, L_w, S, S_w, kv):
    return kv*(L_w*min(S, S_w) + S*(L - L_w))/L


def kv_cache_bytes_seq(B, kv_seq):
    return B*kv_seq


def total_bytes_seq(B, P, b_w, kv_seq):
    return B*kv_seq + P*b_w


def min_chips_seq(B, HBM, P, b_w, kv_seq):
    return math.ceil((B*kv_seq + P*b_w)/HBM)


def max_batch_seq(HBM, N, P, b_w, kv_seq):
    return math.floor((HBM*N - P*b_w)/kv_seq)


def step_time_moe(B, C, E, L_e, N, P_dense, P_e, W_hbm, b_w, k, kv_seq):
    return B*kv_seq/(N*W_hbm) + max(2*B*(L_e*P_e*k + P_dense)/(C*N), b_w*(E*L_e*P_e*(1 - max(0, 1 - k/E)**B) + P_dense)/(N*W_hbm))


def moe_critical_batch_gap(B, C, E, L_e, P_dense, P_e, W_hbm, b_w, k):
    return 2*B*(L_e*P_e*k + P_dense)/C - b_w*(E*L_e*P_e*(1 - max(0, 1 - k/E)**B) + P_dense)/W_hbm


def step_time_calibrated_moe(B, C, E, K, L_e, N, P_dense, P_e, W_hbm, W_mm, b_w, k, kv_seq, nu, w_s):
    return B*kv_seq/(N*min(W_hbm, B*K*w_s/N)) + ((b_w*(E*L_e*P_e*(1 - max(0, 1 - k/E)**B) + P_dense)/(N*W_mm))**nu + (2*B*(L_e*P_e*k + P_dense)/(C*N))**nu)**(1/nu)


def kv_load_time_seq(B, N, W_hbm, kv_seq):
    return B*kv_seq/(N*W_hbm)


def weight_read_time(B, E, L_e, N, P_dense, P_e, W_hbm, b_w, k):
    return b_w*(E*L_e*P_e*(1 - max(0, 1 - k/E)**B) + P_dense)/(N*W_hbm)


def step_flops_time_moe(B, C, L_e, N, P_dense, P_e, k):
    return 2*B*(L_e*P_e*k + P_dense)/(C*N)


def kv_bytes_per_token_mla_heads(H_n, H_r, H_v, L, N_q, b_kv):
    return L*N_q*b_kv*(H_n + H_r + H_v)


def moe_critical_batch_all_experts(C, E, L_e, P_dense, P_e, W_hbm, b_w, k):
    return (1/2)*C*b_w*(E*L_e*P_e + P_dense)/(W_hbm*(L_e*P_e*k + P_dense))
