/* The Import tab: files uploaded (or dropped) with a progress bar, pages and sitemaps by URL,
   and the synonym groups of each language.
     POST /api/v1/kb/import   multipart: "file" parts + "collection"; or JSON {urls, sitemap, collection}
                              → {files:[{name,documents,chunks,changed,error}], documents, changed, failed}
                              (200 even when some files failed; 413 when the upload is too large)
     GET  /api/v1/kb/synonyms {languages:{en:[[word,…],…]}}; PUT /api/v1/kb/synonyms/{lang} {groups:[[…]]} */
import { $, clip } from "/shared/tandem.js";
import { state, events, api, apiMessage, report, showError, busy, cell, count } from "./core.js";
import { refreshStatus } from "./session.js";
import { loadDocuments } from "./docs.js";
import { onTab } from "./tabs.js";

// Synonym groups of one language: one group per line, words separated by commas.
function loadSynonyms() {
  api("GET", "/api/v1/kb/synonyms").then(function (data) {
    var groups = ((data && data.languages) || {})[$("synonym-lang").value] || [];
    $("synonym-text").value = groups.map(function (g) { return g.join(", "); }).join("\n");
    $("synonym-note").textContent = count(groups.length, "group") + ".";
  }).catch(report);
}

function saveSynonyms(e) {
  e.preventDefault();
  var groups = $("synonym-text").value.split("\n").map(function (line) {
    return line.split(/[,，、]/).map(function (w) { return w.trim(); }).filter(Boolean);
  }).filter(function (g) { return g.length; });
  var lng = $("synonym-lang").value;
  api("PUT", "/api/v1/kb/synonyms/" + encodeURIComponent(lng), { groups: groups }).then(function (r) {
    $("synonym-note").textContent = "Saved " + count(r.groups, "group") + ".";
    showError("");
  }).catch(function (err) { $("synonym-note").textContent = ""; report(err); });
}


function renderReport(rep) {
  var t = $("import-report"), body = t.querySelector("tbody"), files = (rep && rep.files) || [];
  body.textContent = "";
  files.forEach(function (f) {
    var tr = document.createElement("tr");
    var ok = !f.error;
    tr.dataset.ok = String(ok);
    var mark = cell(tr, ok ? "✓" : "✗", ok ? "ok mark" : "bad mark");
    mark.setAttribute("aria-label", ok ? "imported" : "failed");
    cell(tr, f.name, "name"); cell(tr, f.documents, "num"); cell(tr, f.chunks, "num");
    cell(tr, f.changed, "num"); cell(tr, f.error || "", "bad error");
    body.appendChild(tr);
  });
  t.hidden = files.length === 0;
  var failed = rep.failed || files.filter(function (f) { return f.error; }).length;
  var docs = rep.documents || 0, changed = rep.changed || 0;
  $("import-summary").textContent = files.length
    ? count(docs, "document") + " imported, " + changed + " new or changed" + (failed ? "; " + failed + " of " + files.length + " failed (see below)." : ".")
    : "Nothing was imported.";
  showError(failed ? failed + " of " + files.length + " imports failed; the others were imported." : "");
  loadDocuments(); refreshStatus();
}

function filesChosen() {
  var files = $("file-input").files, n = files ? files.length : 0;
  var names = Array.prototype.map.call(files || [], function (f) { return f.name; });
  $("file-summary").textContent = n ? n + (n === 1 ? " file: " : " files: ") + clip(names.join(", "), 160) : "";
}

function upload() {
  var files = $("file-input").files;
  if (!files || !files.length) { showError("Choose one or more files first (or drop them on the box above)."); return; }
  var form = new FormData();
  Array.prototype.forEach.call(files, function (f) { form.append("file", f, f.name); });
  form.append("collection", $("collection-input").value.trim());
  var xhr = new XMLHttpRequest(), bar = $("upload-progress"), btn = $("upload-btn"), note = $("upload-note"), sent = state.key;
  var done = function () { busy(btn, false); bar.hidden = true; note.textContent = ""; };
  xhr.open("POST", "/api/v1/kb/import");
  if (sent) xhr.setRequestHeader("Authorization", "Bearer " + sent);
  xhr.upload.onprogress = function (e) {
    if (!e.lengthComputable) return;
    var pct = Math.round(100 * e.loaded / e.total);
    bar.value = pct; note.textContent = "Uploading… " + pct + "%";
  };
  xhr.upload.onload = function () { bar.value = 100; note.textContent = "Importing and indexing…"; };
  xhr.onload = function () {
    done();
    if (xhr.status === 401) { if (sent === state.key) events.emit("unauthorized"); return; }
    var data = null;
    try { data = JSON.parse(xhr.responseText); } catch (e) {}
    if (xhr.status < 200 || xhr.status > 299 || !data) { showError("Upload failed: " + apiMessage(data, xhr.status)); return; }
    $("file-input").value = ""; filesChosen();
    renderReport(data);
  };
  xhr.onerror = function () { done(); showError("Upload failed: the server could not be reached."); };
  xhr.onabort = done;
  showError("");
  busy(btn, true); bar.hidden = false; bar.value = 0; note.textContent = "Uploading…";
  xhr.send(form);
}

function importURLs() {
  var urls = $("urls-input").value.split(/\r?\n/).map(function (s) { return s.trim(); }).filter(Boolean);
  var sitemap = $("sitemap-input").value.trim();
  if (!urls.length && !sitemap) { showError("Enter page URLs (one per line) or a sitemap URL."); return; }
  var bad = urls.concat(sitemap ? [sitemap] : []).filter(function (u) { return !/^https?:\/\/\S+$/i.test(u); });
  if (bad.length) { showError("Not an http(s) URL: " + clip(bad[0], 120)); return; }
  var btn = $("url-import-btn"), note = $("url-note");
  busy(btn, true); showError("");
  note.textContent = "Fetching " + (sitemap ? "the sitemap" + (urls.length ? " and " + count(urls.length, "page") : "") : count(urls.length, "page")) + "…";
  api("POST", "/api/v1/kb/import", { urls: urls, sitemap: sitemap, collection: $("collection-input").value.trim() })
    .then(renderReport).catch(report)
    .then(function () { busy(btn, false); note.textContent = ""; });
}

export function wire() {
  onTab("import", loadSynonyms);
  $("synonym-form").addEventListener("submit", saveSynonyms);
  $("synonym-lang").addEventListener("change", loadSynonyms);
  $("upload-btn").addEventListener("click", upload);
  $("file-input").addEventListener("change", filesChosen);
  $("url-import-btn").addEventListener("click", importURLs);
  // Files dropped anywhere but the zone must not make the browser open them instead of the console.
  window.addEventListener("dragover", function (e) { e.preventDefault(); });
  window.addEventListener("drop", function (e) { e.preventDefault(); });
  var zone = $("drop-zone"), depth = 0;
  zone.addEventListener("dragenter", function (e) { e.preventDefault(); depth++; zone.classList.add("over"); });
  zone.addEventListener("dragover", function (e) { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = "copy"; });
  zone.addEventListener("dragleave", function () { if (--depth <= 0) { depth = 0; zone.classList.remove("over"); } });
  zone.addEventListener("drop", function (e) {
    e.preventDefault(); depth = 0; zone.classList.remove("over");
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    try { $("file-input").files = e.dataTransfer.files; } catch (err) { showError("This browser cannot take dropped files; use “choose files”."); return; }
    filesChosen();
    $("upload-btn").focus();
  });
}
