// Any button marked data-print prints the page (no inline handlers, so a strict CSP can forbid them).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
