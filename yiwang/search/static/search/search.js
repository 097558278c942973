// The results page without reloading: filter, sort and page links and the form fetch the
// results (the server's fragment, X-Search-Fragment) and replace #search-results; the
// address bar follows, so Back works. Without this script every link loads the page.
(function () {
  "use strict";
  var region = document.getElementById("search-results");
  var form = document.querySelector("[data-search-form]");
  if (!region || !window.fetch || !window.history || !history.pushState) return;

  function load(url, push) {
    region.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { "X-Search-Fragment": "1" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        region.innerHTML = html;
        region.removeAttribute("aria-busy");
        if (push) history.pushState({ search: true }, "", url);
        var count = region.querySelector(".search-count");
        if (count) { count.setAttribute("tabindex", "-1"); count.focus(); }
      })
      .catch(function () { window.location.href = url; });
  }

  region.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-search-link]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    load(link.href, true);
  });
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams(new FormData(form));
      load(form.action + "?" + params.toString(), true);
    });
  }
  window.addEventListener("popstate", function () { load(window.location.href, false); });
})();
