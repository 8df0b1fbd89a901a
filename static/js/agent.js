// The delivery agent's pages (logistics/views_agent.py), made for phones on a bad connection:
// - a banner when the phone is offline or a request fails (nothing typed is lost: forms stay as they are);
// - what is typed in the deliver and failed-attempt forms is kept in localStorage per order (never the
//   photo), restored when the page opens again, cleared once the server has recorded it;
// - the phone's location is added to the proof when the agent allows it, and reported (at most once a
//   minute) while an order is out for delivery;
// - a cash amount different from the total makes the note required.
// No inline scripts anywhere (the CSP forbids them): pages opt in with data-* attributes.
(function () {
  "use strict";

  var DRAFT_PREFIX = "cod-agent-draft:";
  var DRAFT_DAYS = 3;
  var NOT_KEPT = { csrfmiddlewaretoken: true };
  var OFFLINE = "No connection. What you typed stays on this phone: send it again when the connection is back.";
  var FAILED = "Your last action did not reach the server. Nothing was lost: check the connection and press the button again.";
  var POSITION_EVERY_MS = 60 * 1000;

  // --- Connection banner -----------------------------------------------------------------------
  function banner(text) {
    var box = document.getElementById("connection-banner");
    if (!box) return;
    if (text) box.querySelector("[data-banner-text]").textContent = text;
    box.hidden = !text;
  }
  window.addEventListener("offline", function () { banner(OFFLINE); });
  window.addEventListener("online", function () { banner(""); });
  if (!navigator.onLine) banner(OFFLINE);
  document.addEventListener("htmx:sendError", function () {
    banner(FAILED);
    // app.js says the same in the page's messages; on these pages the banner says it once.
    var messages = document.getElementById("messages");
    if (messages && document.getElementById("connection-banner")) {
      messages.querySelectorAll("[role=alert]").forEach(function (box) { box.remove(); });
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    banner("The server answered with an error (" + event.detail.xhr.status + "). Nothing was lost: try again.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && navigator.onLine) banner("");
  });

  // --- Drafts ----------------------------------------------------------------------------------
  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // disabled (private mode): drafts are a convenience
    }
  }

  function draftKey(form) {
    return DRAFT_PREFIX + form.dataset.draft;
  }

  function saveDraft(form) {
    var store = storage();
    if (!store) return;
    var data = { _saved: Date.now() };
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || NOT_KEPT[field.name] || field.type === "file" || field.type === "submit" || field.type === "button") return;
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) data[field.name] = field.value;
        return;
      }
      data[field.name] = field.value;
    });
    try {
      store.setItem(draftKey(form), JSON.stringify(data));
    } catch (error) {
      /* storage full: the form still works */
    }
  }

  function restoreDraft(form) {
    var store = storage();
    var data = null;
    try {
      data = store && JSON.parse(store.getItem(draftKey(form)) || "null");
    } catch (error) {
      data = null;
    }
    if (!data) return;
    var changed = false;
    Object.keys(data).forEach(function (name) {
      if (name === "_saved") return;
      form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (field) {
        if (field.type === "file") return;
        if (field.type === "radio" || field.type === "checkbox") {
          changed = changed || field.checked !== (field.value === data[name]);
          field.checked = field.value === data[name];
        } else {
          // The saved token too: a form sent before the connection dropped is then recorded once.
          changed = changed || (field.value !== data[name] && (field.type !== "hidden" || field.hasAttribute("data-signature-input")));
          field.value = data[name];
        }
      });
    });
    var signature = form.querySelector("[data-signature-input]");
    if (signature && signature.value) signature.dispatchEvent(new Event("signature:restore"));
    if (!changed) return;
    var note = document.createElement("p");
    note.className = "message";
    note.setAttribute("role", "status");
    note.textContent = "What you typed earlier was restored." + (form.querySelector("input[type=file]") ? " Take the photo again." : "");
    form.insertBefore(note, form.firstChild);
  }

  function clearDrafts(orderId) {
    var store = storage();
    if (!store) return;
    ["deliver:", "fail:"].forEach(function (kind) {
      store.removeItem(DRAFT_PREFIX + kind + orderId);
    });
  }

  function forgetOldDrafts() {
    var store = storage();
    if (!store) return;
    var limit = Date.now() - DRAFT_DAYS * 24 * 3600 * 1000;
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (!key || key.indexOf(DRAFT_PREFIX) !== 0) continue;
      try {
        if ((JSON.parse(store.getItem(key)) || {})._saved < limit) store.removeItem(key);
      } catch (error) {
        store.removeItem(key);
      }
    }
  }

  function onEdit(event) {
    var form = event.target.form;
    if (!form || !form.dataset.draft) return;
    saveDraft(form);
    cashRule(form);
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  // --- Cash different from the total needs a note ------------------------------------------------
  function cashRule(form) {
    var cash = form.querySelector("[name=cash_collected]");
    var note = form.querySelector("[name=note]");
    if (!cash || !note || !form.dataset.expectedCash) return;
    var differs = cash.value !== "" && Number(cash.value) !== Number(form.dataset.expectedCash);
    note.required = differs;
    var help = form.querySelector("[data-note-help]");
    if (help) help.classList.toggle("field-error", differs);
  }

  // --- Location ---------------------------------------------------------------------------------
  function locate(form) {
    var latitude = form.querySelector('[data-gps="latitude"]');
    var longitude = form.querySelector('[data-gps="longitude"]');
    var status = form.querySelector("[data-gps-status]");
    if (!latitude || !longitude || !navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        if (status) status.textContent = "Location added (within " + Math.round(position.coords.accuracy) + " m).";
      },
      function () {
        if (status) status.textContent = "Location not available: the delivery is recorded without it.";
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  var tracking = false;
  function onTheRoad() {
    return document.querySelector('.agent-order[data-status="out_for_delivery"]');
  }
  function startTracking() {
    var page = document.querySelector("[data-position-url]");
    if (tracking || !page || !navigator.geolocation || !onTheRoad()) return;
    tracking = true;
    var lastSent = 0;
    navigator.geolocation.watchPosition(
      function (position) {
        if (!onTheRoad() || Date.now() - lastSent < POSITION_EVERY_MS) return;
        lastSent = Date.now();
        fetch(page.dataset.positionUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({ latitude: position.coords.latitude, longitude: position.coords.longitude }),
        }).catch(function () {
          /* best effort: the next position will go */
        });
      },
      function () {
        /* not allowed or not available: the route is simply not recorded */
      },
      { enableHighAccuracy: true, maximumAge: 30000 }
    );
  }

  // --- Start ------------------------------------------------------------------------------------
  var done = document.querySelector("[data-clear-draft]");
  if (done) clearDrafts(done.dataset.clearDraft);
  forgetOldDrafts();
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    restoreDraft(form);
    cashRule(form);
    locate(form);
  });
  startTracking();
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (elt.matches && elt.matches("form[data-draft]")) {
      cashRule(elt);
      locate(elt);
    }
    startTracking();
  });
})();
