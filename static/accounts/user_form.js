// User form: show only the bindings the chosen role uses (the server ignores the others anyway).
(function () {
  "use strict";
  var role = document.getElementById("id_role");
  if (!role) { return; }
  function wrap(name) { return document.getElementById("div_id_" + name); }
  function sync() {
    var value = role.value;
    var show = {
      // The administrator duties (system, security, audit) are bound to a region as bureau staff are.
      region: ["bureau", "admin", "secadmin", "auditor", ""].indexOf(value) !== -1,
      department: value === "bureau" || value === "",
      hospital: value === "officer" || value === ""
    };
    Object.keys(show).forEach(function (name) {
      var element = wrap(name);
      if (element) { element.classList.toggle("d-none", !show[name]); }
    });
  }
  role.addEventListener("change", sync);
  sync();
})();
