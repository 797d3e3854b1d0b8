/* A table wider than the screen scrolls inside its .table-wrap box. A box that scrolls must be
   reachable with the keyboard (WCAG 2.1.1) and say what it holds: when it does scroll, it becomes
   a focusable region named after the table's caption or the heading above it. Boxes that templates
   already made regions (portal/table.html) are left as they are. */
(function () {
  "use strict";
  function nameOf(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var headings = document.querySelectorAll("main h1, main h2, main h3");
    var name = "";
    headings.forEach(function (heading) {
      if (heading.compareDocumentPosition(wrap) & Node.DOCUMENT_POSITION_FOLLOWING) {
        name = heading.textContent.trim();
      }
    });
    return name || document.title;
  }
  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.hasAttribute("tabindex") && !wrap.hasAttribute("data-scroll-region")) {
        return;
      }
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("data-scroll-region", "");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          wrap.setAttribute("aria-label", nameOf(wrap));
        }
      } else if (wrap.hasAttribute("data-scroll-region")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("data-scroll-region");
      }
    });
  }
  update();
  window.addEventListener("resize", update);
})();
