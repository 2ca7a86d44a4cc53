/* Catalogue search and filters. Without this script the page lists every dataset, and the static department,
   dimension and tag pages do the filtering. The filter state is kept in the address (?department=...). */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var list = document.getElementById("dataset-list");
  if (!form || !list) { return; }
  var items = Array.prototype.slice.call(list.querySelectorAll("li[data-dataset]"));
  var count = document.getElementById("result-count");
  var none = document.getElementById("no-results");
  var names = ["q", "department", "dimension", "tag"];

  var params = new URLSearchParams(window.location.search);
  names.forEach(function (name) {
    if (params.has(name)) { form.elements[name].value = params.get(name); }
  });

  function matches(item, text, department, dimension, tag) {
    return (!text || item.getAttribute("data-search").indexOf(text) !== -1) &&
      (!department || item.getAttribute("data-department") === department) &&
      (!dimension || item.getAttribute("data-dimension") === dimension) &&
      (!tag || item.getAttribute("data-tags").indexOf("|" + tag + "|") !== -1);
  }

  function apply() {
    var text = form.elements.q.value.trim().toLowerCase();
    var department = form.elements.department.value;
    var dimension = form.elements.dimension.value;
    var tag = form.elements.tag.value;
    var shown = 0;
    items.forEach(function (item) {
      var ok = matches(item, text, department, dimension, tag);
      item.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = "";
    count.appendChild(document.createTextNode(shown + " dari " + items.length + " dataset "));
    var en = document.createElement("span");
    en.className = "en";
    en.lang = "en";
    en.textContent = shown + " of " + items.length + " datasets";
    count.appendChild(en);
    if (none) { none.hidden = shown !== 0; }
    var state = new URLSearchParams();
    names.forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) { state.set(name, value); }
    });
    var query = state.toString();
    window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
  }

  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
}());
