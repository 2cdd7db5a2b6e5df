// Small behaviours shared by every page. No inline script anywhere: the Content
// Security Policy forbids it.
(function () {
  "use strict";

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      return {};
    }
  }

  // A "Print" button on a page laid out for paper.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-action=print]") : null;
    if (button) { window.print(); }
  });

  // When an htmx request fails, say so plainly instead of leaving the page unchanged.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = status === 403
      ? "Your role does not allow that action."
      : status === 409
        ? "Someone else changed this just now. Reload to see the latest."
        : "That did not work (error " + status + "). Please try again.";
    var main = document.getElementById("main");
    if (!main) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.appendChild(close);
    main.prepend(alert);
  });

  // Idle sign-out: warn two minutes ahead so nobody loses what they were typing, and
  // leave the page once the server has ended the session.
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    var idleSeconds = parseInt(body.getAttribute("data-idle-seconds"), 10);
    var warning = document.querySelector("[data-testid=idle-warning]");
    if (!idleSeconds || !warning) { return; }
    var warnAfter = Math.max(idleSeconds - 120, 0) * 1000;
    var warnTimer = null;
    var leaveTimer = null;

    function restart() {
      window.clearTimeout(warnTimer);
      window.clearTimeout(leaveTimer);
      warning.classList.add("d-none");
      warnTimer = window.setTimeout(function () {
        warning.classList.remove("d-none");
        warning.querySelector("button").focus();
      }, warnAfter);
      // Reloading lets the server say why the session ended and come back here after.
      leaveTimer = window.setTimeout(function () {
        window.location.reload();
      }, idleSeconds * 1000 + 1000);
    }

    warning.querySelector("[data-action=stay-signed-in]").addEventListener("click", function () {
      fetch(body.getAttribute("data-keepalive-url"), {
        method: "POST",
        headers: csrfHeaders(),
        credentials: "same-origin",
        // A session that has already ended answers with a redirect to sign in.
        redirect: "manual"
      }).then(function (response) {
        if (response.status === 204) {
          restart();
        } else {
          window.location.reload();
        }
      });
    });
    // Any htmx exchange with the server is activity too.
    document.addEventListener("htmx:afterRequest", restart);
    restart();
  });
})();
