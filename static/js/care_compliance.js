// The compliance chart of templates/care/compliance.html: completion rate per unit and
// obligation, drawn by the vendored Chart.js from the data in <script type="application/json">
// (Django's json_script), so no inline code is needed.
(function () {
  "use strict";

  var canvas = document.getElementById("compliance-chart");
  var source = document.getElementById("compliance-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colors = ["#a61b1b", "#d9822b", "#2b7bb9", "#3c8d5a", "#7a5195", "#6c757d"];
  data.datasets.forEach(function (dataset, i) {
    dataset.backgroundColor = colors[i % colors.length];
    dataset.borderWidth = 0;
    dataset.barPercentage = 0.9;
    dataset.categoryPercentage = 0.9;
    dataset.minBarLength = 3;  // a sliver for 0%, so "none done" is seen, not missed
  });
  var horizontal = data.labels.length > 12;
  // The box's height through the CSSOM (allowed by the CSP, unlike a style attribute):
  // tall enough for one band per unit when there are many units.
  canvas.parentElement.style.height = (horizontal ? Math.max(320, data.labels.length * (6 * data.datasets.length + 10) + 90) : 360) + "px";
  new Chart(canvas, {
    type: "bar",
    data: data,
    options: {
      indexAxis: horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: horizontal ? { min: 0, max: 100, title: { display: true, text: "完成率（%）" } } : {},
        y: horizontal ? {} : { min: 0, max: 100, title: { display: true, text: "完成率（%）" } }
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              return ctx.dataset.label + "：" + (ctx.raw === null ? "不适用" : ctx.raw + "%");
            }
          }
        }
      }
    }
  });
})();
