/* The header's menus, the "?" help menu (portal/includes/help_menu.html) and the role menu
   (base.html), are <details>: they open and close with
   Enter or Space without any script. This adds what a menu is expected to do besides: Escape
   closes it and gives the focus back to its button, and a click or a focus outside closes it. */
(function () {
  "use strict";
  var MENUS = "details.help-menu, details.role-menu";
  var menus = document.querySelectorAll(MENUS);
  function closeAll(except) {
    menus.forEach(function (menu) {
      if (menu !== except) {
        menu.open = false;
      }
    });
  }
  menus.forEach(function (menu) {
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    menu.addEventListener("focusout", function (event) {
      if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) {
        menu.open = false;
      }
    });
  });
  document.addEventListener("click", function (event) {
    var inside = event.target.closest ? event.target.closest(MENUS) : null;
    closeAll(inside);
  });
})();
