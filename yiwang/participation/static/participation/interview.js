/* The live interview page: asks the feed for the answers published after the last one on
   the page every few seconds and appends them to the transcript, an aria-live="polite"
   region, so new answers are shown (and read out) without reloading. Without JavaScript the
   page shows everything up to the moment it was loaded. Stops once the interview is over. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function meta(who, verb, when) {
    var p = el("p", "qa-meta");
    p.appendChild(el("span", "qa-who", who));
    p.appendChild(document.createTextNode(" " + verb));
    var sep = el("span", "sep");
    sep.appendChild(el("time", "", when));
    p.appendChild(sep);
    return p;
  }

  function entryFor(list, item) {
    var entry = document.getElementById("qa-" + item.question_id);
    if (entry) { return entry; }
    var empty = list.querySelector("[data-empty]");
    if (empty) { empty.parentNode.removeChild(empty); }
    entry = el("li", "qa");
    entry.id = "qa-" + item.question_id;
    var question = el("div", "qa-question");
    question.appendChild(meta(item.asker, "问", item.asked_at));
    question.appendChild(el("p", "qa-text", item.question));
    entry.appendChild(question);
    entry.appendChild(el("div", "qa-answers"));
    list.appendChild(entry);
    return entry;
  }

  function append(list, item) {
    var entry = entryFor(list, item);
    var answer = el("div", "qa-answer qa-new");
    answer.appendChild(meta(item.guest, "答", item.answered_at));
    answer.appendChild(el("p", "qa-text", item.answer));
    entry.querySelector(".qa-answers").appendChild(answer);
  }

  function start(feed) {
    var list = feed.querySelector("[data-entries]");
    var phase = document.querySelector("[data-interview-phase]");
    var url = feed.getAttribute("data-feed-url");
    var last = parseInt(feed.getAttribute("data-last-id"), 10) || 0;
    var seconds = parseInt(feed.getAttribute("data-poll-seconds"), 10) || 5;

    function later() { window.setTimeout(poll, seconds * 1000); }

    function poll() {
      fetch(url + "?after=" + last, { credentials: "omit", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { later(); return; }
          data.entries.forEach(function (item) { append(list, item); });
          last = data.last_id;
          if (data.poll_seconds) { seconds = data.poll_seconds; }
          if (phase && data.phase_label) {
            phase.textContent = data.phase_label;
            phase.className = "phase phase-" + data.phase;
          }
          feed.setAttribute("data-last-id", String(last));
          if (data.more) { poll(); return; }
          if (data.ended) {
            var note = feed.querySelector(".live-note");
            if (note) { note.textContent = "访谈已结束，以上为文字实录。"; }
            return;
          }
          later();
        })
        .catch(later);
    }

    later();
  }

  function init() {
    if (!window.fetch) { return; }
    document.querySelectorAll("[data-interview-feed]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
