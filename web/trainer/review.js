/* The Review queue: handoffs, edited drafts, poor ratings and low-confidence answers, to accept
   into an eval set (with what the bot should have done) or dismiss; j/k move, x checks, a
   accepts, d dismisses, e adds the message as an intent's example, ? shows the keys.
     GET  /api/trainer/review?reason=&channel=&status=&from=&to=&limit=
                                  {items:[{id,reason,conversation_id,channel,intent,text,bot_answer,
                                   answer,confidence,sources,status,created_at}]}
     POST /api/trainer/review/accept   {set, items:[{review_id, expected_*}]} → {set, cases}
     POST /api/trainer/review/dismiss  {ids} → {dismissed} */
import { $, el, fillText, clip, link, num, safeURL } from "/shared/tandem.js";
import { events, t, api, report, showError, busy, when, dayAfter } from "./core.js";
import { onTab, shown } from "./tabs.js";
import { openExampleForm } from "./examples.js";

var SET_KEY = "tandem.trainer.set";
var ANSWER = { para: "answer-text", list: "answer-list" }; // the classes of an answer's paragraphs and lists

var review = { items: [], current: -1, checked: {}, target: [], seq: 0, limit: 500 };
var SET_NAME = /^[^\s\/]{1,100}$/;

function reviewQuery() {
  var q = ["status=" + encodeURIComponent($("review-status").value), "limit=" + review.limit];
  if ($("review-reason").value) q.push("reason=" + encodeURIComponent($("review-reason").value));
  if ($("review-channel").value.trim()) q.push("channel=" + encodeURIComponent($("review-channel").value.trim()));
  if ($("review-from").value) q.push("from=" + $("review-from").value);
  if ($("review-to").value) q.push("to=" + dayAfter($("review-to").value));
  return q.join("&");
}

function loadReview() {
  var mine = ++review.seq;
  return api("GET", "/api/trainer/review?" + reviewQuery()).then(function (data) {
    if (mine !== review.seq) return;
    var keep = review.items[review.current] && review.items[review.current].id;
    review.items = (data && data.items) || [];
    var ids = {};
    review.items.forEach(function (it) { ids[it.id] = true; });
    Object.keys(review.checked).forEach(function (id) { if (!ids[id]) delete review.checked[id]; });
    var at = review.items.findIndex(function (it) { return it.id === keep; });
    review.current = at >= 0 ? at : Math.min(Math.max(review.current, 0), review.items.length - 1);
    fillChannels(review.items.map(function (it) { return it.channel; }));
    renderReview();
    showError("");
  }).catch(report);
}

function fillChannels(names) {
  var list = $("review-channels"), have = {};
  Array.prototype.forEach.call(list.options, function (o) { have[o.value] = true; });
  names.forEach(function (n) {
    if (!n || have[n]) return;
    have[n] = true;
    var o = document.createElement("option"); o.value = n; list.appendChild(o);
  });
}

function renderReview() {
  var list = $("review-list");
  list.textContent = "";
  review.items.forEach(function (it, i) { list.appendChild(reviewItem(it, i)); });
  var filtered = $("review-reason").value || $("review-channel").value.trim() || $("review-from").value || $("review-to").value || $("review-status").value !== "open";
  $("review-empty").textContent = filtered ? t("reviewEmptyFiltered") : t("reviewEmptyOpen");
  $("review-empty").hidden = review.items.length > 0;
  renderChecked();
}

function reviewItem(it, i) {
  var li = el("li", "review-item" + (i === review.current ? " current" : ""));
  li.dataset.review = String(it.id);
  li.tabIndex = i === review.current ? 0 : -1;
  var box = document.createElement("input");
  box.type = "checkbox";
  box.checked = !!review.checked[it.id];
  box.setAttribute("aria-label", t("checkItem", { id: it.id }));
  box.addEventListener("change", function () { setChecked(it.id, box.checked); });
  li.appendChild(box);
  var body = el("div", "review-body");
  body.appendChild(reviewHead(it));
  body.appendChild(el("p", "review-text", it.text));
  body.appendChild(reviewAnswers(it));
  if (it.sources && it.sources.length) body.appendChild(reviewSources(it.sources));
  body.appendChild(reviewActions(it));
  li.appendChild(body);
  li.addEventListener("click", function (e) { if (e.target === li || e.target.closest(".review-body")) moveTo(i, false); });
  return li;
}

