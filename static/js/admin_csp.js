// The admin's third-party templates still carry a few inline handlers, which the Content-Security-Policy
// blocks; bind what they meant to do here. django-import-export's export page: the "select all" box.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input.select-toggle[onchange]").forEach(function (box) {
    box.addEventListener("change", function (event) {
      if (typeof window.onSelectToggleChange === "function") window.onSelectToggleChange(event);
    });
  });
});
