"""`python -m servingmath`: JSON and tables, and one-line errors with exit status 2."""

import json
import subprocess
import sys

import pytest

from servingmath.cli import main

WORKED = ["plan", "--model", "llama-3-70b", "--chip", "tpu-v5e-article", "--chips", "8", "--weights", "int8",
          "--kv", "int8", "--context", "8192", "--batch", "32", "--ici", "ignore", "--reserve", "0", "--json"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_worked_example_json(capsys):
    code, out, err = run(capsys, *WORKED)
    data = json.loads(out)
    assert code == 0 and not err
    assert round(data["total_bytes"] / 1e9) == 114 and data["bound"] == "memory"
    assert 0.017 <= data["step_time_s"] <= 0.018 and data["fits"] is True


def test_the_default_plan_counts_the_collectives_and_keeps_hbm_back(capsys):
    code, out, _ = run(capsys, "plan", "--chips", "8", "--weights", "int8", "--batch", "32", "--json")
    data = json.loads(out)
    assert code == 0 and data["chip"] == "tpu-v5e" and data["ici"] == "count"
    assert data["step_time_s"] == pytest.approx(data["roofline_step_s"] + data["ici_time_s"])
    assert data["ici_time_s"] > 0 and data["ici_bound"] is False and data["ici_latency_bound"] is False
    assert data["reserve"] == pytest.approx(0.1 * 16 * 2**30)


def test_ici_and_reserve_refuse_bad_values_in_one_line(capsys):
    for flag, value, message in (("--ici", "maybe", "ici: unknown 'maybe'"), ("--reserve", "-1", "reserve: must be")):
        code, _, err = run(capsys, "plan", flag, value)
        assert code == 2 and err.startswith(f"servingmath: {message}") and err.count("\n") == 1


def test_plan_table_is_readable(capsys):
    code, out, _ = run(capsys, *WORKED[:-1])
    assert code == 0 and "memory-bound" in out and "tokens/s/chip" in out


def test_chip_json_has_flops_per_dollar(capsys):
    code, out, _ = run(capsys, "chip", "tpu-v5e-article", "--json")
    data = json.loads(out)
    assert data["flops_per_dollar"] == pytest.approx(5.91e17, rel=1e-3) and data["hbm_bw"] == 8.1e11


def test_chip_without_price_gives_null(capsys):
    assert json.loads(run(capsys, "chip", "tpu-v6e", "--json")[1])["flops_per_dollar"] is None


def test_model_json_keys(capsys):
    data = json.loads(run(capsys, "model", "llama-3-70b", "--json")[1])
    assert data["param_count"] == 70_552_387_584
    assert data["kv_bytes_per_token"] == {"bf16": 327680, "fp8": 163840, "int8": 163840, "int4": 81920}


def test_model_from_hugging_face_file(capsys, tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"num_hidden_layers": 2, "hidden_size": 256, "intermediate_size": 512,
                                "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000}))
    code, out, _ = run(capsys, "model", str(path), "--json")
    assert code == 0 and json.loads(out)["head_dim"] == 64


def test_plan_that_does_not_fit_answers(capsys):
    code, out, _ = run(capsys, "plan", "--chips", "1", "--batch", "4", "--json")
    data = json.loads(out)
    assert code == 0 and data["fits"] is False and data["fit_message"].startswith("does not fit")


@pytest.mark.parametrize("argv, names", [
    (["plan", "--chips", "-1"], "chips"),
    (["plan", "--chips", "eight"], "chips"),
    (["plan", "--batch", "1.5"], "batch"),
    (["plan", "--mfu", "2"], "mfu"),
    (["plan", "--hbm-bw", "nan"], "hbm_bw"),
    (["plan", "--flops", "inf"], "flops"),
    (["plan", "--model", "gpt-5"], "model"),
    (["plan", "--model", "missing.json"], "model"),
    (["plan", "--chip", "tpu-v4"], "chip"),
    (["plan", "--efficiency", "magic"], "efficiency"),
    (["plan", "--bogus"], "unrecognized arguments"),
    (["chip"], "name"),
    (["model", "llama-2"], "model"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, names):
    code, out, err = run(capsys, *argv)
    assert code == 2 and not out
    assert err.count("\n") == 1 and names in err and "Traceback" not in err


def test_module_entry_point_exit_status():
    result = subprocess.run([sys.executable, "-m", "servingmath", "plan", "--chips", "0"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr == "servingmath: chips: must be > 0, got 0\n"
