// Double submits create nothing twice (core/idempotency.py): every POST form gets a random
// token when the page loads, and its submit buttons are disabled while it posts. A file,
// not inline code, so the Content-Security-Policy can keep forbidding inline scripts.
(function () {
  "use strict";
  var FIELD = "_submit_once";

  function token() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function tag(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("form").forEach(function (form) {
      if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
      if (form.querySelector("input[name='" + FIELD + "']")) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = FIELD;
      input.value = token();
      form.appendChild(input);
    });
  }

  function buttons(form) {
    var inside = Array.prototype.slice.call(form.querySelectorAll("button[type='submit'], button:not([type]), input[type='submit']"));
    var outside = form.id ? Array.prototype.slice.call(document.querySelectorAll("[form='" + form.id + "']")) : [];
    return inside.concat(outside);
  }

  document.addEventListener("DOMContentLoaded", function () { tag(document); });
  document.addEventListener("htmx:load", function (event) { tag(event.target); });

  // After the other submit handlers (a declined confirmation cancels the submit) and after
  // the browser has taken the clicked button's value, so disabling it changes nothing sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    window.setTimeout(function () {
      if (event.defaultPrevented) return;
      var list = buttons(form);
      list.forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
      // A response that is a download leaves the page in place: enable them again.
      window.setTimeout(function () { list.forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); }); }, 8000);
    }, 0);
  });

  // Back/forward cache: a page shown again must not keep its buttons disabled.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("[aria-busy='true']").forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); });
  });
})();
