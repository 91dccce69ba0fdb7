/* The Tuning tab: each intent's examples, accuracy on an eval set and confusions; examples are
   added, removed and moved as a proposal (kept in sessionStorage), previewed on the set, and
   saved by PUTting each changed intent to /api/v1/intents/{name}.
     GET  /api/trainer/intents?set=     {run, intents:[{name,action,examples,cases,accuracy,confused:[{intent,count}]}]}
     POST /api/trainer/intents/preview  {set, intents:[full intents]} → {before, after, regressions, fixed, changes} */
import { $, el, clip, cssEscape } from "/shared/tandem.js";
import { events, t, api, report, showError, busy, cell, pct, points } from "./core.js";
import { onTab, shown } from "./tabs.js";

var PROPOSAL_KEY = "tandem.trainer.proposal", TUNESET_KEY = "tandem.trainer.tuneset";
// base: the stored intents by name; stats: /api/trainer/intents rows by name; proposal: the
// edited intents (full objects) by name, kept in sessionStorage until saved or discarded.
export var tuning = { sets: [], set: null, run: "", base: {}, order: [], stats: {}, proposal: {}, selected: null,
  preview: null, stale: false, loaded: false, seq: 0 };

function loadProposal() {
  try { tuning.proposal = JSON.parse(sessionStorage.getItem(PROPOSAL_KEY) || "{}") || {}; } catch (e) { tuning.proposal = {}; }
}

export function storeProposal() {
  try {
    if (Object.keys(tuning.proposal).length) sessionStorage.setItem(PROPOSAL_KEY, JSON.stringify(tuning.proposal));
    else sessionStorage.removeItem(PROPOSAL_KEY);
  } catch (e) {}
}

// loadBase refreshes the stored intents (full objects: action, answers, team … as well).
export function loadBase() {
  return api("GET", "/api/v1/intents").then(function (d) {
    tuning.base = {};
    tuning.order = [];
    ((d && d.intents) || []).forEach(function (it) { tuning.base[it.name] = it; tuning.order.push(it.name); });
    Object.keys(tuning.proposal).forEach(function (n) { if (!tuning.base[n]) tuning.order.push(n); });
  });
}

export function loadTuning() {
  var mine = ++tuning.seq;
  return api("GET", "/api/trainer/sets").then(function (d) {
    tuning.sets = ((d && d.sets) || []).map(function (s) { return s.name; });
    if (tuning.set === null) { try { tuning.set = localStorage.getItem(TUNESET_KEY); } catch (e) {} }
    if (tuning.sets.indexOf(tuning.set) < 0) tuning.set = tuning.sets[0] || "";
    fillTuningSets();
    return Promise.all([loadBase(), api("GET", "/api/trainer/intents?set=" + encodeURIComponent(tuning.set))]);
  }).then(function (r) {
    if (mine !== tuning.seq) return;
    tuning.stats = {};
    ((r[1] && r[1].intents) || []).forEach(function (s) { tuning.stats[s.name] = s; });
    tuning.run = (r[1] && r[1].run) || "";
    tuning.loaded = true;
    if (tuning.selected && !tuning.base[tuning.selected] && !tuning.proposal[tuning.selected]) tuning.selected = null;
    renderTuning();
    showError("");
  }).catch(report);
}

function fillTuningSets() {
  var sel = $("tuning-set");
  sel.textContent = "";
  if (!tuning.sets.length) { var o = el("option", "", t("noSetOption")); o.value = ""; sel.appendChild(o); }
  tuning.sets.forEach(function (n) { var o = el("option", "", n); o.value = n; sel.appendChild(o); });
  sel.value = tuning.set || "";
}

function renderTuning() {
  fillTuningSets();
  $("tuning-run").textContent = !tuning.sets.length ? t("noSetsTuning") : tuning.run ? t("runFrom", { run: tuning.run }) : t("noRun");
  renderTuningTable();
  renderTuningDetail();
  renderProposal();
  renderPreview();
}

function examplesOf(name) {
  var p = tuning.proposal[name] || tuning.base[name];
  return (p && p.examples) || [];
}

function normEx(s) { return String(s || "").replace(/\s+/g, " ").trim().toLowerCase(); }

