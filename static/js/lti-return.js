// The deep-linking return page: post the signed answer back to the LMS at once. Without
// JavaScript, the page's button does the same.
(function () {
  "use strict";
  var form = document.getElementById("lti-return");
  if (form) { form.submit(); }
})();
