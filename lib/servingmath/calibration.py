"""The roofline calibrated on a real chip: ``plan(efficiency="measured")`` (chapter 12).

Every number here comes from the shipped H100 measurements (``servingmath.measured``), each from
the experiment that isolates it, and none is fitted to the decode-step grid it is then judged on:

- ``hbm``: a streaming read (``hbm_read_sum``) over the datasheet bandwidth (median of three runs);
- ``flops`` / ``flops_fp8``: a large 8192^3 matmul over the datasheet FLOP/s, per dtype;
- ``matmul_hbm``: the bandwidth at which one matmul streams its weights at small batch (the flat
  part of the bf16 batch sweep, B <= 64), over the datasheet bandwidth. A matmul kernel reads its
  weights tile by tile and pays its start and its tail, so it streams slower than a plain read;
- ``stream_bw``: the bytes/s one attention stream (one sequence x one KV head) reaches. The
  attention kernel works on each (sequence, KV head) pair separately, and one pair keeps only so
  many bytes in flight (Little's law: bandwidth = bytes in flight / latency), so a batch of B
  sequences reads its cache at ``min(W, B K w_s)``. Measured where weights cancel: the time a
  decode step gains per extra context token at batches with few streams (B K <= 32);
- ``overlap``: the exponent nu of the soft roofline ``(T_bytes^nu + T_flops^nu)^(1/nu)`` that fits
  the bf16 matmul batch sweep (nu = 1 adds the two times, nu -> infinity is the ideal max).

The model is ``formulas.step_time_calibrated``; the decode grid is its test, not its input.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import formulas as f
from .chips import get_chip
from .measured import decode_grid, full_model, over_runs, peak_spread
from .models import get_model
from .precision import bytes_per_element

#: Datasheet bandwidth and FLOP/s the H100 fractions are relative to.
H100 = get_chip("h100")
LLAMA = get_model("llama-3-70b")
#: The sweep's shape: x[B, D] @ W[D, F] with LLaMA 3-70B's D and F.
SWEEP_D, SWEEP_F = LLAMA.d_model, LLAMA.d_ff
#: Batches of the sweep's flat part (weight read dominates) and of few attention streams.
FLAT_BATCHES = 64
FEW_STREAMS = 32


@dataclass(frozen=True)
class Efficiency:
    """Fractions of a chip's datasheet peaks that real kernels reach, and the calibrated model's constants."""

    hbm: float          # streaming read bandwidth / datasheet bandwidth
    flops: float        # large bf16 matmul FLOP/s / datasheet bf16 FLOP/s
    flops_fp8: float = 1.0    # large fp8 matmul / datasheet fp8 (8-bit) FLOP/s
    matmul_hbm: float = 1.0   # weight-streaming bandwidth of a small-batch matmul / datasheet bandwidth
    stream_bw: float = float("inf")  # bytes/s one attention stream (sequence x KV head) reaches
    overlap: float = float("inf")    # soft-roofline exponent nu (inf: the ideal max)

    def flops_for(self, compute: str) -> float:
        """The FLOP/s fraction for matmuls computed in ``compute`` (8-bit formats use the fp8 one)."""
        return self.flops if compute == "bf16" else self.flops_fp8

    def constants(self, chip, compute: str = "bf16", flops=None) -> dict:
        """The calibrated model's symbols for ``chip``: W_hbm, W_mm, C, w_s, nu.

        ``flops`` replaces the chip's peak FLOP/s for ``compute`` (a reader's own figure).
        """
        hw = get_chip(chip)
        peak = hw.flops(compute) if flops is None else flops
        return {"W_hbm": hw.hbm_bw * self.hbm, "W_mm": hw.hbm_bw * self.matmul_hbm,
                "C": peak * self.flops_for(compute), "w_s": self.stream_bw, "nu": self.overlap}

    def step_time(self, chip, B, S, P, b_w, kv, K, N=1, compute="bf16", flops=None):
        """Calibrated decode step (``formulas.step_time_calibrated``); B = 0 reads the weights only."""
        values = self.constants(chip, compute, flops)
        B = np.asarray(B, dtype=float) if np.ndim(B) else float(B)
        if np.ndim(B) == 0 and B == 0:
            return P * b_w / (N * values["W_mm"])
        return f.step_time_calibrated(B=B, S=S, P=P, b_w=b_w, kv=kv, K=K, N=N, **values)

    def critical_batch(self, chip, b_w, compute="bf16", flops=None) -> float:
        """Batch where the matmul FLOPs take as long as the weight read, at the reached rates."""
        values = self.constants(chip, compute, flops)
        return f.critical_batch(C=values["C"], W_hbm=values["W_mm"], b_w=b_w)

    def decompose(self, chip, B, S, P, b_w, kv, K, N=1, compute="bf16") -> dict:
        """The calibrated step's parts in seconds: KV read, weight read, FLOPs, and their total."""
        v = self.constants(chip, compute)
        attention = f.attention_streams_bandwidth(B=B, K=K, N=N, W_hbm=v["W_hbm"], w_s=v["w_s"])
        parts = {"kv_read": B * S * kv / (N * attention), "weight_read": P * b_w / (N * v["W_mm"]),
                 "flops": 2 * B * P / (N * v["C"])}
        parts["total"] = float(self.step_time(chip, B, S, P, b_w, kv, K, N, compute))
        return parts