function reviewHead(it) {
  var head = el("div", "review-head");
  head.appendChild(el("span", "badge reason-" + it.reason, t("reason_" + it.reason)));
  if (it.status && it.status !== "open") head.appendChild(el("span", "badge status-" + it.status, t("statusBadge_" + it.status)));
  if (it.channel) head.appendChild(el("span", "tag", it.channel));
  head.appendChild(el("span", "muted small", t("confidence", { c: num(it.confidence, 2) })));
  if (it.intent) head.appendChild(el("span", "muted small", t("intentIs", { i: it.intent })));
  var time = el("time", "muted small", when(it.created_at));
  time.dateTime = it.created_at || "";
  head.appendChild(time);
  var conv = el("span", "muted small mono", t("conversation", { id: clip(it.conversation_id, 12) }));
  conv.title = it.conversation_id || "";
  head.appendChild(conv);
  return head;
}

// reviewAnswers shows the bot's answer struck through against the agent's, when the agent answered.
function reviewAnswers(it) {
  var box = el("div", "review-answers");
  var replaced = !!it.answer && it.answer !== it.bot_answer;
  var bot = el("div", "answer bot");
  bot.appendChild(el("span", "who", t("bot")));
  bot.appendChild(it.bot_answer ? fillText(el(replaced ? "del" : "div", ""), it.bot_answer, ANSWER) : el("span", "muted", t("noBotAnswer")));
  var agent = el("div", "answer agent");
  agent.appendChild(el("span", "who", t("agent")));
  agent.appendChild(it.answer ? fillText(el(replaced ? "ins" : "div", ""), it.answer, ANSWER) : el("span", "muted", t("noAgentAnswer")));
  box.appendChild(bot); box.appendChild(agent);
  return box;
}

function reviewSources(sources) {
  var p = el("p", "small review-sources");
  p.appendChild(el("span", "muted", t("cited") + " "));
  sources.forEach(function (s, i) {
    if (i) p.appendChild(document.createTextNode(" · "));
    var href = safeURL(s.url), label = s.title || s.id || s.url || "?";
    var node = href ? link(href, label) : el("span", "", label);
    if (s.id) node.title = s.id;
    p.appendChild(node);
  });
  return p;
}

function reviewActions(it) {
  var row = el("div", "review-actions");
  var acc = el("button", "secondary small-btn", t("acceptOne"));
  acc.type = "button";
  acc.addEventListener("click", function (e) { e.stopPropagation(); openAccept([it]); });
  var dis = el("button", "secondary small-btn", t("dismissOne"));
  dis.type = "button";
  dis.addEventListener("click", function (e) { e.stopPropagation(); dismiss([it.id]); });
  row.appendChild(acc); row.appendChild(dis);
  if (it.intent) {
    var ex = el("button", "secondary small-btn review-example", t("addAsExample"));
    ex.type = "button";
    ex.addEventListener("click", function (e) { e.stopPropagation(); openExampleForm(it, ex); });
    row.appendChild(ex);
  }
  return row;
}

function setChecked(id, on) {
  if (on) review.checked[id] = true; else delete review.checked[id];
  var box = $("review-list").querySelector('li[data-review="' + id + '"] input[type=checkbox]');
  if (box) box.checked = on;
  renderChecked();
}

function checkedItems() { return review.items.filter(function (it) { return review.checked[it.id]; }); }

function renderChecked() {
  var n = checkedItems().length, all = $("review-all");
  $("review-selected").textContent = n ? t("selected", { n: n }) : review.items.length
    ? t(review.items.length >= review.limit ? "reviewCountMax" : "reviewCount", { n: review.items.length }) : "";
  all.checked = n > 0 && n === review.items.length;
  all.indeterminate = n > 0 && n < review.items.length;
  all.disabled = !review.items.length;
}

// selection is what a and d act on: the checked items, else the current one.
function selection() {
  var items = checkedItems();
  if (!items.length && review.items[review.current]) items = [review.items[review.current]];
  return items;
}

