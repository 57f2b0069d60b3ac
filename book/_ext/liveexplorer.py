"""The chapters' live explorers in the published page (``servingmath.live``).

After each code cell tagged ``live-explorer`` (the notebook's ipywidgets explorer, whose output the page does
not show), a chapter page gets the matching Vega-Lite chart (``servingmath.live.chapter_explorers``, in order): the specification is generated from the library at build time,
and ``live.js`` embeds it with the vendored Vega, Vega-Lite and Vega-Embed (``make`` fetches them from npm).
The page computes every number itself, offline, with no kernel; without JavaScript it points at the static
figure above. Only pages with an explorer load Vega.
"""

import html

from docutils import nodes
from servingmath.live import chapter_explorers

VEGA = ["vendor/vega/vega.min.js", "vendor/vega/vega-lite.min.js", "vendor/vega/vega-embed.min.js"]


def _slug(docname: str) -> str:
    return docname.split("/")[-1].split("-", 1)[-1]


def _embed(app, doctree, docname):
    if not docname.startswith("chapters/"):
        return
    cells = [n for n in doctree.findall(nodes.container) if "tag_live-explorer" in n.get("classes", [])]
    lives = chapter_explorers(_slug(docname))
    if len(cells) != len(lives):
        raise ValueError(f"{docname}: {len(cells)} cells tagged live-explorer, {len(lives)} live explorers")
    for cell, live in zip(cells, lives):
        cell.parent.insert(cell.parent.index(cell) + 1, nodes.raw("", _markup(live), format="html"))


def _markup(live) -> str:
    target = f"sm-live-{live.key}"
    spec = live.spec().replace("</", "<\\/")     # JSON inside a script element
    return (f'<div class="sm-live" role="group" aria-label="{html.escape(live.title)}, live">'
            f'<p class="sm-live-note">This explorer runs in the page: move a control and the figure and its '
            f'numbers follow, computed here from the library\'s formulas.</p>'
            f'<div id="{target}" class="sm-live-chart"></div>'
            f'<noscript><p>The live explorer needs JavaScript; the figure above shows its starting point.</p>'
            f'</noscript><script type="application/json" class="sm-live-spec" data-target="{target}">'
            f'{spec}</script></div>')


def _page_context(app, pagename, templatename, context, doctree):
    if "sm-live-spec" in context.get("body", ""):
        for priority, path in enumerate(VEGA + ["live.js"], start=491):
            app.add_js_file(path, priority=priority)


def setup(app):
    app.connect("doctree-resolved", _embed)
    app.connect("html-page-context", _page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
