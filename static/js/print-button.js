// "Print" buttons: the browser's print dialog (the page's print stylesheet keeps the essentials).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
