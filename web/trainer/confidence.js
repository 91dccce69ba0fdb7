/* The Confidence tab: per week, how often the bot was unsure, and the predicted against the
   observed share of right answers, flagged when they drift apart (calibration drift); the latest
   week's turns by confidence tenth.
     GET /api/trainer/confidence?from=&to=   {threshold, weeks:[{week,turns,histogram[10],below_share,judged,
                                              predicted,observed,drift,alert}]} */
import { $, el, num } from "/shared/tandem.js";
import { events, t, api, report, showError, cell, pct, points, locale, rangeQuery, setRange, svgEl } from "./core.js";
import { onTab, shown } from "./tabs.js";

var conf = { data: null, from: "", to: "", seq: 0 };

function loadConfidence(e) {
  if (e) e.preventDefault();
  var r = rangeQuery("confidence-from", "confidence-to", 84);
  if (!r) return Promise.resolve();
  var mine = ++conf.seq;
  return api("GET", "/api/trainer/confidence?" + r.query).then(function (d) {
    if (mine !== conf.seq) return;
    conf.data = d || {}; conf.from = r.from; conf.to = r.to;
    renderConfidence();
    showError("");
  }).catch(report);
}

function driftDir(w) { return t(w.drift > 0 ? "overConfident" : "underConfident"); }

function renderConfidence() {
  var d = conf.data;
  if (!d) return;
  var weeks = d.weeks || [], th = d.threshold;
  var sum = function (f) { return weeks.reduce(function (a, w) { return a + (Number(w[f]) || 0); }, 0); };
  $("confidence-summary").textContent = weeks.length
    ? t("confSummary", { th: num(th, 2), n: weeks.length === 1 ? t("weeksOne") : t("weeksN", { n: weeks.length }), turns: sum("turns").toLocaleString(locale()), judged: sum("judged").toLocaleString(locale()) })
    : t("confNone");
  var alerts = weeks.filter(function (w) { return w.alert; }), box = $("confidence-alert");
  box.textContent = "";
  if (alerts.length) {
    box.appendChild(el("strong", "", t("alertLead", { badge: t("driftBadge") })));
    box.appendChild(document.createTextNode(t("driftAlert", { weeks: alerts.map(function (w) {
      return t("driftWeek", { week: w.week, dir: driftDir(w), pts: points(w.drift) });
    }).join(", ") })));
  }
  box.hidden = !alerts.length;
  drawCalibration(weeks);
  renderConfidenceTable(weeks);
  drawHistogram(weeks[weeks.length - 1], th);
}

function renderConfidenceTable(weeks) {
  var body = $("confidence-table").querySelector("tbody");
  body.textContent = "";
  weeks.forEach(function (w) {
    var tr = document.createElement("tr"), judged = w.judged > 0;
    tr.dataset.week = w.week;
    if (w.alert) tr.className = "alert";
    cell(tr, w.week, "mono nowrap");
    cell(tr, (w.turns || 0).toLocaleString(locale()), "num");
    cell(tr, pct(w.below_share), "num");
    cell(tr, (w.judged || 0).toLocaleString(locale()), "num");
    cell(tr, judged ? pct(w.predicted) : "—", "num");
    cell(tr, judged ? pct(w.observed) : "—", "num");
    cell(tr, judged ? points(w.drift) : "—", "num nowrap");
    var flag = cell(tr, "", "nowrap");
    if (w.alert) flag.appendChild(el("span", "badge drift-badge", "⚠ " + t("driftBadge") + " · " + driftDir(w)));
    else if (judged && w.judged < 20) flag.appendChild(el("span", "muted small", t("fewJudged")));
    body.appendChild(tr);
  });
  if (!weeks.length) {
    var tr = document.createElement("tr");
    cell(tr, t("confNone"), "muted").colSpan = 8;
    body.appendChild(tr);
  }
}

