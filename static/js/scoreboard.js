// Trend charts of the scoreboard, drawn from the JSON embedded in the page.
(function () {
  var source = document.getElementById("scoreboard-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(id, option) {
    var holder = document.getElementById(id);
    if (!holder) return;
    var chart = window.echarts.init(holder);
    option.tooltip = option.tooltip || { trigger: "axis", confine: true };
    option.grid = option.grid || { left: 44, right: 16, top: 48, bottom: 32 };
    option.xAxis = { type: "category", data: data.months };
    chart.setOption(option);
    charts.push(chart);
  }

  // Only the top few lines start switched on; the legend turns the others on.
  var SHOWN = 6;
  data.groups.forEach(function (group, i) {
    var selected = {};
    group.units.forEach(function (unit, n) { selected[unit.name] = n < SHOWN; });
    draw("chart-score-" + i, {
      legend: { type: "scroll", top: 0, selected: selected },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10); }, max: 100 },
      series: group.units.map(function (unit) {
        return { name: unit.name, type: "line", data: unit.scores, connectNulls: false, symbolSize: 4 };
      })
    });
  });
  draw("chart-completion", {
    legend: { top: 0 },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "按期完成率", type: "line", data: data.on_time_pct, color: "#2e7d32" },
      { name: "累计完成率", type: "line", data: data.completion_pct, color: "#1565c0" },
      { name: "按时填报率", type: "line", data: data.reporting_pct, color: "#e0a100" }
    ]
  });
  draw("chart-hazards", {
    legend: { top: 0 },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "存量未销号", type: "line", data: data.stock_left, areaStyle: { opacity: 0.15 }, color: "#a61b1b" },
      { name: "增量未销号", type: "line", data: data.increment_left, color: "#e0a100" },
      { name: "当月新发现", type: "bar", data: data.found_in_month, color: "#90a4ae" }
    ]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