IDEAL = Efficiency(hbm=1.0, flops=1.0)


def peak_efficiency() -> Efficiency:
    """Only the datasheet fractions of the streaming read and of a large bf16 matmul (the plain scaling)."""
    return Efficiency(hbm=peak_spread("hbm_read_sum")[0] / H100.hbm_bw,
                      flops=peak_spread("matmul_bf16")[0] / H100.flops_bf16,
                      flops_fp8=peak_spread("matmul_fp8")[0] / H100.flops("fp8"))


def weight_stream_bandwidth(dtype: str = "bf16") -> float:
    """Bytes/s one x @ W streams at small batch: the sweep's flat part (B <= 64), median over runs and batches."""
    sweep = over_runs("matmul_sweep", dtype=dtype)
    flat = sweep["batch"] <= FLAT_BATCHES
    return float(np.median(sweep["bytes"][flat] / sweep["time_s"][flat]))


def stream_bandwidth() -> float:
    """Bytes/s one attention stream reaches: extra KV bytes / extra time between neighbouring contexts,
    at the batches with at most ``FEW_STREAMS`` streams, per stream; the median over those pairs."""
    grid = decode_grid()
    per_stream = []
    for b in np.unique(grid["batch"]):
        streams = b * LLAMA.kv_heads
        if streams > FEW_STREAMS:
            continue
        rows = np.flatnonzero(grid["batch"] == b)
        rows = rows[np.argsort(grid["context"][rows])]
        for i, j in zip(rows[:-1], rows[1:]):
            extra_bytes = grid["kv_bytes"][j] - grid["kv_bytes"][i]
            extra_time = grid["time_s"][j] - grid["time_s"][i]
            if extra_time > 0:
                per_stream.append(extra_bytes / extra_time / streams)
    return float(np.median(per_stream))


def sweep_prediction(eff: Efficiency, dtype: str = "bf16", chip="h100", batch=None) -> np.ndarray:
    """Calibrated time of the sweep's matmul x[B, 8192] @ W[8192, 28672] at each ``batch``."""
    values = eff.constants(chip, dtype)
    b = bytes_per_element(dtype)
    batch = over_runs("matmul_sweep", dtype=dtype)["batch"] if batch is None else np.asarray(batch, float)
    ones = np.ones_like(batch, dtype=float)
    return f.matmul_time_calibrated(B=batch, C=values["C"] * ones, D=SWEEP_D * ones, F=SWEEP_F * ones,
                                    W_mm=values["W_mm"] * ones, b_a=2 * ones, b_w=b * ones, nu=values["nu"] * ones)


