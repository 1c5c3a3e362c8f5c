/* django-celery-beat's periodic task page: under the crontab field, say in words when it runs.
 *
 * The package does this in an inline script, which the Content-Security-Policy blocks;
 * templates/admin/djcelery/change_periodictask_form.html loads this file instead.
 */
(function () {
  "use strict";

  var $ = window.django && window.django.jQuery;
  var data = document.getElementById("readable-crontabs");
  if (!$ || !data) {
    return;
  }
  var readable = JSON.parse(data.textContent);
  var help = $(".field-crontab .help");
  var original = help.html();

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var words = readable[$("#id_crontab").val()];
    help.html(original);
    if (words) {
      help.append($("<br>"), document.createTextNode("Translation: " + words));
    }
  });
})();