function moveTo(i, focus) {
  if (!review.items.length) return;
  review.current = Math.max(0, Math.min(review.items.length - 1, i));
  Array.prototype.forEach.call($("review-list").children, function (li, j) {
    li.classList.toggle("current", j === review.current);
    li.tabIndex = j === review.current ? 0 : -1;
  });
  var li = $("review-list").children[review.current];
  if (li && focus) { li.focus(); li.scrollIntoView({ block: "nearest" }); }
}

function dismiss(ids) {
  if (!ids.length) { $("review-note").textContent = t("nothingSelected"); return; }
  api("POST", "/api/trainer/review/dismiss", { ids: ids }).then(function (r) {
    ids.forEach(function (id) { delete review.checked[id]; });
    $("review-note").textContent = t("dismissed", { n: r && r.dismissed !== undefined ? r.dismissed : ids.length });
    return loadReview().then(function () { moveTo(review.current, true); });
  }).catch(report);
}

// ---- Accept form ---------------------------------------------------------------------------

function openAccept(items) {
  if (!items.length) { $("review-note").textContent = t("nothingSelected"); return; }
  review.target = items;
  var one = items.length === 1 ? items[0] : null;
  $("accept-what").textContent = one
    ? t("acceptWhatOne", { id: one.id, reason: t("reason_" + one.reason), text: clip(one.text, 80) })
    : t("acceptWhat", { n: items.length, reasons: reasonSummary(items) });
  var last = "";
  try { last = localStorage.getItem(SET_KEY) || ""; } catch (e) {}
  if (!$("accept-set").value) $("accept-set").value = last;
  // A handoff the customer asked for (or policy made) was right: the default expects a handoff,
  // not the agent's reply, which may answer a later question.
  var policy = one && (one.handoff_reason === "customer_request" || one.handoff_reason === "intent_policy");
  $("accept-decision").value = policy ? "handoff" : "";
  $("accept-answer").value = one && !policy ? one.answer || "" : "";
  $("accept-for").textContent = one ? t("acceptFor", { text: clip(one.text, 200) }) : "";
  $("accept-policy").textContent = policy ? t("acceptPolicy", { why: t("why_" + one.handoff_reason) }) : "";
  $("accept-answer").placeholder = one ? "" : t("answerBulk");
  $("accept-intent").value = "";
  $("accept-sources").value = "";
  var cited = one && one.sources ? one.sources.map(function (s) { return s.id; }).filter(Boolean) : [];
  $("accept-hint").textContent = cited.length ? t("sourcesHint", { ids: cited.join(", ") }) : "";
  $("accept-error").textContent = "";
  $("accept-answer").disabled = policy;
  $("accept-form").hidden = false;
  loadSetNames(); loadIntentNames();
  var first = $("accept-set").value ? $("accept-answer") : $("accept-set");
  setTimeout(function () { first.focus(); }, 0); // after the key that opened the form
}

function reasonSummary(items) {
  var counts = {};
  items.forEach(function (it) { counts[it.reason] = (counts[it.reason] || 0) + 1; });
  return Object.keys(counts).map(function (r) { return t("reason_" + r) + " × " + counts[r]; }).join(", ");
}

function closeAccept() {
  $("accept-form").hidden = true;
  review.target = [];
}

function fillDatalist(id, names) {
  var list = $(id);
  list.textContent = "";
  names.forEach(function (n) { var o = document.createElement("option"); o.value = n; list.appendChild(o); });
}

function loadSetNames() {
  return api("GET", "/api/trainer/sets").then(function (d) {
    fillDatalist("accept-sets", ((d && d.sets) || []).map(function (s) { return s.name; }));
  }).catch(function () {});
}

function loadIntentNames() {
  return api("GET", "/api/v1/intents").then(function (d) {
    fillDatalist("accept-intents", ((d && d.intents) || []).map(function (it) { return it.name; }).concat(["oos"]));
  }).catch(function () {});
}

