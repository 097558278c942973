/* Draws the process diagrams of hall/includes/diagram.html with the bpmn-js viewer and marks
   the elements done and waiting (engine.position()). Without JavaScript, or if drawing
   fails, the list of steps below stays the only view; it is always there for screen readers. */
(function () {
  "use strict";

  function readJson(id) {
    var element = id && document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function mark(canvas, registry, ids, marker) {
    (ids || []).forEach(function (id) {
      if (registry.get(id)) {
        canvas.addMarker(id, marker);
      }
    });
  }

  // The drawing is hidden from assistive technology (the list of steps is its text), so
  // nothing inside it may take the keyboard focus either: bpmn-js makes its canvas and the
  // bpmn.io link focusable. The link stays visible, as the bpmn-js licence requires.
  function unfocusable(container) {
    var focusable = container.querySelectorAll("a, button, [tabindex]");
    for (var i = 0; i < focusable.length; i += 1) {
      focusable[i].setAttribute("tabindex", "-1");
    }
  }

  function draw(section) {
    var xml = readJson(section.getAttribute("data-xml-id"));
    var position = readJson(section.getAttribute("data-position-id")) || {};
    var canvasElement = section.querySelector("[data-hall-diagram-canvas]");
    var legend = section.querySelector("[data-hall-diagram-legend]");
    if (!xml || !canvasElement || typeof window.BpmnJS !== "function") {
      return;
    }
    canvasElement.hidden = false;
    var viewer = new window.BpmnJS({ container: canvasElement });
    viewer
      .importXML(xml)
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport", "auto");
        mark(canvas, registry, position.done, "hall-done");
        mark(canvas, registry, position.waiting, "hall-waiting");
        unfocusable(canvasElement);
        if (legend && ((position.done || []).length || (position.waiting || []).length)) {
          legend.hidden = false;
        }
      })
      .catch(function () {
        viewer.destroy();
        canvasElement.hidden = true;
        section.classList.add("hall-diagram--failed");
      });
  }

  function start() {
    var sections = document.querySelectorAll("[data-hall-diagram]");
    for (var i = 0; i < sections.length; i += 1) {
      draw(sections[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
