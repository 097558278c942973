// A run under way: its progress every two seconds, and the finished report once it ends.
(function () {
  var box = document.getElementById("mon-run-status");
  if (!box || box.dataset.active !== "1") return;
  var url = box.dataset.statusUrl;
  function set(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (!el) return;
    if (el.tagName === "PROGRESS") { el.value = value; el.textContent = value + "%"; }
    else { el.textContent = value; }
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { window.setTimeout(poll, 5000); return; }
        ["state_label", "pages", "pages_queued", "links_checked", "progress", "percent"].forEach(function (k) { set(k, s[k]); });
        if (s.active) window.setTimeout(poll, 2000);
        else window.location.reload();
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
