// Small behaviours of the portal, loaded on every page (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  // Forms marked data-confirm ask before a destructive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // Elements marked data-autosubmit submit their form when changed (filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.dataset && el.dataset.autosubmit !== undefined && el.form) {
      el.form.requestSubmit();
    }
  });
})();
