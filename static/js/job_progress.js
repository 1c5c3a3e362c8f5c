// A background job's page: read its status every second and move the bar; once the job has
// finished, load the page again to show the file or the result.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "true") return;
  var bar = box.querySelector("progress");
  var text = document.getElementById("job-progress-text");

  function show(status) {
    if (status.finished) {
      window.location.reload();
      return;
    }
    if (status.status === "queued") {
      text.textContent = box.dataset.waiting;
    } else {
      var lang = document.documentElement.lang;
      bar.max = status.total || 1;
      bar.value = status.done;
      text.textContent = box.dataset.counting
        .replace("{done}", status.done.toLocaleString(lang))
        .replace("{total}", status.total.toLocaleString(lang));
    }
    window.setTimeout(poll, 1000);
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(show)
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
})();
