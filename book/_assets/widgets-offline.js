// Lets the embedded ipywidgets (the chapters' explorers) render offline and cleanly.
// Loaded on every page before the widget manager (book/_ext/bookhtml.py).
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;

  // 1. The widget manager loads its icon fonts from its own folder: the vendored copy.
  if (here) {
    window.__jupyter_widgets_assets_path__ = new URL("vendor/html-manager/dist/", here).href;
  }

  // 2. The widget manager typesets labels through the MathJax 2 API (MathJax.Hub.Queue);
  //    the book loads MathJax 3. Give whatever object is window.MathJax a small Hub that
  //    forwards to MathJax 3 (non-enumerable, so MathJax's own configuration ignores it).
  var hub = {
    Queue: function (job) {
      var element = job && job[2];
      var mj = window.MathJax;
      if (!mj || !mj.startup || !mj.startup.promise) return;
      mj.startup.promise
        .then(function () { return mj.typesetPromise ? mj.typesetPromise(element ? [element] : undefined) : null; })
        .catch(function () {});
    }
  };
  function addHub(value) {
    if (value && typeof value === "object" && !value.Hub) {
      Object.defineProperty(value, "Hub", { value: hub, enumerable: false, configurable: true, writable: true });
    }
    return value;
  }
  var current = addHub(window.MathJax);
  try {
    Object.defineProperty(window, "MathJax", {
      configurable: true,
      get: function () { return current; },
      set: function (value) { current = addHub(value); }
    });
  } catch (err) { /* keep the page working without the shim */ }

  // 3. An explorer's picture is a widget image without alt text. It shows the same chart
  //    as the static figure before it, at the same default values: say so.
  function describe(root) {
    var figures = Array.prototype.slice.call(document.querySelectorAll("figure img[alt], img.figure[alt]"));
    (root || document).querySelectorAll(".widget-image").forEach(function (img) {
      if (img.getAttribute("alt")) return;
      var before = null;
      figures.forEach(function (fig) {
        if (fig.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_FOLLOWING) before = fig;
      });
      img.setAttribute("alt", before && before.getAttribute("alt")
        ? "Explorer at its default values, drawing the chart of the figure above: " + before.getAttribute("alt")
        : "Explorer chart at its default values; the text below it gives the numbers.");
    });
  }
  function watch() {
    describe(document);
    new MutationObserver(function () {
      if (document.querySelector(".widget-image:not([alt])")) describe(document);
    })
      .observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
