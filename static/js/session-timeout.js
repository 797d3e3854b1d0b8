/* Warn before the idle session ends (WCAG 2.2.1), and let the person stay signed in. */
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var dialog = document.getElementById("session-warning");
  if (!idle || !dialog || typeof dialog.showModal !== "function") { return; }
  var warnAfter = Math.max(idle - 120, 30) * 1000;
  var timer;
  function arm() { clearTimeout(timer); timer = setTimeout(function () { dialog.showModal(); }, warnAfter); }
  dialog.querySelector("[data-keep-alive]").addEventListener("click", function () {
    fetch(body.getAttribute("data-keepalive-url"), { credentials: "same-origin" }).then(function () {
      dialog.close();
      arm();
    });
  });
  arm();
})();
