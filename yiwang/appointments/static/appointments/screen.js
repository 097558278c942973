// The hall screen refreshes its live part by itself (the page works without script too:
// <noscript> reloads it). Only the inner content is replaced, so the aria-live region
// announces each new call.
(function () {
  var live = document.getElementById("screen-live");
  if (!live || !window.fetch) return;
  var url = live.getAttribute("data-refresh-url");
  var seconds = parseInt(live.getAttribute("data-refresh-seconds"), 10) || 5;
  function refresh() {
    fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var template = document.createElement("template");
        template.innerHTML = html;
        var fresh = template.content.querySelector(".screen-latest");
        var current = live.querySelector(".screen-latest");
        // Keep the live region element and change only its text when the call changed.
        if (fresh && current && fresh.innerHTML !== current.innerHTML) {
          current.innerHTML = fresh.innerHTML;
        }
        ["table.screen-windows", "ol.screen-recent"].forEach(function (selector) {
          var a = live.querySelector(selector), b = template.content.querySelector(selector);
          if (a && b) a.replaceWith(b);
        });
      })
      .catch(function () {})
      .finally(function () { window.setTimeout(refresh, seconds * 1000); });
  }
  window.setTimeout(refresh, seconds * 1000);
})();
