// masthead: fills the subscribe form's hidden timezone field with the
// reader's time zone as their browser knows it (an IANA name such as
// Europe/London), so that a publication delivering at each reader's local
// hour knows their morning. It changes nothing else; without it (or without
// JavaScript) the field stays empty and the publication's zone is used.
// It fills the forms on the page when it loads, and any form at the moment
// it is sent (a form a page adds later).
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  var selector = 'input[type="hidden"][name="timezone"]';
  function fill(root) {
    var fields = root.querySelectorAll(selector);
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value === "") {
        fields[i].value = zone;
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { fill(document); });
  } else {
    fill(document);
  }
  document.addEventListener("submit", function (ev) {
    if (ev.target && ev.target.querySelectorAll) {
      fill(ev.target);
    }
  }, true);
})();