def fit_overlap(eff: Efficiency, grid=np.arange(1.0, 12.01, 0.1)) -> float:
    """The exponent nu that best fits the bf16 matmul sweep (least median |log error|), given the rest."""
    sweep = over_runs("matmul_sweep", dtype="bf16")
    errors = []
    for nu in grid:
        trial = Efficiency(**{**eff.__dict__, "overlap": float(nu)})
        errors.append(np.median(np.abs(np.log(sweep_prediction(trial, "bf16") / sweep["time_s"]))))
    return float(np.round(grid[int(np.argmin(errors))], 1))


@lru_cache(maxsize=None)
def h100_efficiency() -> Efficiency:
    """The H100 calibration: datasheet fractions, matmul weight streaming, attention streams, overlap."""
    base = peak_efficiency()
    eff = Efficiency(hbm=base.hbm, flops=base.flops, flops_fp8=base.flops_fp8,
                     matmul_hbm=weight_stream_bandwidth("bf16") / H100.hbm_bw, stream_bw=stream_bandwidth())
    return Efficiency(**{**eff.__dict__, "overlap": fit_overlap(eff)})


H100_EFFICIENCY = h100_efficiency()

# --- Predictions of the measured points, and the model's error -----------------------------------

MODELS = {"ideal": "datasheet roofline", "peaks": "datasheet x measured peaks",
          "calibrated": "calibrated model"}


def efficiency(kind: str) -> Efficiency:
    """``ideal`` (datasheet), ``peaks`` (datasheet x measured streaming read and matmul) or ``calibrated``."""
    if kind not in MODELS:
        raise ValueError(f"model: unknown {kind!r}; choose one of {', '.join(MODELS)}")
    return {"ideal": IDEAL, "peaks": peak_efficiency(), "calibrated": H100_EFFICIENCY}[kind]


def _ideal_step(eff: Efficiency, chip, B, S, P, b_w, kv, N, compute):
    """The book's roofline step (``formulas.step_time``) at the efficiency's bandwidth and FLOP/s."""
    v = eff.constants(chip, compute)
    return f.step_time(B=B, C=v["C"], N=N, P=P, S=S, W_hbm=v["W_hbm"], b_w=b_w, kv=kv)


def predict(kind: str, B, S, P, b_w, kv, K, N=1, chip="h100", compute="bf16"):
    """Step time of ``kind`` (``ideal``, ``peaks``, ``calibrated``): the first two are the book's roofline."""
    eff = efficiency(kind)
    if kind == "calibrated":
        return eff.step_time(chip, B, S, P, b_w, kv, K, N, compute)
    return _ideal_step(eff, chip, B, S, P, b_w, kv, N, compute)


def layer_kv_per_token(dtype: str = "bf16") -> float:
    """KV bytes per token of one LLaMA 3-70B layer."""
    return f.kv_bytes_per_token(K=LLAMA.kv_heads, H=LLAMA.head_dim, L=1, b_kv=bytes_per_element(dtype))


def grid_prediction(kind: str, weights: str = "bf16", graphs: bool = False) -> tuple:
    """(grid, predicted seconds) for the decode grid of one layer (``measured.decode_grid``)."""
    grid = decode_grid(weights, graphs)
    ones = np.ones_like(grid["batch"])
    b_w = bytes_per_element(weights)
    compute = "bf16" if weights == "bf16" else "fp8"
    pred = predict(kind, grid["batch"], grid["context"], grid["layer_params"] * ones, b_w * ones,
                   layer_kv_per_token() * ones, LLAMA.kv_heads * ones, ones, compute=compute)
    return grid, np.asarray(pred, dtype=float)


def error_stats(predicted, measured) -> dict:
    """Median, 90th percentile and max of |predicted / measured - 1|."""
    error = np.abs(np.asarray(predicted) / np.asarray(measured) - 1)
    return {"median": float(np.median(error)), "p90": float(np.percentile(error, 90)), "max": float(error.max())}


