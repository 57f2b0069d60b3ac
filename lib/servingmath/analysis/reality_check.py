"""The reality check (chapter 12): the roofline and its calibration (``calibration.fit``) against the H100 data.

Three predictors of a decode step (``PREDICTORS``): the datasheet roofline, the roofline at the measured
peaks, and the calibrated model. Here they are judged on the decode-step grid of one layer
(``grid_errors``, ``ratio_matrix``), on the whole model (``full_model_prediction``), on one measured
step split into parts (``point``), on the matmul batch sweep (``matmul_sweep``) and, through the
planner, on public serving numbers (``public_comparison``); ``v5e_steps`` carries the H100's fractions
over to the TPU v5e steps of chapters 03-07.
"""

from dataclasses import dataclass

import numpy as np

from ..calibration import IDEAL, Efficiency
from ..calibration.fit import h100_efficiency
from ..calibration.fit import H100, LLAMA, SWEEP_D, SWEEP_F, peak_efficiency, sweep_prediction, weight_stream_bandwidth
from ..core import formulas as f
from ..core.hardware import PRESETS as CHIPS, Chip
from ..core.precision import bytes_per_element
from ..core.models import PRESETS as MODELS, Model
from ..data.measured import decode_grid, full_model, over_runs, peak_spread, public_model, public_serving
from .plan import ARTICLE_MODE, Plan, plan

#: The predictors of a decode step, and what each is.
PREDICTORS = {"ideal": "datasheet roofline", "peaks": "datasheet x measured peaks",
              "calibrated": "calibrated model"}


@dataclass(frozen=True)
class Peak:
    """One peak experiment over the three runs against the datasheet figure it measures."""

    key: str                   # the experiment (``measured.peaks``)
    datasheet: float
    median: float
    low: float
    high: float

    @property
    def efficiency(self) -> float:
        """The median as a fraction of the datasheet."""
        return self.median / self.datasheet


def peaks(chip: Chip = H100) -> list:
    """The streaming read, the copy and the large bf16 and fp8 matmuls, each against ``chip``'s datasheet."""
    sheet = {"hbm_read_sum": chip.hbm_bw, "hbm_copy": chip.hbm_bw, "matmul_bf16": chip.flops_bf16,
             "matmul_fp8": chip.flops("fp8")}
    return [Peak(key, peak, *peak_spread(key)) for key, peak in sheet.items()]


def efficiency(predictor: str) -> Efficiency:
    """``ideal`` (datasheet), ``peaks`` (datasheet x measured streaming read and matmul) or ``calibrated``."""
    if predictor not in PREDICTORS:
        raise ValueError(f"predictor: unknown {predictor!r}; choose one of {', '.join(PREDICTORS)}")
    return {"ideal": IDEAL, "peaks": peak_efficiency(), "calibrated": h100_efficiency()}[predictor]


def _roofline_step(eff: Efficiency, chip: Chip, B, S, P, b_w, kv, N, compute):
    """The book's roofline step (``formulas.step_time``) at the efficiency's bandwidth and FLOP/s."""
    v = eff.constants(chip, compute)
    return f.step_time(B=B, C=v["C"], N=N, P=P, S=S, W_hbm=v["W_hbm"], b_w=b_w, kv=kv)


def predict(predictor: str, B, S, P, b_w, kv, K, N=1, chip: Chip = H100, compute="bf16"):
    """Step time of ``predictor`` (``ideal``, ``peaks``, ``calibrated``): the first two are the book's roofline."""
    eff = efficiency(predictor)
    if predictor == "calibrated":
        return eff.step_time(chip, B, S, P, b_w, kv, K, N, compute)
    return _roofline_step(eff, chip, B, S, P, b_w, kv, N, compute)


def layer_kv_per_token(dtype: str = "bf16") -> float:
    """KV bytes per token of one LLaMA 3-70B layer."""
    return f.kv_bytes_per_token(K=LLAMA.kv_heads, H=LLAMA.head_dim, L=1, b_kv=bytes_per_element(dtype))


def _compute(weights: str) -> str:
    """The FLOPs' dtype of a measured grid: bf16 with bf16 weights, fp8 with fp8 weights."""
    return "bf16" if weights == "bf16" else "fp8"