function hasExample(list, text) {
  var n = normEx(text);
  return list.some(function (x) { return normEx(x) === n; });
}

// diff counts the examples a proposed intent adds to and removes from the stored one.
function diff(name) {
  var base = (tuning.base[name] && tuning.base[name].examples) || [], now = examplesOf(name);
  return {
    added: now.filter(function (x) { return !hasExample(base, x); }),
    removed: base.filter(function (x) { return !hasExample(now, x); })
  };
}

function renderTuningTable() {
  var body = $("tuning-table").querySelector("tbody");
  body.textContent = "";
  tuning.order.forEach(function (name) {
    var base = tuning.base[name] || tuning.proposal[name] || { name: name, action: "knowledge", examples: [] };
    var st = tuning.stats[name] || {}, changed = !!tuning.proposal[name];
    var tr = document.createElement("tr");
    tr.dataset.intent = name;
    tr.tabIndex = 0;
    tr.className = (name === tuning.selected ? "selected" : "") + (changed ? " changed" : "");
    tr.setAttribute("aria-selected", String(name === tuning.selected));
    var nameCell = cell(tr, name, "mono");
    if (changed) { nameCell.appendChild(document.createTextNode(" ")); nameCell.appendChild(el("span", "badge edited", t("edited"))); }
    cell(tr, t("action_" + (base.action || "knowledge")));
    var was = ((tuning.base[name] && tuning.base[name].examples) || []).length, now = examplesOf(name).length;
    cell(tr, changed && was !== now ? t("countChange", { from: was, to: now }) : now, "num nowrap");
    cell(tr, st.cases ? st.cases : "—", "num" + (st.cases ? "" : " muted"));
    var acc = cell(tr, st.cases ? pct(st.accuracy, 0) : "—", "num" + (st.cases ? st.accuracy < 0.8 ? " low" : "" : " muted"));
    acc.dataset.accuracy = st.cases ? String(st.accuracy) : "";
    var conf = cell(tr, "", "confused");
    (st.confused || []).forEach(function (c) {
      conf.appendChild(el("span", "tag", t("confusedItem", { intent: c.intent || t("noIntentPredicted"), n: c.count })));
    });
    tr.addEventListener("click", function () { selectIntent(name, false); });
    tr.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); selectIntent(name, true); }
      else if (e.key === "ArrowDown" && tr.nextSibling) { e.preventDefault(); tr.nextSibling.focus(); }
      else if (e.key === "ArrowUp" && tr.previousSibling) { e.preventDefault(); tr.previousSibling.focus(); }
    });
    body.appendChild(tr);
  });
  $("tuning-empty").textContent = t("noIntents");
  $("tuning-empty").hidden = !tuning.loaded || tuning.order.length > 0;
}

function selectIntent(name, focusInput) {
  tuning.selected = name;
  $("tuning-add-note").textContent = "";
  Array.prototype.forEach.call($("tuning-table").querySelectorAll("tbody tr"), function (tr) {
    var on = tr.dataset.intent === name;
    tr.classList.toggle("selected", on);
    tr.setAttribute("aria-selected", String(on));
  });
  renderTuningDetail();
  if (focusInput) $("tuning-add-input").focus();
}

function closeIntent() {
  var was = tuning.selected;
  tuning.selected = null;
  renderTuningTable();
  renderTuningDetail();
  var row = was && $("tuning-table").querySelector('tbody tr[data-intent="' + cssEscape(was) + '"]');
  if (row) row.focus();
}

function renderTuningDetail() {
  var name = tuning.selected, box = $("tuning-detail");
  box.hidden = !name;
  box.parentNode.classList.toggle("open", !!name);
  if (!name) return;
  box.dataset.intent = name;
  var st = tuning.stats[name] || {}, list = examplesOf(name), d = diff(name);
  $("tuning-intent-title").textContent = t("intentTitle", { name: name });
  $("tuning-intent-meta").textContent = st.cases
    ? t("intentMeta", { n: list.length, cases: st.cases, acc: pct(st.accuracy, 0) })
    : t("intentMetaNoCases", { n: list.length });
  var ul = $("tuning-examples");
  ul.textContent = "";
  list.forEach(function (text) { ul.appendChild(exampleItem(name, text, hasExample(d.added, text))); });
  d.removed.forEach(function (text) { ul.appendChild(removedItem(name, text)); });
}

