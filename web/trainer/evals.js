/* The Evals tab: the eval sets, a set's cases and runs, replaying a set as a background job, and
   the command lines for the same.
     GET  /api/trainer/sets, /api/trainer/sets/{name}, /api/trainer/runs?set=, /api/trainer/runs/{id}/report
     POST /api/trainer/sets/{name}/run → {id}; GET /api/trainer/jobs/{id} {status,done,total,run_id,error} */
import { $, el, clip, link, num } from "/shared/tandem.js";
import { events, t, api, report, showError, cell, pct, locale, when } from "./core.js";
import { onTab, shown } from "./tabs.js";

var evalsState = { sets: [], set: null, cases: null, runs: [], seq: 0 };
var CASES_SHOWN = 200;

function loadSets() {
  return api("GET", "/api/trainer/sets").then(function (d) {
    evalsState.sets = (d && d.sets) || [];
    var names = evalsState.sets.map(function (s) { return s.name; });
    if (names.indexOf(evalsState.set) < 0) evalsState.set = names[0] || null;
    renderSets();
    renderCLI();
    if (evalsState.set) return loadSet(evalsState.set);
    renderSetDetail();
    showError("");
  }).catch(report);
}

function renderSets() {
  var list = $("set-list");
  list.textContent = "";
  evalsState.sets.forEach(function (s) {
    var li = el("li");
    var b = el("button", "set-btn");
    b.type = "button";
    b.dataset.set = s.name;
    b.setAttribute("aria-pressed", String(s.name === evalsState.set));
    b.appendChild(el("span", "mono", s.name));
    b.appendChild(el("span", "muted small", t("setSize", { n: (Number(s.cases) || 0).toLocaleString(locale()) })));
    b.addEventListener("click", function () { evalsState.set = s.name; renderSets(); renderCLI(); loadSet(s.name); });
    li.appendChild(b);
    list.appendChild(li);
  });
  $("sets-empty").hidden = evalsState.sets.length > 0;
}

function loadSet(name) {
  var mine = ++evalsState.seq, path = encodeURIComponent(name);
  return Promise.all([
    api("GET", "/api/trainer/sets/" + path),
    api("GET", "/api/trainer/runs?set=" + path)
  ]).then(function (r) {
    if (mine !== evalsState.seq) return;
    evalsState.cases = (r[0] && r[0].cases) || [];
    evalsState.runs = (r[1] && r[1].runs) || [];
    renderSetDetail();
    showError("");
  }).catch(report);
}

function renderSetDetail() {
  var has = !!evalsState.set;
  $("set-title").textContent = has ? t("setTitle", { set: evalsState.set }) : t("pickSet");
  $("run-set").hidden = !has;
  $("run-set").disabled = !!runJob.id;
  if (has) $("run-set").setAttribute("aria-label", t("runSetLabel", { set: evalsState.set }));
  renderRuns(has ? evalsState.runs : []);
  renderCases(has ? evalsState.cases || [] : []);
  $("set-detail").hidden = !has && !evalsState.sets.length;
}

function renderRuns(runs) {
  var body = $("run-table").querySelector("tbody");
  body.textContent = "";
  runs.forEach(function (r) { body.appendChild(runRow(r)); });
  $("run-table").hidden = !runs.length;
  $("runs-empty").textContent = t("noRuns");
  $("runs-empty").hidden = runs.length > 0 || !evalsState.set;
}

// rate shows a run's rate, or n/a when no case of the set is judged on it (a 0 % there would
// read as a failure).
function rate(tr, m, key, judgedBy) {
  if (m.judged && judgedBy && !m.judged[judgedBy]) {
    var c = cell(tr, t("na"), "num muted");
    c.title = t("naTitle");
    return c;
  }
  return cell(tr, pct(m[key]), "num");
}

function runRow(r) {
  var m = r.metrics || {}, tr = document.createElement("tr");
  tr.dataset.run = r.id;
  var idCell = cell(tr, shortRun(r.id), "mono small nowrap");
  idCell.title = r.id;
  cell(tr, when(r.created_at), "nowrap");
  cell(tr, pct(m.accuracy), "num"); rate(tr, m, "intent_accuracy", "intent"); rate(tr, m, "oos_recall", "oos");
  rate(tr, m, "decision_precision", "answered");
  cell(tr, typeof m.coverage === "number" ? t("coverageAt", { cov: pct(m.coverage), target: num(m.target, 2) }) : "—", "num nowrap");
  cell(tr, num(m.ece, 3), "num");
  var baseCell = cell(tr, r.baseline ? shortRun(r.baseline) : "—", "mono small nowrap" + (r.baseline ? "" : " muted"));
  if (r.baseline) baseCell.title = r.baseline;
  var a = link("/api/trainer/runs/" + encodeURIComponent(r.id) + "/report", t("openReport"));
  a.className = "report-link";
  a.setAttribute("aria-label", t("openReportLabel", { id: r.id }));
  cell(tr, "").appendChild(a);
  return tr;
}