def grid_prediction(predictor: str, weights: str = "bf16", graphs: bool = False) -> tuple:
    """(grid, predicted seconds) for the decode grid of one layer (``measured.decode_grid``)."""
    grid = decode_grid(weights, graphs)
    pred = predict(predictor, grid["batch"], grid["context"], grid["layer_params"], bytes_per_element(weights),
                   layer_kv_per_token(), LLAMA.kv_heads, 1, compute=_compute(weights))
    return grid, np.asarray(pred, dtype=float)


@dataclass(frozen=True)
class ErrorStats:
    """Median, 90th percentile and max of a set of relative errors (or of the runs' relative spread)."""

    median: float
    p90: float
    max: float

    @classmethod
    def of(cls, values) -> "ErrorStats":
        values = np.asarray(values)
        return cls(median=float(np.median(values)), p90=float(np.percentile(values, 90)), max=float(values.max()))


def error_stats(predicted, measured) -> ErrorStats:
    """Median, 90th percentile and max of |predicted / measured - 1|."""
    return ErrorStats.of(np.abs(np.asarray(predicted) / np.asarray(measured) - 1))


def grid_errors(weights: str = "bf16", graphs: bool = False) -> dict:
    """The ``ErrorStats`` of each predictor on a decode grid, and the runs' own spread (``"run spread"``)."""
    out = {}
    for predictor in PREDICTORS:
        grid, pred = grid_prediction(predictor, weights, graphs)
        out[predictor] = error_stats(pred, grid["time_s"])
    out["run spread"] = ErrorStats.of((grid["time_hi_s"] - grid["time_lo_s"]) / grid["time_s"])
    return out


def full_model_prediction(predictor: str = "calibrated") -> tuple:
    """(full-model table, predicted seconds per step) for the 80-layer fp8 model with its LM head."""
    data = full_model()
    kv = f.kv_bytes_per_token(K=LLAMA.kv_heads, H=LLAMA.head_dim, L=data["layers"], b_kv=bytes_per_element("bf16"))
    pred = predict(predictor, data["batch"], data["context"], data["params"], bytes_per_element("fp8"), kv,
                   LLAMA.kv_heads, 1, compute="fp8")
    return data, np.asarray(pred, dtype=float)


@dataclass(frozen=True)
class FullModel:
    """The whole fp8 model on one H100 at each measured (batch, context), and each predictor's step."""

    batch: np.ndarray
    context: np.ndarray
    measured: np.ndarray       # seconds per step
    predicted: dict            # predictor -> seconds per step

    def error(self, predictor: str = "calibrated") -> np.ndarray:
        """predicted / measured - 1 at each point."""
        return self.predicted[predictor] / self.measured - 1


def full_model_comparison() -> FullModel:
    data = full_model()
    return FullModel(batch=data["batch"], context=data["context"], measured=data["time_s"],
                     predicted={k: full_model_prediction(k)[1] for k in PREDICTORS})


# --- The decode grid as a matrix, and one measured step in parts -----------------------------------------

#: The decode grids the chapter shows: label -> (weights, CUDA graphs).
GRIDS = {"bf16, eager (3 runs)": ("bf16", False), "bf16, CUDA graphs (run 3)": ("bf16", True),
         "fp8, CUDA graphs (run 3)": ("fp8", True)}
BATCHES = (1, 4, 8, 16, 32, 64, 128, 192, 256, 384, 512)
CONTEXTS = (1024, 4096, 8192, 16384, 32768)


def grid_choice(grid: str) -> tuple:
    """(weights, CUDA graphs) of one of ``GRIDS``, or a ``ValueError`` naming the explorer's ``data``."""
    if grid not in GRIDS:
        raise ValueError(f"data: unknown {grid!r}; choose one of {', '.join(GRIDS)}")
    return GRIDS[grid]


def ratio_matrix(predictor: str, grid: str = "bf16, eager (3 runs)") -> np.ndarray:
    """measured / predicted on the BATCHES x CONTEXTS layout (NaN where nothing was measured)."""
    weights, graphs = grid_choice(grid)
    data, pred = grid_prediction(predictor, weights, graphs)
    out = np.full((len(BATCHES), len(CONTEXTS)), np.nan)
    for b, s, t, p in zip(data["batch"], data["context"], data["time_s"], pred):
        out[BATCHES.index(int(b)), CONTEXTS.index(int(s))] = t / p
    return out


