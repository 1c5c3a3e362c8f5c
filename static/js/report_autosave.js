/* Activity report: saves the draft by itself, counts the required answers, and loses
 * nothing typed.
 *
 * Saves every 30 seconds while the laureate types (only when something changed), when
 * they leave a field, and when they leave the page. The server saves the valid answers
 * and names the invalid ones: {saved, saved_at, version, message, errors}; it answers 409
 * with {conflict, version, differences} when another tab saved meanwhile.
 *
 * What is typed is also kept in this tab's sessionStorage with the version of the report
 * it started from: when the session has ended, a save goes to the login page, and after
 * signing in again (same tab) the page finds the answers there, puts them back and saves
 * them. A newer version on the page means they were saved: the copy is dropped.
 *
 * The focused field is kept clear of the sticky progress card and the sticky buttons.
 * No inline script: everything the page needs comes from the form's data- attributes.
 */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) {
    return;
  }

  var url = form.dataset.autosaveUrl;
  var interval = parseInt(form.dataset.autosaveInterval, 10) || 30000;
  var required = (form.dataset.required || "").split(" ").filter(Boolean);
  var statusBox = document.getElementById("autosave-status");
  var actionsBox = document.getElementById("autosave-actions");
  var progressBar = document.getElementById("report-progress-bar");
  var progressText = document.getElementById("report-progress-text");
  var versionInput = document.getElementById("report-version");
  var actionBar = form.querySelector(".report-actions");
  var topBar = form.querySelector(".report-progress");
  var storageKey = "emergence-report:" + window.location.pathname;
  var firstStatus = statusBox ? statusBox.textContent : "";
  var NOT_ANSWERS = ["csrfmiddlewaretoken", "version", "action", "autosave"];

  var dirty = false;
  var saving = false;
  var again = false;
  var submitting = false;
  // A submit made while an autosave was on its way, replayed when it is back.
  var waitingSubmit = false;
  var waitingSubmitter = null;
  var conflicted = false;
  var invalid = {}; // name -> {value, error}: typed but refused by the server

  /* Status line and its buttons ------------------------------------------------------ */

  function say(text, actions) {
    if (statusBox) {
      statusBox.textContent = text;
    }
    if (!actionsBox) {
      return;
    }
    actionsBox.textContent = "";
    (actions || []).forEach(function (element) {
      actionsBox.appendChild(element);
    });
    actionsBox.hidden = !actions || !actions.length;
  }

  function button(text, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "btn btn-sm btn-outline-primary";
    element.textContent = text;
    element.addEventListener("click", onClick);
    return element;
  }

  function link(text, href) {
    var element = document.createElement("a");
    element.className = "btn btn-sm btn-primary";
    element.href = href;
    element.textContent = text;
    return element;
  }

  /* Answers ------------------------------------------------------------------------- */

  function answerElements() {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && NOT_ANSWERS.indexOf(element.name) === -1;
    });
  }

  function values() {
    var result = {};
    answerElements().forEach(function (element) {
      if (element.type === "radio") {
        if (!(element.name in result)) {
          result[element.name] = "";
        }
        if (element.checked) {
          result[element.name] = element.value;
        }
      } else if (element.type === "checkbox") {
        result[element.name] = element.checked;
      } else {
        result[element.name] = element.value;
      }
    });
    return result;
  }

  function setValue(name, value) {
    form.querySelectorAll("[name='" + name + "']").forEach(function (element) {
      if (element.type === "radio") {
        element.checked = element.value === value;
      } else if (element.type === "checkbox") {
        element.checked = value === true;
      } else {
        element.value = value;
        element.dispatchEvent(new Event("input", { bubbles: false }));
      }
    });
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

  function labelOf(name) {
    var wrapper = document.getElementById("div_id_" + name);
    var label = wrapper && wrapper.querySelector("legend, label");
    return label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : name;
  }

  /* The copy kept in this tab -------------------------------------------------------- */

  function keep() {
    try {
      window.sessionStorage.setItem(
        storageKey,
        JSON.stringify({ version: versionInput.value, values: values(), invalid: invalid })
      );
    } catch (error) {
      // Storage full or disabled: the server copy is all there is.
    }
  }

  function kept() {
    try {
      return JSON.parse(window.sessionStorage.getItem(storageKey) || "null");
    } catch (error) {
      return null;
    }
  }

  /* Notes and errors next to a field -------------------------------------------------- */

  function describe(name, id, add) {
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
        return x && x !== id;
      });
      if (add) {
        ids.push(id);
      }
      if (ids.length) {
        input.setAttribute("aria-describedby", ids.join(" "));
      } else {
        input.removeAttribute("aria-describedby");
      }
    });
  }

  function note(name, kind, text) {
    var id = "autosave-" + kind + "-" + name;
    var old = document.getElementById(id);
    if (old) {
      old.remove();
    }
    describe(name, id, Boolean(text));
    if (!text) {
      return;
    }
    var wrapper = document.getElementById("div_id_" + name);
    if (!wrapper) {
      return;
    }
    var element = document.createElement("div");
    element.id = id;
    element.className =
      kind === "error" ? "invalid-feedback d-block autosave-error" : "form-text autosave-note";
    element.textContent = text;
    wrapper.appendChild(element);
  }

  function markInvalid(errors) {
    form.querySelectorAll("[data-autosave-invalid]").forEach(function (input) {
      input.classList.remove("is-invalid");
      input.removeAttribute("data-autosave-invalid");
      input.removeAttribute("aria-invalid");
    });
    form.querySelectorAll(".autosave-error").forEach(function (element) {
      note(element.id.replace("autosave-error-", ""), "error", "");
    });
    var now = values();
    invalid = {};
    Object.keys(errors).forEach(function (name) {
      if (!form.elements[name]) {
        return;
      }
      form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
        input.classList.add("is-invalid");
        input.setAttribute("data-autosave-invalid", "");
        input.setAttribute("aria-invalid", "true");
      });
      note(name, "error", errors[name].join(" "));
      invalid[name] = { value: now[name], error: errors[name].join(" ") };
    });
  }

  function showSavedVersion(differences) {
    form.querySelectorAll(".autosave-note").forEach(function (element) {
      note(element.id.replace("autosave-saved-", ""), "saved", "");
    });
    (differences || []).forEach(function (difference) {
      note(
        difference.name,
        "saved",
        form.dataset.msgSavedVersion + " " + (difference.saved || form.dataset.msgNoAnswer)
      );
    });
  }

  /* Saving ------------------------------------------------------------------------- */

  function body() {
    var data = new FormData(form);
    data.set("autosave", "1");
    data.set("version", versionInput.value);
    return data;
  }

  function sessionEnded() {
    dirty = true;
    keep();
    say(form.dataset.msgSession, [link(form.dataset.msgSignIn, form.dataset.loginUrl)]);
  }

  function onConflict(answer) {
    conflicted = true;
    showSavedVersion(answer.differences);
    say(form.dataset.msgConflict, [
      button(form.dataset.msgKeepMine, function () {
        // Knowingly: the page now says it has seen the saved version.
        versionInput.value = answer.version;
        conflicted = false;
        showSavedVersion([]);
        dirty = true;
        save();
      }),
      button(form.dataset.msgShowSaved, function () {
        window.sessionStorage.removeItem(storageKey);
        window.location.reload();
      }),
    ]);
  }

  function save() {
    if (!dirty || submitting || conflicted || !window.fetch) {
      return;
    }
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    dirty = false;
    keep();
    say(form.dataset.msgSaving);
    fetch(url, {
      method: "POST",
      body: body(),
      credentials: "same-origin",
      // A login page is not an answer: an ended session shows as a redirect.
      redirect: "manual",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 403) {
          return { ended: true };
        }
        return response.json().then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
      })
      .then(function (result) {
        if (result.ended) {
          sessionEnded();
          return;
        }
        var answer = result.answer;
        if (answer.conflict) {
          onConflict(answer);
          return;
        }
        if (!result.ok) {
          say(answer.message || form.dataset.msgFailed);
          return;
        }
        if (answer.saved) {
          versionInput.value = answer.version;
          form.dataset.savedAt = answer.saved_at || "";
        }
        markInvalid(answer.errors || {});
        keep();
        // Nothing saved and nothing wrong (a box typed in, then emptied): as on arrival.
        say(answer.message || firstStatus);
      })
      .catch(function () {
        dirty = true;
        keep();
        say(form.dataset.msgFailed);
      })
      .finally(function () {
        saving = false;
        if (waitingSubmit) {
          waitingSubmit = false;
          again = false;
          if (!conflicted) {
            if (waitingSubmitter) {
              form.requestSubmit(waitingSubmitter);
            } else {
              form.requestSubmit();
            }
          }
          return;
        }
        if (again) {
          again = false;
          save();
        }
      });
  }

  function saveOnLeave() {
    keep();
    if (!dirty || submitting || conflicted || !navigator.sendBeacon) {
      return;
    }
    // The CSRF token travels in the body: sendBeacon cannot set headers.
    if (navigator.sendBeacon(url, body())) {
      dirty = false;
    }
  }

  /* Back from signing in again, or reloaded ------------------------------------------ */

  function restore() {
    var copy = kept();
    if (!copy || copy.version !== versionInput.value) {
      // Saved since (the page shows a newer version), or nothing kept.
      window.sessionStorage.removeItem(storageKey);
      return;
    }
    var now = values();
    var restored = false;
    Object.keys(copy.values || {}).forEach(function (name) {
      if (!(name in now) || now[name] === copy.values[name]) {
        return;
      }
      if (copy.invalid && copy.invalid[name] && copy.invalid[name].value === copy.values[name]) {
        return; // could not be saved: said below, the saved answer stays
      }
      setValue(name, copy.values[name]);
      restored = true;
    });
    now = values();
    Object.keys(copy.invalid || {}).forEach(function (name) {
      var refused = copy.invalid[name];
      if (name in now && now[name] !== refused.value) {
        note(
          name,
          "refused",
          form.dataset.msgNotSavedValue
            .replace("{value}", refused.value)
            .replace("{error}", refused.error)
        );
      }
    });
    invalid = {};
    if (restored) {
      updateProgress();
      dirty = true;
      say(form.dataset.msgRestored);
      save();
    }
  }

  /* The focused field stays clear of the sticky bars ---------------------------------- */

  function keepClear(target) {
    var box = target.closest(".form-check") || target;
    var rect = box.getBoundingClientRect();
    var bottom = actionBar ? actionBar.getBoundingClientRect().top : window.innerHeight;
    var top = topBar ? topBar.getBoundingClientRect().bottom : 0;
    var margin = 12;
    if (rect.bottom > bottom - margin) {
      var down = rect.bottom - bottom + margin;
      // A tall box shows its top rather than disappearing under the progress card.
      // At once, as the browser's own focus scrolling: Bootstrap makes scrollBy smooth.
      window.scrollBy({
        top: Math.min(down, Math.max(rect.top - top - margin, 0)),
        behavior: "instant",
      });
    } else if (rect.top < top + margin) {
      window.scrollBy({ top: rect.top - top - margin, behavior: "instant" });
    }
  }

  function paddings() {
    // scroll-padding: the browser's own scrolling (focus, anchors) stops clear of the bars.
    var root = document.documentElement.style;
    if (actionBar) {
      root.scrollPaddingBottom = actionBar.offsetHeight + 16 + "px";
    }
    if (topBar) {
      root.scrollPaddingTop = topBar.offsetHeight + 16 + "px";
    }
  }

  form.addEventListener("focusin", function (event) {
    if (event.target.matches("input, select, textarea")) {
      keepClear(event.target);
    }
  });
  form.addEventListener("input", function (event) {
    if (event.target.name) {
      note(event.target.name, "refused", "");
    }
    dirty = true;
    keep();
    updateProgress();
  });
  form.addEventListener("change", function () {
    dirty = true;
    updateProgress();
    save();
  });
  form.addEventListener("focusout", save);
  form.addEventListener("submit", function (event) {
    if (saving) {
      // An autosave is on its way (leaving a box to click the button starts one): its
      // answer carries the version this submit must send, so submit once it is back.
      event.preventDefault();
      waitingSubmit = true;
      waitingSubmitter = event.submitter || null;
      return;
    }
    submitting = true;
    keep();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      saveOnLeave();
    }
  });
  window.addEventListener("pagehide", saveOnLeave);
  window.addEventListener("resize", paddings);
  window.setInterval(save, interval);
  paddings();
  updateProgress();
  restore();
})();
