// Confirmation before destructive or bulk actions: <button data-confirm="…">.
// (A script file, not inline handlers, so the Content-Security-Policy can forbid inline code.)
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Print button of a case document's print page (templates/tolerance/document_print.html).
document.getElementById("print-button")?.addEventListener("click", () => window.print());

// Progress bars of background jobs: width from data-percent (no inline style: CSP).
function setJobBarWidths(root) {
  (root || document).querySelectorAll(".job-progress-bar").forEach((bar) => {
    bar.style.width = bar.dataset.percent + "%";
  });
}
setJobBarWidths();
document.body.addEventListener("htmx:afterSwap", (event) => setJobBarWidths(event.target.parentNode || document));
