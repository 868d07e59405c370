// Behaviour shared by every page. No inline scripts anywhere (Content-Security-Policy).

// Destructive actions ask first: put data-confirm="…" on the form or on its submit button.
// Delegated from the document, so forms that htmx swaps in later are covered too.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// A table too wide for the screen scrolls inside its .table-responsive box. Keyboard users
// scroll it too: the box takes the focus, named by the table's caption, while it overflows.
function markScrollableTables() {
  for (const box of document.querySelectorAll(".table-responsive")) {
    const overflows = box.scrollWidth > box.clientWidth + 1;
    if (overflows && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      const caption = box.querySelector("caption");
      box.setAttribute(
        "aria-label",
        caption ? `${caption.textContent.trim()} (scrolls sideways)` : "Table (scrolls sideways)",
      );
      box.dataset.scrollMarked = "true";
    } else if (!overflows && box.dataset.scrollMarked) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      delete box.dataset.scrollMarked;
    }
  }
}
document.addEventListener("DOMContentLoaded", markScrollableTables);
window.addEventListener("resize", markScrollableTables);
document.addEventListener("htmx:afterSettle", markScrollableTables);
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
