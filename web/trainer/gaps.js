/* The Knowledge gaps tab: questions the bot could not answer, grouped, with what agents answered;
   "Create article" uploads <article_id>.md (front matter id/title/lang) to POST /api/v1/kb/import,
   and the gap then shows its handoffs per day before → after.
     GET /api/trainer/gaps?from=&to=   {gaps:[{key,size,examples,answers,first_at,last_at,title,article,
                                        article_id,article_at|null,rate_before,rate_after,handoffs_before,handoffs_after}]} */
import { $, el, clip, link, num, cssEscape, failure } from "/shared/tandem.js";
import { events, t, api, report, showError, busy, day, rangeQuery, setRange } from "./core.js";
import { refreshStatus } from "./session.js";
import { onTab, shown } from "./tabs.js";

var gapsState = { gaps: [], loaded: false, seq: 0, target: null, opener: null, langTouched: false };
var CJK_CHAR = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;

// guessLang says "zh" when a text has at least as many CJK characters as Latin words.
function guessLang(text) {
  var cjk = (String(text || "").match(CJK_CHAR) || []).length;
  var words = (String(text || "").match(/[A-Za-z]+/g) || []).length;
  return cjk > 0 && cjk >= words ? "zh" : "en";
}

function loadGaps(e) {
  if (e) e.preventDefault();
  var r = rangeQuery("gaps-from", "gaps-to", 30);
  if (!r) return Promise.resolve();
  var mine = ++gapsState.seq;
  return api("GET", "/api/trainer/gaps?" + r.query).then(function (d) {
    if (mine !== gapsState.seq) return;
    gapsState.gaps = (d && d.gaps) || [];
    gapsState.loaded = true;
    renderGaps();
    showError("");
  }).catch(report);
}

function renderGaps() {
  var list = $("gap-list"), gaps = gapsState.gaps;
  list.textContent = "";
  gaps.forEach(function (g) { list.appendChild(gapCard(g)); });
  var questions = gaps.reduce(function (a, g) { return a + (Number(g.size) || 0); }, 0);
  var withArticle = gaps.filter(function (g) { return g.article_at; }).length;
  $("gaps-summary").textContent = gaps.length ? t("gapsSummary", { n: gaps.length, q: questions, a: withArticle }) : "";
  $("gaps-empty").textContent = t("gapsNone");
  $("gaps-empty").hidden = !gapsState.loaded || gaps.length > 0;
  markGap();
}

function gapCard(g) {
  var li = el("li", "gap card" + (g.article_at ? " has-article" : ""));
  li.dataset.gap = g.key;
  var head = el("div", "gap-head");
  var h = el("h3", "gap-title", clip(g.title, 200));
  if (/^[\w-]+$/.test(g.key || "")) { h.id = "gap-title-" + g.key; li.setAttribute("aria-labelledby", h.id); }
  head.appendChild(h);
  head.appendChild(el("span", "badge gap-size", g.size === 1 ? t("gapSizeOne") : t("gapSize", { n: g.size })));
  var first = day(g.first_at), last = day(g.last_at);
  var span = el("span", "muted small gap-span", first === last ? first : t("gapSpan", { first: first, last: last }));
  head.appendChild(span);
  li.appendChild(head);
  var cols = el("div", "gap-cols");
  cols.appendChild(gapList(t("gapAsked"), g.examples, "gap-examples", ""));
  cols.appendChild(gapList(t("gapAnswered"), g.answers, "gap-answers", t("gapNoAnswers")));
  li.appendChild(cols);
  var foot = el("div", "gap-foot");
  if (g.article_at) {
    var since = el("p", "gap-article");
    since.appendChild(el("strong", "ok", t("articleSince", { date: day(g.article_at) })));
    since.appendChild(document.createTextNode(" · "));
    var a = link("/kb/" + encodeURIComponent(g.article_id), g.article_id);
    a.className = "mono small";
    since.appendChild(a);
    foot.appendChild(since);
    var better = g.rate_after < g.rate_before;
    var rates = el("p", "gap-rates" + (better ? " improved" : ""));
    rates.appendChild(el("strong", "", t("articleRates", { before: t("perDay", { n: num(g.rate_before, 1) }), after: t("perDay", { n: num(g.rate_after, 1) }) })));
    rates.appendChild(el("span", "muted small", " " + t("articleCounts", { b: g.handoffs_before || 0, a: g.handoffs_after || 0 })));
    foot.appendChild(rates);
  }
  var btn = el("button", g.article_at ? "secondary gap-create" : "gap-create", t(g.article_at ? "updateArticle" : "createArticle"));
  btn.type = "button";
  btn.setAttribute("aria-label", t(g.article_at ? "updateArticleLabel" : "createArticleLabel", { title: clip(g.title, 60) }));
  btn.addEventListener("click", function () { openArticle(g, btn); });
  foot.appendChild(btn);
  li.appendChild(foot);
  return li;
}

