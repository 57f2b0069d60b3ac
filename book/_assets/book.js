// The book's own script, loaded on every page before the widget manager (book/_ext/bookhtml.py):
// lets the embedded ipywidgets (the chapters' explorers) render offline and cleanly, and fixes
// a few accessibility gaps of the theme (found by axe-core in tests/browser).
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
  function describeImages() {
    var figures = Array.prototype.slice.call(document.querySelectorAll("figure img[alt]"));
    document.querySelectorAll(".widget-image:not([alt])").forEach(function (img) {
      var before = null;
      figures.forEach(function (fig) {
        if (fig.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_FOLLOWING) before = fig;
      });
      img.setAttribute("alt", before && before.getAttribute("alt")
        ? "Explorer at its default values, drawing the chart of the figure above: " + before.getAttribute("alt")
        : "Explorer chart at its default values; the text below it gives the numbers.");
    });
  }

  // 4. Slider handles get the name of their widget's label (the widget manager gives none).
  function nameSliders() {
    document.querySelectorAll('.noUi-handle[role="slider"]:not([aria-label])').forEach(function (handle) {
      var widget = handle.closest(".widget-slider");
      var label = widget && widget.querySelector(".widget-label");
      var readout = widget && widget.querySelector(".widget-readout");
      if (label && label.textContent.trim()) handle.setAttribute("aria-label", label.textContent.trim());
      if (readout && readout.textContent.trim()) handle.setAttribute("aria-valuetext", readout.textContent.trim());
    });
  }

  // 5. Theme controls whose accessible name hides their visible text (WCAG 2.5.3): let the
  //    visible text name them; the colour-mode button keeps its label "Color mode" and its icons
  //    lose the titles (Light, Dark, ...) that would otherwise count as its visible text.
  function fixThemeNames() {
    document.querySelectorAll("summary[aria-label], .search-button__button[aria-label]").forEach(function (el) {
      if (el.innerText.trim()) el.removeAttribute("aria-label");
    });
    document.querySelectorAll(".theme-switch-button svg").forEach(function (svg) {
      svg.setAttribute("aria-hidden", "true");
      svg.removeAttribute("aria-labelledby");
      svg.querySelectorAll("title").forEach(function (title) { title.remove(); });
    });
  }

  var pending = false;
  function fixAll() {
    pending = false;
    describeImages();
    nameSliders();
    fixThemeNames();
  }
  function watch() {
    fixAll();
    new MutationObserver(function () {
      if (!pending) { pending = true; window.requestAnimationFrame(fixAll); }
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
