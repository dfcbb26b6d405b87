// Care pages (templates/care/*.html). A script file, not inline code, so the
// Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";

  // Fields that belong to one kind of activity (amount and fund for 困难帮扶, days for
  // 疗休养 / 带薪休假) are shown only for that kind; the server validates either way.
  var kind = document.getElementById("id_kind");
  var kindFields = document.querySelectorAll("[data-care-kinds]");
  function showKindFields() {
    kindFields.forEach(function (el) {
      var wanted = el.dataset.careKinds.split(" ");
      var input = el.querySelector("input, select, textarea");
      var shown = kind && wanted.indexOf(kind.value) !== -1;
      var filled = input && input.value !== "";
      el.hidden = !(shown || filled);
    });
  }
  if (kind && kindFields.length) {
    kind.addEventListener("change", showKindFields);
    showKindFields();
  }

  // Select all / none of a group activity's cadres, with a running count.
  function countSelected(select) {
    var label = document.querySelector('[data-care-count="' + select.id + '"]');
    if (label) {
      label.textContent = "已选 " + select.selectedOptions.length + " / " + select.options.length + " 人";
    }
  }
  document.querySelectorAll("[data-care-select-all], [data-care-select-none]").forEach(function (button) {
    var id = button.dataset.careSelectAll || button.dataset.careSelectNone;
    var select = document.getElementById(id);
    if (!select) {
      return;
    }
    button.addEventListener("click", function () {
      var on = "careSelectAll" in button.dataset;
      Array.prototype.forEach.call(select.options, function (option) { option.selected = on; });
      countSelected(select);
    });
    select.addEventListener("change", function () { countSelected(select); });
    countSelected(select);
  });
})();
