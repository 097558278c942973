/* Yiwang public portals: elder mode, print, read counts and the login greeting.
   Pages are the same for every visitor; what differs per visitor is fetched here. */
(function () {
  "use strict";
  var root = document.documentElement;
  var ELDER_KEY = "yiwang-elder";

  function setElder(on) {
    root.classList.toggle("elder", on);
    try {
      if (on) { localStorage.setItem(ELDER_KEY, "on"); } else { localStorage.removeItem(ELDER_KEY); }
    } catch (e) { /* storage disabled: the choice lasts for this page only */ }
    document.querySelectorAll("[data-elder-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function init() {
    setElder(root.classList.contains("elder"));
    document.querySelectorAll("[data-elder-toggle]").forEach(function (button) {
      button.addEventListener("click", function () { setElder(!root.classList.contains("elder")); });
    });

    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });

    document.querySelectorAll("[data-read-count]").forEach(function (element) {
      fetch(element.getAttribute("data-read-count"), {
        method: "POST", credentials: "omit", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        var value = element.querySelector("[data-read-count-value]");
        if (data && value) { value.textContent = String(data.count); }
      }).catch(function () { /* the count is a nicety; the page works without it */ });
    });

    var session = document.querySelector("[data-session]");
    if (session) {
      fetch("/api/portal/session", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && data.authenticated) {
            session.textContent = "您好，" + data.name;
          }
        }).catch(function () { /* keep the 登录 link */ });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
