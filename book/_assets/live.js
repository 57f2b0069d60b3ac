// Embeds each live explorer of the page (book/_ext/liveexplorer.py) with the vendored Vega-Embed, once the
// page is parsed. The views are kept in window.servingmathLive, by explorer, for the tests and the benchmark.
window.servingmathLive = {};
window.servingmathLiveReady = new Promise((parsed) => {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", parsed);
  else parsed();
}).then(() => Promise.all([...document.querySelectorAll("script.sm-live-spec")].map((script) => {
  const target = script.dataset.target;
  return vegaEmbed("#" + target, JSON.parse(script.textContent), {actions: false, renderer: "svg"})
    .then((result) => { window.servingmathLive[target] = result.view; });
})));
