"""The live explorers on the published pages, offline: a slider moved with the keyboard redraws the figure,
and every number the page computes equals the Python library's for the same controls."""

import math

import pytest

from browserlib import HTML, PageLog, need
from servingmath.live import explorers

LIVE = explorers()
STATES = 24
READY = "() => window.servingmathLiveReady.then(() => Object.keys(window.servingmathLive).length)"


def _page_of(slug):
    found = sorted(HTML.glob(f"chapters/[0-9][0-9]-{slug}.html"))
    need(bool(found), f"no built page for {slug} in {HTML} (make book)")
    return found[0]


def states(controls: dict, count: int = STATES) -> list:
    """The corners (every control at its first value, every one at its last, and each control alone at the
    other end), then states spread over the controls' values, at least ``count`` in all."""
    first = {name: values[0] for name, values in controls.items()}
    last = {name: values[-1] for name, values in controls.items()}
    corners = [first, last] + [{**first, name: last[name]} for name in controls] + [{**last, name: first[name]}
                                                                                     for name in controls]
    spread = [_nth(controls, i * 7919) for i in range(1, 4 * count)]   # strided through every combination
    unique = []
    for state in corners + spread:
        if state not in unique:
            unique.append(state)
    return unique[:max(count, len({str(c) for c in corners}))]


def _nth(controls: dict, n: int) -> dict:
    """The ``n``-th combination of the controls' values (mixed radix, wrapping round)."""
    state = {}
    for name, values in controls.items():
        n, digit = divmod(n, len(values))
        state[name] = values[digit]
    return state


@pytest.fixture
def live_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    yield context.new_page()
    context.close()


def _open(page, slug):
    """The chapter's page with its explorers loaded; without MathJax, which the explorers do not use (the page
    test checks the math) and which would typeset the whole chapter while the states are set."""
    log = PageLog(page)
    page.route("**/vendor/mathjax/**", lambda route: route.fulfill(body="", content_type="text/javascript"))
    page.goto(_page_of(slug).as_uri(), wait_until="load")
    assert page.evaluate(READY) == sum(live.chapter == slug for live in LIVE.values()), "live explorers did not load"
    return log


@pytest.mark.parametrize("key", sorted(LIVE))
def test_the_page_computes_the_librarys_numbers_and_follows_the_keyboard(live_page, key):
    """Every number the page computes equals the library's, in 24 states of the controls; then, from the
    page's first state, a slider moved with the keyboard redraws the figure and changes the numbers."""
    live = LIVE[key]
    log = _open(live_page, live.chapter)
    target = f"sm-live-{key}"
    chart = live_page.locator(f"#{target}")
    slider = chart.locator("input[type=range]").first
    before = chart.locator("svg").inner_html(), chart.inner_text()
    slider.focus()
    at_start = slider.evaluate("input => Number(input.value) <= Number(input.min)")
    live_page.keyboard.press("ArrowRight" if at_start else "ArrowLeft")
    live_page.wait_for_function("([id, old]) => document.querySelector('#' + id + ' svg').innerHTML !== old",
                                arg=[target, before[0]])
    assert chart.inner_text() != before[1], "the numbers did not follow the slider"

    problems = []
    for state in states(live.controls):
        shown = live_page.evaluate("""async ([target, state, names]) => {
          const view = window.servingmathLive[target];
          for (const [name, value] of Object.entries(state)) view.signal(name, value);
          await view.runAsync();
          return {values: Object.fromEntries(names.map(n => [n, view.signal(n)])),
                  text: document.getElementById(target).innerText};
        }""", [target, state, list(live.numbers)])
        for name, value in live.expected(**state).items():
            got = shown["values"][name]
            if not (isinstance(got, (int, float)) and math.isclose(got, value, rel_tol=1e-9)):
                problems.append(f"{state}: {name} = {got} on the page, {value} in the library")
        missing = [line for line in live.text(state) if line not in shown["text"]]
        if missing or "NaN" in shown["text"] or "Infinity" in shown["text"]:
            problems.append(f"{state}: the page does not show {missing[:2]}")
    assert len(states(live.controls)) >= 20
    assert not problems, "\n".join(problems[:10])
    assert not log.errors and not log.blocked and not log.failed, (log.errors, log.blocked, log.failed)
