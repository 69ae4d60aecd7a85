// The bulk issuance page: poll the job's progress (JSON) and update the bar and the counts
// until it is done, then show the result download. Without JavaScript, reloading the page
// shows the same numbers.
(function () {
  "use strict";
  var box = document.getElementById("bulk-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("bulk-bar");
  var done = document.getElementById("bulk-done");

  function set(name, text) {
    var field = box.querySelector('[data-field="' + name + '"]');
    if (field) { field.textContent = text; }
  }

  function show(p) {
    bar.value = p.percent;
    bar.textContent = p.percent + "%";
    set("percent", p.percent);
    set("issued", p.issued);
    set("failed", p.failed);
    set("remaining", p.remaining);
    set("per_second", p.per_second === null ? "–" : p.per_second.toFixed(1));
    set("time_left", p.seconds_left === null ? "–" : p.seconds_left + " s");
    if (p.state === "done") { done.hidden = false; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (p) {
        if (p) { show(p); }
        if (!p || p.state !== "done") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
}());