function renderCases(cases) {
  var body = $("case-table").querySelector("tbody"), shown = cases.slice(0, CASES_SHOWN);
  body.textContent = "";
  shown.forEach(function (c) {
    var tr = document.createElement("tr");
    tr.dataset.case = c.id || "";
    cell(tr, c.id, "mono nowrap"); cell(tr, clip(c.text, 200), "case-text"); cell(tr, c.expected_intent, "mono");
    cell(tr, c.expected_decision); cell(tr, clip(c.expected_answer, 160), "case-answer");
    cell(tr, (c.expected_sources || []).join(", "), "mono small");
    var src = cell(tr, c.source, "small");
    (c.tags || []).forEach(function (tag) { src.appendChild(document.createTextNode(" ")); src.appendChild(el("span", "tag", tag)); });
    body.appendChild(tr);
  });
  $("case-table").hidden = !shown.length;
  var n = cases.length.toLocaleString(locale());
  $("case-count").textContent = !evalsState.set ? "" : cases.length > shown.length
    ? t("caseCountClip", { shown: shown.length, n: n }) : t("caseCount", { n: n });
}

// shortRun shortens a run id ("run-20261204-013000-ab12cd") to its time and suffix for the table;
// the full id is the cell's title.
function shortRun(id) {
  var m = /^run-(\d{8})-(\d{6})-(\w+)$/.exec(id || "");
  return m ? m[2].slice(0, 2) + ":" + m[2].slice(2, 4) + " " + m[3] : id;
}

// runJob is the console's current run: it polls the job until it is done, then reloads the set.
var runJob = { id: "", timer: 0 };

function startRun() {
  var set = evalsState.set;
  if (!set || runJob.id) return;
  $("run-set").disabled = true;
  $("run-status").textContent = t("runStarting");
  api("POST", "/api/trainer/sets/" + encodeURIComponent(set) + "/run").then(function (j) {
    runJob.id = j.id;
    pollRun(set, 0);
  }).catch(function (err) {
    $("run-set").disabled = false;
    $("run-status").textContent = err.unauthorized ? "" : t("runFailed", { error: err.message });
  });
}

function pollRun(set, misses) {
  api("GET", "/api/trainer/jobs/" + encodeURIComponent(runJob.id)).then(function (j) {
    if (j.status === "running") {
      $("run-status").textContent = t("runProgress", { set: set, done: j.done || 0, total: j.total || "…" });
      runJob.timer = setTimeout(function () { pollRun(set, 0); }, 500);
      return;
    }
    runJob.id = "";
    $("run-set").disabled = false;
    $("run-status").textContent = j.status === "done" ? t("runDone", { id: j.run_id }) : t("runFailed", { error: j.error || "" });
    if (evalsState.set === set) loadSet(set);
    loadSets();
  }).catch(function (err) {
    if (err.status === 404 && misses < 120) { // polled on another replica: wait for the run to be listed
      $("run-status").textContent = t("runElsewhere");
      runJob.timer = setTimeout(function () { pollRun(set, misses + 1); }, 1000);
      return;
    }
    runJob.id = "";
    $("run-set").disabled = false;
    $("run-status").textContent = err.unauthorized ? "" : t("runFailed", { error: err.message });
    if (evalsState.set === set) loadSet(set);
  });
}

// renderCLI shows the commands a trainer runs for the chosen set (or a placeholder name).
function renderCLI() {
  var set = evalsState.set || "NAME";
  var lines = [
    "# " + t("cliImport"),
    "tandem eval import --set " + set + " cases.jsonl",
    "# " + t("cliRun"),
    "tandem eval run --set " + set + " --baseline latest --report report.html",
    "# " + t("cliCalibrate"),
    "tandem eval calibrate --set " + set + " --target 0.9",
    "# " + t("cliRevert"),
    "tandem eval calibrate --revert"
  ];
  $("cli-commands").textContent = lines.join("\n");
}

export function wire() {
  onTab("evals", loadSets);
  $("run-set").addEventListener("click", startRun);
  events.on("lang", function () {
    renderCLI();
    if (shown("evals")) { renderSets(); renderSetDetail(); }
  });
}
