// The medicine rows of the consultation form: type-ahead from the clinic's medicine
// list, accepting a medicine sets the row's match, and rows can be added. Without
// JavaScript the form still works: blank rows, and "did you mean" after saving.
(function () {
  "use strict";

  var DELAY_MS = 250;

  function rowOf(element) {
    return element.closest("[data-medicine-line]");
  }

  // The row's match: a hidden input holding the medicine's key (radios of a server
  // "did you mean" are replaced by it once the practitioner chooses from the list).
  function keyInput(row) {
    var input = row.querySelector("input[type=hidden][name$='-medicine_key']");
    if (input) { return input; }
    var radio = row.querySelector("input[type=radio][name$='-medicine_key']");
    input = document.createElement("input");
    input.type = "hidden";
    input.name = radio.name;
    row.querySelector("[data-medicine-state]").appendChild(input);
    return input;
  }

  function showState(row, label) {
    var state = row.querySelector("[data-medicine-state]");
    var key = keyInput(row);
    state.replaceChildren(key);
    if (label) {
      var match = document.createElement("span");
      match.className = "text-success";
      match.setAttribute("data-testid", "medicine-match");
      match.textContent = "\u2713 " + label;
      state.appendChild(match);
    }
    row.querySelector("[data-medicine-confirm]").classList.toggle("d-none", Boolean(label));
  }

  function hideSuggestions(row) {
    var list = row.querySelector("[data-medicine-suggestions]");
    list.replaceChildren();
    list.classList.add("d-none");
  }

  function accept(row, key, label) {
    keyInput(row).value = key;
    showState(row, label);
    hideSuggestions(row);
    // The screening panel listens for changes of the form.
    row.querySelector("[data-medicine-name]").dispatchEvent(new Event("change", { bubbles: true }));
  }

  function offer(row, results) {
    var list = row.querySelector("[data-medicine-suggestions]");
    list.replaceChildren();
    results.forEach(function (medicine) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "list-group-item list-group-item-action small";
      button.setAttribute("role", "option");
      button.textContent = medicine.label;
      button.addEventListener("click", function () { accept(row, medicine.key, medicine.label); });
      list.appendChild(button);
    });
    list.classList.toggle("d-none", results.length === 0);
  }

  function lookUp(container, row, typed) {
    var url = container.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(typed);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        // Only if the name has not changed while we waited.
        if (row.querySelector("[data-medicine-name]").value.trim() === typed) {
          offer(row, data.results || []);
        }
      })
      .catch(function () { hideSuggestions(row); });
  }

  function addRow(container) {
    var total = container.querySelector("input[name$='-TOTAL_FORMS']");
    var template = container.querySelector("template[data-medicine-template]");
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    container.querySelector("[data-medicine-rows]").appendChild(row);
    total.value = String(index + 1);
    row.querySelector("[data-medicine-name]").focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-medicine-lines]");
    if (!container) { return; }
    var timers = new WeakMap();

    container.addEventListener("input", function (event) {
      if (!event.target.matches("[data-medicine-name]")) { return; }
      var row = rowOf(event.target);
      // A changed name is no longer the medicine chosen for it.
      keyInput(row).value = "";
      showState(row, "");
      window.clearTimeout(timers.get(row));
      var name = event.target;
      var typed = name.value.trim();
      if (typed.length < 2) { hideSuggestions(row); }
      timers.set(row, window.setTimeout(function () {
        if (typed.length >= 2) { lookUp(container, row, typed); }
        // Screen again while typing, as the panel does for the text areas.
        name.dispatchEvent(new Event("change", { bubbles: true }));
      }, DELAY_MS));
    });

    container.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && event.target.matches("[data-medicine-name]")) {
        hideSuggestions(rowOf(event.target));
      }
    });

    container.addEventListener("change", function (event) {
      var radio = event.target;
      if (radio.matches("input[type=radio][name$='-medicine_key']") && radio.value) {
        accept(rowOf(radio), radio.value, radio.getAttribute("data-medicine-label"));
      }
    });

    var add = container.querySelector("[data-action=add-medicine]");
    add.classList.remove("d-none");
    add.addEventListener("click", function () { addRow(container); });
  });
})();
