// Behaviour shared by every page. No inline scripts anywhere (Content-Security-Policy).

// Destructive actions ask first: put data-confirm="…" on the form or on its submit button.
// Delegated from the document, so forms that htmx swaps in later are covered too.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// The error summary (templates/error_summary.html): focused when the page loads, so a
// screen reader reads it first; each link moves focus to its field and shows the field's
// label or legend too (GOV.UK Design System).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-link]");
  if (!link) return;
  const input = document.getElementById(link.hash.slice(1));
  if (!input) return;
  event.preventDefault();
  const legend = input.closest("fieldset")?.querySelector("legend");
  const label = legend || document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
  (label || input).scrollIntoView();
  input.focus({ preventScroll: true });
});