function gapList(title, items, cls, empty) {
  var box = el("div", "gap-col " + cls);
  box.appendChild(el("h4", "", title));
  if (!items || !items.length) { box.appendChild(el("p", "muted small", empty)); return box; }
  var ul = el("ul");
  items.forEach(function (x) { ul.appendChild(el("li", "", x)); });
  box.appendChild(ul);
  return box;
}

function markGap() {
  var key = gapsState.target && !$("article-form").hidden ? gapsState.target.key : null;
  Array.prototype.forEach.call($("gap-list").children, function (li) { li.classList.toggle("selected", li.dataset.gap === key); });
}

function openArticle(g, opener) {
  gapsState.target = g;
  gapsState.opener = opener || null;
  gapsState.langTouched = false;
  $("article-for").textContent = t("articleFor", { title: clip(g.title, 80), n: g.size === 1 ? t("gapSizeOne") : t("gapSize", { n: g.size }) });
  $("article-id").value = g.article_id || "gap-" + g.key;
  $("article-title").value = String(g.title || "").replace(/\s+/g, " ").trim();
  $("article-body").value = g.article || "";
  $("article-lang").value = guessLang($("article-title").value + "\n" + $("article-body").value);
  $("article-error").textContent = "";
  $("article-form").hidden = false;
  markGap();
  $("article-title").focus();
}

function closeArticle(refocus) {
  $("article-form").hidden = true;
  markGap();
  var opener = gapsState.opener;
  gapsState.target = null;
  if (refocus && opener && document.body.contains(opener)) opener.focus();
}

function regessLang() {
  if (!gapsState.langTouched) $("article-lang").value = guessLang($("article-title").value + "\n" + $("article-body").value);
}

// articleMarkdown is the file the knowledge import takes: front matter, then the body.
function articleMarkdown(id, title, lang, body) {
  return "---\nid: " + id + "\ntitle: " + title + "\nlang: " + lang + "\n---\n\n" + body + "\n";
}

function submitArticle(e) {
  e.preventDefault();
  var g = gapsState.target;
  if (!g) { closeArticle(false); return; }
  var id = $("article-id").value.trim(), title = $("article-title").value.replace(/\s+/g, " ").trim();
  var body = $("article-body").value.replace(/\r\n?/g, "\n").trim(), lang = $("article-lang").value === "zh" ? "zh" : "en";
  if (!title || !body) { $("article-error").textContent = t("articleNeeds"); (title ? $("article-body") : $("article-title")).focus(); return; }
  var form = new FormData();
  form.append("file", new Blob([articleMarkdown(id, title, lang, body)], { type: "text/markdown" }), id + ".md");
  var btn = $("article-submit"), gapKey = g.key;
  busy(btn, true);
  $("article-error").textContent = "";
  api("POST", "/api/v1/kb/import", form, { raw: true }).then(function (rep) {
    var f = rep && rep.files && rep.files[0];
    if (f && f.error) throw failure(f.error, 400);
    closeArticle(false);
    $("gaps-note").textContent = t("articleUploaded", { title: clip(title, 80), id: id });
    refreshStatus();
    return loadGaps().then(function () {
      var b = $("gap-list").querySelector('li[data-gap="' + cssEscape(gapKey) + '"] .gap-create');
      if (b) b.focus();
    });
  }).catch(function (err) {
    if (!err.unauthorized) $("article-error").textContent = err.message;
  }).then(function () { busy(btn, false); });
}

export function wire() {
  onTab("gaps", loadGaps);
  $("gaps-form").addEventListener("submit", function (e) { $("gaps-note").textContent = ""; loadGaps(e); });
  $("article-form").addEventListener("submit", submitArticle);
  $("article-close").addEventListener("click", function () { closeArticle(true); });
  $("article-cancel").addEventListener("click", function () { closeArticle(true); });
  $("article-title").addEventListener("input", regessLang);
  $("article-body").addEventListener("input", regessLang);
  $("article-lang").addEventListener("change", function () { gapsState.langTouched = true; });
  $("article-form").addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); closeArticle(true); }
    else if (e.key === "Enter" && (e.ctrlKey || e.metaKey || e.target.tagName === "SELECT")) { e.preventDefault(); $("article-submit").click(); }
  });
  events.on("hide", function () { closeArticle(false); });
  events.on("lang", function () { if (shown("gaps")) renderGaps(); });
  setRange("gaps-from", "gaps-to", 30);
}
