// Draws the dashboards' charts with Chart.js. The data comes from json_script elements (no inline scripts: the
// CSP forbids them); each canvas already has a text alternative and a table with the same data beside it.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  // Bootstrap Italia palette, with enough contrast against white.
  var COLOURS = ["#0066CC", "#008055", "#995C00", "#5C6F82", "#CC334D", "#17324D", "#00665E", "#7A2E8A"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var many = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (set, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: set.label,
        data: set.data,
        backgroundColor: many ? spec.labels.map(function (_, j) { return COLOURS[j % COLOURS.length]; }) : colour,
        borderColor: spec.type === "line" ? colour : "#ffffff",
        borderWidth: spec.type === "line" ? 2 : 1,
        tension: 0.2,
        fill: false
      };
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 400 },
        plugins: { legend: { display: many || datasets.length > 1, position: "bottom" } },
        scales: many ? {} : { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
})();