function exampleItem(name, text, isNew) {
  var li = el("li", "example" + (isNew ? " added" : ""));
  li.dataset.example = text;
  li.appendChild(el("span", "example-text", text));
  if (isNew) li.appendChild(el("span", "badge new", t("exampleNew")));
  var tools = el("span", "example-tools");
  var del = el("button", "danger small-btn example-delete", t("deleteEx"));
  del.type = "button";
  del.setAttribute("aria-label", t("deleteExLabel", { text: clip(text, 60) }));
  del.addEventListener("click", function () { var at = indexOf(li); removeExample(name, text); focusExample(at); });
  var sel = el("select", "example-move");
  sel.setAttribute("aria-label", t("moveLabel", { text: clip(text, 60) }));
  var first = el("option", "", t("moveTo")); first.value = ""; sel.appendChild(first);
  tuning.order.forEach(function (n) { if (n !== name) { var o = el("option", "", n); o.value = n; sel.appendChild(o); } });
  var go = el("button", "secondary small-btn example-move-btn", t("move"));
  go.type = "button";
  go.setAttribute("aria-label", t("moveGo", { text: clip(text, 60) }));
  var doMove = function () {
    if (!sel.value) { $("tuning-add-note").textContent = t("pickTarget"); sel.focus(); return; }
    var at = indexOf(li);
    moveExample(name, text, sel.value);
    focusExample(at);
  };
  go.addEventListener("click", doMove);
  sel.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); doMove(); } });
  tools.appendChild(del); tools.appendChild(sel); tools.appendChild(go);
  li.appendChild(tools);
  return li;
}

function removedItem(name, text) {
  var li = el("li", "example removed");
  li.dataset.example = text;
  li.appendChild(el("del", "example-text", text));
  li.appendChild(el("span", "badge gone", t("removedEx")));
  var tools = el("span", "example-tools");
  var undo = el("button", "secondary small-btn example-restore", t("restore"));
  undo.type = "button";
  undo.setAttribute("aria-label", t("restoreLabel", { text: clip(text, 60) }));
  undo.addEventListener("click", function () {
    var p = proposed(name);
    if (p && !hasExample(p.examples, text)) p.examples.push(text);
    $("tuning-add-note").textContent = t("exampleRestored");
    afterEdit();
    $("tuning-add-input").focus();
  });
  tools.appendChild(undo);
  li.appendChild(tools);
  return li;
}

function indexOf(li) { return Array.prototype.indexOf.call($("tuning-examples").children, li); }

// focusExample keeps the keyboard where an example was removed (list redrawn): on the next
// one's first button, else the add input.
function focusExample(i) {
  var ul = $("tuning-examples"), next = ul.children[Math.max(0, i)] || ul.children[i - 1];
  var b = next && next.querySelector("button");
  (b || $("tuning-add-input")).focus();
}

// proposed returns the proposal for an intent, starting one from the stored intent.
function proposed(name) {
  if (!tuning.proposal[name]) {
    var b = tuning.base[name];
    if (!b) return null;
    tuning.proposal[name] = { name: b.name, action: b.action || "knowledge", answer: b.answer || "",
      answers: Object.assign({}, b.answers || {}), team: b.team || "", priority: b.priority || "",
      examples: (b.examples || []).slice() };
  }
  return tuning.proposal[name];
}

// afterEdit drops proposals that are back to the stored examples, keeps the rest, and redraws.
function afterEdit() {
  Object.keys(tuning.proposal).forEach(function (n) {
    var b = tuning.base[n], p = tuning.proposal[n];
    if (!b) return;
    var same = p.examples.length === (b.examples || []).length && p.examples.every(function (x) { return hasExample(b.examples || [], x); });
    if (same) delete tuning.proposal[n];
  });
  storeProposal();
  if (tuning.preview) tuning.stale = true;
  renderTuningTable();
  renderTuningDetail();
  renderProposal();
  renderPreview();
}