@dataclass(frozen=True)
class GridComparison:
    """One decode grid against the ideal roofline and the calibrated model."""

    grid: str
    ideal: np.ndarray          # measured / predicted, BATCHES x CONTEXTS
    calibrated: np.ndarray
    errors: dict               # predictor (and "run spread") -> ErrorStats

    @property
    def points(self) -> int:
        """Measured points of the grid."""
        return int(np.sum(~np.isnan(self.ideal)))


def grid_comparison(grid: str = "bf16, eager (3 runs)") -> GridComparison:
    weights, graphs = grid_choice(grid)
    return GridComparison(grid=grid, ideal=ratio_matrix("ideal", grid), calibrated=ratio_matrix("calibrated", grid),
                          errors=grid_errors(weights, graphs))


@dataclass(frozen=True)
class StepParts:
    """A predicted decode step in seconds: the KV read, the weight read, the FLOPs alone, and the total."""

    kv_read: float
    weight_read: float
    flops: float
    total: float

    @property
    def beyond_reads(self) -> float:
        """What the total adds to the two reads: FLOPs and imperfect overlap (never below 0)."""
        return max(0.0, self.total - self.kv_read - self.weight_read)


@dataclass(frozen=True)
class DecodePoint:
    """One measured decode step of one layer, with each predictor's parts."""

    grid: str
    batch: int
    context: int
    measured: float            # seconds: the median over the runs
    low: float                 # the fastest and slowest run
    high: float
    parts: dict                # predictor -> StepParts

    def ratio(self, predictor: str) -> float:
        """measured / predicted for one predictor."""
        return self.measured / self.parts[predictor].total


def point(grid: str, batch: int, context: int) -> DecodePoint:
    """One measured decode step of a grid, with its predictions split into parts."""
    weights, graphs = grid_choice(grid)
    data = decode_grid(weights, graphs)
    rows = np.flatnonzero((data["batch"] == batch) & (data["context"] == context))
    if not len(rows):
        measured = sorted({(int(b), int(s)) for b, s in zip(data["batch"], data["context"])})
        batches = sorted({b for b, s in measured if s == context})
        raise ValueError(f"batch: {batch} at context {context:,} was not measured in {grid}"
                         + (f" (at this context: {', '.join(map(str, batches))})" if batches else ""))
    i = rows[0]
    b_w, compute = bytes_per_element(weights), _compute(weights)
    kv = layer_kv_per_token()
    P, K = float(data["layer_params"][i]), LLAMA.kv_heads
    parts = {}
    for predictor in PREDICTORS:
        eff = efficiency(predictor)
        if predictor == "calibrated":
            parts[predictor] = StepParts(**eff.decompose(H100, batch, context, P, b_w, kv, K, compute=compute))
            continue
        v = eff.constants(H100, compute)
        parts[predictor] = StepParts(
            kv_read=f.kv_load_time(B=batch, N=1, S=context, W_hbm=v["W_hbm"], kv=kv),
            weight_read=f.param_load_time(N=1, P=P, W_hbm=v["W_hbm"], b_w=b_w),
            flops=f.step_flops_time(B=batch, C=v["C"], N=1, P=P),
            total=float(predict(predictor, batch, context, P, b_w, kv, K, compute=compute)))
    return DecodePoint(grid=grid, batch=batch, context=context, measured=float(data["time_s"][i]),
                       low=float(data["time_lo_s"][i]), high=float(data["time_hi_s"][i]), parts=parts)


# --- The matmul batch sweep and its knee ------------------------------------------------------------------

def measured_knee(dtype: str = "bf16") -> float:
    """Critical batch of the sweep itself: its large-batch FLOP/s over its small-batch weight bandwidth."""
    sweep = over_runs("matmul_sweep", dtype=dtype)
    large = sweep["batch"] >= 1024
    flops = float(np.median(sweep["flops"][large] / sweep["time_s"][large]))
    return f.critical_batch(C=flops, W_hbm=weight_stream_bandwidth(dtype), b_w=bytes_per_element(dtype))


