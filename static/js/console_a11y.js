/* The staff console: names for the fields Django's admin and select2 leave without one.
 *
 * Tabular inlines and editable lists label their cells by a column header that screen
 * readers do not tie to the field; split date/time fields carry "Date :" and "Heure :" as
 * bare text; select2 (autocomplete) draws its own combobox, search box and list. Each field
 * here gets an aria-label from the text a sighted user reads next to it. It runs on load,
 * and again whenever the page adds rows or select2 redraws (a MutationObserver).
 */
(function () {
  "use strict";

  function clean(text) {
    return (text || "").replace(/\s+/g, " ").replace(/[\s:*]+$/, "").trim();
  }

  function hasName(field) {
    if (field.getAttribute("aria-label") || field.getAttribute("aria-labelledby")) {
      return true;
    }
    if (field.id && document.querySelector('label[for="' + CSS.escape(field.id) + '"]')) {
      return true;
    }
    return Boolean(field.closest("label"));
  }

  function columnHeader(cell) {
    var table = cell.closest("table");
    if (!table || !table.tHead) {
      return "";
    }
    var index = 0;
    for (var i = 0; i < cell.parentElement.cells.length; i++) {
      if (cell.parentElement.cells[i] === cell) {
        break;
      }
      index += cell.parentElement.cells[i].colSpan || 1;
    }
    var row = table.tHead.rows[table.tHead.rows.length - 1];
    var position = 0;
    for (var j = 0; j < row.cells.length; j++) {
      var span = row.cells[j].colSpan || 1;
      if (index < position + span) {
        return clean(row.cells[j].textContent);
      }
      position += span;
    }
    return "";
  }

  function rowLabel(field) {
    var row = field.closest(".form-row, .fieldBox");
    var label = row && row.querySelector("label");
    return label ? clean(label.textContent) : "";
  }

  function datetimePart(field) {
    // "Date : <input> <br> Heure : <input>": the text just before the field.
    var node = field.previousSibling;
    while (node && node.nodeType !== Node.TEXT_NODE) {
      node = node.previousSibling;
    }
    return node ? clean(node.textContent) : "";
  }

  function nameFields(root) {
    root
      .querySelectorAll(
        "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea"
      )
      .forEach(function (field) {
        if (hasName(field) || field.classList.contains("select2-search__field")) {
          return;
        }
        var parts = [];
        var cell = field.closest("td");
        if (cell) {
          parts.push(columnHeader(cell));
        }
        if (field.closest("p.datetime")) {
          if (!cell) {
            parts.push(rowLabel(field));
          }
          parts.push(datetimePart(field));
        }
        var name = parts.filter(Boolean).join(" — ");
        if (name) {
          field.setAttribute("aria-label", name);
        }
      });
  }

  function labelFor(select) {
    var label = select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    if (label) {
      if (!label.id) {
        label.id = select.id + "-label";
      }
      return label;
    }
    return null;
  }

  function nameSelect2(root) {
    root.querySelectorAll("select.select2-hidden-accessible").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2-container")) {
        return;
      }
      var label = labelFor(select);
      var text = label ? clean(label.textContent) : "";
      if (!text && select.closest("td")) {
        text = columnHeader(select.closest("td"));
      }
      var combobox = container.querySelector(".select2-selection");
      if (combobox) {
        var rendered = combobox.querySelector(".select2-selection__rendered");
        if (rendered && rendered.getAttribute("role") === "textbox") {
          // select2 4.0 calls the text of the choice a read-only textbox, with no name of
          // its own when nothing is chosen: it is the combobox's text, nothing more.
          rendered.removeAttribute("role");
          rendered.removeAttribute("aria-readonly");
        }
        if (label && rendered && rendered.id) {
          combobox.setAttribute("aria-labelledby", label.id + " " + rendered.id);
        } else if (text) {
          combobox.removeAttribute("aria-labelledby");
          combobox.setAttribute("aria-label", text);
        }
      }
      container.querySelectorAll("ul.select2-selection__rendered").forEach(function (list) {
        // select2 puts its "clear" cross straight in the list: say it is a list anyway.
        list.setAttribute("role", "list");
      });
      container.querySelectorAll(".select2-search__field").forEach(function (search) {
        if (text && search.getAttribute("aria-label") !== text) {
          search.setAttribute("aria-label", text);
        }
      });
    });
    // The open dropdown's search box.
    document.querySelectorAll(".select2-dropdown .select2-search__field").forEach(function (search) {
      if (!search.getAttribute("aria-label")) {
        search.setAttribute("aria-label", document.documentElement.lang === "en" ? "Search" : "Rechercher");
      }
    });
  }

  function nameIcons(root) {
    // The filter_horizontal widget's search icon: a span with an aria-label is only allowed
    // a name once it says what it is.
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function nameEmptyLinks(root) {
    // A filter on a text column lists the empty value as a link with no text.
    root.querySelectorAll("#changelist-filter a").forEach(function (link) {
      if (!link.textContent.trim() && !link.getAttribute("aria-label")) {
        link.textContent = document.documentElement.lang === "en" ? "(empty)" : "(vide)";
      }
    });
  }

  function focusableScrollers(root) {
    // A table wider than the screen scrolls in its own box: the keyboard must reach it too.
    root.querySelectorAll(".inline-group .tabular, .console-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          var heading = box.querySelector("h2, caption");
          if (heading) {
            box.setAttribute("aria-label", clean(heading.textContent));
          }
        }
      }
    });
  }

  function run() {
    nameFields(document);
    nameSelect2(document);
    nameIcons(document);
    nameEmptyLinks(document);
    focusableScrollers(document);
  }

  // At once, in the observer's microtask: a widget drawn by select2 is named before anything
  // (a screen reader, a test) reads the page. Our own changes are not observed.
  function schedule() {
    observer.disconnect();
    run();
    observer.observe(document.body, { childList: true, subtree: true });
  }
  var observer = new MutationObserver(schedule);

  function start() {
    run();
    observer.observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("resize", schedule);
})();
