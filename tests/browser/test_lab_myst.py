"""Every chapter and every student notebook in JupyterLab with jupyterlab-myst, nothing run: its MyST
reads rendered (numbers, boxes, exercises, links). (test_lab.py edits a code cell and sees the text follow.)

The numbers come from each Markdown cell's stored ``user_expressions`` (written by `make execute`),
so they show before any kernel runs. The student edition is built into a temporary folder.
"""

import ast
import importlib.util
import json
import re
import sys

from browserlib import ROOT, PageLog
from test_lab import TOKEN, VISIBLE, _markdown_text, lab_page, lab_server

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))
#: What unrendered MyST looks like in a page's text.
RAW = (re.compile(r"\{(glue|doc|cite|eval|ref|numref)[:}]"), re.compile(r":::\{"), re.compile(r"```\{"),
       re.compile(r"^\([\w-]+\)=$", re.M))


def _student_edition(tmp_path) -> dict:
    sys.path.insert(0, str(ROOT / "tools"))
    spec = importlib.util.spec_from_file_location("student", ROOT / "tools" / "student.py")
    student = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(student)
    written = student.build(CHAPTERS, tmp_path / "student")
    return {f"student-{path.name}": path for path in written}


def _open(page, name):
    """Open ``name`` from the file browser, answer Lab's kernel dialog with "No Kernel" (the server offers
    none), and wait until jupyterlab-myst has rendered every Markdown cell."""
    page.locator(".jp-DirListing-item", has_text=name).first.dblclick()
    _answer(page, "No Kernel")
    page.wait_for_function(f"""() => {{ const panel = document.querySelector('{VISIBLE}');
      const cells = panel ? [...panel.querySelectorAll('.jp-MarkdownCell')] : [];
      return cells.length > 0 && cells.every(c => c.querySelector('.myst')); }}""")


def _answer(page, button):
    page.locator(".jp-Dialog button", has_text=button).first.click()
    page.wait_for_selector(".jp-Dialog", state="detached")


def _close(page):
    """Close the open notebook, discarding any change if Lab asks."""
    page.locator(".lm-TabBar-tab.jp-mod-current .lm-TabBar-tabCloseIcon").first.click()
    page.wait_for_function(f"() => !document.querySelector('{VISIBLE}') || !!document.querySelector('.jp-Dialog')")
    if page.locator(".jp-Dialog").count():
        _answer(page, "Discard")


def _check_all(browser, lab, names, stored):
    problems = []
    with lab_page(browser, "lab-myst-failure.png") as page:
        page.set_default_timeout(60_000)
        log = PageLog(page, allow=(lab, "data:", "blob:", "about:"))
        page.goto(f"{lab}/lab?token={TOKEN}")
        page.wait_for_selector(".jp-DirListing-item")
        for name in names:
            _open(page, name)
            text = _markdown_text(page)
            raw = sorted({m.group(0) for pattern in RAW for m in pattern.finditer(text)})
            if raw:
                problems.append(f"{name}: raw MyST {raw[:5]}")
            # a folded solution's numbers are in the page but not in its visible text
            everything = page.evaluate(f"() => [...document.querySelectorAll('{VISIBLE} .jp-MarkdownCell .myst')]"
                                       ".map(e => e.textContent).join(' ')")
            missing = [value for value in stored[name] if value not in everything]
            if missing:
                problems.append(f"{name}: {len(missing)} stored numbers not shown, e.g. {missing[:3]}")
            if "Exercise" not in text:
                problems.append(f"{name}: no exercise rendered")
            _close(page)
    assert not problems, "\n".join(problems)
    assert not log.blocked, f"requests that need the internet: {log.blocked}"


def _stored(path) -> list:
    """The numbers stored with a notebook's text (what the page must show)."""
    nb = json.loads(path.read_text())
    return [ast.literal_eval(e["result"]["data"]["text/plain"]) for cell in nb["cells"]
            for e in cell.get("metadata", {}).get("user_expressions", [])]


def _text_only(paths: dict, folder) -> dict:
    """The notebooks' Markdown cells alone (with their stored numbers): the check reads the rendered text,
    and Lab then spends its time on it, not on an editor for every code cell, figures and saved widgets."""
    folder.mkdir()
    copies = {}
    for name, path in paths.items():
        nb = json.loads(path.read_text())
        nb["cells"] = [cell for cell in nb["cells"] if cell["cell_type"] == "markdown"]
        nb["metadata"].pop("widgets", None)
        (folder / name).write_text(json.dumps(nb))
        copies[name] = folder / name
    return copies


def test_every_notebook_reads_rendered_with_its_numbers(browser, tmp_path):
    """The chapters, then the student edition, in one JupyterLab page."""
    files = _text_only({path.name: path for path in CHAPTERS} | _student_edition(tmp_path), tmp_path / "text")
    with lab_server(tmp_path, files, kernels=False) as lab:
        _check_all(browser, lab, sorted(files), {name: _stored(path) for name, path in files.items()})
