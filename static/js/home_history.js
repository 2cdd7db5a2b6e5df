// The medical-history questionnaire at home: each answer is saved when it changes, the
// outcome is announced politely, a medicine line can be added and its name is offered
// from the clinic's medicine list as it is typed. Without JavaScript the page works with
// its Save buttons.
(function () {
  "use strict";

  var SAVE_DELAY_MS = 300;
  var SUGGEST_DELAY_MS = 250;

  function start(form) {
    var status = document.querySelector("[data-save-status]");
    var rows = form.querySelector("[data-medicine-rows]");
    var template = form.querySelector("[data-medicine-template]");
    var addButton = form.querySelector("[data-add-medicine]");
    var datalist = document.getElementById("medicine-suggestions");
    var saveTimer = null;
    var suggestTimer = null;
    var saving = false;
    var scheduled = false;
    var again = false;
    var saves = 0;

    function say(text) {
      status.textContent = text;
    }

    function markInvalid(input, invalid, boxed) {
      if (boxed) { input.classList.toggle("is-invalid", invalid); }
      if (invalid) { input.setAttribute("aria-invalid", "true"); }
      else { input.removeAttribute("aria-invalid"); }
    }

    // A box is for one question (its name), or for a medicine line: the ids of its
    // fields, of which the one the message names is marked, not the whole line.
    function showErrors(errors) {
      form.querySelectorAll("[data-error-for]").forEach(function (box) {
        var names = box.getAttribute("data-error-for").split(" ");
        var wrong = names.filter(function (name) { return errors[name]; })[0] || "";
        box.textContent = wrong ? errors[wrong] : "";
        if (names.length > 1) {
          names.forEach(function (name) {
            var input = document.getElementById(name);
            if (input) { markInvalid(input, name === wrong, true); }
          });
          return;
        }
        var scope = box.closest("fieldset, .patient-question") || form;
        scope.querySelectorAll("input, textarea").forEach(function (input) {
          var boxed = input.matches("input[type=date], input[type=text], textarea");
          markInvalid(input, Boolean(wrong), boxed);
        });
      });
    }

    function save() {
      scheduled = false;
      if (saving) { again = true; return; }
      saving = true;
      say("Saving\u2026");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        showErrors(result.data.errors || {});
        if (result.data.saved) {
          saves += 1;
          status.setAttribute("data-saves", String(saves));
        }
        if (result.ok) { say("Saved."); }
        else if (result.data.saved) { say("Saved, except the answers marked: please check them."); }
        else { say("Not saved: " + (result.data.error || "please try again.")); }
      }).catch(function () {
        say("Not saved: the connection failed. Your answers stay on this page; try the Save button.");
      }).then(function () {
        saving = false;
        if (again) { again = false; save(); }
        // A change made while this save was on its way is still to be saved.
        else if (!scheduled) { status.setAttribute("data-pending", "false"); }
      });
    }

    function saveSoon() {
      scheduled = true;
      status.setAttribute("data-pending", "true");
      window.clearTimeout(saveTimer);
      saveTimer = window.setTimeout(save, SAVE_DELAY_MS);
    }

    function suggest(input) {
      var typed = input.value.trim();
      if (typed.length < 2) { return; }
      var url = form.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(typed);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          datalist.replaceChildren.apply(datalist, (data.results || []).map(function (medicine) {
            var option = document.createElement("option");
            option.value = medicine.label;
            return option;
          }));
        })
        .catch(function () { /* offering names is a help, not a need */ });
    }

    function addLine() {
      var index = rows.querySelectorAll("[data-medicine-line]").length;
      var html = template.innerHTML.replace(/__i__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      var added = rows.lastElementChild.querySelector("[data-medicine-name]");
      if (added) { added.focus(); }
    }

    form.addEventListener("change", saveSoon);
    form.addEventListener("input", function (event) {
      var input = event.target;
      if (!input.matches("[data-medicine-name]")) { return; }
      window.clearTimeout(suggestTimer);
      suggestTimer = window.setTimeout(function () { suggest(input); }, SUGGEST_DELAY_MS);
    });
    if (addButton && template && rows) {
      addButton.classList.remove("d-none");
      addButton.addEventListener("click", addLine);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-home-history]");
    if (form) { start(form); }
  });
})();
