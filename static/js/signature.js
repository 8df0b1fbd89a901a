// The recipient's signature on the proof-of-delivery form (templates/logistics/partials/_agent_deliver_form.html).
// Pointer events draw on a transparent canvas (finger, pen or mouse); when a stroke ends, the drawing
// is put in the form's hidden input [data-signature-input] as a PNG data URL, which the server checks
// (PNG, at most 200 KB, not blank). No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  function setup(pad) {
    if (pad.dataset.ready) return;
    pad.dataset.ready = "1";
    var form = pad.closest("form");
    var canvas = pad.querySelector("canvas");
    var input = form.querySelector("[data-signature-input]");
    var error = form.querySelector("[data-signature-error]");
    var context = canvas.getContext("2d");
    var drawing = false;
    var last = null;

    function size() {
      var rect = canvas.getBoundingClientRect();
      return { width: rect.width, height: rect.height };
    }

    function fit() {
      // A sharp line on high-density screens, without making the PNG needlessly big.
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      var box = size();
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#101828";
      context.fillStyle = "#101828";
      redraw();
    }

    function redraw() {
      inked();
      if (!input.value) return;
      var image = new Image();
      image.onload = function () {
        var box = size();
        context.drawImage(image, 0, 0, box.width, box.height);
      };
      image.src = input.value;
    }

    function at(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    function inked() {
      pad.classList.toggle("has-ink", !!input.value);
    }

    function save() {
      input.value = canvas.toDataURL("image/png");
      inked();
      if (error) error.hidden = true;
      input.dispatchEvent(new Event("change", { bubbles: true })); // agent.js keeps it in the draft
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
      last = at(event);
      context.beginPath();
      context.arc(last.x, last.y, context.lineWidth / 2, 0, 2 * Math.PI);
      context.fill();
      pad.classList.add("has-ink");
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var point = at(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(point.x, point.y);
      context.stroke();
      last = point;
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      save();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);

    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      input.value = "";
      inked();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    // agent.js restored a saved draft into the input: show it.
    input.addEventListener("signature:restore", redraw);

    // No request without a signature: say so next to the box instead of a round trip that would
    // lose the chosen photo. (htmx sends the form; without htmx, the plain submit is stopped.)
    function missing(event) {
      if (input.value) return;
      event.preventDefault();
      if (error) {
        error.hidden = false;
        error.scrollIntoView({ block: "center" });
      }
    }
    if (window.htmx) form.addEventListener("htmx:beforeRequest", missing);
    else form.addEventListener("submit", missing);

    var width = size().width;
    window.addEventListener("resize", function () {
      if (Math.abs(size().width - width) < 1) return; // mobile browsers resize on scroll (toolbar)
      width = size().width;
      fit();
    });
    fit();
  }

  function setupAll(root) {
    (root || document).querySelectorAll("[data-signature-pad]").forEach(setup);
  }

  setupAll(document);
  // The form comes back from the server (field errors) as a fresh fragment.
  document.addEventListener("htmx:load", function (event) {
    setupAll(event.detail.elt);
  });
})();
