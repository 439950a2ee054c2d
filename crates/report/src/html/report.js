(function () {
  "use strict";
  var PAGE = 200;
  var VERDICTS = ["ready", "not_ready", "unknown", "unsupported"];
  var data = JSON.parse(document.getElementById("acsready-data").textContent);
  var L = data.labels;
  var hosts = data.hosts || [];
  // Texts repeated across hosts are kept once: the hosts hold their indices.
  var S = data.strings || [];
  var n = hosts.length;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function verdictLabel(v) { return L.verdicts[v] || v; }

  // Columns computed once, as arrays: filtering and sorting never touch the DOM.
  var colHost = new Array(n), colOs = new Array(n), colBuild = new Array(n),
      colBuildKey = new Float64Array(n), colVerdict = new Int8Array(n),
      colCodes = new Array(n), colAgents = new Array(n), colSearch = new Array(n);
  for (var i = 0; i < n; i++) {
    var h = hosts[i], os = h.os || {};
    var b = os.build, u = os.ubr;
    colHost[i] = h.host || "";
    colOs[i] = S[os.name] || "";
    colBuild[i] = b == null ? "" : (u == null ? String(b) : b + "." + u);
    colBuildKey[i] = b == null ? -1 : b * 1e7 + (u == null ? 0 : u);
    colVerdict[i] = VERDICTS.indexOf(h.verdict);
    // The row's codes and plans as the terminal table shows them.
    colCodes[i] = (h.codes || []).join(" ");
    var agents = [];
    for (var j = 0; j < h.agents.length; j++) { agents.push(S[h.agents[j].line]); }
    colAgents[i] = agents.join("; ");
    colSearch[i] = [colHost[i], colOs[i], colBuild[i], verdictLabel(h.verdict), h.verdict,
      colCodes[i], colAgents[i]].join("\n").toLowerCase();
  }

  var columns = {
    host: function (a, b) { return cmpStr(colHost[a], colHost[b]); },
    os: function (a, b) { return cmpStr(colOs[a], colOs[b]); },
    build: function (a, b) { return colBuildKey[a] - colBuildKey[b]; },
    verdict: function (a, b) { return colVerdict[a] - colVerdict[b]; },
    findings: function (a, b) { return cmpStr(colCodes[a], colCodes[b]); },
    agents: function (a, b) { return cmpStr(colAgents[a], colAgents[b]); }
  };
  function cmpStr(x, y) { return x < y ? -1 : (x > y ? 1 : 0); }

  var state = { text: "", verdicts: [true, true, true, true], sort: null, dir: 1, page: 0, view: [], selected: -1 };

  var table = document.getElementById("host-table");
  var tbody = table.tBodies[0];
  var filter = document.getElementById("host-filter");
  var info = document.getElementById("page-info");
  var prev = document.getElementById("page-prev");
  var next = document.getElementById("page-next");
  var details = document.getElementById("host-details");

  function apply() {
    var words = state.text.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    var view = [];
    for (var i = 0; i < n; i++) {
      var v = colVerdict[i];
      if (v >= 0 && !state.verdicts[v]) { continue; }
      var s = colSearch[i], ok = true;
      for (var w = 0; w < words.length; w++) {
        if (s.indexOf(words[w]) < 0) { ok = false; break; }
      }
      if (ok) { view.push(i); }
    }
    if (state.sort) {
      var cmp = columns[state.sort], dir = state.dir;
      view.sort(function (a, b) { return dir * cmp(a, b) || a - b; });
    }
    state.view = view;
    state.page = 0;
    render();
  }

  function render() {
    var view = state.view, pages = Math.max(1, Math.ceil(view.length / PAGE));
    if (state.page >= pages) { state.page = pages - 1; }
    var from = state.page * PAGE, to = Math.min(view.length, from + PAGE);
    var frag = document.createDocumentFragment();
    for (var k = from; k < to; k++) {
      var i = view[k], h = hosts[i];
      var tr = el("tr");
      tr.setAttribute("data-host", colHost[i]);
      tr.setAttribute("data-index", String(i));
      tr.tabIndex = 0;
      if (i === state.selected) { tr.className = "selected"; }
      tr.appendChild(el("td", null, colHost[i]));
      tr.appendChild(el("td", null, colOs[i]));
      tr.appendChild(el("td", "mono", colBuild[i]));
      tr.appendChild(el("td", "verdict " + h.verdict, verdictLabel(h.verdict)));
      tr.appendChild(el("td", "mono", colCodes[i]));
      tr.appendChild(el("td", "plan", colAgents[i]));
      frag.appendChild(tr);
    }
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    tbody.appendChild(frag);
    info.textContent = (view.length ? (from + 1) + "\u2013" + to : "0") + " / " + view.length +
      (view.length !== n ? " (" + L.filtered_from + " " + n + ")" : "") +
      " \u00b7 " + L.page + " " + (state.page + 1) + "/" + pages;
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
  }

  function section(title) {
    var s = el("div", "part");
    s.appendChild(el("h3", null, title));
    return s;
  }

  function showDetails(i) {
    state.selected = i;
    var rows = tbody.rows;
    for (var r = 0; r < rows.length; r++) {
      rows[r].className = rows[r].getAttribute("data-index") === String(i) ? "selected" : "";
    }
    var h = hosts[i];
    while (details.firstChild) { details.removeChild(details.firstChild); }
    details.appendChild(el("h2", null, L.details_title + ": " + h.host));
    var kv = el("dl", "kv");
    function pair(k, v) { kv.appendChild(el("dt", null, k)); kv.appendChild(el("dd", null, v)); }
    pair(L.verdict, verdictLabel(h.verdict));
    pair(L.os, colOs[i] + (h.os.release ? " (" + h.os.release + ")" : ""));
    pair(L.build, colBuild[i]);
    if (h.sources && h.sources.length) { pair(L.sources, h.sources.join(", ")); }
    details.appendChild(kv);

    var fs = section(L.findings);
    if (!h.findings.length) { fs.appendChild(el("p", "empty", L.none)); }
    for (var f = 0; f < h.findings.length; f++) {
      var x = h.findings[f], box = el("div", "finding " + x.severity);
      var head = el("div");
      head.appendChild(el("span", "sev", (L.severities && L.severities[x.severity]) || x.severity));
      head.appendChild(el("span", "mono", x.code + " "));
      head.appendChild(el("strong", null, S[x.title]));
      box.appendChild(head);
      if (x.evidence.length) {
        box.appendChild(el("div", "muted", L.evidence + ":"));
        var ev = el("ul", "mono");
        for (var e = 0; e < x.evidence.length; e++) {
          var item = x.evidence[e];
          ev.appendChild(el("li", null, S[item[0]] + " = " + S[item[1]] + (item.length > 2 ? " (" + S[item[2]] + ")" : "")));
        }
        box.appendChild(ev);
      }
      if (x.remediation.length) {
        box.appendChild(el("div", "muted", L.remediation + ":"));
        var ol = el("ol");
        for (var s = 0; s < x.remediation.length; s++) { ol.appendChild(el("li", null, S[x.remediation[s]])); }
        box.appendChild(ol);
      }
      fs.appendChild(box);
    }
    details.appendChild(fs);

    var ag = section(L.agents);
    if (!h.agents.length) { ag.appendChild(el("p", "empty", L.none)); }
    for (var a = 0; a < h.agents.length; a++) {
      var p = h.agents[a], d = el("div", "finding");
      d.appendChild(el("strong", null, S[p.line]));
      if (S[p.reason]) { d.appendChild(el("div", null, S[p.reason])); }
      ag.appendChild(d);
    }
    details.appendChild(ag);

    if (h.modules && h.modules.length) {
      var ms = section(L.modules);
      var ul = el("ul");
      for (var m = 0; m < h.modules.length; m++) {
        var mod = h.modules[m], li = el("li");
        li.appendChild(el("span", "mono", S[mod.path] + " \u2192 " + mod.outcome));
        li.appendChild(document.createTextNode(": " + S[mod.reason]));
        ul.appendChild(li);
      }
      ms.appendChild(ul);
      details.appendChild(ms);
    }
  }

  // Events.
  var timer = null;
  filter.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { state.text = filter.value; apply(); }, n > 20000 ? 250 : 80);
  });
  var boxes = document.querySelectorAll("input[data-verdict]");
  for (var c = 0; c < boxes.length; c++) {
    boxes[c].addEventListener("change", function (ev) {
      var idx = VERDICTS.indexOf(ev.target.getAttribute("data-verdict"));
      if (idx >= 0) { state.verdicts[idx] = ev.target.checked; apply(); }
    });
  }
  var heads = table.tHead.rows[0].cells;
  for (c = 0; c < heads.length; c++) {
    heads[c].addEventListener("click", function (ev) {
      var col = ev.currentTarget.getAttribute("data-col");
      if (state.sort === col) { state.dir = -state.dir; } else { state.sort = col; state.dir = 1; }
      for (var k = 0; k < heads.length; k++) { heads[k].removeAttribute("aria-sort"); }
      ev.currentTarget.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
      apply();
    });
  }
  prev.addEventListener("click", function () { if (state.page > 0) { state.page--; render(); } });
  next.addEventListener("click", function () { state.page++; render(); });
  function pick(ev) {
    var tr = ev.target;
    while (tr && tr.tagName !== "TR") { tr = tr.parentNode; }
    if (tr && tr.hasAttribute("data-index")) { showDetails(parseInt(tr.getAttribute("data-index"), 10)); }
  }
  tbody.addEventListener("click", pick);
  tbody.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { pick(ev); } });

  apply();
  // When the page became usable (ms since navigation): tests and benchmarks wait for it.
  table.setAttribute("data-ready", String(Math.round(performance.now())));
})();
