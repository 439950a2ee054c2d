(function () {
  "use strict";
  var PAGE = 200;
  var VERDICTS = ["ready", "not_ready", "unknown", "unsupported"];
  var data = JSON.parse(document.getElementById("acsready-data").textContent);
  var L = data.labels;
  // Every text is kept once (S); so is every distinct finding, agent plan and
  // module, and every distinct set of them a host has. The hosts are columns
  // of indices into those (see html/data.rs). What the table shows is read
  // here; what a host's details show (D) when first needed.
  var S = data.strings || [];
  var setCodes = data.set_codes || [], setPlans = data.set_plans || [];
  var H = data.hosts || {};
  var colHead = H.host || [], colDomain = H.domain, colOs = H.os, colVerdict = H.verdict,
      colF = H.findings, colA = H.agents;
  var n = colHead.length;
  var D = null;

  // The data of the hosts' details, read once (the element follows this script).
  function details() {
    if (D === null) {
      var e = document.getElementById("acsready-details");
      D = e ? JSON.parse(e.textContent) : {};
      D.hosts = D.hosts || {};
      var lines = D.hosts.line || [], line = new Float64Array(n), at = 0;
      for (var i = 0; i < n; i++) {
        // Each line is the difference to the one before (see html/data.rs).
        if (lines[i] == null) { line[i] = -1; } else { at += lines[i]; line[i] = at; }
      }
      D.lineOf = line;
    }
    return D;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function verdictLabel(v) { return L.verdicts[v] || v; }
  function hostName(i) { return colHead[i] + S[colDomain[i]]; }
  function buildText(i) {
    var b = H.build[i], u = H.ubr[i];
    return b == null ? "" : (u == null ? String(b) : b + "." + u);
  }
  // The row's codes and plans as the terminal table shows them.
  function codesOf(i) { return setCodes[colF[i]]; }
  function plansOf(i) { return setPlans[colA[i]]; }
  function sourcesOf(i) {
    var d = details(), h = d.hosts, first = h.source ? h.source[i] : null;
    if (first == null) { return []; }
    var line = d.lineOf[i], more = (h.more_sources || {})[i] || [];
    return [S[first] + (line >= 0 ? ":" + line : "")].concat(more.map(function (k) { return S[k]; }));
  }

  // What filtering and sorting read, computed once when first needed: the
  // first page is drawn without them.
  var lazy = {};
  function column(name, f) {
    if (!lazy[name]) {
      var c = name === "buildKey" ? new Float64Array(n) : new Array(n);
      for (var i = 0; i < n; i++) { c[i] = f(i); }
      lazy[name] = c;
    }
    return lazy[name];
  }
  function buildKeys() {
    return column("buildKey", function (i) {
      var b = H.build[i], u = H.ubr[i];
      return b == null ? -1 : b * 1e7 + (u == null ? 0 : u);
    });
  }
  var lowerS = new Array(S.length);
  function lowerText(k) {
    var t = lowerS[k];
    if (t === undefined) { t = lowerS[k] = String(S[k]).toLowerCase(); }
    return t;
  }

  function hostNames() { return column("host", hostName); }

  var columns = {
    host: function (a, b) { var h = hostNames(); return cmpStr(h[a], h[b]); },
    os: function (a, b) { return cmpStr(S[colOs[a]], S[colOs[b]]); },
    build: function (a, b) { var k = buildKeys(); return k[a] - k[b]; },
    verdict: function (a, b) { return colVerdict[a] - colVerdict[b]; },
    findings: function (a, b) { return cmpStr(S[codesOf(a)], S[codesOf(b)]); },
    agents: function (a, b) { return cmpStr(S[plansOf(a)], S[plansOf(b)]); }
  };
  function cmpStr(x, y) { return x < y ? -1 : (x > y ? 1 : 0); }

  var state = { text: "", verdicts: [true, true, true, true], sort: null, dir: 1, page: 0, view: [], selected: -1 };

  var table = document.getElementById("host-table");
  var tbody = table.tBodies[0];
  var filter = document.getElementById("host-filter");
  var info = document.getElementById("page-info");
  var prev = document.getElementById("page-prev");
  var next = document.getElementById("page-next");
  var panel = document.getElementById("host-details");

  function searchColumns() {
    column("build", buildText);
    var names = hostNames();
    return column("hostLower", function (i) { return names[i].toLowerCase(); });
  }

  // A host matches a word when one of its row's texts (host, OS, build,
  // verdict as shown and as id, codes, plans) contains it.
  function matcher(w) {
    var memo = new Int8Array(S.length);
    var verdicts = VERDICTS.map(function (v) {
      return verdictLabel(v).toLowerCase().indexOf(w) >= 0 || v.indexOf(w) >= 0;
    });
    function text(k) {
      var m = memo[k];
      if (m === 0) { m = memo[k] = lowerText(k).indexOf(w) >= 0 ? 1 : 2; }
      return m === 1;
    }
    var hosts = searchColumns(), builds = lazy.build;
    return function (i) {
      return hosts[i].indexOf(w) >= 0 || text(colOs[i]) || builds[i].indexOf(w) >= 0 ||
        verdicts[colVerdict[i]] || text(codesOf(i)) || text(plansOf(i));
    };
  }

  function apply() {
    var words = state.text.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    var tests = words.map(matcher);
    var view = [];
    for (var i = 0; i < n; i++) {
      if (!state.verdicts[colVerdict[i]]) { continue; }
      var ok = true;
      for (var w = 0; w < tests.length; w++) {
        if (!tests[w](i)) { ok = false; break; }
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
      var i = view[k], v = VERDICTS[colVerdict[i]], name = hostName(i);
      var tr = el("tr");
      tr.setAttribute("data-host", name);
      tr.setAttribute("data-index", String(i));
      tr.tabIndex = 0;
      if (i === state.selected) { tr.className = "selected"; }
      var first = el("td", null, name);
      // Benchmarks read when the first row was painted (the Element Timing API).
      if (k === from) { first.setAttribute("elementtiming", "first-row"); }
      tr.appendChild(first);
      tr.appendChild(el("td", null, S[colOs[i]]));
      tr.appendChild(el("td", "mono", buildText(i)));
      tr.appendChild(el("td", "verdict " + v, verdictLabel(v)));
      tr.appendChild(el("td", "mono", S[codesOf(i)]));
      tr.appendChild(el("td", "plan", S[plansOf(i)]));
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
    var d = details(), F = d.findings || [], FS = d.finding_sets || [], A = d.agents || [],
        AS = d.agent_sets || [], M = d.modules || [], MS = d.module_sets || [];
    var v = VERDICTS[colVerdict[i]], release = d.hosts.release ? d.hosts.release[i] : null;
    var sources = sourcesOf(i);
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    panel.appendChild(el("h2", null, L.details_title + ": " + hostName(i)));
    var kv = el("dl", "kv");
    function pair(k, x) { kv.appendChild(el("dt", null, k)); kv.appendChild(el("dd", null, x)); }
    pair(L.verdict, verdictLabel(v));
    pair(L.os, S[colOs[i]] + (release != null && S[release] ? " (" + S[release] + ")" : ""));
    pair(L.build, buildText(i));
    if (sources && sources.length) { pair(L.sources, sources.join(", ")); }
    panel.appendChild(kv);

    var findings = FS[colF[i]];
    var fs = section(L.findings);
    if (!findings.length) { fs.appendChild(el("p", "empty", L.none)); }
    for (var f = 0; f < findings.length; f++) {
      // [code, severity, title, evidence, remediation]
      var x = F[findings[f]], sev = S[x[1]], box = el("div", "finding " + sev);
      var head = el("div");
      head.appendChild(el("span", "sev", (L.severities && L.severities[sev]) || sev));
      head.appendChild(el("span", "mono", S[x[0]] + " "));
      head.appendChild(el("strong", null, S[x[2]]));
      box.appendChild(head);
      if (x[3].length) {
        box.appendChild(el("div", "muted", L.evidence + ":"));
        var ev = el("ul", "mono");
        for (var e = 0; e < x[3].length; e++) {
          var item = x[3][e];
          ev.appendChild(el("li", null, S[item[0]] + " = " + S[item[1]] + (item.length > 2 ? " (" + S[item[2]] + ")" : "")));
        }
        box.appendChild(ev);
      }
      if (x[4].length) {
        box.appendChild(el("div", "muted", L.remediation + ":"));
        var ol = el("ol");
        for (var s = 0; s < x[4].length; s++) { ol.appendChild(el("li", null, S[x[4][s]])); }
        box.appendChild(ol);
      }
      fs.appendChild(box);
    }
    panel.appendChild(fs);

    var agents = AS[colA[i]];
    var ag = section(L.agents);
    if (!agents.length) { ag.appendChild(el("p", "empty", L.none)); }
    for (var a = 0; a < agents.length; a++) {
      // [product, version, action, target, line, reason]
      var p = A[agents[a]], d = el("div", "finding");
      d.appendChild(el("strong", null, S[p[4]]));
      if (S[p[5]]) { d.appendChild(el("div", null, S[p[5]])); }
      ag.appendChild(d);
    }
    panel.appendChild(ag);

    var modules = d.hosts.modules ? MS[d.hosts.modules[i]] : [];
    if (modules.length) {
      var ms = section(L.modules);
      var ul = el("ul");
      for (var m = 0; m < modules.length; m++) {
        // [path, outcome, reason]
        var mod = M[modules[m]], li = el("li");
        li.appendChild(el("span", "mono", S[mod[0]] + " \u2192 " + S[mod[1]]));
        li.appendChild(document.createTextNode(": " + S[mod[2]]));
        ul.appendChild(li);
      }
      ms.appendChild(ul);
      panel.appendChild(ms);
    }
  }

  // Events.
  var timer = null;
  // Filter once typing pauses: longer for large fleets (100,000 hosts take
  // about 20 ms here, more on a slow machine).
  filter.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { state.text = filter.value; apply(); }, n > 20000 ? 150 : 80);
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
    if (!tr || !tr.hasAttribute("data-index")) { return; }
    var i = parseInt(tr.getAttribute("data-index"), 10);
    // The details' data follows this script: show them once it is in.
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { showDetails(i); });
    } else {
      showDetails(i);
    }
  }
  tbody.addEventListener("click", pick);
  tbody.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { pick(ev); } });

  apply();
  // When the page became usable (ms since navigation): tests and benchmarks wait for it.
  table.setAttribute("data-ready", String(Math.round(performance.now())));
  // Then, while the page is idle, what the first text filter and sort read,
  // and (once the whole document is in) the details.
  var idle = window.requestIdleCallback || function (f) { setTimeout(f, 50); };
  idle(function () {
    searchColumns();
    buildKeys();
  });
  function later() { idle(details); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", later);
  } else {
    later();
  }
})();
