"""A page's live explorers, driven in the browser: a slider moved with the keyboard redraws the figure, and
every number the page computes equals the Python library's for the same controls. test_pages.py runs these
on each chapter page it has opened, so a page is loaded once for both checks."""

import math
import re

from servingmath.live import chapter_explorers, explorers

LIVE = explorers()
STATES = 24
SET = """async ([target, state, names]) => {
  const view = window.servingmathLive[target];
  for (const [name, value] of Object.entries(state)) view.signal(name, value);
  await view.runAsync();
  return {values: Object.fromEntries(names.map(n => [n, view.signal(n)])),
          text: document.getElementById(target).innerText};
}"""


def on_page(doc: str) -> list:
    """The keys of the explorers on the book page ``doc`` (``chapters/NN-slug``)."""
    chapter = re.fullmatch(r"chapters/\d\d-(.+)", doc)
    return sorted(live.key for live in chapter_explorers(chapter[1])) if chapter else []


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


def problems(page, key: str) -> list:
    """What is wrong with explorer ``key`` on the loaded ``page``: from its first state, a slider moved with
    the keyboard must redraw the figure and change the numbers; then, in every state of ``states``, each number
    the page computes must equal the library's and each line of its text must show."""
    live, target = LIVE[key], f"sm-live-{key}"
    chart = page.locator(f"#{target}")
    slider = chart.locator("input[type=range]").first
    before = chart.locator("svg").inner_html(), chart.inner_text()
    slider.focus()
    at_start = slider.evaluate("input => Number(input.value) <= Number(input.min)")
    page.keyboard.press("ArrowRight" if at_start else "ArrowLeft")
    page.wait_for_function("([id, old]) => document.querySelector('#' + id + ' svg').innerHTML !== old",
                           arg=[target, before[0]])
    found = [] if chart.inner_text() != before[1] else [f"{key}: the numbers did not follow the slider"]
    tried = states(live.controls)
    if len(tried) < 20:
        found.append(f"{key}: only {len(tried)} states of its controls")
    for state in tried:
        shown = page.evaluate(SET, [target, state, list(live.numbers)])
        for name, value in live.expected(**state).items():
            got = shown["values"][name]
            if not (isinstance(got, (int, float)) and math.isclose(got, value, rel_tol=1e-9)):
                found.append(f"{key} {state}: {name} = {got} on the page, {value} in the library")
        missing = [line for line in live.text(state) if line not in shown["text"]]
        if missing or "NaN" in shown["text"] or "Infinity" in shown["text"]:
            found.append(f"{key} {state}: the page does not show {missing[:2]}")
    return found