// addExample adds text to the proposal for an intent; it returns a note for the trainer.
export function addExample(name, text) {
  text = String(text || "").replace(/\s+/g, " ").trim();
  if (!text) return { ok: false, note: t("exampleEmpty") };
  var p = proposed(name);
  if (!p) return { ok: false, note: t("noSuchIntent", { name: name }) };
  if (hasExample(p.examples, text)) return { ok: false, note: t("exampleDup", { text: clip(text, 60), intent: name }) };
  p.examples.push(text);
  var other = tuning.order.filter(function (n) { return n !== name && hasExample(examplesOf(n), text); });
  return { ok: true, note: other.length ? t("exampleAlso", { other: other.join(", ") }) : t("exampleAdded", { intent: name }) };
}

function removeExample(name, text) {
  var p = proposed(name);
  if (!p) return;
  var n = normEx(text);
  p.examples = p.examples.filter(function (x) { return normEx(x) !== n; });
  $("tuning-add-note").textContent = t("exampleRemoved", { intent: name });
  afterEdit();
}

function moveExample(from, text, to) {
  var p = proposed(from), q = proposed(to);
  if (!p || !q) return;
  var n = normEx(text);
  p.examples = p.examples.filter(function (x) { return normEx(x) !== n; });
  if (!hasExample(q.examples, text)) q.examples.push(text);
  $("tuning-add-note").textContent = t("moved", { intent: to });
  afterEdit();
}

function submitAddExample(e) {
  e.preventDefault();
  if (!tuning.selected) return;
  var input = $("tuning-add-input"), r = addExample(tuning.selected, input.value);
  $("tuning-add-note").textContent = r.note;
  if (r.ok) { input.value = ""; afterEdit(); }
  input.focus();
}

function intentBody(p) {
  return { name: p.name, action: p.action || "knowledge", answer: p.answer || "", answers: p.answers || {},
    team: p.team || "", priority: p.priority || "", examples: p.examples.slice() };
}

function changedIntents() { return Object.keys(tuning.proposal).map(function (n) { return tuning.proposal[n]; }); }

function renderProposal() {
  var list = changedIntents();
  $("tuning-proposal-summary").textContent = list.length
    ? t("proposalSummary", { n: list.length, list: list.map(function (p) {
      var d = diff(p.name);
      return t("proposalItem", { name: p.name, added: d.added.length, removed: d.removed.length });
    }).join(", ") })
    : t("proposalNone");
  $("tuning-preview").disabled = !list.length;
  $("tuning-save").disabled = !list.length;
  $("tuning-discard").disabled = !list.length;
  $("tuning-proposal").classList.toggle("dirty", list.length > 0);
}

function previewProposal() {
  var list = changedIntents();
  if (!list.length) { $("tuning-status").textContent = t("proposalNone"); return; }
  if (!tuning.set) { $("tuning-status").textContent = t("pickSetFirst"); $("tuning-set").focus(); return; }
  var btn = $("tuning-preview");
  busy(btn, true);
  $("tuning-status").textContent = t("previewing");
  api("POST", "/api/trainer/intents/preview", { set: tuning.set, intents: list.map(intentBody) }).then(function (r) {
    tuning.preview = r || {};
    tuning.stale = false;
    $("tuning-status").textContent = "";
    renderPreview();
    showError("");
  }).catch(function (err) { $("tuning-status").textContent = ""; report(err); })
    .then(function () { busy(btn, false); renderProposal(); });
}

