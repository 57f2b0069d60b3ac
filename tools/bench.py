"""Benchmarks (`make bench`; not part of `make test`).

Measures, in one run on this machine:
- every explorer's view: the median time of one slider update (recompute + redraw to PNG with Agg)
  beside the median time of a bare redraw of the same figure;
- the library's numeric path against evaluating the same SymPy expression with subs/evalf;
- start-up: `import servingmath` and one `python -m servingmath plan`, each beside a bare
  `import sympy`, alternated in one run (median of several fresh interpreters each);
- the live explorers on the built pages (headless Chromium, offline): the median time from a slider's
  input event to the redrawn figure, and to the next painted frame, by the page's own performance clock,
  beside the same chapter's kernel explorer update above (needs `make book` first; skipped without a built page);
- the wall time of the nbval suite, and of a cold and a cached book build.

Writes _build/bench/results.json and a copy in book/benchmarks.json (shown on the book's
benchmarks page). Options: --quick skips the nbval and book timings.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402

from servingmath import formulas  # noqa: E402
from servingmath.live import explorers as live_explorers  # noqa: E402
from servingmath.figures import png  # noqa: E402
from servingmath.notebook import FIGURE_STYLE  # noqa: E402
from servingmath.widgets import explorer_views  # noqa: E402


def median_ms(action, repeat: int) -> float:
    action()  # warm-up (first layout, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def bench_explorers(repeat: int) -> list:
    matplotlib.rcParams.update(FIGURE_STYLE)
    results = []
    for view in explorer_views():
        name = f"{view.__module__.rsplit('.', 1)[1]}.{view.__name__}"
        try:
            drawing, _ = view(None)
        except Exception as err:  # a broken view is reported, the others still measured
            print(f"{name}: FAILED ({err.__class__.__name__}: {err})")
            results.append({"name": name, "update_ms_median": None, "redraw_ms_median": None})
            continue
        png(drawing.fig)
        update = median_ms(lambda: png(view(drawing)[0].fig), repeat)
        redraw = median_ms(lambda: png(drawing.fig), repeat)
        results.append({"name": name, "update_ms_median": round(update, 2), "redraw_ms_median": round(redraw, 2)})
        print(f"{name:55s} update {update:7.1f} ms   redraw {redraw:7.1f} ms   ratio {update / redraw:4.2f}")
    return results


def bench_numeric_vs_sympy() -> float:
    rng = np.random.default_rng(0)
    speedups = []
    for formula in formulas.FORMULAS.values():
        values = {n: float(rng.uniform(0.5, 20)) for n in formula.arg_names}
        fast = median_ms(lambda: [formula(**values) for _ in range(1000)], 5) / 1000
        slow = median_ms(lambda: formula.evalf(**values), 20)
        speedups.append(slow / fast)
    speedup = statistics.median(speedups)
    print(f"numeric path vs SymPy subs/evalf: median speed-up {speedup:,.0f}x over {len(speedups)} formulas "
          f"(slowest {min(speedups):,.0f}x)")
    return speedup


STARTUP = {"import sympy": ["-c", "import sympy"], "import servingmath": ["-c", "import servingmath"],
           "servingmath plan": ["-m", "servingmath", "plan"]}


def bench_startup(repeat: int = 9) -> dict:
    """Median wall time of each start-up in fresh interpreters, alternated so all see the same machine."""
    times = {name: [] for name in STARTUP}
    for _ in range(repeat):
        for name, args in STARTUP.items():
            times[name].append(wall([sys.executable, *args]))
    medians = {name: statistics.median(values) for name, values in times.items()}
    result = {"startup_s": {name: round(value, 3) for name, value in medians.items()},
              "import_vs_sympy": round(medians["import servingmath"] / medians["import sympy"], 2),
              "plan_vs_sympy": round(medians["servingmath plan"] / medians["import sympy"], 2)}
    print(f"start-up (median of {repeat}): {result['startup_s']}; import servingmath {result['import_vs_sympy']}x, "
          f"one CLI plan {result['plan_vs_sympy']}x a bare import sympy")
    return result


def wall(command: list, env=None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def bench_builds() -> dict:
    python = Path(sys.executable)
    out = ROOT / "_build" / "bench" / "book"
    shutil.rmtree(out, ignore_errors=True)
    book = [str(python.parent / "jupyter-book"), "build", ".", "--all", "--toc", "book/_toc.yml",
            "--path-output", str(out.relative_to(ROOT))]
    nbval = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
             "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "-n", "2", "--dist", "loadfile",
             *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "chapters").glob("*.ipynb"))]
    result = {"nbval_s": round(wall(nbval), 1), "book_cold_s": round(wall(book), 1),
              "book_cached_s": round(wall(book), 1)}
    print(result)
    return result


#: In the page: alternate the first slider between its ends, timing each input event (performance.now()) until
#: the view has run and its figure is redrawn in the DOM, and until the browser paints the next frame.
LIVE_TIMING = """async ([target, n]) => {
  await window.servingmathLiveReady;
  const view = window.servingmathLive[target];
  const input = document.querySelector('#' + target + ' input[type=range]');
  const updated = [], painted = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    input.value = i % 2 ? input.min : input.max;
    input.dispatchEvent(new Event('input', {bubbles: true}));
    await view.runAsync();
    updated.push(performance.now() - start);
    await new Promise(frame => requestAnimationFrame(() => frame()));
    painted.push(performance.now() - start);
  }
  const median = (times) => times.sort((a, b) => a - b)[Math.floor(n / 2)];
  return [median(updated), median(painted)];
}"""


def bench_live(repeat: int) -> list:
    pages = ROOT / "_build" / "html" / "chapters"
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
        page = browser.new_context(offline=True).new_page()
        for key, live in sorted(live_explorers().items()):
            found = sorted(pages.glob(f"[0-9][0-9]-{live.chapter}.html"))
            if not found:
                print(f"live {key}: no built page (make book)")
                continue
            page.goto(found[0].as_uri())
            updated, painted = page.evaluate(LIVE_TIMING, [f"sm-live-{key}", 4 * repeat + 1])
            results.append({"explorer": key, "chapter": live.chapter, "update_ms_median": round(updated, 2),
                             "paint_ms_median": round(painted, 2)})
        browser.close()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the nbval and book-build timings")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    results = {"explorers": bench_explorers(args.repeat), "numeric_vs_sympy_speedup": round(bench_numeric_vs_sympy())}
    results["live"] = bench_live(args.repeat)
    results.update(bench_startup())
    results.update({"nbval_s": None, "book_cold_s": None, "book_cached_s": None} if args.quick else bench_builds())
    target = ROOT / "_build" / "bench" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"
    target.write_text(text)
    (ROOT / "book" / "benchmarks.json").write_text(text)
    print(f"wrote {target.relative_to(ROOT)} and book/benchmarks.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
