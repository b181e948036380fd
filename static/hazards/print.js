// Dossier page: the print button (no inline handler, for a strict Content-Security-Policy).
document.querySelectorAll('[data-print]').forEach(function (button) {
  button.addEventListener('click', function () { window.print(); });
});
