/* The Analytics tab: a period's conversations, containment, handoffs, response times and
   ratings, by channel and by bot action, with conversations per day and the handoff rate as an SVG chart.
     GET /api/trainer/analytics?from=&to=       analytics.Report (to is exclusive; days are UTC)
     GET /api/trainer/actions/stats?from=&to=   per bot action: calls, success rate, p95 latency, failures */
import { $, el, num } from "/shared/tandem.js";
import { events, t, tOr, api, report, showError, cell, pct, locale, utcDay, dayAfter, svgEl, niceStep } from "./core.js";
import { onTab, shown } from "./tabs.js";

var analytics = { data: null, actions: [], from: "", to: "", seq: 0 };

function defaultRange() {
  var to = new Date(), from = new Date();
  from.setUTCDate(from.getUTCDate() - 6);
  $("analytics-from").value = utcDay(from);
  $("analytics-to").value = utcDay(to);
}

function loadAnalytics(e) {
  if (e) e.preventDefault();
  if (!$("analytics-from").value || !$("analytics-to").value) defaultRange();
  var from = $("analytics-from").value, to = $("analytics-to").value;
  if (from > to) { showError(t("badRange")); return; }
  var mine = ++analytics.seq;
  var range = "?from=" + from + "&to=" + dayAfter(to);
  // The action figures are extra: without them (no actions configured) the report still shows.
  var actions = api("GET", "/api/trainer/actions/stats" + range).catch(function () { return null; });
  return Promise.all([api("GET", "/api/trainer/analytics" + range), actions]).then(function (r) {
    if (mine !== analytics.seq) return;
    analytics.data = r[0] || {}; analytics.actions = (r[1] && r[1].actions) || []; analytics.from = from; analytics.to = to;
    renderAnalytics();
    showError("");
  }).catch(report);
}

function renderAnalytics() {
  var d = analytics.data;
  if (!d) return;
  renderFigures(d);
  renderReasons(d.handoff_reasons || {});
  renderTags("intent-mix", d.intent_mix || {}, t("intentMixTitle"), t("noIntents"));
  renderChannels(d.by_channel || {});
  renderActions(analytics.actions || []);
  drawChart(dayRange(analytics.from, analytics.to, d.by_day || []));
}

// duration formats seconds as s, min or h.
function duration(s) {
  if (typeof s !== "number" || !isFinite(s)) return "—";
  if (s < 90) return t("sec", { n: Math.round(s) });
  if (s < 5400) return t("min", { n: (s / 60).toFixed(s < 600 ? 1 : 0) });
  return t("hour", { n: (s / 3600).toFixed(1) });
}

function spread(p) { return p && p.n ? duration(p.p50) + " / " + duration(p.p90) : "—"; }

function rating(m) { return m.rating_count ? num(m.rating_avg, 2) + " / 5" : "—"; }

function renderFigures(d) {
  var box = $("analytics-figures");
  box.textContent = "";
  var n = function (x) { return (Number(x) || 0).toLocaleString(locale()); };
  [
    ["conversations", "fConversations", n(d.conversations), ""],
    ["containment", "fContainment", pct(d.containment), t("subContained")],
    ["handoff_rate", "fHandoff", pct(d.handoff_rate), ""],
    ["first_response", "fFirst", spread(d.first_response_seconds), samples(d.first_response_seconds)],
    ["wait", "fWait", spread(d.wait_seconds), samples(d.wait_seconds)],
    ["handle", "fHandle", spread(d.handle_seconds), samples(d.handle_seconds)],
    ["rating", "fRating", rating(d), t("subRatings", { n: n(d.rating_count) })],
    ["drop_off", "fDrop", pct(d.drop_off_rate), t("subDrop")]
  ].forEach(function (f) {
    var card = el("div", "figure");
    card.dataset.metric = f[0];
    card.appendChild(el("span", "label", t(f[1])));
    card.appendChild(el("strong", "value", f[2]));
    if (f[3]) card.appendChild(el("span", "sub muted small", f[3]));
    box.appendChild(card);
  });
}

function samples(p) { return p && p.n ? t("subSamples", { n: p.n.toLocaleString(locale()) }) : ""; }

function renderReasons(reasons) {
  var p = $("handoff-reasons"), names = Object.keys(reasons).sort(function (a, b) { return reasons[b] - reasons[a]; });
  p.textContent = "";
  if (!names.length) { p.appendChild(el("span", "muted", t("noHandoffs"))); return; }
  p.appendChild(el("strong", "", t("reasonsTitle") + " "));
  names.forEach(function (r, i) {
    if (i) p.appendChild(document.createTextNode(" · "));
    var tag = el("span", "tag", (r ? tOr("hr_" + r, r) : t("reasonNone")) + " " + reasons[r]);
    if (r) tag.title = r; // the code, as the API and exports name it
    p.appendChild(tag);
  });
}

