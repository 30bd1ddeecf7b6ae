/* bilateral dashboard and brief: draw every chart spec on the page with plotly.js, wire the CSV buttons. */
(function () {
  "use strict";
  var NARROW = 700;
  var state = { total: 0, rendered: 0, failed: 0, errors: [] };
  window.bilateralCharts = state;

  function csvCell(v) {
    if (v === null || v === undefined) { return ""; }
    var s = String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function toCsv(spec) {
    var lines = [spec.columns.map(csvCell).join(",")];
    spec.rows.forEach(function (r) { lines.push(r.map(csvCell).join(",")); });
    return lines.join("\n") + "\n";
  }

  function download(text, filename) {
    var blob = new Blob([text], { type: "text/csv;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function embeddedTopojson() {
    /* The brief carries the world outlines inline: plotly.js then needs no fetch at all. */
    var el = document.getElementById("topojson-world_110m");
    if (el && window.PlotlyGeoAssets) {
      window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
      window.PlotlyGeoAssets.topojson.world_110m = JSON.parse(el.textContent);
    }
  }

  function fitAspect(div, tries) {
    /* A map whose layout.meta.aspect (width / height of its window) is set gets the height that fills its
       width: the plot area's width / aspect plus the margins (title, legend) plotly.js laid out. */
    var fl = div._fullLayout;
    var aspect = fl && fl.meta && fl.meta.aspect;
    if (!aspect || !fl._size) { return Promise.resolve(); }
    var want = Math.round(fl._size.w / aspect + fl._size.t + fl._size.b);
    if (Math.abs(want - fl.height) < 2 || (tries || 0) > 2) { return Promise.resolve(); }
    /* a taller figure gives the legend more room, which may push the margin again: settle in a few steps */
    return window.Plotly.relayout(div, { height: want }).then(function () { return fitAspect(div, (tries || 0) + 1); });
  }

  function refitOnResize(divs) {
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        divs.forEach(function (div) {
          window.Plotly.Plots.resize(div).then(function () { return fitAspect(div); });
        });
      }, 150);
    });
  }

  function render() {
    var specs = Array.prototype.slice.call(document.querySelectorAll("script.chart-spec"));
    var topo = document.body.getAttribute("data-topojson");
    var byPlot = {};
    var fitted = [];
    state.total = specs.length;
    if (!window.Plotly) {
      state.failed = specs.length;
      state.errors.push("plotly.js did not load");
      return;
    }
    embeddedTopojson();
    specs.forEach(function (el) {
      var spec = JSON.parse(el.textContent);
      var plotId = el.getAttribute("data-for");
      var div = document.getElementById(plotId);
      var config = { responsive: true, displaylogo: false };
      /* no toolbar in the brief, nor on a phone, where it would sit on the chart's title */
      if (document.body.getAttribute("data-modebar") === "off" || window.innerWidth < NARROW) { config.displayModeBar = false; }
      if (topo) { config.topojsonURL = topo; }
      byPlot[plotId] = spec;
      var meta = spec.figure.layout && spec.figure.layout.meta;
      if (meta && meta.aspect) {
        fitted.push(div);
        div.style.minHeight = "0";  /* the figure's own height rules: no blank band under a short map */
      }
      window.Plotly.newPlot(div, spec.figure.data, spec.figure.layout, config).then(function () {
        return fitAspect(div);
      }).then(function () {
        state.rendered += 1;
        div.setAttribute("data-rendered", "true");
      }, function (err) {
        state.failed += 1;
        state.errors.push(spec.id + ": " + err);
        div.setAttribute("data-rendered", "failed");
      });
    });
    if (fitted.length) { refitOnResize(fitted); }
    Array.prototype.forEach.call(document.querySelectorAll("button.csv"), function (b) {
      b.addEventListener("click", function () {
        var spec = byPlot[b.getAttribute("data-for")];
        if (spec) { download(toCsv(spec), b.getAttribute("data-filename") || spec.id + ".csv"); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
}());
