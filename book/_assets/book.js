// The book's own script, loaded on every page (book/_ext/bookhtml.py): fixes a few accessibility gaps
// of the theme (found by axe-core in tests/browser), and keeps the page's watchers off the live charts.
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

  // A live explorer's chart redraws its SVG on every move of a control: nothing in it needs fixing.
  function inChart(record) {
    var node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    return !!(node && node.closest(".sm-live"));
  }

  var pending = false;
  function fixAll() {
    pending = false;
    fixThemeNames();
  }
  function watch() {
    fixAll();
    new MutationObserver(function (records) {
      if (!pending && !records.every(inChart)) { pending = true; window.requestAnimationFrame(fixAll); }
    }).observe(document.body, { childList: true, subtree: true });
  }
  // The theme's icons are in the page's HTML, and FontAwesome has drawn them once the page has loaded;
  // its watch for new icons would otherwise inspect every node a live chart redraws.
  window.addEventListener("load", function () {
    if (window.FontAwesome && document.querySelector(".sm-live")) window.FontAwesome.noAuto();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
