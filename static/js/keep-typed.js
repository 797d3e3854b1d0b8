/* Nothing typed is lost when the header's language button reloads the page (its form posts, then
   the same page comes back in the other language): what was typed in the page's forms is kept in
   this tab's sessionStorage for that one reload, put back into the same boxes, then forgotten.
   Passwords, files and hidden fields are never kept. */
(function () {
  "use strict";
  var KEY = "liaison-typed";
  var SKIP = ["hidden", "password", "file", "submit", "button", "reset", "image"];

  function pageForms() {
    return Array.prototype.filter.call(document.querySelectorAll("main form"), function (form) {
      return !form.classList.contains("language-toggle");
    });
  }
  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && SKIP.indexOf(field.type) === -1 && !field.disabled;
    });
  }
  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return field.value !== field.defaultValue;
  }
  function save() {
    var forms = pageForms().map(function (form) {
      return fieldsOf(form).map(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          return { name: field.name, value: field.value, checked: field.checked };
        }
        if (field.tagName === "SELECT") {
          return { name: field.name, selected: Array.prototype.filter.call(field.options, function (o) {
            return o.selected;
          }).map(function (o) { return o.value; }) };
        }
        return { name: field.name, text: field.value };
      });
    });
    var dirty = pageForms().some(function (form) { return fieldsOf(form).some(changed); });
    if (dirty) {
      try {
        sessionStorage.setItem(KEY, JSON.stringify({ path: location.pathname, forms: forms }));
      } catch (error) { /* storage full or off: the page reloads as before */ }
    }
  }
  function restore() {
    var kept;
    try {
      kept = JSON.parse(sessionStorage.getItem(KEY) || "null");
      sessionStorage.removeItem(KEY);
    } catch (error) {
      return;
    }
    if (!kept || kept.path !== location.pathname) {
      return;
    }
    pageForms().forEach(function (form, index) {
      var saved = kept.forms[index] || [];
      var fields = fieldsOf(form);
      saved.forEach(function (item, position) {
        var field = fields[position];
        if (!field || field.name !== item.name) {
          return;
        }
        if ("checked" in item) {
          if (field.value === item.value) { field.checked = item.checked; }
        } else if ("selected" in item) {
          Array.prototype.forEach.call(field.options, function (option) {
            option.selected = item.selected.indexOf(option.value) !== -1;
          });
        } else {
          field.value = item.text;
        }
      });
    });
  }
  document.querySelectorAll("form.language-toggle").forEach(function (toggle) {
    toggle.addEventListener("submit", save);
  });
  restore();
})();
