"""Small fixes to the HTML of the book, so that every page reads offline without console errors.

- Loads ``book.js`` and ``book.css`` (in ``book/_assets``). The script, loaded before the widget
  manager, lets the manager's MathJax 2 calls reach MathJax 3, gives the explorers' images alt text
  and their sliders names, and fixes the accessible names of a few theme controls.
- Tells require.js where the vendored widget manager lives, so that its icon fonts load from there.
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


MANAGER = "vendor/html-manager/dist"


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
        _point_requirejs_at_vendor(app, context, scripts)
    if "body" in context:
        body = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
        # the execution table marks success and failure with emoji that many offline systems lack a font for
        context["body"] = body.replace("<p>✅</p>", "<p>ok</p>").replace("<p>❌</p>", "<p>failed</p>")
    if context.get("header_buttons") and Path(app.env.doc2path(pagename)).suffix != ".ipynb":
        context["header_buttons"][:] = [b for b in context["header_buttons"]
                                        if b.get("label") != "launch-buttons"]


def _point_requirejs_at_vendor(app, context, scripts):
    """Tell require.js where the widget manager lives, so its fonts load from the vendored copy."""
    manager = [i for i, js in enumerate(scripts) if (js.filename or "").endswith(MANAGER + "/embed-amd.js")]
    if not manager:
        return
    where = context["pathto"]("_static/" + MANAGER, 1)
    app.add_js_file(None, body=f'requirejs.config({{paths: {{"@jupyter-widgets/html-manager/dist": "{where}"}}}});',
                    priority=scripts[manager[0]].priority)
    scripts.insert(manager[0], scripts.pop())


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