// drawCalibration draws, per week, the predicted and observed correctness (0–100%) as two lines;
// weeks flagged for drift get a shaded band. Weeks without judged turns break the lines.
function drawCalibration(weeks) {
  var box = $("confidence-chart-box");
  box.textContent = "";
  var W = 760, H = 280, m = { top: 34, right: 24, bottom: 40, left: 56 }, w = W - m.left - m.right, h = H - m.top - m.bottom;
  var root = svgEl("svg", { id: "confidence-chart", viewBox: "0 0 " + W + " " + H, role: "img",
    "aria-labelledby": "confidence-chart-title confidence-chart-desc", class: "chart calib" }, box);
  svgEl("title", { id: "confidence-chart-title" }, root, t("calibTitle", { from: conf.from, to: conf.to }));
  svgEl("desc", { id: "confidence-chart-desc" }, root, t("calibDesc", { n: weeks.length, alerts: weeks.filter(function (x) { return x.alert; }).length }));
  var band = w / Math.max(weeks.length, 1), yr = function (r) { return m.top + h - h * Math.max(0, Math.min(1, r)); };
  var bands = svgEl("g", { class: "drift-bands" }, root);
  weeks.forEach(function (wk, i) {
    if (!wk.alert) return;
    var r = svgEl("rect", { x: (m.left + i * band).toFixed(1), y: m.top, width: band.toFixed(1), height: h, class: "drift-band" }, bands);
    svgEl("title", {}, r, wk.week + ": " + t("driftBadge") + " (" + driftDir(wk) + ", " + points(wk.drift) + ")");
  });
  var axes = svgEl("g", { class: "axes" }, root);
  [0, 0.25, 0.5, 0.75, 1].forEach(function (r) {
    var yy = yr(r).toFixed(1);
    svgEl("line", { x1: m.left, x2: m.left + w, y1: yy, y2: yy, class: r ? "grid" : "axis" }, axes);
    svgEl("text", { x: m.left - 6, y: yy, dy: "0.32em", "text-anchor": "end", class: "tick" }, axes, Math.round(r * 100) + "%");
  });
  svgEl("line", { x1: m.left, x2: m.left, y1: m.top, y2: m.top + h, class: "axis" }, axes);
  var midY = m.top + h / 2;
  svgEl("text", { x: 14, y: midY, transform: "rotate(-90 14 " + midY + ")", "text-anchor": "middle", class: "axis-title" }, axes, t("axisCorrect"));
  var every = Math.max(1, Math.ceil(weeks.length / 14));
  weeks.forEach(function (wk, i) {
    if (i % every && i !== weeks.length - 1) return;
    var x = (m.left + (i + 0.5) * band).toFixed(1);
    svgEl("line", { x1: x, x2: x, y1: m.top + h, y2: m.top + h + 4, class: "axis" }, axes);
    svgEl("text", { x: x, y: m.top + h + 18, "text-anchor": "middle", class: "tick" + (wk.alert ? " alert-tick" : "") }, axes,
      String(wk.week || "").replace(/^\d{4}-/, ""));
  });
  if (!weeks.some(function (x) { return x.judged > 0; })) {
    svgEl("text", { x: m.left + w / 2, y: m.top + h / 2, "text-anchor": "middle", class: "tick empty-note" }, root, t("noJudged"));
  }
  calibLine(root, weeks, "predicted", "predicted", m, band, yr);
  calibLine(root, weeks, "observed", "observed", m, band, yr);
  var lg = svgEl("g", { class: "legend", transform: "translate(" + m.left + " 12)" }, root);
  svgEl("line", { x1: 0, x2: 22, y1: 6, y2: 6, class: "line predicted" }, lg);
  svgEl("circle", { cx: 11, cy: 6, r: 3.5, class: "dot predicted" }, lg);
  svgEl("text", { x: 28, y: 6, dy: "0.32em", class: "tick" }, lg, t("legendPredicted"));
  svgEl("line", { x1: 130, x2: 152, y1: 6, y2: 6, class: "line observed" }, lg);
  svgEl("circle", { cx: 141, cy: 6, r: 3.5, class: "dot observed" }, lg);
  svgEl("text", { x: 158, y: 6, dy: "0.32em", class: "tick" }, lg, t("legendObserved"));
  svgEl("rect", { x: 260, y: 0, width: 14, height: 12, class: "drift-band" }, lg);
  svgEl("text", { x: 280, y: 6, dy: "0.32em", class: "tick" }, lg, t("legendDrift"));
}

