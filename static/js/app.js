// Small behaviours shared by the staff pages. No inline scripts anywhere (the CSP forbids them):
// pages opt in with data-* attributes.
(function () {
  "use strict";

  // <input type="checkbox" data-select-all="name">: ticks every checkbox called `name` in its form.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) return;
    var form = all.form || document;
    form.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });

  // <form data-confirm="Cancel 12 orders?">: asks before submitting.
  document.addEventListener("submit", function (event) {
    var message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  // Tell the user when the server cannot be reached, instead of failing silently.
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("messages");
    if (box) box.innerHTML = '<div class="message error" role="alert">The server could not be reached. Check the connection and try again; nothing was lost.</div>';
  });
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("messages");
    var status = event.detail.xhr.status;
    if (box && status >= 500) box.innerHTML = '<div class="message error" role="alert">Something went wrong on our side (' + status + '). Please try again.</div>';
  });
})();
