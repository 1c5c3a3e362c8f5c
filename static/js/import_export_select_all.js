/* django-import-export's export page: "Select all" ticks or unticks every field.
 *
 * The package's template calls this from an inline onchange attribute, which the
 * Content-Security-Policy blocks; templates/admin/import_export/export.html drops the
 * attribute and this file binds the same behaviour.
 */
(function () {
  "use strict";

  function bind() {
    document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
      toggle.addEventListener("change", function () {
        document
          .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
          .forEach(function (checkbox) {
            checkbox.checked = toggle.checked;
          });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();