function calibLine(root, weeks, field, cls, m, band, yr) {
  var g = svgEl("g", { class: "calib-line " + cls }, root), path = "", pen = false;
  weeks.forEach(function (wk, i) {
    if (!wk.judged) { pen = false; return; }
    var x = (m.left + (i + 0.5) * band).toFixed(1), yy = yr(wk[field] || 0).toFixed(1);
    path += (pen ? " L" : " M") + x + " " + yy;
    pen = true;
    var dot = svgEl("circle", { cx: x, cy: yy, r: 3.5, class: "dot " + cls }, g);
    dot.dataset.week = wk.week;
    svgEl("title", {}, dot, t("pointTitle", { week: wk.week, what: t(field), v: pct(wk[field]), n: wk.judged }));
  });
  if (path) g.insertBefore(svgEl("path", { d: path.trim(), class: "line " + cls }), g.firstChild);
}

// drawHistogram stacks the latest week's turns by confidence tenth in one bar (red: unsure,
// green: sure), with the threshold marked where the turns below it end.
function drawHistogram(wk, th) {
  var box = $("confidence-histogram-box");
  box.textContent = "";
  $("histogram-caption").textContent = wk ? t("histCaption", { week: wk.week }) : t("histNone");
  if (!wk || !wk.turns) return;
  var hist = wk.histogram || [], total = hist.reduce(function (a, n) { return a + (Number(n) || 0); }, 0) || 1;
  var W = 760, H = 128, m = { left: 16, right: 16 }, w = W - m.left - m.right, y0 = 26, bh = 30;
  var range = function (i) { return (i / 10).toFixed(1) + "–" + ((i + 1) / 10).toFixed(1); };
  var root = svgEl("svg", { id: "confidence-histogram", viewBox: "0 0 " + W + " " + H, role: "img",
    "aria-labelledby": "confidence-histogram-title confidence-histogram-desc", class: "chart hist" }, box);
  svgEl("title", { id: "confidence-histogram-title" }, root, t("histTitle", { n: wk.turns, week: wk.week }));
  svgEl("desc", { id: "confidence-histogram-desc" }, root, t("histDesc", {
    list: hist.map(function (n, i) { return range(i) + " " + n; }).join(", "), below: pct(wk.below_share), th: num(th, 2) }));
  var x = m.left, segs = svgEl("g", { class: "segments" }, root);
  hist.forEach(function (n, i) {
    var sw = w * (Number(n) || 0) / total;
    var r = svgEl("rect", { x: x.toFixed(1), y: y0, width: sw.toFixed(1), height: bh, class: "seg tenth-" + i, fill: tenthColour(i) }, segs);
    r.dataset.tenth = String(i);
    svgEl("title", {}, r, t("histSeg", { range: range(i), n: n, share: pct(n / total) }));
    if (sw >= 40) svgEl("text", { x: (x + sw / 2).toFixed(1), y: y0 + bh / 2, dy: "0.32em", "text-anchor": "middle", class: "seg-label" }, segs, pct(n / total, 0));
    x += sw;
  });
  if (typeof wk.below_share === "number") {
    var tx = m.left + w * wk.below_share;
    svgEl("line", { x1: tx.toFixed(1), x2: tx.toFixed(1), y1: y0 - 8, y2: y0 + bh + 4, class: "threshold" }, root);
    svgEl("text", { x: tx.toFixed(1), y: y0 - 12, "text-anchor": tx > W - 160 ? "end" : tx < 160 ? "start" : "middle", class: "tick" }, root,
      t("thresholdMark", { th: num(th, 2), below: pct(wk.below_share, 0) }));
  }
  var lg = svgEl("g", { class: "legend", transform: "translate(" + m.left + " " + (y0 + bh + 16) + ")" }, root), step = w / 5;
  for (var i = 0; i < 10; i++) {
    var lx = (i % 5) * step, ly = Math.floor(i / 5) * 20;
    svgEl("rect", { x: lx.toFixed(1), y: ly, width: 12, height: 12, fill: tenthColour(i) }, lg);
    svgEl("text", { x: (lx + 16).toFixed(1), y: ly + 6, dy: "0.32em", class: "tick" }, lg, t("histLegend", { range: range(i), n: hist[i] || 0 }));
  }
}

// tenthColour runs from red (confidence 0–0.1) to green (0.9–1).
function tenthColour(i) { return "hsl(" + Math.round(i * 13) + " 62% " + (i < 5 ? 52 : 42) + "%)"; }

export function wire() {
  onTab("confidence", loadConfidence);
  $("confidence-form").addEventListener("submit", loadConfidence);
  events.on("lang", function () { if (shown("confidence")) renderConfidence(); });
  setRange("confidence-from", "confidence-to", 84);
}
