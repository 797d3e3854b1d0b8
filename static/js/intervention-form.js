// The intervention form: Enter in a business partner search field runs that field's search (its
// own Search button), not the form's default button (Save). Without JavaScript, Enter saves.
(() => {
  document.querySelectorAll("[data-partner-search]").forEach((panel) => {
    const button = panel.querySelector("button[name='search']");
    if (!button) return;
    panel.querySelectorAll("input:not([type=radio]):not([type=checkbox])").forEach((input) => {
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.isComposing) {
          event.preventDefault();
          button.click();
        }
      });
    });
  });
})();
