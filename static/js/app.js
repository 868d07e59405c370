// Behaviour shared by every page. No inline scripts anywhere (Content-Security-Policy).

// Destructive actions ask first: put data-confirm="…" on the form or on its submit button.
// Delegated from the document, so forms that htmx swaps in later are covered too.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
