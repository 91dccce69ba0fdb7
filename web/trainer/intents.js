/* The Intents tab: the bot's intents (what it does for each), trying a message against them,
   import and export as JSONL, and the target precision below which the bot hands off.
     GET /api/v1/intents, PUT/DELETE /api/v1/intents/{name}, POST /api/v1/intents/import (JSONL),
     GET /api/v1/intents/export, GET /api/v1/intents/try?text=; GET/PUT /api/v1/settings. */
import { $, failure } from "/shared/tandem.js";
import { state, events, api, report, showError, busy, cell, headers } from "./core.js";
import { onTab } from "./tabs.js";

var intents = [];

function loadIntents() {
  return api("GET", "/api/v1/intents").then(function (data) {
    intents = data.intents;
    var body = $("intent-table").querySelector("tbody");
    body.textContent = "";
    intents.forEach(function (it) {
      var tr = document.createElement("tr");
      tr.dataset.name = it.name;
      tr.tabIndex = 0;
      cell(tr, it.name, "mono"); cell(tr, it.action); cell(tr, it.team); cell(tr, it.priority);
      cell(tr, it.examples.length, "num"); cell(tr, new Date(it.updated_at).toLocaleString());
      tr.addEventListener("click", function () { editIntent(it); });
      tr.addEventListener("keydown", function (e) { if (e.key === "Enter") editIntent(it); });
      body.appendChild(tr);
    });
    $("intent-empty").hidden = intents.length > 0;
  }).catch(report);
}

function showActionFields() {
  var a = $("intent-action").value;
  $("intent-answer-box").hidden = a !== "answer";
  $("intent-handoff-box").hidden = a !== "handoff";
}

function editIntent(it) {
  var isNew = !it;
  it = it || { name: "", action: "knowledge", answer: "", team: "", priority: "", examples: [] };
  $("intent-form-title").textContent = isNew ? "New intent" : "Intent " + it.name;
  $("intent-name").value = it.name;
  $("intent-name").readOnly = !isNew;
  $("intent-action").value = it.action;
  var answers = it.answers || {};
  $("intent-answer-en").value = answers.en || it.answer || "";
  $("intent-answer-zh").value = answers.zh || "";
  $("intent-team").value = it.team || "";
  $("intent-priority").value = it.priority || "";
  $("intent-examples").value = it.examples.join("\n");
  $("intent-delete").hidden = isNew;
  showActionFields();
  $("intent-form").hidden = false;
  (isNew ? $("intent-name") : $("intent-examples")).focus();
}

function saveIntent(e) {
  e.preventDefault();
  var name = $("intent-name").value.trim();
  var answers = {};
  if ($("intent-answer-en").value.trim()) answers.en = $("intent-answer-en").value.trim();
  if ($("intent-answer-zh").value.trim()) answers.zh = $("intent-answer-zh").value.trim();
  var body = { action: $("intent-action").value, answers: answers, team: $("intent-team").value.trim(),
    priority: $("intent-priority").value,
    examples: $("intent-examples").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean) };
  var btn = $("intent-save");
  busy(btn, true);
  api("PUT", "/api/v1/intents/" + encodeURIComponent(name), body).then(function () {
    showError(""); $("intent-form").hidden = true; return loadIntents();
  }).catch(report).then(function () { busy(btn, false); });
}

function deleteIntent() {
  var name = $("intent-name").value;
  if (!confirm("Delete the intent " + name + "? The bot is retrained without it.")) return;
  api("DELETE", "/api/v1/intents/" + encodeURIComponent(name)).then(function () {
    $("intent-form").hidden = true; loadIntents();
  }).catch(report);
}

function importIntents() {
  var f = $("intent-file").files[0];
  if (!f) return;
  f.text().then(function (text) {
    return api("POST", "/api/v1/intents/import", text, { raw: true, headers: { "Content-Type": "application/jsonl" } });
  }).then(function (data) {
    $("intent-try-result").textContent = "Imported " + data.intents + " intents; the bot is retraining in the background.";
    showError(""); $("intent-file").value = ""; loadIntents();
  }).catch(report);
}

// exportIntents downloads the intents as JSONL (a file, not JSON: fetched here, not with api).
function exportIntents() {
  var sent = state.key;
  fetch("/api/v1/intents/export", { credentials: "same-origin", headers: headers() }).then(function (res) {
    if (res.status === 401) {
      if (sent === state.key) events.emit("unauthorized");
      throw failure("unauthorized", 401);
    }
    if (!res.ok) throw new Error("Export failed: HTTP " + res.status);
    return res.blob();
  }).then(function (blob) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = "intents.jsonl"; a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  }).catch(report);
}

function tryIntent(e) {
  e.preventDefault();
  var text = $("intent-try").value.trim();
  if (!text) return;
  api("GET", "/api/v1/intents/try?text=" + encodeURIComponent(text)).then(function (r) {
    $("intent-try-result").textContent = r.matched
      ? "→ " + r.intent + " (" + r.action + "), probability " + r.probability.toFixed(2)
      : "→ no intent (probability " + r.probability.toFixed(2) + "): the bot answers from the knowledge base";
  }).catch(report);
}

function loadSettings() {
  api("GET", "/api/v1/settings").then(function (s) {
    $("target-input").value = s.target_precision;
    $("target-note").textContent = "default " + s.default_target_precision + "; below it the bot hands off";
  }).catch(report);
}

function saveSettings(e) {
  e.preventDefault();
  var v = parseFloat($("target-input").value);
  api("PUT", "/api/v1/settings", { target_precision: v }).then(function (s) {
    $("target-note").textContent = "saved: the bot now answers at P(right) ≥ " + s.target_precision;
    showError("");
  }).catch(report);
}

export function wire() {
  onTab("intents", function () { loadSettings(); return loadIntents(); });
  $("intent-new").addEventListener("click", function () { editIntent(null); });
  $("intent-action").addEventListener("change", showActionFields);
  $("intent-form").addEventListener("submit", saveIntent);
  $("intent-delete").addEventListener("click", deleteIntent);
  $("intent-file").addEventListener("change", importIntents);
  $("intent-export").addEventListener("click", exportIntents);
  $("intent-try-form").addEventListener("submit", tryIntent);
  $("target-form").addEventListener("submit", saveSettings);
}
