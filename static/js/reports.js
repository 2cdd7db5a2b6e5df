// Draws a report's chart from the figures the page carries as JSON (no inline script:
// the Content Security Policy forbids it). The table below the chart has the same figures.
(function () {
  "use strict";

  var COLOURS = ["#2f6f73", "#d08c60", "#6c8ebf", "#b85c5c", "#8a9a5b", "#7d6b91", "#c9a227",
    "#4f7c8a", "#a1887f", "#5d6d7e"];

  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("report-chart");
    var source = document.getElementById("report-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var valueAxis = data.horizontal ? "x" : "y";
    var labelAxis = data.horizontal ? "y" : "x";
    var scales = {};
    scales[valueAxis] = {
      beginAtZero: true,
      stacked: data.stacked,
      ticks: { callback: function (value) { return data.percent ? value + "%" : value; } }
    };
    if (data.percent) { scales[valueAxis].suggestedMax = 100; }
    scales[labelAxis] = { stacked: data.stacked };
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, index) {
          return {
            label: set.label,
            data: set.data,
            backgroundColor: COLOURS[index % COLOURS.length],
            borderRadius: 3
          };
        })
      },
      options: {
        indexAxis: data.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: { display: data.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = item.raw === null ? "no figure" : item.formattedValue;
                return item.dataset.label + ": " + value + (data.percent && item.raw !== null ? "%" : "");
              }
            }
          }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  });
})();
