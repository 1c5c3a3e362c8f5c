/* The yearly report's "Print" button (templates/admin/yearly_report.html): prints the page.
 * Without script the button stays hidden and the page says to use the browser's Print. */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
