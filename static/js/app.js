// Behaviour shared by every page, bound here instead of in inline handlers (the Content-Security-Policy forbids them).
(function () {
  // A <select data-autosubmit> submits its form when changed (month, unit, language pickers).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) select.form.submit();
    });
  });
})();
