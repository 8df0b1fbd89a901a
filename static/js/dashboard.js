// The dashboard's 30-day charts. Data comes from <script type="application/json" id="dashboard-charts">
// (Django's json_script, never executed); Chart.js is loaded before this file on this page only.
(function () {
  "use strict";

  var source = document.getElementById("dashboard-charts");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var Chart = window.Chart;

  // The same hues as the .status-* badges in app.css.
  var STATUS_COLOURS = {
    new: "#f79009",
    confirmation_pending: "#fdb022",
    confirmed: "#6172f3",
    being_prepared: "#8098f9",
    ready_for_pickup: "#53b1fd",
    out_for_delivery: "#1570ef",
    delivered: "#12b76a",
    returned: "#f04438",
    cancelled: "#98a2b3"
  };

  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.color = "#5b6476";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;

  function dayLabel(iso) {
    var parts = iso.split("-");
    return parts[2] + "/" + parts[1];
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  function percentAxis() {
    return { min: 0, max: 100, ticks: { callback: function (value) { return value + " %"; } } };
  }

  var days = data.days.map(dayLabel);

  draw("chart-orders", {
    type: "bar",
    data: {
      labels: days,
      datasets: data.statuses.map(function (series) {
        return {
          label: series.label,
          data: series.counts,
          backgroundColor: STATUS_COLOURS[series.status] || "#98a2b3",
          stack: "orders"
        };
      })
    },
    options: {
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      interaction: { mode: "index", intersect: false }
    }
  });

  draw("chart-confirmation", {
    type: "line",
    data: {
      labels: days,
      datasets: [{
        label: "Confirmed or later",
        data: data.confirmation_rate,
        borderColor: "#1f6feb",
        backgroundColor: "rgba(31, 111, 235, .12)",
        fill: true,
        spanGaps: false,
        tension: 0.25,
        pointRadius: 2
      }]
    },
    options: {
      scales: { y: percentAxis() },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: function (ctx) { return ctx.parsed.y + " %"; } } }
      }
    }
  });

  draw("chart-areas", {
    type: "bar",
    data: {
      labels: data.areas.map(function (a) { return a.area; }),
      datasets: [{
        label: "Delivered",
        data: data.areas.map(function (a) { return a.rate; }),
        backgroundColor: data.areas.map(function (a) { return a.rate >= 80 ? "#12b76a" : a.rate >= 60 ? "#fdb022" : "#f04438"; })
      }]
    },
    options: {
      indexAxis: "y",
      scales: { x: percentAxis() },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var area = data.areas[ctx.dataIndex];
              return area.rate + " % of " + area.finished + " finished orders";
            }
          }
        }
      }
    }
  });

  draw("chart-products", {
    type: "bar",
    data: {
      labels: data.products.map(function (p) { return p.name; }),
      datasets: [{
        label: "Quantity",
        data: data.products.map(function (p) { return p.quantity; }),
        backgroundColor: "#6172f3"
      }]
    },
    options: {
      indexAxis: "y",
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 } },
        y: { ticks: { callback: function (value) {
          var label = this.getLabelForValue(value);
          return label.length > 28 ? label.slice(0, 27) + "…" : label;
        } } }
      },
      plugins: { legend: { display: false } }
    }
  });
})();
