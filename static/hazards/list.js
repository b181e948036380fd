// Hazard list: "select all" for the bulk form (progressive enhancement; no inline script).
document.getElementById('check-all')?.addEventListener('change', function (e) {
  document.querySelectorAll('.row-check').forEach(function (box) { box.checked = e.target.checked; });
});
