// A row's "Show/Hide" link opens its details in place (without JavaScript, the link reloads the page
// with the row open). The link keeps aria-expanded in step for screen readers.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-toggle-row]");
  if (!link) return;
  const row = document.getElementById(link.dataset.toggleRow);
  if (!row) return;
  event.preventDefault();
  const opening = row.hidden;
  row.hidden = !opening;
  link.setAttribute("aria-expanded", String(opening));
  const label = link.firstChild;
  if (label && label.nodeType === Node.TEXT_NODE) {
    label.textContent = opening ? link.dataset.hideLabel : link.dataset.showLabel;
  }
});
