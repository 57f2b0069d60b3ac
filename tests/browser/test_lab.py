"""A chapter, live in JupyterLab on localhost: edit a code cell and run all, see the number in the text
follow, then move a slider and see the explorer's numbers and figure change.

The notebook is copied to a temporary folder first (JupyterLab saves what it opens); the
committed chapter must come out byte for byte the same. Non-local requests are blocked.
"""

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from browserlib import ROOT, PageLog

CHAPTER = ROOT / "chapters" / "03-worked-numbers.ipynb"
VISIBLE = ".jp-NotebookPanel:not(.lm-mod-hidden)"
SLIDER = "batch B"          # the explorer control the test moves (SelectionSlider over powers of two)
TOKEN = "servingmath-browser-test"
SHOTS = ROOT / "_build" / "browser"
#: JupyterLab user settings for the test: keep every cell in the DOM, and do not offer to fetch
#: news from the internet.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def lab_server(tmp_path, notebooks, session=None, kernels=True):
    """A JupyterLab server on localhost serving copies of ``notebooks`` (paths, or {name: path});
    starts a kernel for ``session`` (a notebook name) before any page opens; ``kernels=False`` offers
    none, so a notebook opens as it was saved, nothing run. Yields its base URL."""
    work = tmp_path / "work"
    work.mkdir()
    files = notebooks if isinstance(notebooks, dict) else {path.name: path for path in notebooks}
    for name, path in files.items():
        shutil.copy2(path, work / name)
    for name, values in SETTINGS.items():
        (tmp_path / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "settings" / name).write_text(json.dumps(values))
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"))
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.root_dir={work}", f"--IdentityProvider.token={TOKEN}", "--allow-root",
         "--ServerApp.port_retries=0", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.news_url=None", *([] if kernels else ["--KernelSpecManager.allowed_kernelspecs=none"])],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"JupyterLab exited: {(tmp_path / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.1)
        else:
            pytest.fail("JupyterLab did not start in 30 s")
        if session:
            # Start the notebook's kernel before the page opens: Lab then joins this session instead
            # of starting (and sometimes asking for) one of its own while the page loads.
            body = json.dumps({"path": session, "name": session, "type": "notebook",
                               "kernel": {"name": "python3"}}).encode()
            urllib.request.urlopen(urllib.request.Request(f"{base}/api/sessions?token={TOKEN}", data=body,
                                                          headers={"Content-Type": "application/json"}), timeout=30)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


@contextlib.contextmanager
def lab_page(browser, shot: str):
    """A fresh page on JupyterLab's size of window; on failure, a screenshot ``shot`` under _build/browser."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        yield page
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / shot))
        raise
    finally:
        context.close()


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server serving a copy of the chapter, its kernel started."""
    with lab_server(tmp_path, [CHAPTER], session=CHAPTER.name) as base:
        yield base


def _settle(page, seconds=60):
    """Wait until the kernel is idle with no dialog open, accepting the kernel dialog if Lab asks."""
    quiet_since, deadline = None, time.time() + seconds
    while time.time() < deadline:
        accept = page.locator(".jp-Dialog .jp-mod-accept")
        if accept.count():
            accept.first.click()
            quiet_since = None
        elif page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count():
            quiet_since = quiet_since or time.time()
            if time.time() - quiet_since > 1.0:
                return
        else:
            quiet_since = None
        page.wait_for_timeout(100)
    pytest.fail("the notebook's kernel did not become idle")


def _explorer_state(page):
    return page.evaluate("""(slider) => {
      const label = [...document.querySelectorAll('.jp-OutputArea .widget-slider .widget-label')]
                      .find(l => l.textContent.trim() === slider);
      const box = label && label.closest('.widget-vbox');
      const pre = box && box.querySelector('.widget-html pre');
      const img = box && box.querySelector('img.widget-image');
      return {found: !!label, text: pre ? pre.textContent : '', image: img ? img.src : '',
              loaded: !!(img && img.complete && img.naturalWidth > 0)};
    }""", SLIDER)


def _markdown_text(page) -> str:
    return page.evaluate(f"() => [...document.querySelectorAll('{VISIBLE} .jp-MarkdownCell .myst')]"
                         ".map(e => e.innerText).join('\\n')")


def test_edit_run_all_then_move_a_slider(browser, lab):
    digest = hashlib.sha256(CHAPTER.read_bytes()).hexdigest()
    (SHOTS / "lab-failure.png").unlink(missing_ok=True)
    with lab_page(browser, "lab-failure.png") as page:
        _live_explorer(page, lab, PageLog(page, allow=(lab, "data:", "blob:", "about:")))
    assert hashlib.sha256(CHAPTER.read_bytes()).hexdigest() == digest, "the committed notebook was modified"


def _live_explorer(page, lab, log):
    page.set_default_timeout(120_000)   # a busy machine (make test runs the Binder check beside it) is slow
    page.goto(f"{lab}/lab/tree/{CHAPTER.name}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell .myst")
    _settle(page)
    assert "69,501,714,432" in _markdown_text(page)       # the stored number, before anything runs
    cell = page.locator(".jp-CodeCell", has_text="prose.p_decode = llama.decode_param_count").first
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nprose.p_decode = 12345")

    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
    page.wait_for_function(f"() => [...document.querySelectorAll('{VISIBLE} .jp-MarkdownCell .myst')]"
                           ".some(e => e.innerText.includes('12,345 for LLaMA 3-70B'))")
    assert "69,501,714,432" not in _markdown_text(page)
    page.wait_for_function("""(slider) => [...document.querySelectorAll('.jp-OutputArea .widget-slider .widget-label')]
                                .some(l => l.textContent.trim() === slider)""", arg=SLIDER)
    _settle(page)
    before = _explorer_state(page)
    assert before["found"] and before["loaded"] and "batch 32" in before["text"], before

    handle = page.locator(".jp-OutputArea .widget-slider", has=page.locator(".widget-label", has_text=SLIDER)) \
                 .locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("""([slider, old]) => {
      const label = [...document.querySelectorAll('.jp-OutputArea .widget-slider .widget-label')]
                      .find(l => l.textContent.trim() === slider);
      const pre = label && label.closest('.widget-vbox').querySelector('.widget-html pre');
      return pre && pre.textContent !== old;
    }""", arg=[SLIDER, before["text"]])
    page.wait_for_function("(old) => { const i = document.querySelector('.jp-OutputArea img.widget-image');"
                           " return i && i.src !== old && i.complete && i.naturalWidth > 0; }", arg=before["image"])
    after = _explorer_state(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".jp-OutputArea .widget-vbox", has=page.locator(".widget-label", has_text=SLIDER)).first \
        .screenshot(path=str(SHOTS / "lab-explorer-after.png"))

    assert "batch 64" in after["text"] and "batch 32," not in after["text"], after["text"]
    assert after["image"] != before["image"]
    assert not log.blocked, f"requests that need the internet: {log.blocked}"
