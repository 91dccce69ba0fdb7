/* The Documents tab: the knowledge base's documents, one document's chunks, and its similar
   questions (phrasings), edited here and saved as one change.
     GET    /api/v1/kb/documents?q=&collection=    {documents:[{id,title,collection,lang,kind,tags,url,chunks,updated_at}],
                                                    collections:[…] (optional: else taken from the documents)}
     DELETE /api/v1/kb/documents/{id}              204
     GET    /api/v1/kb/documents/{id}/chunks       {document:{…,body,questions}, chunks:[{id,ord,heading,text,lang}]}
     GET|PUT /api/v1/kb/documents/{id}/phrasings   {id,title,lang,phrasings:[…]}; PUT {phrasings:[…]} */
import { $, link, safeURL, cssEscape } from "/shared/tandem.js";
import { api, report, showError, cell, count, when } from "./core.js";
import { refreshStatus } from "./session.js";
import { onTab } from "./tabs.js";

var seq = { docs: 0, chunks: 0 }; // only the latest response of each kind is shown
var openDocId = null;

function fillCollections(names) {
  ["doc-collection", "search-collection"].forEach(function (id) {
    var sel = $(id), cur = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    names.forEach(function (n) { var o = document.createElement("option"); o.value = n; o.textContent = n || "(none)"; sel.appendChild(o); });
    sel.value = names.indexOf(cur) >= 0 ? cur : "";
  });
}

export function loadDocuments() {
  var qText = $("doc-filter").value.trim(), coll = $("doc-collection").value;
  var mine = ++seq.docs;
  return api("GET", "/api/v1/kb/documents?q=" + encodeURIComponent(qText) + "&collection=" + encodeURIComponent(coll)).then(function (data) {
    if (mine !== seq.docs) return;
    var docs = (data && data.documents) || [];
    if (data && Array.isArray(data.collections)) fillCollections(data.collections);
    else if (!qText && !coll) fillCollections(docs.map(function (d) { return d.collection; }).filter(function (c, i, a) { return a.indexOf(c) === i; }).sort());
    var body = $("doc-table").querySelector("tbody");
    body.textContent = "";
    docs.forEach(function (d) { body.appendChild(docRow(d)); });
    var empty = $("doc-empty");
    empty.textContent = qText || coll ? "No documents match this filter." : "No documents yet — import some on the Import tab.";
    empty.hidden = docs.length > 0;
    showError("");
  }).catch(report);
}

function docRow(d) {
  var tr = document.createElement("tr");
  tr.dataset.id = d.id;
  tr.tabIndex = 0;
  if (d.id === openDocId) tr.classList.add("selected");
  cell(tr, d.title, "title"); cell(tr, d.id, "mono opt"); cell(tr, d.collection); cell(tr, d.lang); cell(tr, d.kind);
  var tags = cell(tr, "", "opt");
  (d.tags || []).forEach(function (t) { var s = document.createElement("span"); s.className = "tag"; s.textContent = t; tags.appendChild(s); });
  cell(tr, d.chunks, "num"); cell(tr, when(d.updated_at), "opt nowrap");
  var del = document.createElement("button");
  del.type = "button"; del.textContent = "Delete"; del.className = "danger";
  del.setAttribute("aria-label", "Delete " + (d.title || d.id));
  del.addEventListener("click", function (e) { e.stopPropagation(); remove(d, del); });
  del.addEventListener("keydown", function (e) { e.stopPropagation(); });
  cell(tr, "").appendChild(del);
  tr.addEventListener("click", function () { openChunks(d.id); });
  tr.addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openChunks(d.id); }
  });
  return tr;
}

function remove(d, btn) {
  if (!confirm("Delete “" + (d.title || d.id) + "” and its " + count(d.chunks, "chunk") + "? The bot stops using it within seconds.")) return;
  btn.disabled = true;
  api("DELETE", "/api/v1/kb/documents/" + encodeURIComponent(d.id)).then(function () {
    if (openDocId === d.id) closeChunks();
    loadDocuments(); refreshStatus();
  }).catch(function (e) { btn.disabled = false; report(e); });
}

function markSelected() {
  Array.prototype.forEach.call($("doc-table").querySelectorAll("tbody tr"), function (tr) {
    tr.classList.toggle("selected", tr.dataset.id === openDocId);
  });
}

