// Small behaviours shared by every page. No inline script anywhere: the Content
// Security Policy forbids it.
(function () {
  "use strict";

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
})();
