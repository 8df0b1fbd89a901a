// The new-order page and the item editor: item rows, picking products from the search, live totals,
// and filling a returning customer's details. The pages work without it (typed SKUs, a plain submit);
// this only makes them quicker. No inline code anywhere: the CSP forbids it.
(function () {
  "use strict";

  var form = document.querySelector("[data-order-form]");
  if (!form) return;
  var rows = document.getElementById("item-rows");
  var template = document.getElementById("item-row-template");
  var timer = null;

  function showJsOnly(root) {
    root.querySelectorAll("[data-js-only]").forEach(function (element) {
      element.hidden = false;
    });
  }

  // The totals panel listens for "quote-needed" on <body> (hx-trigger) and posts the whole form.
  function askQuote(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      document.body.dispatchEvent(new CustomEvent("quote-needed"));
    }, delay === undefined ? 400 : delay);
  }

  function newRow() {
    var fragment = template.content.cloneNode(true);
    showJsOnly(fragment);
    var row = fragment.querySelector("[data-item-row]");
    rows.appendChild(fragment);
    return row;
  }

  function skuInputs() {
    return Array.prototype.slice.call(rows.querySelectorAll("input[name=item_sku]"));
  }

  function firstEmptyRow() {
    var empty = skuInputs().filter(function (input) {
      return !input.value.trim();
    })[0];
    return empty ? empty.closest("[data-item-row]") : newRow();
  }

  function addProduct(sku, name) {
    // Picking the same SKU again adds one to its line instead of a second line.
    var same = skuInputs().filter(function (input) {
      return input.value.trim() === sku;
    })[0];
    if (same) {
      var quantity = same.closest("[data-item-row]").querySelector("input[name=item_qty]");
      quantity.value = (parseInt(quantity.value, 10) || 0) + 1;
    } else {
      var row = firstEmptyRow();
      row.querySelector("input[name=item_sku]").value = sku;
      row.querySelector("input[name=item_qty]").value = "1";
      row.querySelector("[data-item-name]").textContent = name;
    }
    askQuote(0);
  }

  function fill(name, value) {
    var input = form.elements[name];
    if (input && value && !input.value.trim()) input.value = value;
  }

  showJsOnly(document);

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-sku]");
    if (add) {
      addProduct(add.dataset.addSku, add.dataset.addName || "");
      add.textContent = "Added ✓";
      return;
    }
    if (event.target.closest("[data-add-row]")) {
      newRow().querySelector("input").focus();
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      remove.closest("[data-item-row]").remove();
      if (!rows.querySelector("[data-item-row]")) newRow();
      askQuote(0);
    }
  });

  form.addEventListener("input", function (event) {
    // The product search box sits among the rows but belongs to its own form (form="...").
    if (event.target.form !== form) return;
    if (event.target.name === "item_sku") {
      var label = event.target.closest("[data-item-row]").querySelector("[data-item-name]");
      if (label) label.textContent = "";
    }
    askQuote();
  });

  // Enter in an item row must not submit a half-typed order: refresh the totals instead.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.closest("[data-item-row]")) {
      event.preventDefault();
      askQuote(0);
    }
  });

  // A returning customer found by phone fills the name, address and area fields left empty.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "customer-lookup") return;
    var found = event.detail.target.querySelector("[data-customer-name]");
    if (found) {
      fill("full_name", found.dataset.customerName);
      fill("delivery_address", found.dataset.customerAddress);
      fill("delivery_area", found.dataset.customerArea);
    }
    askQuote(0); // the fee and the duplicate warning depend on the customer
  });
})();
