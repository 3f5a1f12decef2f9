// Behaviour shared by every page, bound here instead of in inline handlers (the Content-Security-Policy forbids them).
(function () {
  // A <select data-autosubmit> submits its form when changed (month, unit, language pickers).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) select.form.submit();
    });
  });

  // A <form data-confirm="…"> asks before it is sent (publishing and rebuilding a month's report).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
