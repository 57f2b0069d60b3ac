// The book's own script, loaded on every page (book/_ext/bookhtml.py): fixes a few accessibility gaps
// of the theme (found by axe-core in tests/browser).
(function () {
  "use strict";

  // Theme controls whose accessible name hides their visible text (WCAG 2.5.3): let the visible text
  // name them; the colour-mode button keeps its label "Color mode" and its icons lose the titles
  // (Light, Dark, ...) that would otherwise count as its visible text.
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
