// Dispatch, run sheet and labels pages (logistics). No inline scripts anywhere (the CSP forbids them):
// pages opt in with data-* attributes.
(function () {
  "use strict";

  // <button data-print>: opens the browser's print dialog (run sheets, labels).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });

  // <button data-selected-to="/delivery/dispatch/labels/"> inside a form: opens that page with the
  // ticked orders (?ids=...), without the form's other fields (the CSRF token stays out of the URL).
  // Without JavaScript the button still works: it submits the form by GET.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-selected-to]");
    if (!button || !button.form) return;
    event.preventDefault();
    var ids = Array.prototype.map.call(button.form.querySelectorAll('input[name="ids"]:checked'), function (box) {
      return "ids=" + encodeURIComponent(box.value);
    });
    if (!ids.length) {
      window.alert("Select at least one order first.");
      return;
    }
    window.location.href = button.dataset.selectedTo + "?" + ids.join("&");
  });
})();
