"""``python -m servingmath chip|model|plan``: the library from a terminal.

Bad input exits with status 2 and one line on stderr naming the parameter.
"""

import argparse
import json
import sys

from . import __version__
from .analysis.plan import DEFAULT_RESERVE, EFFICIENCY_MODES, ICI_MODES
from .api import plan
from .core.hardware import PRESETS as CHIP_PRESETS, get_chip
from .core.models import ALL_PRESETS as MODEL_PRESETS, get_model
from .core.precision import BYTES, COMPUTE
from .present import chip_table, flops_per_dollar, model_table, plan_json, plan_table


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ValueError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="servingmath", description="Serving arithmetic for transformer decoders: dense, mixture-of-experts, latent and sliding-window attention.")
    p.add_argument("--version", action="version", version=f"servingmath {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    c = sub.add_parser("chip", help="an accelerator's constants and FLOPs per dollar")
    c.add_argument("name", help=f"one of {', '.join(CHIP_PRESETS)}")
    c.add_argument("--json", action="store_true")
    m = sub.add_parser("model", help="a model's config, parameter counts (total and active), attention and KV "
                                     "bytes per token")
    m.add_argument("name", help=f"one of {', '.join(MODEL_PRESETS)}, a JSON config file or a model directory")
    m.add_argument("--json", action="store_true")
    q = sub.add_parser("plan", help="plan a deployment (the decision framework)")
    q.add_argument("--model", default="llama-3-70b", help="preset name, JSON config file or model directory")
    q.add_argument("--chip", default="tpu-v5e")
    q.add_argument("--chips", help="chips per model copy (default: the smallest slice that fits)")
    q.add_argument("--weights", default="bf16", help=f"weight dtype: {', '.join(BYTES)}")
    q.add_argument("--kv", help="KV-cache dtype (default: as --weights)")
    q.add_argument("--compute", default="bf16", help=f"dtype of the FLOPs: {', '.join(COMPUTE)}")
    q.add_argument("--context", default="8192", help="tokens cached per sequence")
    q.add_argument("--batch", default="max", help="sequences per step, or 'max'")
    q.add_argument("--prompt", help="prefill tokens (default: --context)")
    q.add_argument("--decode", default="512", help="tokens generated per request")
    q.add_argument("--mfu", default="0.4", help="prefill MFU in (0, 1]")
    q.add_argument("--mesh-axes", help="mesh axes the model is sharded over (default: every axis of the slice)")
    q.add_argument("--ici", default="count", help=f"{' or '.join(ICI_MODES)}: the collectives in the step time, "
                                                  f"or the article's communication-free roofline")
    q.add_argument("--reserve", default=str(DEFAULT_RESERVE),
                   help="HBM kept back per chip for activations and the runtime: a fraction below 1 or bytes "
                        "(e.g. 2GiB); default vLLM's 10%%; 0 fills HBM as the article does")
    q.add_argument("--efficiency", default="ideal", help=f"{' or '.join(EFFICIENCY_MODES)} (measured: the fractions measured on an H100)")
    for flag, what in (("--hbm-bw", "HBM bytes/s per chip"), ("--hbm-bytes", "HBM bytes per chip"),
                       ("--flops", "peak FLOP/s for --compute"), ("--ici-bw", "bidirectional ICI bytes/s per link"),
                       ("--price", "dollars per chip-hour")):
        q.add_argument(flag, help=f"override: {what}")
    q.add_argument("--json", action="store_true")
    return p


def _run(args) -> str:
    if args.command == "chip":
        chip = get_chip(args.name)
        data = chip.to_dict()
        data["flops_per_dollar"] = flops_per_dollar(chip)
        return json.dumps(data, indent=2) if args.json else chip_table(chip)
    if args.command == "model":
        model = get_model(args.name)
        return json.dumps(model.to_dict(), indent=2) if args.json else model_table(model)
    result = plan(model=args.model, chip=args.chip, chips=args.chips, weights=args.weights, kv_dtype=args.kv,
                  compute=args.compute, context=args.context, batch=args.batch, prompt=args.prompt,
                  decode=args.decode, mfu=args.mfu, mesh_axes=args.mesh_axes, hbm_bw=args.hbm_bw,
                  hbm_bytes=args.hbm_bytes, flops=args.flops, ici_bw=args.ici_bw, price=args.price,
                  efficiency=args.efficiency, ici=args.ici, reserve=args.reserve)
    return json.dumps(plan_json(result), indent=2) if args.json else plan_table(result)


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
        print(_run(args))
    except ValueError as err:
        print(f"servingmath: {err}", file=sys.stderr)
        return 2
    return 0
