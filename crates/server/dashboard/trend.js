  // The trend: hosts per verdict at the end of each day (UTC), drawn as
  // stacked columns (ready at the bottom) in inline SVG, with the numbers in
  // a table beneath for screen readers and for copying. Part of
  // dashboard.js: the server puts it in place of its trend comment.
  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, String(attrs[k])); }
    }
    return e;
  }
  function fill(text, vars) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return vars[k] !== undefined ? String(vars[k]) : m; });
  }

  function loadTrend() {
    var days = $("trend-days").value;
    $("trend").setAttribute("aria-busy", "true");
    return api("/api/v1/trend", { days: days }).then(function (a) {
      $("trend").setAttribute("aria-busy", "false");
      if (a.status !== 200) { failed("/api/v1/trend", a); return; }
      state.trend = a.body;
      renderTrend();
      $("trend").setAttribute("data-window", days);
    });
  }

  function dayTitle(d) {
    return d.day + ": " + VERDICTS.map(function (v) { return verdictLabel(v) + " " + d[v]; }).join(", ") +
      " (" + d.hosts + " " + t("hosts") + ")";
  }

  function renderTrend() {
    var tr = state.trend, chart = $("trend-chart"), body = $("trend-table").tBodies[0];
    if (!tr) { return; }
    var days = tr.days || [];
    clear(chart);
    clear(body);
    $("trend-empty").hidden = days.length > 0;
    $("trend-figure").hidden = days.length === 0;
    $("trend").setAttribute("data-days", String(days.length));
    $("trend-since").textContent = tr.first_day ? fill(t("trend_since"), { date: tr.first_day }) : "";
    if (!days.length) { $("trend-now").textContent = ""; return; }
    var first = days[0], last = days[days.length - 1], change = last.ready - first.ready;
    var now = fill(t("trend_now"), { ready: last.ready, hosts: last.hosts, day: last.day });
    if (days.length > 1) {
      now += " \u00b7 " + fill(t("trend_change"), { change: (change > 0 ? "+" : "") + change, from: first.day });
    }
    $("trend-now").textContent = now;
    var W = 600, H = 150, top = 6, max = 1;
    days.forEach(function (d) { max = Math.max(max, d.hosts); });
    var step = W / days.length, gap = step > 4 ? 1 : 0;
    chart.appendChild(svg("line", { x1: 0, y1: H, x2: W, y2: H, "class": "axis" }));
    var title = svg("title", { id: "trend-chart-title" });
    title.textContent = t("trend_title") + ": " + now;
    chart.appendChild(title);
    days.forEach(function (d, i) {
      var g = svg("g", { "class": "day", "data-day": d.day, "data-ready": d.ready }), y = H;
      var tip = svg("title", {});
      tip.textContent = dayTitle(d);
      g.appendChild(tip);
      VERDICTS.forEach(function (v) {
        if (!d[v]) { return; }
        var h = d[v] * (H - top) / max;
        y -= h;
        g.appendChild(svg("rect", { x: (i * step + gap / 2).toFixed(2), y: y.toFixed(2),
          width: Math.max(step - gap, 0.5).toFixed(2), height: h.toFixed(2), "class": "tbar " + v }));
      });
      chart.appendChild(g);
    });
    $("trend-max").textContent = String(max);
    $("trend-first").textContent = first.day;
    $("trend-last").textContent = last.day;
    // The table, newest day first.
    var frag = document.createDocumentFragment();
    days.slice().reverse().forEach(function (d) {
      var row = el("tr");
      row.appendChild(el("td", "mono nowrap", d.day));
      VERDICTS.forEach(function (v) { row.appendChild(el("td", "num", d[v])); });
      row.appendChild(el("td", "num", d.hosts));
      frag.appendChild(row);
    });
    body.appendChild(frag);
  }
