/* Tandem trainer console (/trainer/): the knowledge base and the bot's intents.
   Plain JS, no build step. Every request sends "Authorization: Bearer <API key>"; the key comes
   from the URL fragment #key=… (then removed from the address bar) or sessionStorage
   "tandem.trainer.key", else a sign-in form asks for it (and again after any 401).
   Errors are HTTP 4xx/5xx with {"error":{"code":"invalid","message":"…"}}; the message is shown in #error.

   Knowledge API:
     GET    /api/v1/kb/status                      {documents, chunks, embedder:{model,dim}, embedded, reembedding}
     GET    /api/v1/kb/documents?q=&collection=    {documents:[{id,title,collection,lang,kind,tags,url,chunks,updated_at}],
                                                    collections:[…] (optional: else taken from the documents)}
     DELETE /api/v1/kb/documents/{id}              204
     GET    /api/v1/kb/documents/{id}/chunks       {document:{…,body,questions}, chunks:[{id,ord,heading,text,lang}]}
     POST   /api/v1/kb/import                      multipart: "file" parts + "collection"; or JSON {urls, sitemap, collection}
                                                   → {files:[{name,documents,chunks,changed,error}], documents, changed, failed}
                                                   (200 even when some files failed; 413 when the upload is too large)
     GET    /api/v1/kb/search?q=&k=&collection=&lang=
                                                   {took_ms, hits:[{doc_id,chunk_id,title,heading,text,url,kind,
                                                    lexical:{rank,raw,norm}|null, vector:{rank,raw,norm}|null, fused}]}
   Intents and settings API:
     GET /api/v1/intents, PUT/DELETE /api/v1/intents/{name}, POST /api/v1/intents/import (JSONL),
     GET /api/v1/intents/export, GET /api/v1/intents/try?text=; GET/PUT /api/v1/settings.

   Data from the server is always written with textContent, never as HTML; links are http(s) only. */
