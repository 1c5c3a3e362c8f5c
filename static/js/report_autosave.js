/* Activity report: saves the draft by itself, and counts the required answers.
 *
 * Saves every 30 seconds while the laureate types (only when something changed), when
 * they leave a field, and when they leave the page. The server saves the valid answers
 * and names the invalid ones: {saved_at, message, errors}. No inline script: everything
 * the page needs comes from the form's data- attributes.
 */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form || !window.fetch) {
    return;
  }

  var url = form.dataset.autosaveUrl;
  var interval = parseInt(form.dataset.autosaveInterval, 10) || 30000;
  var required = (form.dataset.required || "").split(" ").filter(Boolean);
  var statusBox = document.getElementById("autosave-status");
  var progressBar = document.getElementById("report-progress-bar");
  var progressText = document.getElementById("report-progress-text");

  var dirty = false;
  var saving = false;
  var again = false;
  var submitting = false;

  function say(text) {
    if (statusBox) {
      statusBox.textContent = text;
    }
  }

  function answered(name) {
    var element = form.elements[name];
    if (!element) {
      return false;
    }
    if (element instanceof RadioNodeList) {
      return element.value !== "";
    }
    if (element.type === "checkbox") {
      return true;
    }
    return element.value.trim() !== "";
  }

  function updateProgress() {
    if (!progressBar) {
      return;
    }
    var done = required.filter(answered).length;
    progressBar.value = done;
    if (progressText) {
      progressText.textContent = form.dataset.msgProgress
        .replace("{done}", done)
        .replace("{total}", required.length);
    }
  }

  function body() {
    var data = new FormData(form);
    data.set("autosave", "1");
    return data;
  }

  function labelOf(name) {
    var wrapper = document.getElementById("div_id_" + name);
    var label = wrapper && wrapper.querySelector("legend, label");
    return label ? label.textContent.trim() : name;
  }

  function markInvalid(errors) {
    form.querySelectorAll(".is-invalid[data-autosave-invalid]").forEach(function (input) {
      input.classList.remove("is-invalid");
      input.removeAttribute("data-autosave-invalid");
      input.removeAttribute("aria-invalid");
    });
    Object.keys(errors).forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
        input.classList.add("is-invalid");
        input.setAttribute("data-autosave-invalid", "");
        input.setAttribute("aria-invalid", "true");
      });
    });
  }

  function save() {
    if (!dirty || submitting) {
      return;
    }
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    dirty = false;
    say(form.dataset.msgSaving);
    fetch(url, {
      method: "POST",
      body: body(),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
      })
      .then(function (result) {
        var errors = result.answer.errors || {};
        if (!result.ok) {
          say(result.answer.message || form.dataset.msgFailed);
          return;
        }
        markInvalid(errors);
        var names = Object.keys(errors);
        var text = result.answer.message;
        if (names.length) {
          // Labels only: each field shows its own error once the page is sent.
          text += " " + form.dataset.msgInvalid + " " + names.map(labelOf).join(", ");
        }
        say(text);
        form.dataset.savedAt = result.answer.saved_at || "";
      })
      .catch(function () {
        dirty = true;
        say(form.dataset.msgFailed);
      })
      .finally(function () {
        saving = false;
        if (again) {
          again = false;
          save();
        }
      });
  }

  function saveOnLeave() {
    if (!dirty || submitting || !navigator.sendBeacon) {
      return;
    }
    // The CSRF token travels in the body: sendBeacon cannot set headers.
    if (navigator.sendBeacon(url, body())) {
      dirty = false;
    }
  }

  form.addEventListener("input", function () {
    dirty = true;
    updateProgress();
  });
  form.addEventListener("change", function () {
    dirty = true;
    updateProgress();
    save();
  });
  form.addEventListener("focusout", save);
  form.addEventListener("submit", function () {
    submitting = true;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      saveOnLeave();
    }
  });
  window.addEventListener("pagehide", saveOnLeave);
  window.setInterval(save, interval);
  updateProgress();
})();
