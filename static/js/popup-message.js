// The public page's pop-up message (guide 5, step 6): shown once per visit (not again after the
// language button, a new search or going back), closed by its button or Escape.
document.addEventListener("DOMContentLoaded", function () {
  var dialog = document.getElementById("popup-message");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  // One key per clinic's public pages (/appointments/public/<clinic>/…), whatever the language.
  var key = "liaison-popup-seen:" + location.pathname.split("/").slice(0, 4).join("/");
  try {
    if (window.sessionStorage.getItem(key)) {
      return;
    }
    window.sessionStorage.setItem(key, "1");
  } catch (error) {
    // Storage refused (private mode): the message shows on each page, as before.
  }
  dialog.showModal();
});
