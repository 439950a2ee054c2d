// The fleet dashboard: sign-in, summary charts, the host table (filtered,
// sorted and paged by the server) and one host's page. Every text reaches the
// DOM through textContent; nothing is loaded from another origin.
(function () {
  "use strict";
  var PAGE = 50;
  var VERDICTS = ["ready", "not_ready", "unknown", "unsupported"];
  var ACTIONS = ["upgrade", "pin", "fix_host", "hold", "none"];
  // The labels in English and Japanese, from the one label catalogue
  // (crates/report/src/ui.rs): the server writes them here.
  var LABELS = /*{labels}*/{ en: {}, ja: {} };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function initialLang() {
    var saved = null;
    try { saved = window.localStorage.getItem("acsready.lang"); } catch (e) { saved = null; }
    if (saved === "en" || saved === "ja") { return saved; }
    var nav = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
    return /^ja\b/i.test(nav) ? "ja" : "en";
  }

  var state = {
    lang: initialLang(), summary: null, total: 0, rows: [],
    query: { verdict: "", release: "", action: "", q: "", sort: "host", order: "asc", offset: 0 },
    host: null, seq: 0, hostSeq: 0, signedIn: false, trend: null
  };
  // A label by key; "verdicts.ready" names one of a group.
  function t(key) {
    var path = key.split("."), v = LABELS[state.lang];
    for (var i = 0; i < path.length && v; i++) { v = v[path[i]]; }
    return typeof v === "string" ? v : key;
  }
  function verdictLabel(v) { return t("verdicts." + v); }
  function actionLabel(a) { return t("actions." + a); }
  function build(os) {
    if (!os || os.build === null || os.build === undefined) { return ""; }
    return os.ubr === null || os.ubr === undefined ? String(os.build) : os.build + "." + os.ubr;
  }
  function when(iso) { return iso ? String(iso).replace("T", " ").replace(/(:\d\d)?(\.\d+)?Z$/, " UTC") : "\u2014"; }

  // Server requests: same origin, the session cookie; 401 shows the sign-in form.
  function api(path, params) {
    var qs = [];
    for (var k in params) {
      if (Object.prototype.hasOwnProperty.call(params, k) && params[k] !== "" && params[k] !== null) {
        qs.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
      }
    }
    var url = path + (qs.length ? "?" + qs.join("&") : "");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (res) {
      if (res.status === 401 && state.signedIn) { showSignin(); }
      return res.json().then(function (body) {
        return { status: res.status, body: body };
      }, function () { return { status: res.status, body: {} }; });
    });
  }
  function failed(what, answer) {
    var box = $("load-error");
    box.textContent = t("load_failed") + ": " + what + " (" +
      (answer && answer.body && answer.body.error ? answer.body.error : answer && answer.status) + ")";
    box.hidden = false;
  }

  // The verdict and action filters: one option per verdict or action.
  function fillChoices() {
    [["verdict-filter", VERDICTS, "verdicts."], ["action-filter", ACTIONS, "actions."]].forEach(function (c) {
      var select = $(c[0]);
      c[1].forEach(function (value) {
        var o = el("option");
        o.value = value;
        o.setAttribute("data-i18n", c[2] + value);
        select.appendChild(o);
      });
    });
  }

  // Labels of the static page.
  function applyLabels() {
    document.documentElement.lang = state.lang;
    document.title = t("dash_title");
    var nodes = document.querySelectorAll("[data-i18n]");
    for (var i = 0; i < nodes.length; i++) { nodes[i].textContent = t(nodes[i].getAttribute("data-i18n")); }
    nodes = document.querySelectorAll("[data-i18n-placeholder]");
    for (i = 0; i < nodes.length; i++) { nodes[i].placeholder = t(nodes[i].getAttribute("data-i18n-placeholder")); }
    $("lang-en").setAttribute("aria-pressed", String(state.lang === "en"));
    $("lang-ja").setAttribute("aria-pressed", String(state.lang === "ja"));
    $("csv-link").href = "/api/v1/report.csv?lang=" + state.lang;
  }

  function setLang(lang) {
    state.lang = lang;
    try { window.localStorage.setItem("acsready.lang", lang); } catch (e) { /* private mode: not remembered */ }
    applyLabels();
    if (state.signedIn) {
      // Bars and plans are worded by the server in the page's language.
      loadSummary();
      loadHosts();
      renderTrend();
      if (state.host) { loadHost(state.host, false); } else { emptyDetails(); }
    }
  }

  function showSignin() {
    state.signedIn = false;
    $("dashboard").hidden = true;
    $("logout").hidden = true;
    $("signin").hidden = false;
    $("login-failed").hidden = !/[?&]login=failed\b/.test(location.search);
    $("token-input").focus();
  }

  /*{trend}*/

  // Summary: counts, donut, bars by release and by agent action.
  function loadSummary() {
    return api("/api/v1/summary", { lang: state.lang }).then(function (a) {
      if (a.status !== 200) { failed("/api/v1/summary", a); return; }
      state.summary = a.body;
      renderSummary(a.body);
      fillReleases(a.body.by_release || []);
    });
  }

  function renderSummary(s) {
    var total = 0;
    for (var i = 0; i < VERDICTS.length; i++) {
      $("summary-" + VERDICTS[i]).textContent = String(s[VERDICTS[i]]);
      total += s[VERDICTS[i]];
    }
    $("summary-hosts").textContent = String(s.hosts);
    $("donut-title").textContent = VERDICTS.map(function (v) { return verdictLabel(v) + ": " + s[v]; }).join(", ");
    var g = $("donut-segments"), ns = "http://www.w3.org/2000/svg", start = 0;
    clear(g);
    for (i = 0; i < VERDICTS.length; i++) {
      var v = VERDICTS[i], n = s[v];
      if (!n || !total) { continue; }
      var pct = n * 100 / total, c = document.createElementNS(ns, "circle");
      c.setAttribute("class", "ring " + v);
      c.setAttribute("cx", "21"); c.setAttribute("cy", "21"); c.setAttribute("r", "15.915");
      c.setAttribute("fill", "none"); c.setAttribute("stroke-width", "6");
      c.setAttribute("stroke-dasharray", pct.toFixed(3) + " " + (100 - pct).toFixed(3));
      c.setAttribute("stroke-dashoffset", (25 - start).toFixed(3));
      var title = document.createElementNS(ns, "title");
      title.textContent = verdictLabel(v) + ": " + n;
      c.appendChild(title);
      g.appendChild(c);
      start += pct;
    }
    renderReleaseBars(s.release_bars || []);
    renderActionBars(s.agent_actions || {});
    var rules = s.rules || {};
    $("rules-info").textContent = t("rules") + " " + (rules.version || "?") + " (" +
      t("as_of").replace("{date}", rules.as_of || "?") + ") \u00b7 " + s.hosts + " " + t("hosts");
  }

  function barRow(label, segments, max, num, numId, onPick) {
    var tr = el("tr"), lbl = el("td", "lbl", onPick ? null : label), track = el("div", "track"), cell = el("td");
    lbl.title = label;
    if (onPick) {
      var pick = el("button", "bar-pick", label);
      pick.type = "button";
      pick.addEventListener("click", onPick);
      lbl.appendChild(pick);
    }
    for (var i = 0; i < segments.length; i++) {
      if (!segments[i][1]) { continue; }
      var seg = el("div", "seg " + segments[i][0]);
      seg.style.width = (segments[i][1] * 100 / max).toFixed(2) + "%";
      seg.title = segments[i][2] + ": " + segments[i][1];
      track.appendChild(seg);
    }
    cell.appendChild(track);
    var n = el("td", "num", num);
    if (numId) { n.id = numId; }
    tr.appendChild(lbl); tr.appendChild(cell); tr.appendChild(n);
    return tr;
  }

  // The bars as the server groups, orders and names them (as the HTML report's).
  function renderReleaseBars(rows) {
    var max = 1, body = $("release-bars");
    rows.forEach(function (r) { max = Math.max(max, r.hosts); });
    clear(body);
    rows.forEach(function (r) {
      var segs = VERDICTS.map(function (v) { return [v, r.verdicts[v] || 0, verdictLabel(v)]; });
      // A release of the rules filters the host table to it.
      var pick = r.release ? function () { pickRelease(r.release); } : null;
      var row = barRow(r.label, segs, max, r.hosts, null, pick);
      if (r.release) { row.setAttribute("data-release", r.release); }
      body.appendChild(row);
    });
  }

  function renderActionBars(counts) {
    var max = 1, body = $("action-bars");
    ACTIONS.forEach(function (a) { max = Math.max(max, counts[a] || 0); });
    clear(body);
    ACTIONS.forEach(function (a) {
      body.appendChild(barRow(actionLabel(a), [["action", counts[a] || 0, actionLabel(a)]], max,
        counts[a] || 0, "action-" + a));
    });
  }

  function pickRelease(release) {
    state.query.release = release;
    $("release-filter").value = release;
    refilter();
    $("hosts").scrollIntoView({ block: "start" });
  }

  function fillReleases(rows) {
    var select = $("release-filter"), keep = state.query.release;
    while (select.options.length > 1) { select.remove(1); }
    rows.slice().sort(function (a, b) { return a.release < b.release ? -1 : 1; }).forEach(function (r) {
      if (!r.release) { return; }
      var o = el("option", null, (r.name || r.release) + " (" + r.hosts + ")");
      o.value = r.release;
      select.appendChild(o);
    });
    select.value = keep;
  }

  // The host table: one page at a time, as the server filters and sorts it.
  function loadHosts() {
    var q = state.query, seq = ++state.seq;
    var params = { verdict: q.verdict, release: q.release, action: q.action, q: q.q, sort: q.sort,
      order: q.order, offset: q.offset, limit: PAGE, lang: state.lang };
    $("host-table").setAttribute("aria-busy", "true");
    return api("/api/v1/hosts", params).then(function (a) {
      if (seq !== state.seq) { return; }
      $("host-table").setAttribute("aria-busy", "false");
      if (a.status !== 200) { failed("/api/v1/hosts", a); return; }
      state.total = a.body.total;
      state.rows = a.body.hosts || [];
      renderRows();
      $("host-table").setAttribute("data-query", ["verdict=" + q.verdict, "release=" + q.release,
        "action=" + q.action, "q=" + q.q, "sort=" + q.sort, "order=" + q.order, "offset=" + q.offset].join("&"));
    });
  }

  function renderRows() {
    var body = $("host-table").tBodies[0], frag = document.createDocumentFragment();
    state.rows.forEach(function (h) {
      var tr = el("tr");
      tr.setAttribute("data-host", h.host);
      tr.tabIndex = 0;
      if (h.host === state.host) { tr.className = "selected"; }
      tr.appendChild(el("td", null, h.host));
      tr.appendChild(el("td", null, (h.os && h.os.name) || ""));
      tr.appendChild(el("td", "mono nowrap", build(h.os)));
      tr.appendChild(el("td", "nowrap verdict " + h.verdict, verdictLabel(h.verdict)));
      // Codes and plans as the terminal table shows them, worded by the server.
      tr.appendChild(el("td", "mono", (h.listed_codes || []).join(" ")));
      tr.appendChild(el("td", "plan", (h.plan || []).join("; ")));
      var at = el("td", "mono nowrap", when(h.assessed_at).slice(0, 10));
      at.title = when(h.assessed_at);
      tr.appendChild(at);
      frag.appendChild(tr);
    });
    if (!state.rows.length) {
      var tr = el("tr"), td = el("td", "empty", t("no_hosts"));
      td.colSpan = 7;
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    clear(body);
    body.appendChild(frag);
    var from = state.query.offset, to = from + state.rows.length;
    $("page-info").textContent = (state.rows.length ? (from + 1) + "\u2013" + to : "0") + " / " + state.total;
    $("page-prev").disabled = from === 0;
    $("page-next").disabled = to >= state.total;
  }

  function refilter() { state.query.offset = 0; queryToUrl(); loadHosts(); }

  // The filters and the sort live in the URL's query (?verdict=…&q=…), so a
  // view can be reloaded, bookmarked and sent to a colleague.
  var URL_KEYS = ["verdict", "release", "action", "q", "sort", "order"];
  var URL_DEFAULTS = { sort: "host", order: "asc" };

  function queryFromUrl() {
    var p = new URLSearchParams(location.search);
    URL_KEYS.forEach(function (k) {
      var v = p.get(k);
      if (v !== null) { state.query[k] = v; }
    });
    $("verdict-filter").value = state.query.verdict;
    $("action-filter").value = state.query.action;
    $("host-filter").value = state.query.q;
    var heads = document.querySelectorAll("#host-table th[data-sort]");
    for (var i = 0; i < heads.length; i++) {
      var th = heads[i];
      if (th.getAttribute("data-sort") === state.query.sort) {
        th.setAttribute("aria-sort", state.query.order === "desc" ? "descending" : "ascending");
      } else {
        th.removeAttribute("aria-sort");
      }
    }
  }

  function queryToUrl() {
    if (!window.history.replaceState) { return; }
    var p = new URLSearchParams();
    URL_KEYS.forEach(function (k) {
      var v = state.query[k];
      if (v && v !== URL_DEFAULTS[k]) { p.set(k, v); }
    });
    var qs = p.toString();
    window.history.replaceState(null, "", "/" + (qs ? "?" + qs : "") + location.hash);
  }

  function sortBy(th) {
    var key = th.getAttribute("data-sort"), q = state.query;
    if (q.sort === key) { q.order = q.order === "asc" ? "desc" : "asc"; } else { q.sort = key; q.order = "asc"; }
    var heads = document.querySelectorAll("#host-table th[data-sort]");
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", q.order === "asc" ? "ascending" : "descending");
    refilter();
  }

  // One host: its page in the details panel, named by the URL (#host=NAME).
  function hostFromHash() {
    var m = /^#host=(.*)$/.exec(location.hash);
    if (!m) { return null; }
    try { return decodeURIComponent(m[1]); } catch (e) { return null; }
  }
  function openHost(name) {
    var hash = "#host=" + encodeURIComponent(name);
    if (location.hash === hash) { loadHost(name, true); } else { location.hash = hash; }
  }
  function onHash() {
    var name = hostFromHash();
    if (name === null) { state.host = null; emptyDetails(); markSelected(); return; }
    loadHost(name, true);
  }
  function markSelected() {
    var rows = $("host-table").tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      rows[i].className = rows[i].getAttribute("data-host") === state.host ? "selected" : "";
    }
  }
  function emptyDetails() {
    var d = $("host-details");
    clear(d);
    d.removeAttribute("data-host");
    d.appendChild(el("h2", null, t("details_title")));
    d.appendChild(el("p", "empty", t("open_host")));
  }

  function loadHost(name, focus) {
    state.host = name;
    markSelected();
    var seq = ++state.hostSeq, d = $("host-details");
    d.setAttribute("aria-busy", "true");
    api("/api/v1/hosts/" + encodeURIComponent(name), { lang: state.lang }).then(function (a) {
      if (seq !== state.hostSeq) { return; }
      d.setAttribute("aria-busy", "false");
      clear(d);
      if (a.status === 404) {
        d.appendChild(el("h2", null, t("host") + ": " + name));
        d.appendChild(el("p", "alert", t("not_found")));
        return;
      }
      if (a.status !== 200) { failed("/api/v1/hosts/" + name, a); return; }
      renderHost(d, a.body);
      d.setAttribute("data-host", name);
      d.setAttribute("data-lang", state.lang);
      if (focus) { d.focus({ preventScroll: true }); }
    });
  }

  function part(title) {
    var s = el("div", "part");
    s.appendChild(el("h3", null, title));
    return s;
  }

  function renderHost(d, r) {
    var h = r.assessment, os = h.os || {};
    var head = el("div", "head-row");
    head.appendChild(el("h2", null, t("host") + ": " + r.host));
    var close = el("button", null, t("close"));
    close.type = "button";
    close.id = "host-close";
    close.addEventListener("click", function () { location.hash = ""; });
    head.appendChild(close);
    d.appendChild(head);
    var kv = el("dl", "kv");
    function pair(k, v, cls) { kv.appendChild(el("dt", null, k)); kv.appendChild(el("dd", cls || null, v)); }
    pair(t("verdict"), verdictLabel(h.verdict), "verdict " + h.verdict);
    pair(t("os"), (os.name || "") + (os.release ? " (" + os.release + ")" : ""));
    pair(t("build"), build(os));
    pair(t("collected_at"), when(r.collected_at));
    pair(t("assessed_at"), when(r.assessed_at));
    pair(t("rules_version"), r.rules_version || "");
    d.appendChild(kv);

    var fs = part(t("findings"));
    fs.id = "host-findings";
    if (!h.findings.length) { fs.appendChild(el("p", "empty", t("none"))); }
    h.findings.forEach(function (x) {
      var box = el("div", "finding " + x.severity), top = el("div");
      box.setAttribute("data-code", x.code);
      top.appendChild(el("span", "sev", t("severities." + x.severity)));
      top.appendChild(el("span", "mono code", x.code));
      top.appendChild(document.createTextNode(" "));
      top.appendChild(el("strong", "title", x.title));
      box.appendChild(top);
      if (x.evidence && x.evidence.length) {
        box.appendChild(el("div", "muted", t("evidence") + ":"));
        var ev = el("ul", "mono evidence");
        x.evidence.forEach(function (e) {
          ev.appendChild(el("li", null, e.fact + " = " + e.value + (e.source ? " (" + e.source + ")" : "")));
        });
        box.appendChild(ev);
      }
      if (x.remediation && x.remediation.length) {
        box.appendChild(el("div", "muted", t("remediation") + ":"));
        var ol = el("ol", "remediation");
        x.remediation.forEach(function (s) { ol.appendChild(el("li", null, s)); });
        box.appendChild(ol);
      }
      fs.appendChild(box);
    });
    d.appendChild(fs);

    var ag = part(t("agents"));
    ag.id = "host-agents";
    if (!h.agents.length) { ag.appendChild(el("p", "empty", t("none"))); }
    h.agents.forEach(function (p, i) {
      var box = el("div", "finding plan");
      box.setAttribute("data-product", p.product);
      box.appendChild(el("strong", "plan-line", (r.plan || [])[i] || p.product));
      if (p.reason) { box.appendChild(el("div", "reason", p.reason)); }
      ag.appendChild(box);
    });
    d.appendChild(ag);

    if (h.modules && h.modules.length) {
      var ms = part(t("modules")), ul = el("ul");
      h.modules.forEach(function (m) {
        ul.appendChild(el("li", "mono", m.path + " \u2192 " + m.outcome + (m.reason ? ": " + m.reason : "")));
      });
      ms.appendChild(ul);
      d.appendChild(ms);
    }

    var hs = part(t("history")), table = el("table", "history"), thead = el("tr");
    hs.id = "host-history";
    [t("assessed_at"), t("rules_version"), t("verdict"), t("findings")].forEach(function (k) {
      var th = el("th", null, k);
      th.scope = "col";
      thead.appendChild(th);
    });
    table.appendChild(el("thead")).appendChild(thead);
    var tb = el("tbody");
    (r.history || []).forEach(function (e) {
      var tr = el("tr");
      tr.appendChild(el("td", "mono", when(e.assessed_at)));
      tr.appendChild(el("td", "mono", e.rules_version));
      tr.appendChild(el("td", "verdict " + e.verdict, verdictLabel(e.verdict)));
      tr.appendChild(el("td", "mono", (e.codes || []).join(" ")));
      tb.appendChild(tr);
    });
    table.appendChild(tb);
    hs.appendChild(table);
    d.appendChild(hs);
  }

  function showDashboard() {
    state.signedIn = true;
    $("signin").hidden = true;
    $("dashboard").hidden = false;
    $("logout").hidden = false;
    if (/[?&]login=/.test(location.search) && window.history.replaceState) {
      window.history.replaceState(null, "", "/" + location.hash);
    }
    queryFromUrl();
    // When the first view is complete (ms since navigation): benchmarks wait for it.
    var summary = loadSummary();
    Promise.all([summary, loadHosts()]).then(function () {
      $("host-table").setAttribute("data-ready", String(Math.round(performance.now())));
    });
    // The host page names the products as the summary does.
    summary.then(onHash, onHash);
    loadTrend();
  }

  function wire() {
    $("lang-en").addEventListener("click", function () { setLang("en"); });
    $("lang-ja").addEventListener("click", function () { setLang("ja"); });
    [["verdict-filter", "verdict"], ["release-filter", "release"], ["action-filter", "action"]].forEach(function (p) {
      $(p[0]).addEventListener("change", function (ev) { state.query[p[1]] = ev.target.value; refilter(); });
    });
    var timer = null;
    $("host-filter").addEventListener("input", function (ev) {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(function () { state.query.q = ev.target.value.trim(); refilter(); }, 250);
    });
    var heads = document.querySelectorAll("#host-table th[data-sort] button");
    for (var i = 0; i < heads.length; i++) {
      heads[i].addEventListener("click", function (ev) { sortBy(ev.currentTarget.parentNode); });
    }
    $("page-prev").addEventListener("click", function () {
      state.query.offset = Math.max(0, state.query.offset - PAGE);
      loadHosts();
    });
    $("page-next").addEventListener("click", function () {
      if (state.query.offset + PAGE < state.total) { state.query.offset += PAGE; loadHosts(); }
    });
    var body = $("host-table").tBodies[0];
    function pick(ev) {
      var tr = ev.target;
      while (tr && tr.tagName !== "TR") { tr = tr.parentNode; }
      if (tr && tr.hasAttribute("data-host")) { openHost(tr.getAttribute("data-host")); }
    }
    body.addEventListener("click", pick);
    body.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); pick(ev); } });
    window.addEventListener("hashchange", function () { if (state.signedIn) { onHash(); } });
    $("trend-days").addEventListener("change", function () { loadTrend(); });
  }

  fillChoices();
  wire();
  applyLabels();
  api("/api/v1/session", {}).then(function (a) {
    if (a.status === 200) { showDashboard(); } else { showSignin(); }
  }, function () { failed("/api/v1/session", null); });
})();
