"""Every page of the built book, opened offline in Chromium.

Each page is read from disk (file://) with every non-local request blocked, as in a classroom
without internet: the math must be typeset (vendored MathJax), every image loaded with alt text,
no figure twice, nothing wider than the text column, no console error, and axe-core must find no
serious or critical accessibility violation. Then, on the same page, every live explorer must follow the
keyboard and compute the library's numbers (explorers.py).
"""

import re

import pytest
import yaml

import explorers
from browserlib import AXE, HTML, ROOT, PageLog, need


def _toc_pages():
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    return files


PAGES = _toc_pages()
EXTRA = ["search", "genindex"]          # pages Sphinx adds: no math or figures, but no errors either
IMPACTS = ("serious", "critical")
READY = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  if (window.servingmathLiveReady) await window.servingmathLiveReady;
  const images = [...document.images];
  await Promise.all(images.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
  return true;
}"""
FACTS = r"""() => {
  const math = [...document.querySelectorAll('.math')];
  const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  const figures = [...document.querySelectorAll('figure')];
  return {
    title: (document.querySelector('title') || {}).textContent || '',
    math: math.length,
    untypeset: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 60)),
    texErrors: document.querySelectorAll('mjx-merror').length,
    images: [...document.images].map(img => ({src: img.src.split('/').pop().slice(0, 40), alt: img.getAttribute('alt'),
                                              loaded: img.complete && img.naturalWidth > 0})),
    figureAlts: figures.map(f => (f.querySelector('img') || {}).alt || ''),
    views: views.length,
    explorerNote: /The explorer (needs a running kernel|runs everywhere)/.test(document.body.innerText),
    // the same figure twice on one page (myst-nb names an image file after its content)
    repeatedImages: [...document.images].map(img => img.src).filter((src, i, all) => all.indexOf(src) !== i)
                      .map(src => src.split('/').pop()),
    // code output, tables and displayed math wider than the text column (they would scroll or spill past it)
    wide: [...document.querySelectorAll('article .cell_output, article .cell_output pre, article .cell_output table, '
                                        + 'article mjx-container[display="true"]')]
            .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
            .map(e => `${e.tagName.toLowerCase()}: ${e.innerText.slice(0, 60).replace(/\s+/g, ' ')}`),
    articleOverflow: (() => { const a = document.querySelector('article');
                              return a ? a.scrollWidth - a.clientWidth : 0; })(),
  };
}"""
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], preload: false});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@pytest.fixture(scope="module")
def context(browser):
    need((HTML / "index.html").exists(), f"no built book in {HTML} (make book)")
    need(AXE.exists(), f"no axe-core at {AXE} (make fetches it from npm)")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    yield context
    context.close()


def test_toc_order():
    """Chapters in the article's order, numbered; the appendices come last."""
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    chapters = [e["file"] for part in toc["parts"] if part["caption"] != "Appendices" for e in part["chapters"]]
    assert chapters == sorted(chapters) and [int(c.split("/")[1][:2]) for c in chapters] == list(range(1, len(chapters) + 1))
    assert all(part.get("numbered") for part in toc["parts"] if part["caption"] != "Appendices")
    assert toc["parts"][-1]["caption"] == "Appendices"


def test_launch_buttons():
    """Binder and Colab buttons on every chapter, built from the one repository URL of _config.yml."""
    need((HTML / "index.html").exists(), f"no built book in {HTML} (make book)")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url, branch = config["repository"]["url"].rstrip("/"), config["repository"].get("branch", "main")
    org_repo = url.split("github.com/")[1]
    for doc in PAGES:
        html = (HTML / f"{doc}.html").read_text()
        binder = f"https://mybinder.org/v2/gh/{org_repo}/{branch}?urlpath=lab/tree/{doc}.ipynb"
        colab = f"https://colab.research.google.com/github/{org_repo}/blob/{branch}/{doc}.ipynb"
        if doc.startswith("chapters/"):
            assert binder in html and colab in html, f"{doc}: launch buttons missing"
        else:
            assert "mybinder.org" not in html and "colab.research" not in html, f"{doc}: launch buttons on a page that is no notebook"


@pytest.mark.parametrize("doc", PAGES + EXTRA)
def test_page_offline(context, doc):
    path = HTML / f"{doc}.html"
    assert path.exists(), f"{doc} was not built"
    page = context.new_page()
    log = PageLog(page)
    page.goto(path.as_uri(), wait_until="load")
    assert page.evaluate(READY)
    facts = page.evaluate(FACTS)
    page.add_script_tag(path=str(AXE))
    violations = [v for v in page.evaluate(AXE_RUN) if v["impact"] in IMPACTS]
    keys = explorers.on_page(doc)
    loaded = sorted(page.evaluate("() => Object.keys(window.servingmathLive || {})"))
    live = [f"sm-live-{key}" for key in keys]
    live_problems = [problem for key in keys for problem in explorers.problems(page, key)] if loaded == live else []
    page.close()

    assert not log.blocked, f"requests that need the internet: {log.blocked}"
    assert not log.failed, f"failed requests: {log.failed}"
    assert not log.errors, "\n".join(log.errors)
    # math: typeset by the vendored MathJax, without TeX errors
    assert not facts["untypeset"], f"math left as TeX: {facts['untypeset'][:3]}"
    assert facts["texErrors"] == 0
    # images: every one loaded and described; a figure's alt text says what it shows
    broken = [img for img in facts["images"] if not img["loaded"]]
    assert not broken, f"images that did not load: {broken}"
    no_alt = [img["src"] for img in facts["images"] if not (img["alt"] or "").strip()]
    assert not no_alt, f"images without alt text: {no_alt}"
    if doc.startswith("chapters/"):   # chapters are numbered in the article's order
        number = int(doc.split("/")[1][:2])
        assert facts["title"].startswith(f"{number}. "), facts["title"]
    for alt in facts["figureAlts"]:
        assert len(alt.split()) >= 6 and not re.search(r"\.(png|svg|jpe?g)$", alt), f"figure alt text: {alt!r}"
    # one figure per explorer: the page shows its static figure and says how to run it live (the
    # ipywidgets explorer works with a kernel only, so the page does not embed it)
    assert not facts["repeatedImages"], f"a figure shown twice: {facts['repeatedImages']}"
    if doc.startswith("chapters/"):
        assert facts["math"] > 0
        assert facts["views"] == 0, "an ipywidgets explorer embedded in the page, where it cannot run"
        assert facts["explorerNote"], "a chapter without the sentence on running its explorer live"
    # nothing past the right edge of the text column
    assert not facts["wide"], f"wider than the page: {facts['wide'][:3]}"
    assert facts["articleOverflow"] <= 1, f"the page scrolls sideways by {facts['articleOverflow']} px"
    # the live explorers: all loaded, each following the keyboard and computing the library's numbers
    assert loaded == live, f"live explorers loaded: {loaded}, listed in the library: {live}"
    assert not live_problems, "\n".join(live_problems[:10])
    assert not violations, "axe-core: " + "; ".join(f"{v['impact']} {v['id']} ({v['help']}): {v['nodes']}"
                                                     for v in violations)
