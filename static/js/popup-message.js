// The public page's pop-up message (guide 5, step 6): shown once on arrival, closed by its button or Escape.
document.addEventListener("DOMContentLoaded", function () {
  var dialog = document.getElementById("popup-message");
  if (dialog && typeof dialog.showModal === "function") {
    dialog.showModal();
  }
});
