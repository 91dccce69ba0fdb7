// Tandem trainer console: the knowledge base. Talks to the app API with an API key:
//   GET /api/v1/kb/status, GET /api/v1/kb/documents?q=&collection=, DELETE /api/v1/kb/documents/{id},
//   GET /api/v1/kb/documents/{id}/chunks, POST /api/v1/kb/import (multipart "file" parts or JSON
//   {urls, sitemap, collection}), GET /api/v1/kb/search?q=&k=&lang=&collection=;
//   GET /api/v1/intents, PUT/DELETE /api/v1/intents/{name}, POST /api/v1/intents/import (JSONL),
//   GET /api/v1/intents/export, GET /api/v1/intents/try?text=; GET/PUT /api/v1/settings.
// Data is always written with textContent, never as HTML.
(function () {
  "use strict";
  var KEY = "tandem.trainer.key";
  var $ = function (id) { return document.getElementById(id); };
  var key = null;
  var statusTimer = null;

  function readKey() {
    var m = /(?:^#|&)key=([^&]+)/.exec(location.hash);
    if (m) {
      key = decodeURIComponent(m[1]);
      try { sessionStorage.setItem(KEY, key); } catch (e) {}
      history.replaceState(null, "", location.pathname + location.search);
      return;
    }
    try { key = sessionStorage.getItem(KEY); } catch (e) {}
  }

  function showError(msg) { $("error").textContent = msg || ""; }

  // api sends a request with the key and returns the parsed JSON (or null for 204).
  function api(method, path, body) {
    var opts = { method: method, headers: { Authorization: "Bearer " + key } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(handle);
  }

  function handle(res) {
    if (res.status === 401) { signOut("That API key was not accepted."); throw new Error("unauthorized"); }
    if (res.status === 204) return null;
    return res.json().catch(function () { return {}; }).then(function (data) {
      if (!res.ok) throw new Error((data.error && data.error.message) || ("HTTP " + res.status));
      return data;
    });
  }

  function signOut(msg) {
    key = null;
    try { sessionStorage.removeItem(KEY); } catch (e) {}
    $("app").hidden = true;
    $("sign-out").hidden = true;
    $("key-form").hidden = false;
    $("status").textContent = msg || "";
    $("key-input").focus();
  }

  function start() {
    $("key-form").hidden = true;
    $("app").hidden = false;
    $("sign-out").hidden = false;
    refreshStatus();
    loadDocuments();
  }

  function refreshStatus() {
    clearTimeout(statusTimer);
    api("GET", "/api/v1/kb/status").then(function (s) {
      var text = s.documents + " documents · " + s.chunks + " chunks · " + s.embedder.model;
      if (s.reembedding) {
        text += " · embedding " + s.embedded + "/" + s.chunks + "…";
        statusTimer = setTimeout(refreshStatus, 5000);
      }
      $("status").textContent = text;
    }).catch(function (e) { showError(e.message); });
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text === undefined || text === null ? "" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function safeURL(u) {
    try { var x = new URL(u, location.origin); return /^https?:$/.test(x.protocol) ? x.href : null; } catch (e) { return null; }
  }

  function fillCollections(names) {
    ["doc-collection", "search-collection"].forEach(function (id) {
      var sel = $(id), cur = sel.value;
      while (sel.options.length > 1) sel.remove(1);
      names.forEach(function (n) { var o = document.createElement("option"); o.value = n; o.textContent = n || "(none)"; sel.appendChild(o); });
      sel.value = cur;
    });
  }

  function loadDocuments() {
    var q = encodeURIComponent($("doc-filter").value.trim());
    var c = encodeURIComponent($("doc-collection").value);
    return api("GET", "/api/v1/kb/documents?q=" + q + "&collection=" + c).then(function (data) {
      fillCollections(data.collections || []);
      var body = $("doc-table").querySelector("tbody");
      body.textContent = "";
      data.documents.forEach(function (d) {
        var tr = document.createElement("tr");
        tr.dataset.id = d.id;
        tr.tabIndex = 0;
        cell(tr, d.title); cell(tr, d.id, "mono"); cell(tr, d.collection); cell(tr, d.lang); cell(tr, d.kind);
        cell(tr, (d.tags || []).join(", ")); cell(tr, d.chunks, "num"); cell(tr, new Date(d.updated_at).toLocaleString());
        var del = document.createElement("button");
        del.type = "button"; del.textContent = "Delete"; del.className = "danger";
        del.addEventListener("click", function (e) { e.stopPropagation(); remove(d); });
        cell(tr, "").appendChild(del);
        tr.addEventListener("click", function () { openChunks(d.id); });
        tr.addEventListener("keydown", function (e) { if (e.key === "Enter") openChunks(d.id); });
        body.appendChild(tr);
      });
      $("doc-empty").hidden = data.documents.length > 0 || q !== "" || c !== "";
      showError("");
    }).catch(function (e) { showError(e.message); });
  }

  function remove(d) {
    if (!confirm("Delete “" + d.title + "” and its chunks? The bot stops using it within seconds.")) return;
    api("DELETE", "/api/v1/kb/documents/" + encodeURIComponent(d.id)).then(function () {
      $("chunk-panel").hidden = true;
      loadDocuments(); refreshStatus();
    }).catch(function (e) { showError(e.message); });
  }

  function openChunks(id) {
    api("GET", "/api/v1/kb/documents/" + encodeURIComponent(id) + "/chunks").then(function (data) {
      var d = data.document;
      $("chunk-title").textContent = d.title;
      $("chunk-meta").textContent = d.id + " · " + (d.kind || "article") + " · " + d.lang + " · " + data.chunks.length + " chunks" +
        (d.questions && d.questions.length ? " · questions: " + d.questions.join(" | ") : "");
      var list = $("chunk-list");
      list.textContent = "";
      data.chunks.forEach(function (c) {
        var li = document.createElement("li");
        li.className = "chunk";
        var h = document.createElement("strong");
        h.textContent = (c.heading || "(no heading)") + " · " + c.lang;
        var p = document.createElement("p");
        p.textContent = c.text;
        li.appendChild(h); li.appendChild(p);
        list.appendChild(li);
      });
      $("chunk-panel").hidden = false;
    }).catch(function (e) { showError(e.message); });
  }

  function renderReport(rep) {
    var t = $("import-report"), body = t.querySelector("tbody");
    body.textContent = "";
    rep.files.forEach(function (f) {
      var tr = document.createElement("tr");
      var ok = !f.error;
      tr.dataset.ok = String(ok);
      cell(tr, ok ? "✓" : "✗", ok ? "ok" : "bad"); cell(tr, f.name); cell(tr, f.documents, "num"); cell(tr, f.chunks, "num");
      cell(tr, f.changed, "num"); cell(tr, f.error || "", "bad");
      body.appendChild(tr);
    });
    t.hidden = false;
    showError(rep.failed ? rep.failed + " of " + rep.files.length + " imports failed; the others were imported." : "");
    loadDocuments(); refreshStatus();
  }

  function busy(btn, on) { btn.disabled = on; }

  function upload() {
    var files = $("file-input").files;
    if (!files.length) { showError("Choose one or more files first."); return; }
    var form = new FormData();
    Array.prototype.forEach.call(files, function (f) { form.append("file", f, f.name); });
    form.append("collection", $("collection-input").value.trim());
    var xhr = new XMLHttpRequest(), bar = $("upload-progress"), btn = $("upload-btn");
    xhr.open("POST", "/api/v1/kb/import");
    xhr.setRequestHeader("Authorization", "Bearer " + key);
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
    xhr.onload = function () {
      busy(btn, false); bar.hidden = true;
      if (xhr.status === 401) { signOut("That API key was not accepted."); return; }
      var data = {};
      try { data = JSON.parse(xhr.responseText); } catch (e) {}
      if (xhr.status !== 200) { showError((data.error && data.error.message) || ("Upload failed: HTTP " + xhr.status)); return; }
      $("file-input").value = "";
      renderReport(data);
    };
    xhr.onerror = function () { busy(btn, false); bar.hidden = true; showError("Upload failed: the server could not be reached."); };
    busy(btn, true); bar.hidden = false; bar.value = 0;
    xhr.send(form);
  }

  function importURLs() {
    var urls = $("urls-input").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    var sitemap = $("sitemap-input").value.trim();
    if (!urls.length && !sitemap) { showError("Enter page URLs or a sitemap."); return; }
    var btn = $("url-import-btn");
    busy(btn, true);
    api("POST", "/api/v1/kb/import", { urls: urls, sitemap: sitemap, collection: $("collection-input").value.trim() })
      .then(renderReport).catch(function (e) { showError(e.message); })
      .then(function () { busy(btn, false); });
  }

  function leg(l) { return l ? "#" + l.rank + " · " + l.raw.toFixed(3) + " · " + l.norm.toFixed(2) : "—"; }

  function search(e) {
    if (e) e.preventDefault();
    var q = $("search-input").value.trim();
    if (!q) return;
    var btn = $("search-btn");
    busy(btn, true);
    var params = "q=" + encodeURIComponent(q) + "&k=" + $("search-k").value + "&lang=" + $("search-lang").value +
      "&collection=" + encodeURIComponent($("search-collection").value);
    api("GET", "/api/v1/kb/search?" + params).then(function (data) {
      var body = $("search-results").querySelector("tbody");
      body.textContent = "";
      data.hits.forEach(function (h, i) {
        var tr = document.createElement("tr");
        cell(tr, i + 1, "num");
        var td = cell(tr, ""), href = safeURL(h.url);
        if (href) { var a = document.createElement("a"); a.href = href; a.target = "_blank"; a.rel = "noopener"; a.textContent = h.title; td.appendChild(a); }
        else td.textContent = h.title;
        cell(tr, h.heading); cell(tr, h.text.length > 200 ? h.text.slice(0, 200) + "…" : h.text, "snippet");
        cell(tr, leg(h.lexical), "lexical"); cell(tr, leg(h.vector), "vector"); cell(tr, h.fused.toFixed(4), "fused num");
        body.appendChild(tr);
      });
      $("search-took").textContent = data.hits.length + " results in " + data.took_ms.toFixed(1) + " ms";
      showError("");
    }).catch(function (e) { showError(e.message); }).then(function () { busy(btn, false); });
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
    }).catch(function (e) { showError(e.message); });
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
    }).catch(function (err) { showError(err.message); }).then(function () { busy(btn, false); });
  }

  function deleteIntent() {
    var name = $("intent-name").value;
    if (!confirm("Delete the intent " + name + "? The bot is retrained without it.")) return;
    api("DELETE", "/api/v1/intents/" + encodeURIComponent(name)).then(function () {
      $("intent-form").hidden = true; loadIntents();
    }).catch(function (err) { showError(err.message); });
  }

  function importIntents() {
    var f = $("intent-file").files[0];
    if (!f) return;
    f.text().then(function (text) {
      return fetch("/api/v1/intents/import", { method: "POST", headers: { Authorization: "Bearer " + key, "Content-Type": "application/jsonl" }, body: text });
    }).then(handle).then(function (data) {
      $("intent-try-result").textContent = "Imported " + data.intents + " intents; the bot is retrained.";
      showError(""); $("intent-file").value = ""; loadIntents();
    }).catch(function (err) { showError(err.message); });
  }

  function exportIntents() {
    fetch("/api/v1/intents/export", { headers: { Authorization: "Bearer " + key } }).then(function (res) {
      if (!res.ok) throw new Error("Export failed: HTTP " + res.status);
      return res.blob();
    }).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob); a.download = "intents.jsonl"; a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    }).catch(function (err) { showError(err.message); });
  }

  function tryIntent(e) {
    e.preventDefault();
    var text = $("intent-try").value.trim();
    if (!text) return;
    api("GET", "/api/v1/intents/try?text=" + encodeURIComponent(text)).then(function (r) {
      $("intent-try-result").textContent = r.matched
        ? "→ " + r.intent + " (" + r.action + "), probability " + r.probability.toFixed(2)
        : "→ no intent (probability " + r.probability.toFixed(2) + "): the bot answers from the knowledge base";
    }).catch(function (err) { showError(err.message); });
  }

  function loadSettings() {
    api("GET", "/api/v1/settings").then(function (s) {
      $("target-input").value = s.target_precision;
      $("target-note").textContent = "default " + s.default_target_precision + "; below it the bot hands off";
    }).catch(function (e) { showError(e.message); });
  }

  function saveSettings(e) {
    e.preventDefault();
    var v = parseFloat($("target-input").value);
    api("PUT", "/api/v1/settings", { target_precision: v }).then(function (s) {
      $("target-note").textContent = "saved: the bot now answers at P(right) ≥ " + s.target_precision;
      showError("");
    }).catch(function (err) { showError(err.message); });
  }

  function selectTab(id) {
    if (id === "tab-intents") { loadIntents(); loadSettings(); }
    ["docs", "import", "search", "intents"].forEach(function (t) {
      var on = "tab-" + t === id;
      $("tab-" + t).setAttribute("aria-selected", String(on));
      $("tab-" + t).tabIndex = on ? 0 : -1;
      $("panel-" + t).hidden = !on;
    });
  }

  function wire() {
    var tabs = ["tab-docs", "tab-import", "tab-search", "tab-intents"];
    tabs.forEach(function (id, i) {
      $(id).addEventListener("click", function () { selectTab(id); });
      $(id).addEventListener("keydown", function (e) {
        var j = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : -1;
        if (j < 0 && e.key !== "ArrowLeft") return;
        var next = tabs[(j + tabs.length) % tabs.length];
        selectTab(next); $(next).focus();
      });
    });
    var timer = null;
    $("doc-filter").addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(loadDocuments, 250); });
    $("doc-collection").addEventListener("change", loadDocuments);
    $("upload-btn").addEventListener("click", upload);
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
      key = $("key-input").value.trim();
      try { sessionStorage.setItem(KEY, key); } catch (err) {}
      start();
    });
    var zone = $("drop-zone");
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault(); zone.classList.remove("over");
      $("file-input").files = e.dataTransfer.files;
      zone.firstChild.textContent = e.dataTransfer.files.length + " files ready — ";
    });
  }

  wire();
  readKey();
  if (key) start(); else signOut("");
})();