// renderTags lists counts by name, largest first, under a title.
function renderTags(id, counts, title, empty) {
  var p = $(id), names = Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; });
  p.textContent = "";
  if (!names.length) { p.appendChild(el("span", "muted", empty)); return; }
  p.appendChild(el("strong", "", title + " "));
  names.forEach(function (n, i) {
    if (i) p.appendChild(document.createTextNode(" · "));
    p.appendChild(el("span", "tag", n + " " + counts[n]));
  });
}

function renderChannels(byChannel) {
  var body = $("channel-table").querySelector("tbody");
  body.textContent = "";
  var names = Object.keys(byChannel).sort(function (a, b) { return byChannel[b].conversations - byChannel[a].conversations || (a < b ? -1 : 1); });
  names.forEach(function (ch) {
    var m = byChannel[ch], tr = document.createElement("tr");
    tr.dataset.channel = ch;
    cell(tr, ch || "—"); cell(tr, (m.conversations || 0).toLocaleString(locale()), "num");
    cell(tr, pct(m.containment), "num"); cell(tr, pct(m.handoff_rate), "num");
    cell(tr, spread(m.first_response_seconds), "num nowrap"); cell(tr, spread(m.wait_seconds), "num nowrap");
    cell(tr, spread(m.handle_seconds), "num nowrap"); cell(tr, rating(m), "num nowrap"); cell(tr, pct(m.drop_off_rate), "num");
    body.appendChild(tr);
  });
  if (!names.length) {
    var tr = document.createElement("tr");
    cell(tr, t("noChannels"), "muted").colSpan = 9;
    body.appendChild(tr);
  }
}

// renderActions lists each bot action's calls, success rate, p95 latency and failures by kind.
function renderActions(stats) {
  var body = $("action-table").querySelector("tbody");
  body.textContent = "";
  stats.forEach(function (s) {
    var tr = document.createElement("tr"), f = s.failures || {};
    tr.dataset.action = s.action;
    cell(tr, s.action); cell(tr, (s.calls || 0).toLocaleString(locale()), "num calls");
    cell(tr, pct(s.success_rate), "num success"); cell(tr, Math.round(s.p95_ms || 0) + " ms", "num p95 nowrap");
    cell(tr, Object.keys(f).sort().map(function (k) { return k + " " + f[k]; }).join(" · ") || "—", "failures");
    body.appendChild(tr);
  });
  if (!stats.length) {
    var tr = document.createElement("tr");
    cell(tr, t("noActionCalls"), "muted").colSpan = 5;
    body.appendChild(tr);
  }
}

