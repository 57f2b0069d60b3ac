"""Measure LLaMA 3-70B-shaped inference on your own GPU: the dataset of chapter 12, reproduced.

Writes, into ``--out``, the files the book ships for the H100 (``lib/servingmath/data/measured/h100``)
with the same columns, so a reader can set the book's roofline against their own chip:

    peaks.csv             HBM copy and streaming read, 8192^3 matmuls in bf16, fp8 and int8
    matmul_sweep.csv      x[B, 8192] @ W[8192, 28672] for B = 1 ... 4096 (bf16; fp8 for B % 16 == 0; int8 for B > 16)
    decode_layer.csv      one decoder layer's decode step, batch x context grid (bf16, eager PyTorch)
    decode_layer_graphs.csv  the same step with bf16 and fp8 weights, captured in a CUDA graph
    prefill_layer.csv     one decoder layer over T prompt tokens, causal attention
    full_model_fp8.csv    80 fp8 layers + an fp8 LM head decoding in one CUDA graph (needs ~75 GB of GPU memory)
    env.json              the machine: GPU, SMs, memory, PyTorch, CUDA, driver, and notes on what was skipped

Usage (PyTorch with CUDA; a few minutes on one GPU; nothing is downloaded, the weights are random):

    python tools/measure_gpu.py --out my-gpu/run1
    python tools/measure_gpu.py --tiny --out tiny-run       # small shapes on the CPU: tries the script anywhere

Run it three times on fresh processes (run1, run2, run3) to see the run-to-run noise, as the book
does. ``--tiny`` uses small shapes (D = 256, F = 896, 8 query heads, 2 KV heads, 2 layers) and runs
on the CPU when there is no GPU: fp8 matmuls are emulated (fp8 storage, bf16 arithmetic), CUDA
graphs are skipped (the steps are timed eagerly), and int8 falls back to an emulation where
``torch._int_mm`` is missing; the script prints what it skipped or emulated and records it in
``env.json``. Timing is the median (and minimum) of repeated calls after warm-up calls, with CUDA
events on a GPU and a wall clock on the CPU.
"""

import argparse
import csv
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F_


