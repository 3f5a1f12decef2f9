// Burn-down of open stock and increment hazards, drawn from the data embedded in the page.
(function () {
  var holder = document.getElementById("burn-down");
  var source = document.getElementById("burn-down-data");
  if (!holder || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["存量未销号", "增量未销号"] },
    grid: { left: 40, right: 16, top: 36, bottom: 40 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "存量未销号", type: "line", data: data.stock, areaStyle: { opacity: 0.15 }, color: "#a61b1b" },
      { name: "增量未销号", type: "line", data: data.increment, color: "#e0a100" }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
