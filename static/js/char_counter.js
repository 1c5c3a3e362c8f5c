// Under each text box with a maximum length, how many characters are left, as the person types.
(function () {
  "use strict";
  var script = document.currentScript;
  var template = (script && script.getAttribute("data-chars-left")) || "{left} / {max}";

  function attach(box) {
    var max = parseInt(box.getAttribute("maxlength"), 10);
    if (!max || box.dataset.counter) return;
    box.dataset.counter = "on";
    var counter = document.createElement("div");
    counter.className = "form-text char-counter";
    counter.id = (box.id || "box") + "-counter";
    box.insertAdjacentElement("afterend", counter);
    var described = box.getAttribute("aria-describedby");
    box.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    function update() {
      var left = max - box.value.length;
      counter.textContent = template.replace("{left}", left).replace("{max}", max);
      counter.classList.toggle("text-danger", left < max / 20);
    }
    box.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("textarea[maxlength]").forEach(attach);
})();
