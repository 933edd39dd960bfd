// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The application switcher submits as soon as an application is chosen.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var button = select.form.querySelector("button[type=submit]");
    if (button) { button.classList.add("visually-hidden"); }
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // The delete plan updates when another cascade is chosen.
  document.querySelectorAll("form.cascade-choice").forEach(function (form) {
    form.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
    form.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", function () { form.submit(); });
    });
  });

  // Masked key/value editors (secrets): a button shows or hides the values.
  document.querySelectorAll("table[data-key-value][data-masked]").forEach(function (table) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button small";
    button.textContent = "Show values";
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var show = button.getAttribute("aria-pressed") !== "true";
      table.querySelectorAll("input[name$='-value']").forEach(function (input) {
        input.type = show ? "text" : "password";
      });
      button.setAttribute("aria-pressed", show ? "true" : "false");
      button.textContent = show ? "Hide values" : "Show values";
    });
    table.insertAdjacentElement("afterend", button);
  });
})();
