/* The dataset page's explorer: the whole published data.csv of the version on the page as a paged, sortable,
   searchable table (parsed by papaparse), and a bar chart of a column per period or per category (uPlot).
   Every value and name is put in the page as text (textContent, option.text, canvas text), never as HTML.
   Without this script, or when the file cannot be loaded, the page keeps its static table of the first rows and
   its SVG chart drawn on the server. The page's data-config is written by publish/site/explore.py. */
(function () {
  "use strict";
  var section = document.getElementById("explore");
  if (!section || !window.Papa || !window.fetch) { return; }
  var config;
  try { config = JSON.parse(section.getAttribute("data-config")); } catch (e) { return; }
  if (!config) { return; }

  var $ = function (id) { return document.getElementById(id); };
  var table = $("data-table"), tbody = table.tBodies[0], note = $("preview-note");
  var tools = $("table-tools"), pager = $("table-pager"), status = $("table-status");
  var search = $("table-q"), sizeSelect = $("table-size"), failed = $("table-error");
  var numberFormat = new Intl.NumberFormat("id-ID", { maximumFractionDigits: 2 });
  var collator = new Intl.Collator("id", { numeric: true, sensitivity: "base" });
  var NUMERIC = { integer: true, number: true };
  var MAX_CATEGORIES = 60;

  var names = config.fields.map(function (f) { return f.name; });
  var types = config.fields.map(function (f) { return f.type; });
  var rows = [], shown = [], lowered = null;
  var state = { sort: -1, descending: false, page: 0, size: 20, query: "" };

  function text(parent, tag, value, className) {
    var element = document.createElement(tag);
    element.textContent = value;
    if (className) { element.className = className; }
    parent.appendChild(element);
    return element;
  }

  function bilingual(element, id, en) {
    element.textContent = id + " ";
    var span = text(element, "span", en, "en");
    span.lang = "en";
  }

  // --- the table ---------------------------------------------------------------------------------------
  function compareCells(column) {
    var numeric = NUMERIC[types[column]];
    var direction = state.descending ? -1 : 1;
    return function (a, b) {
      var x = a.cells[column], y = b.cells[column];
      if (x === "" || y === "") { return x === y ? a.order - b.order : (x === "" ? 1 : -1); }   // empty cells last
      var order = numeric ? Number(x) - Number(y) : collator.compare(x, y);
      return order === 0 ? a.order - b.order : order * direction;
    };
  }

  function applyView() {
    var query = state.query.toLowerCase();
    if (query && !lowered) { lowered = rows.map(function (row) { return row.cells.join("\u0001").toLowerCase(); }); }
    shown = query ? rows.filter(function (row) { return lowered[row.order].indexOf(query) !== -1; }) : rows.slice();
    if (state.sort >= 0) { shown.sort(compareCells(state.sort)); }
    state.page = Math.min(state.page, Math.max(0, Math.ceil(shown.length / state.size) - 1));
    renderPage();
  }

  function renderPage() {
    var first = state.page * state.size, last = Math.min(first + state.size, shown.length);
    var body = document.createElement("tbody");
    for (var i = first; i < last; i += 1) {
      var tr = document.createElement("tr");
      shown[i].cells.forEach(function (cell) {
        var td = text(tr, "td", cell);
        if (cell.length > 40) { td.title = cell; }
      });
      body.appendChild(tr);
    }
    table.replaceChild(body, tbody);
    tbody = body;
    var pages = Math.max(1, Math.ceil(shown.length / state.size));
    var range = shown.length ? (first + 1) + "–" + last : "0";
    bilingual(status, "Baris " + range + " dari " + shown.length + " · halaman " + (state.page + 1) + " dari " + pages,
      "(rows " + range + " of " + shown.length + ", page " + (state.page + 1) + " of " + pages + ")");
    pager.querySelector("[data-page=first]").disabled = pager.querySelector("[data-page=prev]").disabled =
      state.page === 0;
    pager.querySelector("[data-page=next]").disabled = pager.querySelector("[data-page=last]").disabled =
      state.page >= pages - 1;
  }

  function sortable() {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = names[column];
      button.title = "Urutkan (sort)";
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        state.descending = state.sort === column ? !state.descending : false;
        state.sort = column;
        Array.prototype.forEach.call(headers, function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
        state.page = 0;
        applyView();
      });
    });
  }

  function paging() {
    pager.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-page]");
      if (!button) { return; }
      var pages = Math.max(1, Math.ceil(shown.length / state.size));
      var target = { first: 0, prev: state.page - 1, next: state.page + 1, last: pages - 1 }[button.dataset.page];
      state.page = Math.max(0, Math.min(pages - 1, target));
      renderPage();
    });
    sizeSelect.addEventListener("change", function () {
      state.size = parseInt(sizeSelect.value, 10) || 20;
      state.page = 0;
      renderPage();
    });
    search.addEventListener("input", function () {
      state.query = search.value.trim();
      state.page = 0;
      applyView();
    });
  }

  // --- the chart ---------------------------------------------------------------------------------------
  var chart = null, regions = {};
  var measureSelect = $("chart-measure"), aggregateSelect = $("chart-aggregate"), groupSelect = $("chart-group");

  function periodKey(values) {
    var dated = values.filter(function (v) { return v.length >= 10; }).sort();
    if (!dated.length) { return null; }
    var first = dated[0], last = dated[dated.length - 1];
    var months = (+last.slice(0, 4) - +first.slice(0, 4)) * 12 + (+last.slice(5, 7) - +first.slice(5, 7)) + 1;
    return months <= 2 ? 10 : months <= 120 ? 7 : 4;              // per day, per month, per year (as chart.py)
  }

  function periods(first, last, length) {                         // every period from first to last, none skipped
    var out = [], date = new Date(first.slice(0, 4) + "-" + (first.slice(5, 7) || "01") + "-" +
      (first.slice(8, 10) || "01") + "T00:00:00Z");
    for (var guard = 0; guard < 4000; guard += 1) {
      var key = date.toISOString().slice(0, length);
      out.push(key);
      if (key >= last) { break; }
      if (length === 10) { date.setUTCDate(date.getUTCDate() + 1); }
      else if (length === 7) { date.setUTCMonth(date.getUTCMonth() + 1); }
      else { date.setUTCFullYear(date.getUTCFullYear() + 1); }
    }
    return out;
  }

  function aggregate(measure, how, group, kind) {
    var column = names.indexOf(group), valueColumn = measure ? names.indexOf(measure) : -1;
    var length = kind === "date" ? periodKey(rows.map(function (r) { return r.cells[column]; })) : null;
    var sums = new Map(), counts = new Map();
    rows.forEach(function (row) {
      var cell = row.cells[column];
      if (kind === "date") {
        if (cell.length < 10) { return; }
        cell = cell.slice(0, length);
      }
      var key = cell === "" ? "(kosong)" : cell;
      if (!sums.has(key)) { sums.set(key, 0); counts.set(key, 0); }
      if (valueColumn < 0) { sums.set(key, sums.get(key) + 1); counts.set(key, counts.get(key) + 1); return; }
      var value = row.cells[valueColumn];
      if (value !== "" && isFinite(Number(value))) {
        sums.set(key, sums.get(key) + Number(value));
        counts.set(key, counts.get(key) + 1);
      }
    });
    var labels = Array.from(sums.keys()).sort(collator.compare);
    if (kind === "date" && labels.length) { labels = periods(labels[0], labels[labels.length - 1], length); }
    var values = labels.map(function (label) {
      var sum = sums.get(label) || 0, n = counts.get(label) || 0;
      return valueColumn >= 0 && how === "mean" ? (n ? sum / n : null) : sum;
    });
    var unit = kind !== "date" ? null : length === 10 ? ["hari", "day"] : length === 7 ? ["bulan", "month"] :
      ["tahun", "year"];
    return { labels: labels, values: values, unit: unit };
  }

  function label(value) {
    var name = regions[value];
    var shown = name ? name : value;
    return shown.length > 16 ? shown.slice(0, 15) + "…" : shown;
  }

  function longest(labels) {
    return labels.reduce(function (most, value) { return Math.max(most, label(value).length); }, 1);
  }

  function caption(measure, how, group, result) {
    var what = measure ? (how === "mean" ? "Rata-rata " : "Jumlah ") + measure : "Jumlah baris";
    var whatEn = measure ? (how === "mean" ? "Mean of " : "Sum of ") + measure : "Number of rows";
    var per = result.unit ? " per " + result.unit[0] + " menurut " + group : " menurut " + group;
    var perEn = result.unit ? " per " + result.unit[1] + " by " + group : " by " + group;
    var best = -1;
    result.values.forEach(function (v, i) { if (v !== null && (best < 0 || v > result.values[best])) { best = i; } });
    var peak = best < 0 ? "" : "; tertinggi " + label(result.labels[best]) + ": " + numberFormat.format(result.values[best]);
    var peakEn = best < 0 ? "" : "; highest " + label(result.labels[best]) + ": " + numberFormat.format(result.values[best]);
    return [what + per + " (" + result.labels.length + " kelompok)" + peak + ".",
      whatEn + perEn + " (" + result.labels.length + " groups)" + peakEn + "."];
  }

  function drawChart() {
    var measure = measureSelect.value, how = aggregateSelect.value, group = groupSelect.value;
    var option = groupSelect.options[groupSelect.selectedIndex];
    if (!option) { return; }
    aggregateSelect.disabled = !measure;
    var result = aggregate(measure, how, group, option.getAttribute("data-kind"));
    var holder = $("chart-canvas"), figure = $("chart-live"), readout = $("chart-readout");
    var words = caption(measure, how, group, result);
    bilingual($("chart-caption"), words[0], words[1]);
    holder.setAttribute("aria-label", words[0] + " / " + words[1]);
    if (chart) { chart.destroy(); }
    figure.hidden = false;
    var many = result.labels.length > 12 && option.getAttribute("data-kind") !== "date";
    var xs = result.labels.map(function (_, i) { return i; });
    chart = new window.uPlot({
      width: Math.max(280, holder.clientWidth), height: many ? 320 : 260,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, xs.length - 0.5)] },
        y: { range: function (u, min, max) { return [Math.min(0, min || 0), max > 0 ? max * 1.08 : 1]; } } },
      axes: [
        { incrs: [1, 2, 3, 4, 5, 6, 10, 12, 20, 24, 50, 100, 200, 500, 1000], rotate: many ? -50 : 0,
          size: many ? 110 : 40, stroke: "#4a5560", space: many ? 16 : 12 + 7.5 * longest(result.labels),
          values: function (u, splits) {
            return splits.map(function (v) { return Number.isInteger(v) && result.labels[v] !== undefined ?
              label(result.labels[v]) : ""; });
          } },
        { size: 64, stroke: "#4a5560", values: function (u, splits) {
          return splits.map(function (v) { return numberFormat.format(v); }); } }
      ],
      series: [{}, { label: measure || "baris", fill: "#0b4f8a", stroke: "#0b4f8a", width: 0,
        points: { show: false }, paths: window.uPlot.paths.bars({ size: [0.8, 48] }) }],
      hooks: { setCursor: [function (u) {
        var i = u.cursor.idx;
        readout.textContent = i === null || i === undefined ? "" : label(result.labels[i]) + ": " +
          (result.values[i] === null ? "–" : numberFormat.format(result.values[i]));
      }] }
    }, [xs, result.values], holder);
    var fallback = $("chart-static");
    if (fallback) { fallback.hidden = true; }
  }

  function chartable() {
    if (!groupSelect || !window.uPlot) { return; }
    Array.prototype.slice.call(groupSelect.options).forEach(function (option) {   // few distinct values only
      if (option.getAttribute("data-kind") === "date") { return; }
      var column = names.indexOf(option.value), seen = new Set();
      for (var i = 0; i < rows.length && seen.size <= MAX_CATEGORIES; i += 1) { seen.add(rows[i].cells[column]); }
      if (seen.size > MAX_CATEGORIES || seen.size < 2) { option.remove(); }
    });
    if (!groupSelect.options.length) { return; }
    if (config.measures.length && !measureSelect.value) {
      measureSelect.value = config.measures[0];
      aggregateSelect.value = types[names.indexOf(config.measures[0])] === "integer" ? "sum" : "mean";
    }
    $("chart-tools").hidden = false;
    [measureSelect, aggregateSelect, groupSelect].forEach(function (select) {
      select.addEventListener("change", drawChart);
    });
    var resizing = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(function () {
        if (chart) { chart.setSize({ width: Math.max(280, $("chart-canvas").clientWidth), height: chart.height }); }
      }, 150);
    });
    drawChart();
  }

  function loadRegions() {   // region codes → names, from the kode-wilayah.csv the version ships
    if (!config.regions) { return Promise.resolve(); }
    return fetch(config.regions).then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (csv) {
        window.Papa.parse(csv, { header: true, skipEmptyLines: true }).data.forEach(function (row) {
          if (row.kode && row.nama_wilayah) { regions[row.kode] = row.nama_wilayah; }
        });
      }).catch(function () { /* codes stay codes */ });
  }

  // --- loading -----------------------------------------------------------------------------------------
  function ready(parsed) {
    var header = parsed.data[0] || [];
    if (header.join("\u0001") !== names.join("\u0001")) { throw new Error("unexpected columns"); }
    rows = parsed.data.slice(1).map(function (cells, order) { return { cells: cells, order: order }; });
    lowered = null;
    sortable();
    paging();
    tools.hidden = false;
    pager.hidden = false;
    bilingual(note, "Seluruh " + rows.length + " baris versi " + config.version +
      "; klik judul kolom untuk mengurutkan.", "All " + rows.length + " rows of version " + config.version +
      "; click a column heading to sort.");
    applyView();
    section.setAttribute("data-loaded", String(rows.length));
    return loadRegions().then(chartable);
  }

  function load() {
    $("table-load").hidden = true;
    section.setAttribute("aria-busy", "true");
    fetch(config.csv).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    }).then(function (csv) {
      return ready(window.Papa.parse(csv, { skipEmptyLines: "greedy" }));
    }).catch(function (error) {
      failed.hidden = false;
      section.setAttribute("data-error", String(error && error.message));
    }).then(function () { section.removeAttribute("aria-busy"); });
  }

  if (config.autoLoad) { load(); }
  else {
    $("table-load").hidden = false;
    $("table-load-button").addEventListener("click", load);
  }
}());