@dataclass(frozen=True)
class Shapes:
    d: int = 8192          # d_model
    f: int = 28672         # MLP hidden
    heads: int = 64        # query heads
    kv_heads: int = 8      # KV heads
    head_dim: int = 128
    layers: int = 80
    vocab: int = 128256
    hbm_bytes: int = 4 * 2**30            # tensor for the bandwidth peaks
    matmul_n: int = 8192                  # n of the n^3 matmul peaks
    sweep: tuple = (1, 2, 4, 8, 16, 32, 48, 64, 96, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768,
                    1024, 1536, 2048, 4096)
    batches: tuple = (1, 4, 8, 16, 32, 64, 128, 192, 256, 384, 512)
    contexts: tuple = (1024, 4096, 8192, 16384, 32768)
    graph_batches: tuple = (1, 4, 8, 16, 32, 64, 128, 256, 512)
    graph_contexts: tuple = (1024, 8192)
    prompts: tuple = (128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
    full_points: tuple = ((1, 1024), (4, 1024), (8, 1024), (16, 1024), (32, 1024), (1, 4096), (1, 8192), (4, 8192))
    fp8_rows: int = 16    # _scaled_mm wants rows in multiples of 16: activations are padded to it

    @property
    def layer_params(self) -> int:
        attention = 2 * self.d * self.heads * self.head_dim + 2 * self.d * self.kv_heads * self.head_dim
        return attention + 3 * self.d * self.f


LLAMA_70B = Shapes()
TINY = Shapes(d=256, f=896, heads=8, kv_heads=2, head_dim=32, layers=2, vocab=1000, hbm_bytes=16 * 2**20,
              matmul_n=256, sweep=(1, 2, 4, 8, 16, 32, 48, 64), batches=(1, 4, 8), contexts=(64, 256),
              graph_batches=(1, 4), graph_contexts=(64,), prompts=(16, 64),
              full_points=((1, 64), (4, 64)))

COLUMNS = {
    "peaks": ("what", "bytes", "time_us_median", "time_us_min", "value", "unit"),
    "matmul_sweep": ("dtype", "batch", "d_in", "d_out", "time_us_median", "time_us_min", "flops", "bytes",
                     "flops_per_s", "bytes_per_s"),
    "decode_layer": ("batch", "context", "layer_params", "weight_bytes", "kv_bytes", "flops", "time_us_median",
                     "time_us_min", "layers_in_model"),
    "decode_layer_graphs": ("weights", "batch", "context", "layer_params", "weight_bytes", "kv_bytes", "flops",
                            "time_us_median", "time_us_min", "layers_in_model"),
    "prefill_layer": ("tokens", "layer_params", "matmul_flops", "attn_flops", "time_us_median", "time_us_min",
                      "layers_in_model"),
    "full_model_fp8": ("weights", "batch", "context", "params", "weight_bytes", "kv_bytes", "layers", "vocab",
                       "time_us_median", "time_us_min"),
}


class Bench:
    """Device, timing and the notes on what this machine could not do natively."""

    def __init__(self, device: str, warmup: int, repeats: int):
        self.device = torch.device(device)
        self.cuda = self.device.type == "cuda"
        self.warmup, self.repeats = warmup, repeats
        self.notes = []
        self.fp8_native = (self.cuda and hasattr(torch, "_scaled_mm")
                           and torch.cuda.get_device_capability(self.device) >= (8, 9))  # Ada, Hopper and later
        if not self.fp8_native:
            self.note("fp8 matmuls emulated: weights stored in float8_e4m3fn, cast to bf16 for the product")
        if not self.cuda:
            self.note("CUDA graphs skipped on the CPU: the 'graphs' files are timed eagerly")

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)
            print(f"note: {text}", flush=True)

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize(self.device)

    def time(self, fn, repeats=None) -> tuple:
        """(median, min) microseconds of ``fn()`` over ``repeats`` calls after the warm-up calls."""
        repeats = repeats or self.repeats
        for _ in range(self.warmup):
            fn()
        self.sync()
        times = []
        for _ in range(repeats):
            if self.cuda:
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                fn()
                end.record()
                end.synchronize()
                times.append(start.elapsed_time(end) * 1e3)
            else:
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1e6)
        return statistics.median(times), min(times)

    def free_bytes(self) -> int:
        if self.cuda:
            torch.cuda.empty_cache()
            return torch.cuda.mem_get_info(self.device)[0]
        return 8 * 2**30  # the CPU mode only runs tiny shapes

    def randn(self, *shape, dtype=torch.bfloat16, scale=0.02):
        """Random bf16 values (made in place, so a cache of n bytes needs n bytes), cast to ``dtype``."""
        x = torch.randn(*shape, device=self.device, dtype=torch.bfloat16)
        if scale != 1:
            x.mul_(scale)
        return x if dtype == torch.bfloat16 else x.to(dtype)


# --- fp8 and int8 matmuls --------------------------------------------------------------------------

class Fp8Linear:
    """y[M, out] = x[M, in] @ W^T with W stored as e4m3 [out, in] (1 byte per weight), scale 1."""

    def __init__(self, bench: Bench, weight_bf16):
        self.bench = bench
        self.weight = weight_bf16.to(torch.float8_e4m3fn)   # [out, in], row-major
        self.one = torch.tensor(1.0, device=bench.device)

    def __call__(self, x):
        if not self.bench.fp8_native:
            return x @ self.weight.to(torch.bfloat16).t()
        rows = x.shape[0]
        pad = (-rows) % LLAMA_70B.fp8_rows
        x8 = F_.pad(x, (0, 0, 0, pad)).to(torch.float8_e4m3fn) if pad else x.to(torch.float8_e4m3fn)
        out = torch._scaled_mm(x8, self.weight.t(), scale_a=self.one, scale_b=self.one, out_dtype=torch.bfloat16)
        out = out[0] if isinstance(out, tuple) else out   # PyTorch < 2.4 also returned the amax
        return out[:rows] if pad else out


def int8_matmul(bench: Bench, a, b):
    try:
        return torch._int_mm(a, b)
    except (RuntimeError, AttributeError):
        bench.note("int8 matmul emulated: torch._int_mm is not available here (int32 product of int8 values)")
        return (a.to(torch.int32) @ b.to(torch.int32))


# --- The experiments --------------------------------------------------------------------------------