function acceptLabels() {
  var answer = $("accept-answer").value.trim(), intent = $("accept-intent").value.trim(), decision = $("accept-decision").value;
  var sources = $("accept-sources").value.split(/[,，\s]+/).map(function (s) { return s.trim(); }).filter(Boolean);
  return review.target.map(function (it) {
    var l = { review_id: it.id };
    if (decision) l.expected_decision = decision;
    if (answer && decision !== "handoff") l.expected_answer = answer;
    if (intent) l.expected_intent = intent;
    if (sources.length) l.expected_sources = sources;
    return l;
  });
}

function submitAccept(e) {
  e.preventDefault();
  var set = $("accept-set").value.trim();
  if (!SET_NAME.test(set)) { $("accept-error").textContent = t("setRequired"); $("accept-set").focus(); return; }
  if (!review.target.length) { closeAccept(); return; }
  var btn = $("accept-submit"), ids = review.target.map(function (it) { return it.id; });
  busy(btn, true);
  api("POST", "/api/trainer/review/accept", { set: set, items: acceptLabels() }).then(function (r) {
    try { localStorage.setItem(SET_KEY, set); } catch (err) {}
    ids.forEach(function (id) { delete review.checked[id]; });
    closeAccept();
    $("review-note").textContent = t("accepted", { n: ids.length, set: set, total: r && r.cases !== undefined ? r.cases : "?" });
    return loadReview().then(function () { moveTo(review.current, true); });
  }).catch(function (err) {
    if (!err.unauthorized) $("accept-error").textContent = err.message;
  }).then(function () { busy(btn, false); });
}

// reviewKeys: j/k move, x checks, a accepts, d dismisses, ? toggles the help, Esc closes.
function reviewKeys(e) {
  if ($("panel-review").hidden || $("app").hidden || e.ctrlKey || e.metaKey || e.altKey) return;
  var tg = e.target, tag = tg && tg.tagName;
  if (e.key === "Escape") {
    if (!$("accept-form").hidden) { closeAccept(); moveTo(review.current, true); }
    else toggleHelp(false);
    return;
  }
  if (tg && (tg.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && tg.type !== "checkbox"))) return;
  var inList = $("review-list").contains(document.activeElement);
  var act = {
    j: function () { moveTo(inList ? review.current + 1 : review.current, true); },
    k: function () { moveTo(inList ? review.current - 1 : review.current, true); },
    x: function () { var it = review.items[review.current]; if (it) setChecked(it.id, !review.checked[it.id]); },
    a: function () { openAccept(selection()); },
    d: function () { dismiss(selection().map(function (it) { return it.id; })); },
    e: function () {
      var it = review.items[review.current], li = $("review-list").children[review.current];
      if (it && it.intent && li) openExampleForm(it, li.querySelector(".review-example"));
    },
    "?": function () { toggleHelp(); }
  }[e.key];
  if (!act) return;
  e.preventDefault();
  act();
}

function toggleHelp(on) {
  var h = $("review-help");
  h.hidden = on === undefined ? !h.hidden : !on;
  $("review-keys").setAttribute("aria-expanded", String(!h.hidden));
}

export function wire() {
  onTab("review", loadReview);
  $("review-filters").addEventListener("submit", function (e) { e.preventDefault(); loadReview(); });
  ["review-reason", "review-status", "review-from", "review-to", "review-channel"].forEach(function (id) {
    $(id).addEventListener("change", loadReview);
  });
  $("review-all").addEventListener("change", function () {
    var on = $("review-all").checked;
    review.items.forEach(function (it) { setChecked(it.id, on); });
  });
  $("review-accept").addEventListener("click", function () { openAccept(selection()); });
  $("review-dismiss").addEventListener("click", function () { dismiss(selection().map(function (it) { return it.id; })); });
  $("review-keys").addEventListener("click", function () { toggleHelp(); });
  $("accept-form").addEventListener("submit", submitAccept);
  $("accept-close").addEventListener("click", closeAccept);
  $("accept-cancel").addEventListener("click", closeAccept);
  $("accept-decision").addEventListener("change", function () {
    $("accept-answer").disabled = $("accept-decision").value === "handoff";
  });
  document.addEventListener("keydown", reviewKeys);
  events.on("hide", closeAccept);
  events.on("lang", function () { if (shown("review")) renderReview(); });
}
