// "Add a level" / "Add a standard": copy the last row of a repeatable group with the
// next index in its field names, ids and labels, and empty its values.
(function () {
  "use strict";
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var group = document.querySelector('[data-repeat="' + button.dataset.addRow + '"]');
      var rows = group.querySelectorAll(".repeat-row");
      var last = rows[rows.length - 1];
      var next = rows.length;
      var copy = last.cloneNode(true);
      var groupLabel = copy.getAttribute("aria-label");
      if (groupLabel) { copy.setAttribute("aria-label", groupLabel.replace(/\d+$/, String(next + 1))); }
      copy.querySelectorAll("input, label, p.field-error").forEach(function (node) {
        if (node.matches("p.field-error")) { node.remove(); return; }
        ["name", "id", "for"].forEach(function (attribute) {
          var value = node.getAttribute(attribute);
          if (value) {
            node.setAttribute(attribute, value.replace(/-\d+(-|$)/, "-" + next + "$1"));
          }
        });
        if (node.type === "radio") { node.value = String(next); node.checked = false; }
        else if (node.tagName === "INPUT") { node.value = ""; }
      });
      group.appendChild(copy);
      var first = copy.querySelector("input[type=text], input:not([type])");
      if (first) { first.focus(); }
    });
  });
})();