def peaks(bench: Bench, s: Shapes) -> list:
    rows = []
    x = torch.empty(s.hbm_bytes // 2, dtype=torch.bfloat16, device=bench.device).normal_()
    y = torch.empty_like(x)
    t, tmin = bench.time(lambda: y.copy_(x))
    rows.append(("hbm_copy", 2 * x.numel() * 2, t, tmin, 2 * x.numel() * 2 / (t * 1e-6), "B/s"))
    t, tmin = bench.time(lambda: torch.sum(x, dtype=torch.float32))
    rows.append(("hbm_read_sum", x.numel() * 2, t, tmin, x.numel() * 2 / (t * 1e-6), "B/s"))
    del x, y
    n = s.matmul_n
    flops, nbytes = 2 * n**3, 3 * n * n * 2
    a, b = bench.randn(n, n), bench.randn(n, n)
    t, tmin = bench.time(lambda: a @ b)
    rows.append(("matmul_bf16", nbytes, t, tmin, flops / (t * 1e-6), "FLOP/s"))
    w8 = Fp8Linear(bench, b.t().contiguous())
    t, tmin = bench.time(lambda: w8(a))
    rows.append(("matmul_fp8", nbytes, t, tmin, flops / (t * 1e-6), "FLOP/s"))
    ai = torch.randint(-64, 64, (n, n), dtype=torch.int8, device=bench.device)
    bi = torch.randint(-64, 64, (n, n), dtype=torch.int8, device=bench.device)
    t, tmin = bench.time(lambda: int8_matmul(bench, ai, bi))
    rows.append(("matmul_int8", nbytes, t, tmin, flops / (t * 1e-6), "OP/s"))
    return rows


def matmul_sweep(bench: Bench, s: Shapes) -> list:
    rows = []
    d_in, d_out = s.d, s.f
    w = bench.randn(d_in, d_out)
    w8 = Fp8Linear(bench, w.t().contiguous())
    wi = torch.randint(-64, 64, (d_in, d_out), dtype=torch.int8, device=bench.device)
    for dtype in ("bf16", "fp8", "int8"):
        for batch in s.sweep:
            if dtype == "fp8" and batch % 16:
                continue
            if dtype == "int8" and batch <= 16:
                continue
            flops = 2 * batch * d_in * d_out
            if dtype == "bf16":
                x = bench.randn(batch, d_in)
                fn, nbytes = (lambda: x @ w), 2 * d_in * d_out + 2 * batch * d_in + 2 * batch * d_out
            elif dtype == "fp8":
                x = bench.randn(batch, d_in)
                fn, nbytes = (lambda: w8(x)), d_in * d_out + batch * d_in + 2 * batch * d_out
            else:
                x = torch.randint(-64, 64, (batch, d_in), dtype=torch.int8, device=bench.device)
                fn, nbytes = (lambda: int8_matmul(bench, x, wi)), d_in * d_out + batch * d_in + 4 * batch * d_out
            t, tmin = bench.time(fn)
            rows.append((dtype, batch, d_in, d_out, t, tmin, flops, nbytes, flops / (t * 1e-6), nbytes / (t * 1e-6)))
    return rows


class Layer:
    """One LLaMA decoder layer (RMSNorm and RoPE left out) with bf16 or fp8 weights."""

    def __init__(self, bench: Bench, s: Shapes, weights: str = "bf16"):
        self.bench, self.s, self.weights = bench, s, weights
        qkv_out = (s.heads + 2 * s.kv_heads) * s.head_dim
        shapes = {"qkv": (qkv_out, s.d), "o": (s.d, s.heads * s.head_dim), "gate_up": (2 * s.f, s.d),
                  "down": (s.d, s.f)}
        self.mats = {}
        for name, (out, inp) in shapes.items():
            w = bench.randn(out, inp)
            self.mats[name] = Fp8Linear(bench, w) if weights == "fp8" else w.t().contiguous()  # bf16: [in, out]
            del w

    def linear(self, name, x):
        m = self.mats[name]
        return m(x) if self.weights == "fp8" else x @ m

    def decode(self, x, k_cache, v_cache):
        s = self.s
        batch = x.shape[0]
        qkv = self.linear("qkv", x)
        q = qkv[:, : s.heads * s.head_dim].view(batch, s.kv_heads, s.heads // s.kv_heads, s.head_dim)
        attn = F_.scaled_dot_product_attention(q, k_cache, v_cache)        # [B, K, group, H]
        h = x + self.linear("o", attn.reshape(batch, s.heads * s.head_dim))
        gate, up = self.linear("gate_up", h).chunk(2, dim=-1)
        return h + self.linear("down", F_.silu(gate) * up)

    def prefill(self, x):
        s = self.s
        tokens = x.shape[0]
        qkv = self.linear("qkv", x)
        q, k, v = qkv.split([s.heads * s.head_dim, s.kv_heads * s.head_dim, s.kv_heads * s.head_dim], dim=-1)
        group = s.heads // s.kv_heads
        q = q.view(tokens, s.heads, s.head_dim).transpose(0, 1).unsqueeze(0)
        k = k.view(tokens, s.kv_heads, s.head_dim).transpose(0, 1).repeat_interleave(group, 0).unsqueeze(0)
        v = v.view(tokens, s.kv_heads, s.head_dim).transpose(0, 1).repeat_interleave(group, 0).unsqueeze(0)
        attn = F_.scaled_dot_product_attention(q, k, v, is_causal=True)
        h = x + self.linear("o", attn.squeeze(0).transpose(0, 1).reshape(tokens, s.heads * s.head_dim))
        gate, up = self.linear("gate_up", h).chunk(2, dim=-1)
        return h + self.linear("down", F_.silu(gate) * up)


def kv_cache(bench: Bench, s: Shapes, batch: int, context: int):
    shape = (batch, s.kv_heads, context, s.head_dim)
    return bench.randn(*shape, scale=1.0), bench.randn(*shape, scale=1.0)


def graphed(bench: Bench, fn):
    """``fn`` captured in a CUDA graph (a replay), or ``fn`` itself on the CPU."""
    if not bench.cuda:
        return fn
    stream = torch.cuda.Stream(bench.device)
    stream.wait_stream(torch.cuda.current_stream(bench.device))
    with torch.cuda.stream(stream):
        for _ in range(3):
            fn()
    torch.cuda.current_stream(bench.device).wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        fn()
    return graph.replay


def decode_rows(bench: Bench, s: Shapes, layer: Layer, batches, contexts, graphs: bool) -> list:
    rows = []
    b_w = 1 if layer.weights == "fp8" else 2
    for context in contexts:
        for batch in batches:
            kv_bytes = batch * context * 2 * s.kv_heads * s.head_dim * 2
            if 1.15 * kv_bytes + 2**30 > bench.free_bytes():
                continue
            k, v = kv_cache(bench, s, batch, context)
            x = bench.randn(batch, s.d, scale=1.0)
            fn = (lambda: layer.decode(x, k, v))
            if graphs:
                fn = graphed(bench, fn)
            t, tmin = bench.time(fn)
            flops = 2 * batch * s.layer_params + 4 * batch * context * s.heads * s.head_dim
            rows.append((batch, context, s.layer_params, b_w * s.layer_params, kv_bytes, flops, t, tmin, s.layers))
            del k, v, x, fn
    return rows


def decode_layer(bench: Bench, s: Shapes) -> list:
    return decode_rows(bench, s, Layer(bench, s, "bf16"), s.batches, s.contexts, graphs=False)


def decode_layer_graphs(bench: Bench, s: Shapes) -> list:
    rows = []
    for weights in ("bf16", "fp8"):
        layer = Layer(bench, s, weights)
        for row in decode_rows(bench, s, layer, s.graph_batches, s.graph_contexts, graphs=True):
            rows.append((weights, *row))
        del layer
    # the shipped file interleaves bf16 and fp8 per (context, batch)
    order = {(c, b): i for i, (c, b) in enumerate((c, b) for c in s.graph_contexts for b in s.graph_batches)}
    return sorted(rows, key=lambda r: (order[(r[2], r[1])], r[0] != "bf16"))


def prefill_layer(bench: Bench, s: Shapes) -> list:
    layer = Layer(bench, s, "bf16")
    rows = []
    for tokens in s.prompts:
        if 12 * tokens * (2 * s.f) * 2 > bench.free_bytes():
            continue
        x = bench.randn(tokens, s.d, scale=1.0)
        t, tmin = bench.time(lambda: layer.prefill(x), repeats=max(3, bench.repeats // 2))
        rows.append((tokens, s.layer_params, 2 * tokens * s.layer_params, 4 * s.heads * s.head_dim * tokens**2 // 2,
                     t, tmin, s.layers))
    return rows


def full_model_fp8(bench: Bench, s: Shapes) -> list:
    weight_bytes = s.layers * s.layer_params + s.vocab * s.d
    if weight_bytes * 1.05 > bench.free_bytes():
        bench.note(f"full model skipped: its fp8 weights take {weight_bytes / 1e9:.1f} GB, more than the "
                   f"{bench.free_bytes() / 1e9:.1f} GB free (full_model_fp8.csv has no rows)")
        return []
    layers = [Layer(bench, s, "fp8") for _ in range(s.layers)]
    head = Fp8Linear(bench, bench.randn(s.vocab, s.d))
    rows = []
    for batch, context in s.full_points:
        kv_bytes = s.layers * batch * context * 2 * s.kv_heads * s.head_dim * 2
        if kv_bytes * 1.1 > bench.free_bytes():
            continue
        caches = [kv_cache(bench, s, batch, context) for _ in range(s.layers)]
        x = bench.randn(batch, s.d, scale=1.0)

        def step():
            h = x
            for layer, (k, v) in zip(layers, caches):
                h = layer.decode(h, k, v)
            return head(h)

        t, tmin = bench.time(graphed(bench, step))
        params = s.layers * s.layer_params + s.vocab * s.d
        rows.append(("fp8", batch, context, params, params, kv_bytes, s.layers, s.vocab, t, tmin))
        del caches, x
    return rows


# --- Files ------------------------------------------------------------------------------------------

def write_csv(path: Path, columns, rows) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)


def environment(bench: Bench, tiny: bool, seconds: float) -> dict:
    env = {"torch": torch.__version__, "device": bench.device.type,
           "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "mode": "tiny" if tiny else "full"}
    if bench.cuda:
        props = torch.cuda.get_device_properties(bench.device)
        env.update(name=props.name, sm_count=props.multi_processor_count, memory_bytes=props.total_memory,
                   cuda=torch.version.cuda)
        try:
            env["nvidia_smi"] = subprocess.run(
                ["nvidia-smi", "--query-gpu=name,driver_version,clocks.max.sm,clocks.max.memory,power.limit",
                 "--format=csv"], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            env["nvidia_smi"] = ""
    else:
        env.update(name="CPU", sm_count=0, memory_bytes=0, cuda=None, nvidia_smi="")
    env["seconds"] = seconds
    env["notes"] = bench.notes
    return env


EXPERIMENTS = (("peaks", peaks), ("matmul_sweep", matmul_sweep), ("decode_layer", decode_layer),
               ("decode_layer_graphs", decode_layer_graphs), ("prefill_layer", prefill_layer),
               ("full_model_fp8", full_model_fp8))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder for the CSV files and env.json")
    parser.add_argument("--tiny", action="store_true", help="small shapes; runs on the CPU without a GPU")
    parser.add_argument("--device", help="cuda, cuda:1 or cpu (default: cuda if there is one)")
    parser.add_argument("--repeats", type=int, help="timed calls per point (default 15; tiny 3)")
    parser.add_argument("--warmup", type=int, help="untimed calls first (default 3; tiny 1)")
    parser.add_argument("--only", help="comma-separated experiments to run: " + ", ".join(n for n, _ in EXPERIMENTS))
    args = parser.parse_args(argv)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cpu") and not args.tiny:
        parser.error("without a GPU, run --tiny (the full shapes need a GPU's memory and speed)")
    bench = Bench(device, args.warmup if args.warmup is not None else (1 if args.tiny else 3),
                  args.repeats or (3 if args.tiny else 15))
    shapes = TINY if args.tiny else LLAMA_70B
    only = set(args.only.split(",")) if args.only else None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    print(f"measuring on {device} ({'tiny shapes' if args.tiny else 'LLaMA 3-70B shapes'}) into {out}", flush=True)
    start = time.perf_counter()
    for name, experiment in EXPERIMENTS:
        rows = experiment(bench, shapes) if only is None or name in only else []
        write_csv(out / f"{name}.csv", COLUMNS[name], rows)
        print(f"{name}.csv: {len(rows)} rows", flush=True)
        if bench.cuda:
            torch.cuda.empty_cache()
    env = environment(bench, args.tiny, time.perf_counter() - start)
    (out / "env.json").write_text(json.dumps(env, indent=1))
    if bench.notes:
        print("skipped or emulated on this machine:\n" + "\n".join(f"- {n}" for n in bench.notes), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
