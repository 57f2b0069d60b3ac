"""The chapters' explorers live on the published page: Vega-Lite charts (built with Altair) whose controls are
Vega parameters and whose numbers are the library's SymPy expressions printed to Vega's expression language
(``vega``), so the page recomputes them in the browser, offline, with no kernel.

A chapter's module here (``CHAPTER``, its slug) lists its ``LiveExplorer``s in ``explorers()``: each a chart,
the controls' values (what a test may set) and ``expected(state)``, the same numbers from the Python library for
a state of the controls. ``book/_ext/liveexplorer.py`` embeds the k-th one in the chapter's page after the k-th
code cell tagged ``live-explorer`` (the notebook's ipywidgets explorer, which the notebook keeps).
"""

from dataclasses import dataclass
from functools import lru_cache
import importlib
import json
import pkgutil
from typing import Callable

import altair as alt

from .vega import vega


@dataclass(frozen=True)
class Number:
    """One number the page shows: ``label: value / scale`` in a d3 (and Python) format, then its unit; with
    ``missing`` (e.g. "does not fit"), a negative value shows those words instead."""

    label: str
    format: str
    scale: float = 1.0
    unit: str = ""
    missing: str = ""

    def vega(self, param: str) -> str:
        unit = f" + {json.dumps(' ' + self.unit)}" if self.unit else ""
        shown = f"{json.dumps(self.label + ': ')} + format({param} / {self.scale!r}, '{self.format}'){unit}"
        return f"({param} < 0 ? {json.dumps(f'{self.label}: {self.missing}')} : {shown})" if self.missing else shown

    def text(self, value: float) -> str:
        if self.missing and value < 0:
            return f"{self.label}: {self.missing}"
        return f"{self.label}: {value / self.scale:{self.format}}" + (f" {self.unit}" if self.unit else "")


@dataclass(frozen=True)
class LiveExplorer:
    """A chart with bound controls (``controls``: parameter name → its allowed values, in order) and the
    numbers it shows (``numbers``: parameter name → ``Number``), which ``expected`` computes in Python.
    ``chart`` builds the chart when its spec is asked for (a test that only sets controls never builds it)."""

    key: str               # unique across the book: the chapter's slug, or slug-name for a second explorer
    chapter: str
    title: str
    chart: Callable[[], alt.TopLevelMixin]
    controls: dict
    numbers: dict
    expected: Callable[..., dict]

    def spec(self) -> str:
        """The Vega-Lite specification as JSON (validated by Altair against the schema). The chart describes
        itself by its title."""
        spec = self.chart().to_dict()
        spec.setdefault("description", self.title)
        return json.dumps(spec, sort_keys=True)

    def text(self, state: dict) -> list:
        """The lines of numbers the page shows for ``state``, from the Python library."""
        return [self.numbers[name].text(value) for name, value in self.expected(**state).items()]


def numbers_chart(numbers: dict, width: int = 520):
    """The numbers as lines of text under a chart, each computed in the page from its parameter."""
    lines = [number.vega(name) for name, number in numbers.items()]
    text = lines[-1]
    for i, line in reversed(list(enumerate(lines[:-1]))):
        text = f"(datum.i === {i} ? {line} : {text})"
    rows = alt.Data(values=[{"i": i} for i in range(len(lines))])
    return alt.Chart(rows).transform_calculate(line=text).mark_text(align="left", fontSize=13).encode(
        x=alt.value(0), y=alt.Y("i:O", axis=None), text="line:N").properties(width=width, height=22 * len(lines))


def switch(param: str, expressions: dict) -> str:
    """A Vega expression that evaluates ``expressions[option]`` (Vega text) for the option ``param`` holds."""
    items = list(expressions.items())
    text = items[-1][1]
    for option, expression in reversed(items[:-1]):
        text = f"({param} === {json.dumps(option)} ? {expression} : {text})"
    return text


def choice(param: str, values: dict) -> str:
    """A Vega expression that picks ``values[option]`` (a number) for the option a select parameter holds."""
    return switch(param, {option: repr(float(value)) for option, value in values.items()})


def select(name: str, label: str, options: list, value):
    return alt.param(name=name, value=value, bind=alt.binding_select(options=options, name=label))


def slider(name: str, label: str, lo: int, hi: int, value: int, step: int = 1):
    return alt.param(name=name, value=value, bind=alt.binding_range(min=lo, max=hi, step=step, name=label))


def top_level(params: list) -> list:
    """Controls and derived parameters for the chart's top level, where every view reads them (Altair's
    ``add_params`` would copy each into every view, and copy every view to do it)."""
    return [param.param for param in params]


def derived(name: str, expression, names: dict):
    """A parameter the page computes from the others: the printed formula (``vega``) or a Vega expression."""
    return alt.param(name=name, expr=expression if isinstance(expression, str) else vega(expression, names))


@lru_cache(maxsize=None)
def explorers() -> dict:
    """Every live explorer of the book, by key, in the order of its chapter's cells (listed once; each builds
    its chart, printing the formulas it draws, when its spec is asked for)."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name != "vega":
            for live in importlib.import_module(f"{__name__}.{info.name}").explorers():
                found[live.key] = live
    return found


def chapter_explorers(chapter: str) -> list:
    """A chapter's live explorers, in the order of its cells tagged ``live-explorer``."""
    return [live for live in explorers().values() if live.chapter == chapter]