(function () {
  "use strict";
  var KEY = "tandem.trainer.key";
  var $ = function (id) { return document.getElementById(id); };
  var key = null;
  var statusTimer = null;
  var seq = { docs: 0, chunks: 0, search: 0 }; // only the latest response of each kind is shown
  var openDocId = null;

  function readKey() {
    var m = /(?:^#|&)key=([^&]*)/.exec(location.hash);
    if (m) {
      try { key = decodeURIComponent(m[1]); } catch (e) { key = m[1]; }
      key = key.trim() || null;
      history.replaceState(null, "", location.pathname + location.search);
      if (key) { try { sessionStorage.setItem(KEY, key); } catch (e) {} return; }
    }
    try { key = sessionStorage.getItem(KEY); } catch (e) {}
  }

  function showError(msg) { $("error").textContent = msg || ""; }

  // report shows an error unless it was a 401, which already brought up the sign-in form.
  function report(err) { if (!err.unauthorized) showError(err.message); }

  function failure(message, status) {
    var err = new Error(message);
    err.status = status;
    err.unauthorized = status === 401;
    return err;
  }

  // api sends a request with the key and returns the parsed JSON (or null for 204).
  function api(method, path, body) {
    var sent = key;
    var opts = { method: method, headers: { Authorization: "Bearer " + sent } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (res) { return handle(res, sent); }, function () {
      throw failure("The server could not be reached. Check your connection and try again.", 0);
    });
  }

  // handle turns a response into data or an Error with the API's message. A 401 signs out,
  // unless the key has changed since the request went out.
  function handle(res, sent) {
    if (res.status === 401) {
      if (sent === undefined || sent === key) signOut("That API key was not accepted. Enter a valid key.");
      throw failure("unauthorized", 401);
    }
    if (res.status === 204) return null;
    return res.json().catch(function () { return {}; }).then(function (data) {
      if (!res.ok) throw failure(apiMessage(data, res.status), res.status);
      return data;
    });
  }

  function apiMessage(data, status) {
    if (data && data.error && data.error.message) return data.error.message;
    if (status === 413) return "The upload is too large. Send fewer or smaller files at a time.";
    if (status === 429) return "Too many requests. Wait a moment and try again.";
    return "The server answered HTTP " + status + ".";
  }

  function signOut(msg) {
    key = null;
    clearTimeout(statusTimer);
    try { sessionStorage.removeItem(KEY); } catch (e) {}
    $("app").hidden = true;
    $("sign-out").hidden = true;
    $("status").textContent = "";
    $("key-note").textContent = msg || "";
    $("key-form").hidden = false;
    $("key-input").value = "";
    $("key-input").focus();
  }

  function start() {
    $("key-form").hidden = true;
    $("key-note").textContent = "";
    $("app").hidden = false;
    $("sign-out").hidden = false;
    showError("");
    refreshStatus();
    loadDocuments();
  }

  function refreshStatus() {
    clearTimeout(statusTimer);
    if (!key) return;
    api("GET", "/api/v1/kb/status").then(function (s) {
      var e = s.embedder || {};
      var text = count(s.documents, "document") + " · " + count(s.chunks, "chunk") +
        (e.model ? " · embedder " + e.model + (e.dim ? " (" + e.dim + "d)" : "") : "");
      if (s.reembedding) {
        text += " · re-embedding… " + (s.embedded || 0) + "/" + (s.chunks || 0);
        statusTimer = setTimeout(refreshStatus, 5000);
      }
      $("status").textContent = text;
    }).catch(report);
  }

  function count(n, word) { n = Number(n) || 0; return n.toLocaleString() + " " + word + (n === 1 ? "" : "s"); }

  function num(x, digits) { return typeof x === "number" && isFinite(x) ? x.toFixed(digits) : "—"; }

  function when(s) {
    var d = s ? new Date(s) : null;
    if (!d || isNaN(d.getTime())) return "";
    try { return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }); } catch (e) { return d.toLocaleString(); }
  }

  // clip shortens text to n characters (code points, so no emoji or rare CJK character is cut in half).
  function clip(text, n) {
    var chars = Array.from(text || "");
    return chars.length > n ? chars.slice(0, n).join("") + "…" : chars.join("");
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text === undefined || text === null ? "" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function safeURL(u) {
    if (!u) return null;
    try { var x = new URL(u, location.origin); return /^https?:$/.test(x.protocol) ? x.href : null; } catch (e) { return null; }
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
    a.textContent = text;
    return a;
  }

  function fillCollections(names) {
    ["doc-collection", "search-collection"].forEach(function (id) {
      var sel = $(id), cur = sel.value;
      while (sel.options.length > 1) sel.remove(1);
      names.forEach(function (n) { var o = document.createElement("option"); o.value = n; o.textContent = n || "(none)"; sel.appendChild(o); });
      sel.value = names.indexOf(cur) >= 0 ? cur : "";
    });
  }

  function loadDocuments() {
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
      if (d.questions && d.questions.length) meta += " · questions: " + d.questions.join(" | ");
      $("chunk-meta").textContent = meta;
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

  function closeChunks() {
    seq.chunks++;
    $("chunk-panel").hidden = true;
    $("chunk-panel").parentNode.classList.remove("open");
    var was = openDocId;
    openDocId = null;
    markSelected();
    var row = was && $("doc-table").querySelector('tbody tr[data-id="' + (window.CSS && CSS.escape ? CSS.escape(was) : was) + '"]');
    if (row) row.focus();
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

  function busy(btn, on) { btn.disabled = on; btn.setAttribute("aria-busy", String(on)); }

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
    var xhr = new XMLHttpRequest(), bar = $("upload-progress"), btn = $("upload-btn"), note = $("upload-note"), sent = key;
    var done = function () { busy(btn, false); bar.hidden = true; note.textContent = ""; };
    xhr.open("POST", "/api/v1/kb/import");
    xhr.setRequestHeader("Authorization", "Bearer " + sent);
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round(100 * e.loaded / e.total);
      bar.value = pct; note.textContent = "Uploading… " + pct + "%";
    };
    xhr.upload.onload = function () { bar.value = 100; note.textContent = "Importing and indexing…"; };
    xhr.onload = function () {
      done();
      if (xhr.status === 401) { if (sent === key) signOut("That API key was not accepted. Enter a valid key."); return; }
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

  function leg(l) { return l ? "#" + l.rank + " · " + num(l.raw, 3) + " · " + num(l.norm, 2) : "—"; }

  function search(e) {
    if (e) e.preventDefault();
    var q = $("search-input").value.trim();
    if (!q) { showError("Type a question to search for."); $("search-input").focus(); return; }
    var btn = $("search-btn"), mine = ++seq.search;
    busy(btn, true);
    var params = "q=" + encodeURIComponent(q) + "&k=" + encodeURIComponent($("search-k").value) +
      "&lang=" + encodeURIComponent($("search-lang").value) + "&collection=" + encodeURIComponent($("search-collection").value);
    api("GET", "/api/v1/kb/search?" + params).then(function (data) {
      if (mine !== seq.search) return;
      var hits = (data && data.hits) || [];
      var body = $("search-results").querySelector("tbody");
      body.textContent = "";
      hits.forEach(function (h, i) {
        var tr = document.createElement("tr");
        tr.dataset.doc = h.doc_id || "";
        tr.dataset.chunk = h.chunk_id || "";
        cell(tr, i + 1, "num");
        var td = cell(tr, "", "title"), href = safeURL(h.url);
        if (href) td.appendChild(link(href, h.title || h.doc_id)); else td.textContent = h.title || h.doc_id || "";
        cell(tr, h.heading); cell(tr, clip(h.text, 200), "snippet");
        cell(tr, leg(h.lexical), "lexical nowrap" + (h.lexical ? "" : " muted"));
        cell(tr, leg(h.vector), "vector nowrap" + (h.vector ? "" : " muted"));
        cell(tr, num(h.fused, 4), "fused num");
        body.appendChild(tr);
      });
      var took = typeof data.took_ms === "number" ? " in " + data.took_ms.toFixed(1) + " ms" : "";
      $("search-took").textContent = hits.length
        ? count(hits.length, "result") + took + ". Lexical and vector legs are fused by reciprocal rank; “—” means that leg did not find the chunk."
        : "No results" + took + ". Try other words, another language, or all collections.";
      showError("");
    }).catch(function (err) { if (mine === seq.search) report(err); }).then(function () { if (mine === seq.search) busy(btn, false); });
  }

  // Intents.
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
      return fetch("/api/v1/intents/import", { method: "POST", headers: { Authorization: "Bearer " + key, "Content-Type": "application/jsonl" }, body: text });
    }).then(handle).then(function (data) {
      $("intent-try-result").textContent = "Imported " + data.intents + " intents; the bot is retrained.";
      showError(""); $("intent-file").value = ""; loadIntents();
    }).catch(report);
  }

  function exportIntents() {
    fetch("/api/v1/intents/export", { headers: { Authorization: "Bearer " + key } }).then(function (res) {
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

  var TABS = ["docs", "import", "search", "intents"];

  function selectTab(id) {
    if (id === "tab-intents") { loadIntents(); loadSettings(); }
    TABS.forEach(function (t) {
      var on = "tab-" + t === id;
      $("tab-" + t).setAttribute("aria-selected", String(on));
      $("tab-" + t).tabIndex = on ? 0 : -1;
      $("panel-" + t).hidden = !on;
    });
  }

  function wire() {
    var tabs = TABS.map(function (t) { return "tab-" + t; });
    tabs.forEach(function (id, i) {
      $(id).addEventListener("click", function () { selectTab(id); });
      $(id).addEventListener("keydown", function (e) {
        var j = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
        if (j === undefined) return;
        e.preventDefault();
        var next = tabs[(j + tabs.length) % tabs.length];
        selectTab(next); $(next).focus();
      });
    });
    var timer = null;
    $("doc-filter").addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(loadDocuments, 250); });
    $("doc-collection").addEventListener("change", loadDocuments);
    $("chunk-close").addEventListener("click", closeChunks);
    $("chunk-panel").addEventListener("keydown", function (e) { if (e.key === "Escape") closeChunks(); });
    $("doc-table").addEventListener("keydown", function (e) { if (e.key === "Escape" && !$("chunk-panel").hidden) closeChunks(); });
    $("upload-btn").addEventListener("click", upload);
    $("file-input").addEventListener("change", filesChosen);
    $("url-import-btn").addEventListener("click", importURLs);
    $("search-form").addEventListener("submit", search);
    $("sign-out").addEventListener("click", function () { signOut(""); });
    $("intent-new").addEventListener("click", function () { editIntent(null); });
    $("intent-action").addEventListener("change", showActionFields);
    $("intent-form").addEventListener("submit", saveIntent);
    $("intent-delete").addEventListener("click", deleteIntent);
    $("intent-file").addEventListener("change", importIntents);
    $("intent-export").addEventListener("click", exportIntents);
    $("intent-try-form").addEventListener("submit", tryIntent);
    $("target-form").addEventListener("submit", saveSettings);
    $("key-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var k = $("key-input").value.trim();
      if (!k) { $("key-note").textContent = "Enter an API key."; return; }
      key = k;
      try { sessionStorage.setItem(KEY, key); } catch (err) {}
      $("key-input").value = "";
      start();
    });

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

  wire();
  readKey();
  if (key) start(); else signOut("");
  // A #key=… link opened in a tab that already shows the console switches to that key.
  window.addEventListener("hashchange", function () {
    if (!/(?:^#|&)key=/.test(location.hash)) return;
    readKey();
    if (key) start(); else signOut("");
  });
})();
