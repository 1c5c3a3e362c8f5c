/* A "Copy" button next to a read-only field: copies its text, or selects it where the
 * clipboard is not available (older browsers, a page not served over HTTPS), and says which
 * in the status line the field names with aria-describedby. Without script the button stays
 * hidden and the text can be selected by hand. */
(function () {
  "use strict";

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTarget);
    if (!field) {
      return;
    }
    var status = document.getElementById(field.getAttribute("aria-describedby"));
    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }
    function select() {
      field.focus();
      field.select();
      field.setSelectionRange(0, field.value.length);
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () {
            say(button.dataset.copied);
          },
          function () {
            select();
            say(button.dataset.copySelected);
          }
        );
      } else {
        select();
        say(button.dataset.copySelected);
      }
    });
    field.addEventListener("focus", function () {
      field.select();
    });
  });
})();
