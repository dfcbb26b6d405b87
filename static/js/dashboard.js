// Trend charts of templates/dashboard/index.html, drawn by the vendored Chart.js from the
// data in <script type="application/json"> (Django's json_script): no inline code (CSP).
(function () {
  "use strict";

  var source = document.getElementById("dashboard-charts");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var charts = JSON.parse(source.textContent);
  var colors = ["#a61b1b", "#d9822b", "#2b7bb9", "#3c8d5a", "#7a5195", "#6c757d", "#c9a227", "#1b998b"];
  document.querySelectorAll("canvas.dashboard-chart").forEach(function (canvas) {
    var key = canvas.dataset.source.replace("chart-", "");
    var data = charts[key];
    if (!data || !data.datasets.length) {
      canvas.parentElement.textContent = "近年均无记录。";
      return;
    }
    data.datasets.forEach(function (dataset, i) {
      dataset.borderColor = colors[i % colors.length];
      dataset.backgroundColor = colors[i % colors.length];
      dataset.tension = 0;
      dataset.pointRadius = 3;
    });
    new Chart(canvas, {
      type: "line",
      data: data,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, font: { size: 11 } } } }
      }
    });
  });
  // Charts are re-laid out for paper, so the printed page keeps them within its width.
  window.addEventListener("beforeprint", function () {
    Object.values(Chart.instances).forEach(function (chart) { chart.resize(); });
  });
})();