function renderPreview() {
  var r = tuning.preview, box = $("tuning-result");
  box.hidden = !r;
  if (!r) return;
  $("tuning-stale").hidden = !tuning.stale;
  var b = r.before || {}, a = r.after || {}, body = $("tuning-metrics").querySelector("tbody");
  body.textContent = "";
  [["accuracy", "mAccuracy"], ["intent_accuracy", "mIntent"], ["oos_recall", "mOOS"]].forEach(function (m) {
    var tr = document.createElement("tr"), d = (a[m[0]] || 0) - (b[m[0]] || 0);
    tr.dataset.metric = m[0];
    cell(tr, t(m[1]));
    cell(tr, pct(b[m[0]]), "num"); cell(tr, pct(a[m[0]]), "num");
    cell(tr, points(d), "num nowrap " + (d > 0.0005 ? "up" : d < -0.0005 ? "down" : "muted"));
    body.appendChild(tr);
  });
  var tr = document.createElement("tr");
  tr.dataset.metric = "cases";
  cell(tr, t("mCases")); cell(tr, b.cases || 0, "num"); cell(tr, a.cases || 0, "num"); cell(tr, "", "num");
  body.appendChild(tr);
  var changes = r.changes || [], counts = $("tuning-counts");
  counts.textContent = "";
  counts.appendChild(el("strong", (r.regressions ? "bad" : "ok"), t("previewCounts", { fixed: r.fixed || 0, broken: r.regressions || 0 })));
  if (!changes.length) counts.appendChild(el("span", "muted", " " + t("previewNone")));
  else if (changes.length >= 50) counts.appendChild(el("span", "muted", " " + t("changesClip", { n: changes.length })));
  var cb = $("tuning-changes").querySelector("tbody");
  cb.textContent = "";
  changes.forEach(function (c) {
    var row = document.createElement("tr");
    row.dataset.case = c.case_id || "";
    row.dataset.kind = c.kind || "";
    row.className = "kind-" + (c.kind || "");
    cell(row, "").appendChild(el("span", "badge kind-badge kind-" + c.kind, t("kind_" + c.kind)));
    cell(row, c.case_id, "mono small nowrap");
    cell(row, clip(c.text, 160), "case-text");
    cell(row, outcome(c.before), "small");
    cell(row, outcome(c.after), "small");
    cb.appendChild(row);
  });
  $("tuning-changes").hidden = !changes.length;
}

// outcome summarises one scored case: the intent predicted, the decision, right or wrong.
function outcome(res) {
  res = res || {};
  return (res.intent || t("noIntentPredicted")) + " · " + (res.decision || "—") + " · " + (res.correct ? "✓ " + t("right") : "✗ " + t("wrong"));
}

function saveTuning() {
  var list = changedIntents();
  if (!list.length) return;
  var btn = $("tuning-save"), ok = 0;
  busy(btn, true);
  $("tuning-status").textContent = t("saving");
  list.reduce(function (p, it) {
    return p.then(function () {
      return api("PUT", "/api/v1/intents/" + encodeURIComponent(it.name), intentBody(it)).then(function () {
        ok++;
        delete tuning.proposal[it.name];
      }, function (err) { err.intent = it.name; throw err; });
    });
  }, Promise.resolve()).then(function () {
    $("tuning-status").textContent = t("saved", { n: ok });
    tuning.preview = null;
    tuning.stale = false;
  }, function (err) {
    $("tuning-status").textContent = err.unauthorized ? "" : t("saveFailed", { ok: ok, n: list.length, name: err.intent || "?", msg: err.message });
  }).then(function () {
    storeProposal();
    busy(btn, false);
    return loadTuning();
  });
}

function discardProposal() {
  var n = changedIntents().length;
  if (!n || !confirm(t("discardConfirm", { n: n }))) return;
  tuning.proposal = {};
  tuning.preview = null;
  tuning.stale = false;
  storeProposal();
  $("tuning-status").textContent = t("discarded");
  renderTuning();
}

export function wire() {
  onTab("tuning", loadTuning);
  loadProposal();
  $("tuning-form").addEventListener("submit", function (e) { e.preventDefault(); loadTuning(); });
  $("tuning-set").addEventListener("change", function () {
    tuning.set = $("tuning-set").value;
    try { localStorage.setItem(TUNESET_KEY, tuning.set); } catch (e) {}
    tuning.preview = null;
    loadTuning();
  });
  $("tuning-add").addEventListener("submit", submitAddExample);
  $("tuning-close").addEventListener("click", closeIntent);
  $("tuning-detail").addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); closeIntent(); } });
  $("tuning-preview").addEventListener("click", previewProposal);
  $("tuning-save").addEventListener("click", saveTuning);
  $("tuning-discard").addEventListener("click", discardProposal);
  events.on("lang", function () { if (shown("tuning") && tuning.loaded) renderTuning(); });
}
