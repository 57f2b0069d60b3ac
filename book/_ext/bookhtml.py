"""Small fixes to the HTML of the book, so that every page reads offline without console errors.

- Loads ``book.js`` and ``book.css`` (in ``book/_assets``): the book's styles, and the accessible
  names of a few theme controls.
- Gives bibliography entries the ARIA role their list needs (``listitem``; docutils writes the
  deprecated ``doc-biblioentry``, which axe-core reports as a critical violation).
- Writes the execution table's status as words ("ok", "failed") instead of emoji.
- Drops script tags that Jupyter Book's extensions add twice to every page (sphinx-thebe's
  ``const THEBE_JS_URL`` declared twice is a JavaScript error).
- Opens pages in light mode unless the reader chose otherwise (the theme logs an error when
  no default mode is configured).
- Keeps launch buttons to the chapter notebooks: the generated appendix pages are MyST text
  notebooks, which Colab cannot open.
"""

from pathlib import Path


def _config_inited(app, config):
    config.html_context.setdefault("default_mode", "light")


def _builder_inited(app):
    if app.builder.format == "html":
        app.add_js_file("book.js", priority=450)
        app.add_css_file("book.css")


def _page_context(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        seen, kept = set(), []
        for js in scripts:
            key = (js.filename or "", js.attributes.get("body"))
            if key not in seen:
                seen.add(key)
                kept.append(js)
        scripts[:] = kept
    if "body" in context:
        body = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
        # the execution table marks success and failure with emoji that many offline systems lack a font for
        context["body"] = body.replace("<p>✅</p>", "<p>ok</p>").replace("<p>❌</p>", "<p>failed</p>")
    if context.get("header_buttons") and Path(app.env.doc2path(pagename)).suffix != ".ipynb":
        context["header_buttons"][:] = [b for b in context["header_buttons"]
                                        if b.get("label") != "launch-buttons"]


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
