"""Execute chapter notebooks top to bottom in a fresh kernel.

    python tools/execute.py NOTEBOOK...          save each with its outputs and the numbers its text shows
                                                 (`make execute`; see ``prose``)
    python tools/execute.py --check NOTEBOOK...  run each again and compare every text output byte for
                                                 byte with the saved notebook

``--check`` exits 1 and names the first differing cell of each notebook that changed: the proof that
the notebooks are deterministic (the same text on every run).
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import colab
import prose

TEXT_MIMES = ("text/plain", "text/html", "text/latex", "text/markdown", "application/json")


def run(path: Path):
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)   # the page does not embed the explorers: no widget state to keep
    colab.set_colab_cell(nb)
    prose.set_prose_cell(nb)
    with tempfile.TemporaryDirectory() as sockets:
        # the kernel talks over local sockets in a private folder: no TCP port for two runs at once to race for
        km = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "kernel"))
        client = NotebookClient(nb, km=km, timeout=600, store_widget_state=False, record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        finally:
            if km.has_kernel:     # a kernel manager passed in is the caller's to shut down
                km.shutdown_kernel(now=True)
    prose.store(nb)
    return nb


def text_outputs(nb) -> list:
    """Every text output of every code cell, in order."""
    texts = []
    for index, cell in enumerate(nb.cells):
        streams = {}  # a stream may arrive in several messages, split differently on each run: join them
        for output in cell.get("outputs", []):
            if "text" in output:
                streams[output.get("name", "")] = streams.get(output.get("name", ""), "") + output["text"]
        texts.extend((index, streams[name]) for name in sorted(streams))
        for output in cell.get("outputs", []):
            for mime in TEXT_MIMES:
                if mime in output.get("data", {}):
                    texts.append((index, json.dumps(output["data"][mime], sort_keys=True)))
    return texts


def check(path: Path) -> str | None:
    saved, fresh = text_outputs(nbformat.read(path, as_version=4)), text_outputs(run(path))
    for (cell, old), (_, new) in zip(saved, fresh):
        if old != new:
            return f"{path}: cell {cell} differs:\n  saved: {old[:200]!r}\n  fresh: {new[:200]!r}"
    if len(saved) != len(fresh):
        return f"{path}: {len(saved)} text outputs saved, {len(fresh)} on this run"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    failures = []
    for path in args.notebooks:
        print(f"{'checking' if args.check else 'executing'} {path}", flush=True)
        if args.check:
            problem = check(path)
            if problem:
                failures.append(problem)
        else:
            nbformat.write(run(path), path)
    for problem in failures:
        print(problem, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
