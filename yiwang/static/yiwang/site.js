/* Yiwang public portals: elder mode, print, read counts, the login greeting and the silent
   single sign-on (accounts/sso.py).
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
          if (!data) { return; }
          if (data.authenticated) {
            showGreeting(session, data);
          } else {
            pointLoginLink(session, data);
            silentSignOn(data);
          }
        }).catch(function () { /* keep the 登录 link */ });
    }
  }

  function here() { return location.pathname + location.search; }

  /* "您好，<name>" and a 退出 button. The form is built here because the public pages carry
     no CSRF token (they are the same for every visitor); the token comes with the JSON. */
  function showGreeting(session, data) {
    session.textContent = "";
    var greeting = document.createElement(data.centre_url ? "a" : "span");
    if (data.centre_url) { greeting.href = data.centre_url; }
    greeting.textContent = "您好，" + data.name;
    session.appendChild(greeting);
    if (!data.logout_url || !data.csrf_token) { return; }
    var form = document.createElement("form");
    form.method = "post";
    form.action = data.logout_url;
    form.className = "logout-form";
    [["csrfmiddlewaretoken", data.csrf_token], ["next", here()], ["scope", "everywhere"]]
      .forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        form.appendChild(input);
      });
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "logout-button";
    button.textContent = "退出";
    form.appendChild(button);
    session.appendChild(form);
  }

  function pointLoginLink(session, data) {
    var link = session.querySelector("[data-login-link]");
    if (link && data.login_url) {
      link.href = data.login_url + "?next=" + encodeURIComponent(here());
    }
  }

  /* Single sign-on, silently: once per tab and portal, ask the identity host whether the
     visitor is logged in there; the round trip comes back to this page, logged in or not.
     The flag is set before leaving, so it never loops. Not on account pages (a form's
     answer would be lost), and only when the identity host answers at all. */
  var SSO_KEY = "yiwang-sso-checked";

  function silentSignOn(data) {
    if (!data.sso_check || !data.identity_url || location.pathname.indexOf("/accounts/") === 0) {
      return;
    }
    try {
      if (sessionStorage.getItem(SSO_KEY)) { return; }
      sessionStorage.setItem(SSO_KEY, "1");
    } catch (e) { return; /* no storage: no way to remember the check, so none */ }
    var start = "/accounts/sso/start?prompt=none&next=" + encodeURIComponent(here());
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, 3000) : null;
    fetch(data.identity_url + "/accounts/sso/ping", {
      mode: "cors", credentials: "omit", cache: "no-store", signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (timer) { clearTimeout(timer); }
      if (response.ok) { location.replace(start); }
    }).catch(function () { /* the identity host is unreachable: stay; 登录 still works */ });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
