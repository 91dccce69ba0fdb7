/* The Search playground: what the bot's retrieval finds for a question, with both legs' ranks.
     GET /api/v1/kb/search?q=&k=&collection=&lang=
         {took_ms, read_as?, hits:[{doc_id,chunk_id,title,heading,text,url,kind,phrase,
          lexical:{rank,raw,norm}|null, vector:{rank,raw,norm}|null, fused}]} */
import { $, clip, link, num, safeURL } from "/shared/tandem.js";
import { api, report, showError, busy, cell, count } from "./core.js";

var seq = 0; // only the latest search is shown

function leg(l) { return l ? "#" + l.rank + " · " + num(l.raw, 3) + " · " + num(l.norm, 2) : "—"; }

function search(e) {
  if (e) e.preventDefault();
  var q = $("search-input").value.trim();
  if (!q) { showError("Type a question to search for."); $("search-input").focus(); return; }
  var btn = $("search-btn"), mine = ++seq;
  busy(btn, true);
  var params = "q=" + encodeURIComponent(q) + "&k=" + encodeURIComponent($("search-k").value) +
    "&lang=" + encodeURIComponent($("search-lang").value) + "&collection=" + encodeURIComponent($("search-collection").value);
  api("GET", "/api/v1/kb/search?" + params).then(function (data) {
    if (mine !== seq) return;
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
      cell(tr, h.phrase ? "“" + h.phrase.text + "” #" + h.phrase.rank + " · " + num(h.phrase.lexical, 2) + " · " + num(h.phrase.vector, 2) : "—",
        "phrase" + (h.phrase ? "" : " muted"));
      cell(tr, leg(h.lexical), "lexical nowrap" + (h.lexical ? "" : " muted"));
      cell(tr, leg(h.vector), "vector nowrap" + (h.vector ? "" : " muted"));
      cell(tr, num(h.fused, 4), "fused num");
      body.appendChild(tr);
    });
    var took = typeof data.took_ms === "number" ? " in " + data.took_ms.toFixed(1) + " ms" : "";
    var read = data.read_as ? "Read as “" + data.read_as + "”. " : "";
    $("search-took").textContent = read + (hits.length
      ? count(hits.length, "result") + took + ". Lexical and vector legs are fused by reciprocal rank; “—” means that leg did not find the chunk."
      : "No results" + took + ". Try other words, another language, or all collections.");
    showError("");
  }).catch(function (err) { if (mine === seq) report(err); }).then(function () { if (mine === seq) busy(btn, false); });
}


export function wire() {
  $("search-form").addEventListener("submit", search);
}
