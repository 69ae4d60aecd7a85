// The submission editor: warn before leaving the page (a link, "Remove", closing the tab)
// while the reflection holds text that is not saved. Every button of the reflection form
// (save, submit, upload, add a link or a text) carries the text to the server and saves
// it, so submitting that form is not leaving it behind.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-guard]");
  if (!form) { return; }
  var changed = false;
  var fields = "textarea, input[type=checkbox]";
  document.addEventListener("input", function (event) {
    if (event.target.matches(fields) && event.target.form === form) { changed = true; }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches(fields) && event.target.form === form) { changed = true; }
  });
  form.addEventListener("submit", function () { changed = false; });
  window.addEventListener("beforeunload", function (event) {
    if (changed) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}());