function openChunks(id) {
  var mine = ++seq.chunks;
  api("GET", "/api/v1/kb/documents/" + encodeURIComponent(id) + "/chunks").then(function (data) {
    if (mine !== seq.chunks) return;
    var d = data.document || { id: id }, chunks = data.chunks || [];
    openDocId = d.id || id;
    markSelected();
    $("chunk-title").textContent = d.title || d.id;
    var meta = [d.id, d.collection, d.kind || "article", d.lang, count(chunks.length, "chunk")].filter(Boolean).join(" · ");
    $("chunk-meta").textContent = meta;
    loadPhrasings(openDocId);
    var href = safeURL(d.url), lk = $("chunk-link");
    lk.textContent = "";
    if (href) lk.appendChild(link(href, d.url));
    lk.hidden = !href;
    var list = $("chunk-list");
    list.textContent = "";
    chunks.forEach(function (c) {
      var li = document.createElement("li");
      li.className = "chunk";
      li.dataset.id = c.id;
      var h = document.createElement("div");
      h.className = "chunk-head";
      var strong = document.createElement("strong");
      strong.textContent = c.heading || "(no heading)";
      var small = document.createElement("span");
      small.className = "muted small";
      small.textContent = [c.lang, c.id].filter(Boolean).join(" · ");
      h.appendChild(strong); h.appendChild(small);
      var p = document.createElement("p");
      p.textContent = c.text;
      li.appendChild(h); li.appendChild(p);
      list.appendChild(li);
    });
    if (!chunks.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "This document has no chunks.";
      list.appendChild(none);
    }
    $("chunk-panel").hidden = false;
    $("chunk-panel").parentNode.classList.add("open");
    $("chunk-panel").scrollTop = 0;
    showError("");
  }).catch(report);
}

// Similar questions of the open document: edited here, saved as one change.
var phrasings = [];

function loadPhrasings(id) {
  $("phrasing-note").textContent = "";
  api("GET", "/api/v1/kb/documents/" + encodeURIComponent(id) + "/phrasings").then(function (p) {
    if (id !== openDocId) return;
    phrasings = (p && p.phrasings) || [];
    renderPhrasings();
  }).catch(report);
}

function renderPhrasings() {
  var list = $("phrasing-list");
  list.textContent = "";
  phrasings.forEach(function (q, i) {
    var li = document.createElement("li");
    li.className = "phrasing";
    var input = document.createElement("input");
    input.type = "text"; input.value = q; input.maxLength = 400;
    input.setAttribute("aria-label", "Similar question " + (i + 1));
    input.addEventListener("input", function () { phrasings[i] = input.value; });
    var del = document.createElement("button");
    del.type = "button"; del.className = "plain"; del.textContent = "×";
    del.setAttribute("aria-label", "Remove “" + q + "”");
    del.addEventListener("click", function () { phrasings.splice(i, 1); renderPhrasings(); savePhrasings(); });
    li.appendChild(input); li.appendChild(del);
    list.appendChild(li);
  });
  if (!phrasings.length) {
    var none = document.createElement("li");
    none.className = "muted";
    none.textContent = "No similar questions yet.";
    list.appendChild(none);
  }
}

function savePhrasings() {
  var id = openDocId;
  if (!id) return;
  api("PUT", "/api/v1/kb/documents/" + encodeURIComponent(id) + "/phrasings", { phrasings: phrasings }).then(function (p) {
    if (id !== openDocId) return;
    phrasings = (p && p.phrasings) || [];
    renderPhrasings();
    $("phrasing-note").textContent = "Saved " + count(phrasings.length, "similar question") + ".";
    showError("");
    refreshStatus();
  }).catch(function (e) { $("phrasing-note").textContent = ""; report(e); });
}

function addPhrasing(e) {
  e.preventDefault();
  var v = $("phrasing-input").value.trim();
  if (!v) { showError("Type how a customer would ask for this article."); return; }
  phrasings.push(v);
  $("phrasing-input").value = "";
  renderPhrasings();
  savePhrasings();
}

function closeChunks() {
  seq.chunks++;
  $("chunk-panel").hidden = true;
  $("chunk-panel").parentNode.classList.remove("open");
  var was = openDocId;
  openDocId = null;
  markSelected();
  var row = was && $("doc-table").querySelector('tbody tr[data-id="' + cssEscape(was) + '"]');
  if (row) row.focus();
}

export function wire() {
  onTab("docs", loadDocuments);
  var timer = null;
  $("doc-filter").addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(loadDocuments, 250); });
  $("doc-collection").addEventListener("change", loadDocuments);
  $("chunk-close").addEventListener("click", closeChunks);
  $("phrasing-form").addEventListener("submit", addPhrasing);
  $("phrasing-save").addEventListener("click", savePhrasings);
  $("chunk-panel").addEventListener("keydown", function (e) { if (e.key === "Escape") closeChunks(); });
  $("doc-table").addEventListener("keydown", function (e) { if (e.key === "Escape" && !$("chunk-panel").hidden) closeChunks(); });
}