// dayRange lists every day from..to (inclusive), with the report's figures or zeros.
function dayRange(from, to, byDay) {
  var have = {};
  byDay.forEach(function (d) { have[d.day] = d; });
  var days = [], day = from;
  for (var i = 0; day <= to && i < 400; i++, day = dayAfter(day)) days.push(have[day] || { day: day, conversations: 0, handoff_rate: 0 });
  return days.length ? days : byDay;
}
// drawChart draws conversations per day as bars (left axis) and the handoff rate as a line (right axis, 0–100%).
function drawChart(days) {
  var box = $("analytics-chart");
  box.textContent = "";
  var W = 760, H = 300, m = { top: 34, right: 56, bottom: 48, left: 56 }, w = W - m.left - m.right, h = H - m.top - m.bottom;
  var max = days.reduce(function (a, d) { return Math.max(a, d.conversations || 0); }, 0);
  var step = niceStep(max), top = Math.max(step, Math.ceil(max / step) * step);
  var total = days.reduce(function (a, d) { return a + (d.conversations || 0); }, 0);
  var root = svgEl("svg", { id: "day-chart", viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": "day-chart-title day-chart-desc", class: "chart" }, box);
  svgEl("title", { id: "day-chart-title" }, root, t("chartTitle", { from: analytics.from, to: analytics.to }));
  svgEl("desc", { id: "day-chart-desc" }, root, t("chartDesc", { n: total, days: days.length }));
  var y = function (v) { return m.top + h - h * v / top; }, yr = function (r) { return m.top + h - h * r; };
  var band = w / Math.max(days.length, 1), bar = Math.max(2, Math.min(48, band * 0.62));
  drawAxes(root, { W: W, m: m, w: w, h: h, top: top, step: step, y: y, yr: yr });
  var bars = svgEl("g", { class: "bars" }, root);
  days.forEach(function (d, i) {
    var x = m.left + i * band + (band - bar) / 2, v = d.conversations || 0;
    var r = svgEl("rect", { x: x.toFixed(1), y: y(v).toFixed(1), width: bar.toFixed(1), height: (m.top + h - y(v)).toFixed(1), class: "bar" }, bars);
    r.dataset.day = d.day;
    svgEl("title", {}, r, t("barTitle", { day: d.day, n: v, rate: v ? pct(d.handoff_rate, 0) : "—" }));
  });
  drawDayLabels(root, days, m, band, h);
  drawRateLine(root, days, m, band, yr);
  drawLegend(root, m);
}

function drawAxes(root, g) {
  var axes = svgEl("g", { class: "axes" }, root);
  for (var v = 0; v <= g.top + 1e-9; v += g.step) {
    var yy = g.y(v).toFixed(1);
    svgEl("line", { x1: g.m.left, x2: g.m.left + g.w, y1: yy, y2: yy, class: v ? "grid" : "axis" }, axes);
    svgEl("text", { x: g.m.left - 6, y: yy, dy: "0.32em", "text-anchor": "end", class: "tick" }, axes, v.toLocaleString(locale()));
  }
  [0, 0.25, 0.5, 0.75, 1].forEach(function (r) {
    svgEl("text", { x: g.m.left + g.w + 6, y: g.yr(r).toFixed(1), dy: "0.32em", class: "tick rate" }, axes, Math.round(r * 100) + "%");
  });
  svgEl("line", { x1: g.m.left, x2: g.m.left, y1: g.m.top, y2: g.m.top + g.h, class: "axis" }, axes);
  svgEl("line", { x1: g.m.left + g.w, x2: g.m.left + g.w, y1: g.m.top, y2: g.m.top + g.h, class: "axis" }, axes);
  var midY = g.m.top + g.h / 2;
  svgEl("text", { x: 14, y: midY, transform: "rotate(-90 14 " + midY + ")", "text-anchor": "middle", class: "axis-title" }, axes, t("axisConversations"));
  var rx = g.W - 12;
  svgEl("text", { x: rx, y: midY, transform: "rotate(90 " + rx + " " + midY + ")", "text-anchor": "middle", class: "axis-title rate" }, axes, t("axisHandoff"));
}

function drawDayLabels(root, days, m, band, h) {
  var every = Math.max(1, Math.ceil(days.length / 12)), g = svgEl("g", { class: "days" }, root);
  days.forEach(function (d, i) {
    if (i % every && i !== days.length - 1) return;
    var x = m.left + (i + 0.5) * band;
    svgEl("line", { x1: x.toFixed(1), x2: x.toFixed(1), y1: m.top + h, y2: m.top + h + 4, class: "axis" }, g);
    svgEl("text", { x: x.toFixed(1), y: m.top + h + 18, "text-anchor": "middle", class: "tick" }, g, d.day.slice(5));
  });
}

// drawRateLine joins the handoff rate of the days that had conversations (a gap for empty days).
function drawRateLine(root, days, m, band, yr) {
  var g = svgEl("g", { class: "rate-line" }, root), path = "", pen = false;
  days.forEach(function (d, i) {
    if (!d.conversations) { pen = false; return; }
    var x = (m.left + (i + 0.5) * band).toFixed(1), yy = yr(d.handoff_rate || 0).toFixed(1);
    path += (pen ? " L" : " M") + x + " " + yy;
    pen = true;
    var dot = svgEl("circle", { cx: x, cy: yy, r: 3.5, class: "dot" }, g);
    svgEl("title", {}, dot, d.day + ": " + pct(d.handoff_rate, 0));
  });
  if (path) g.insertBefore(svgEl("path", { d: path.trim(), class: "line" }), g.firstChild);
}

function drawLegend(root, m) {
  var g = svgEl("g", { class: "legend", transform: "translate(" + m.left + " 12)" }, root);
  svgEl("rect", { x: 0, y: 0, width: 12, height: 12, class: "bar" }, g);
  svgEl("text", { x: 18, y: 6, dy: "0.32em", class: "tick" }, g, t("legendBars"));
  svgEl("line", { x1: 130, x2: 152, y1: 6, y2: 6, class: "line" }, g);
  svgEl("circle", { cx: 141, cy: 6, r: 3.5, class: "dot" }, g);
  svgEl("text", { x: 158, y: 6, dy: "0.32em", class: "tick" }, g, t("legendLine"));
}

export function wire() {
  onTab("analytics", loadAnalytics);
  $("analytics-form").addEventListener("submit", loadAnalytics);
  events.on("lang", function () { if (shown("analytics")) renderAnalytics(); });
  defaultRange();
}
