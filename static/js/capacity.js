// The slot form's capacity calculator (guide 3.1): appointments = whole intervals × resources.
// The server computes the same on save; this only shows it while typing.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("slot-form");
  var output = document.getElementById("capacity-output");
  var texts = document.getElementById("capacity-texts");
  if (!form || !output || !texts) return;
  texts = texts.content.firstElementChild.dataset;
  var durations = {};
  document.querySelectorAll("[data-service-duration]").forEach(function (node) {
    durations[node.dataset.serviceDuration] = parseInt(node.dataset.minutes, 10);
  });
  function minutes(value) {
    var parts = (value || "").split(":");
    return parts.length < 2 ? NaN : parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }
  function update() {
    var start = minutes(form.elements.start.value);
    var end = minutes(form.elements.end.value);
    if (end === 0) end = 24 * 60;
    var resources = parseInt(form.elements.per_interval.value, 10);
    var duration = null;
    form.querySelectorAll("input[name=services]:checked").forEach(function (box) {
      duration = durations[box.value] || duration;
    });
    if (isNaN(start) || isNaN(end) || end <= start || !duration || !(resources > 0)) {
      output.textContent = texts.empty;
      return;
    }
    var count = Math.floor((end - start) / duration) * resources;
    var text = count === 1 ? texts.one : texts.many.replace("%(count)s", count);
    var unused = (end - start) % duration;
    if (unused) text += " — " + texts.unused.replace("%(minutes)s", unused);
    output.textContent = text;
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
});
