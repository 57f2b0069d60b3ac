"""tools/measure_gpu.py --tiny writes the shipped dataset's files and columns (needs PyTorch; skipped without)."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from servingmath.data import measured

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "lib" / "servingmath" / "data" / "measured" / "h100"
FILES = {"peaks": "run3", "matmul_sweep": "run3", "decode_layer": "run3", "decode_layer_graphs": "run3",
         "prefill_layer": "run3", "full_model_fp8": "full-model"}


def header(path: Path) -> list:
    with path.open() as handle:
        return next(csv.reader(handle))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "measure_gpu.py"), "--tiny", "--device", "cpu",
                          "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return out, run.stdout


def test_same_files_and_columns_as_the_shipped_data(tiny):
    out, _ = tiny
    for name, run in FILES.items():
        assert header(out / f"{name}.csv") == header(SHIPPED / run / f"{name}.csv"), name
        with (out / f"{name}.csv").open() as handle:
            assert len(list(csv.reader(handle))) > 1, name


def test_env_has_the_shipped_keys_and_the_notes(tiny):
    out, stdout = tiny
    env = json.loads((out / "env.json").read_text())
    shipped = json.loads((SHIPPED / "run1" / "env.json").read_text())
    assert set(shipped) <= set(env)
    assert env["mode"] == "tiny" and env["device"] == "cpu"
    assert any("CUDA graphs" in n for n in env["notes"]) and "CUDA graphs skipped" in stdout


def test_the_library_reads_the_output(tiny):
    out, _ = tiny
    for name in FILES:
        columns = measured.read(out / f"{name}.csv")
        assert list(columns) == header(out / f"{name}.csv")


def test_columns_are_consistent(tiny):
    out, _ = tiny
    with (out / "decode_layer.csv").open() as handle:
        for row in csv.DictReader(handle):
            assert int(row["weight_bytes"]) == 2 * int(row["layer_params"])
            assert float(row["time_us_median"]) >= float(row["time_us_min"]) > 0
    with (out / "matmul_sweep.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["dtype"] for r in rows} == {"bf16", "fp8", "int8"}
    assert all(int(r["batch"]) % 16 == 0 for r in rows if r["dtype"] == "fp8")


def test_cpu_without_tiny_is_refused():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "measure_gpu.py"), "--device", "cpu", "--out",
                          "/nonexistent"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "--tiny" in run.stderr
