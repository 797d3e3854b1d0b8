// The waiting room's page (portal.waiting_room): instead of reloading the whole page (what the
// <noscript> refresh does), ask for the place in line and update the polite live region; when the
// turn comes, load the page asked for.
(function () {
  var box = document.querySelector("[data-waiting-room]");
  if (!box) return;
  var text = box.querySelector("[data-waiting-room-text]");
  var header = box.getAttribute("data-poll-header");
  var seconds = parseInt(box.getAttribute("data-refresh"), 10) || 15;

  function poll() {
    var headers = {};
    headers[header] = "1";
    fetch(window.location.href, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (line) {
        if (line.admitted) {
          window.location.reload();
          return;
        }
        if (line.text && text.textContent !== line.text) text.textContent = line.text;
        seconds = line.refresh || seconds;
        window.setTimeout(poll, seconds * 1000);
      })
      .catch(function () { window.setTimeout(poll, seconds * 1000); });
  }
  window.setTimeout(poll, seconds * 1000);
})();