def spec_knee(dtype: str = "bf16", chip: Chip = H100) -> float:
    """Critical batch of the datasheet: the chip's FLOP/s in ``dtype`` over its bandwidth."""
    return f.critical_batch(C=chip.flops(dtype), W_hbm=chip.hbm_bw, b_w=bytes_per_element(dtype))


#: Points of the predicted curves over the sweep's batches.
SWEEP_POINTS = 200


@dataclass(frozen=True)
class MatmulSweep:
    """x[B, 8192] @ W[8192, 28672] over B in one dtype: measured, the datasheet roofline, the calibrated model."""

    dtype: str
    batch: np.ndarray
    time_s: np.ndarray         # median over the runs
    time_lo_s: np.ndarray
    time_hi_s: np.ndarray
    dense: np.ndarray          # batches of the predicted curves
    ideal: np.ndarray          # seconds at ``dense``
    calibrated: np.ndarray
    spec_knee: float
    measured_knee: float


def matmul_sweep(dtype: str = "bf16", chip: Chip = H100) -> MatmulSweep:
    """The sweep in ``dtype`` (weights and FLOPs) against the roofline and the calibrated model on ``chip``."""
    sweep = over_runs("matmul_sweep", dtype=dtype)
    b = sweep["batch"]
    dense = np.geomspace(b.min(), b.max(), SWEEP_POINTS)
    ideal = f.matmul_time(B=dense, C=chip.flops(dtype), D=SWEEP_D, F=SWEEP_F, W_hbm=chip.hbm_bw,
                          b_a=bytes_per_element("bf16"), b_w=bytes_per_element(dtype))
    return MatmulSweep(dtype=dtype, batch=b, time_s=sweep["time_s"], time_lo_s=sweep["time_lo_s"],
                       time_hi_s=sweep["time_hi_s"], dense=dense, ideal=ideal,
                       calibrated=sweep_prediction(h100_efficiency(), dtype, chip, dense),
                       spec_knee=spec_knee(dtype, chip), measured_knee=measured_knee(dtype))


# --- Public serving measurements against the planner ----------------------------------------------

#: The metrics a public measurement may report.
METRICS = {"itl_s": "inter-token latency", "tpot_s": "time per output token", "ttft_s": "time to first token",
           "output_tokens_per_s": "output tokens/s per chip"}


@dataclass(frozen=True)
class Prediction:
    """The planner's value for one public measurement, with one predictor."""

    plan: Plan
    predicted: float           # seconds (latencies) or output tokens/s per chip (throughputs)
    fraction: float            # the measured speed as a fraction of the predicted one (1: reached)


@dataclass(frozen=True)
class PublicResult:
    """One public measurement beside the planner's prediction for its configuration."""

    row: dict                  # the measurement (``measured.public_serving``)
    value: float               # the measured value, per chip for throughputs
    context: int               # the context the planner runs at
    batch: int
    fits: bool
    ideal: Prediction
    calibrated: Prediction


def _predicted(row: dict, p: Plan) -> float:
    if row["metric"] in ("itl_s", "tpot_s"):
        return p.step_time_s
    if row["metric"] == "ttft_s":
        return p.prefill_time_s
    return f.serving_tokens_per_s_per_chip(B=p.batch, G=row["osl"], N=p.chips, T_step=p.step_time_s,
                                           T_prefill=p.prefill_time_s)