def grid_errors(weights: str = "bf16", graphs: bool = False) -> dict:
    """The error of each model on a decode grid, and the runs' own spread for comparison."""
    out = {}
    for kind in MODELS:
        grid, pred = grid_prediction(kind, weights, graphs)
        out[kind] = error_stats(pred, grid["time_s"])
    spread = (grid["time_hi_s"] - grid["time_lo_s"]) / grid["time_s"]
    out["run spread"] = {"median": float(np.median(spread)), "p90": float(np.percentile(spread, 90)),
                         "max": float(spread.max())}
    return out


def full_model_prediction(kind: str = "calibrated") -> tuple:
    """(full-model table, predicted seconds per step) for the 80-layer fp8 model with its LM head."""
    data = full_model()
    ones = np.ones_like(data["batch"])
    kv = f.kv_bytes_per_token(K=LLAMA.kv_heads, H=LLAMA.head_dim, L=data["layers"], b_kv=2)
    pred = predict(kind, data["batch"], data["context"], data["params"], 1 * ones, kv, LLAMA.kv_heads * ones,
                   ones, compute="fp8")
    return data, np.asarray(pred, dtype=float)


# --- Public serving measurements against the planner ----------------------------------------------

METRICS = {"itl_s": "inter-token latency", "tpot_s": "time per output token", "ttft_s": "time to first token",
           "output_tokens_per_s": "output tokens/s per chip"}


def public_comparison(rows=None) -> list:
    """Each public measurement beside the planner's prediction for its configuration, ideal and measured.

    The planner runs at context = input + half the output (the mean context while decoding), with the
    prompt as its prefill at full FLOP/s (``mfu=1``: the pure roofline; the measured mode scales it).
    Latencies (``itl_s``, ``tpot_s``) compare with the step time at the stated concurrency, or, for
    MLPerf's server runs, at the batch Little's law gives (tokens/s per copy x time per token);
    ``ttft_s`` with the prefill time; throughputs with ``formulas.serving_tokens_per_s_per_chip`` at the
    largest batch that fits, the same chips doing every request's prefill.
    Each result has ``row``, ``value`` (the measurement, per chip for throughputs), ``batch``, ``context``,
    ``fits`` and, for ``ideal`` and ``calibrated``, the ``plan``, its ``predicted`` value and ``fraction``:
    the measured speed as a fraction of the predicted one (1: the prediction is reached).
    """
    from .measured import public_model, public_serving
    from .plan import plan
    out = []
    for row in public_serving() if rows is None else rows:
        model = public_model(row["model"])
        context = int(round(row["isl"] + row["osl"] / 2))
        batch = row["concurrency"]
        if row["metric"] in ("itl_s", "tpot_s") and batch is None:
            per_chip = row["tokens_per_s"] / row["system_chips"]
            batch = int(round(f.sequences_in_flight(r=per_chip, N=row["chips"], T_step=row["value"])))
        setup = dict(model=model, chip=row["chip"], chips=row["chips"], weights=row["weights"], kv=row["kv"],
                     compute=row["compute"], context=context, batch="max" if batch is None else batch,
                     prompt=int(row["isl"]), decode=max(1, int(round(row["osl"]))), mfu=1.0)
        result = {"row": row, "context": context}
        measured = row["value"] / row["system_chips"] if row["metric"] == "output_tokens_per_s" else row["value"]
        result["value"] = measured
        for key, mode in (("ideal", "ideal"), ("calibrated", "measured")):
            p = plan(efficiency=mode, **setup)
            if row["metric"] in ("itl_s", "tpot_s"):
                predicted = p.step_time_s
            elif row["metric"] == "ttft_s":
                predicted = p.prefill_time_s
            else:
                predicted = f.serving_tokens_per_s_per_chip(B=p.batch, G=row["osl"], N=p.chips, T_step=p.step_time_s,
                                                            T_prefill=p.prefill_time_s)
            fraction = measured / predicted if row["metric"] == "output_tokens_per_s" else predicted / measured
            result[key] = {"plan": p, "predicted": predicted, "fraction": fraction}
        result["fits"] = result["ideal"]["plan"].fits
        result["batch"] = result["ideal"]["plan"].batch
        out.append(result)
    return out