def public_comparison(rows=None) -> list:
    """Each public measurement (``PublicResult``) beside the planner's prediction, ideal and calibrated.

    The planner runs at context = input + half the output (the mean context while decoding), with the
    prompt as its prefill at full FLOP/s (``mfu=1``: the pure roofline; the measured mode scales it).
    Latencies (``itl_s``, ``tpot_s``) compare with the step time at the stated concurrency, or, for
    MLPerf's server runs, at the batch Little's law gives (tokens/s per copy x time per token);
    ``ttft_s`` with the prefill time; throughputs with ``formulas.serving_tokens_per_s_per_chip`` at the
    largest batch that fits, the same chips doing every request's prefill.
    """
    out = []
    for row in public_serving() if rows is None else rows:
        model, chip = public_model(row["model"]), CHIPS[row["chip"]]
        context = int(round(row["isl"] + row["osl"] / 2))
        batch = row["concurrency"]
        if row["metric"] in ("itl_s", "tpot_s") and batch is None:
            per_chip = row["tokens_per_s"] / row["system_chips"]
            batch = int(round(f.sequences_in_flight(r=per_chip, N=row["chips"], T_step=row["value"])))
        setup = dict(chips=row["chips"], weights=row["weights"], kv_dtype=row["kv"], compute=row["compute"],
                     context=context, batch="max" if batch is None else batch, prompt=int(row["isl"]),
                     decode=max(1, int(round(row["osl"]))), mfu=1.0)
        throughput = row["metric"] == "output_tokens_per_s"
        measured = row["value"] / row["system_chips"] if throughput else row["value"]
        predictions = {}
        for key, mode in (("ideal", "ideal"), ("calibrated", "measured")):
            p = plan(model, chip, efficiency=mode, **setup)
            predicted = _predicted(row, p)
            predictions[key] = Prediction(plan=p, predicted=predicted,
                                          fraction=measured / predicted if throughput else predicted / measured)
        ideal = predictions["ideal"].plan
        out.append(PublicResult(row=row, value=measured, context=context, batch=ideal.batch, fits=ideal.fits,
                                **predictions))
    return out


@dataclass(frozen=True)
class PublicGap:
    """The public measurements' speed as a fraction of each prediction, and how those fractions spread."""

    ids: tuple
    ideal: np.ndarray
    calibrated: np.ndarray
    ideal_median: float
    ideal_range: tuple         # (lowest, highest)
    calibrated_median: float


def public_fractions(results: list) -> PublicGap:
    """The fractions of ``public_comparison``'s results, ideal and calibrated."""
    ideal = np.array([r.ideal.fraction for r in results])
    calibrated = np.array([r.calibrated.fraction for r in results])
    return PublicGap(ids=tuple(r.row["id"] for r in results), ideal=ideal, calibrated=calibrated,
                     ideal_median=float(np.median(ideal)), ideal_range=(float(ideal.min()), float(ideal.max())),
                     calibrated_median=float(np.median(calibrated)))


# --- The H100's fractions on the TPU v5e steps of chapters 03-07 ------------------------------------------

#: The v5e decode steps of chapters 03-07 at 8,192 tokens (the article's chip constants, HBM filled to the
#: last byte, no collectives): label -> (the chapters that time it, the plan's slice, formats and batch).
V5E_STEPS = {
    "BS=32, int8, 2x4": ("03", dict(chips=8, weights="int8", batch=32)),
    "HBM full, bf16, 4x4": ("05-07", dict(chips=16, weights="bf16", batch="max")),
    "HBM full, int8, 2x4": ("05-06", dict(chips=8, weights="int8", batch="max")),
    "HBM full, int4, 2x2": ("05-06", dict(chips=4, weights="int4", batch="max")),
}


@dataclass(frozen=True)
class Recalibrated:
    """One decode step planned on the datasheet roofline and with the H100's measured fractions."""

    label: str
    chapters: str
    ideal: Plan
    calibrated: Plan

    @property
    def step_ratio(self) -> float:
        """Calibrated step over the roofline step."""
        return self.calibrated.step_time_s / self.ideal.step_time_s

    @property
    def throughput_ratio(self) -> float:
        """Calibrated tokens/s/chip over the roofline's."""
        return self.calibrated.tokens_per_s_per_chip / self.ideal.tokens_per_s_per_chip


def v5e_steps(chip: Chip = CHIPS["tpu-v5e-article"], model: Model = MODELS["llama-3-70b"], context=8192) -> list:
    """The steps of ``V5E_STEPS`` (KV cache in the weights' format, bf16 FLOPs), ideal and ``efficiency="measured"``."""
    out = []
    for label, (chapters, setup) in V5E_STEPS.items():
        ideal, calibrated = (plan(model, chip, context=context, efficiency=mode, **setup, **ARTICLE_MODE)
                             for mode in ("ideal", "measured"))
        out.append(Recalibrated(label, chapters, ideal, calibrated))
    return out
