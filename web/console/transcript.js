/* The open conversation's transcript: messages and internal notes in time order, with the bot's
   confidence and sources, and the customer's typing. */
import { $, el, fillText, link, safeURL, validTime } from "/shared/tandem.js";
import { state, t, tOr, clock, percent } from "./core.js";

const CUSTOMER_TYPING_MS = 4000;

export function fillSources(ul, sources) {
  ul.textContent = "";
  (sources || []).forEach((s) => {
    const li = el("li");
    const href = safeURL(s.url);
    const label = s.title || s.url || s.id || "";
    if (href) {
      li.appendChild(link(href, label));
    } else {
      li.textContent = label;
    }
    ul.appendChild(li);
  });
  if (!ul.children.length) ul.appendChild(el("li", "muted", t("noSources")));
}

// renderTranscript draws messages and notes in time order; it keeps the view at the bottom
// when it was there (or when forced).
export function renderTranscript(forceBottom) {
  const box = $("transcript");
  const atBottom = forceBottom || box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const items = [];
  state.detail.messages.forEach((m, i) => items.push({ at: timeOf(m.created_at), order: i, kind: "msg", v: m }));
  state.detail.notes.forEach((n, i) => items.push({ at: timeOf(n.created_at), order: 100000 + i, kind: "note", v: n }));
  items.sort((a, b) => a.at - b.at || a.order - b.order);
  box.textContent = "";
  items.forEach((it) => box.appendChild(it.kind === "msg" ? messageEl(it.v) : noteEl(it.v)));
  if (!items.length) box.appendChild(el("p", "muted empty-log", t("noMessages")));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function timeOf(s) { const d = validTime(s); return d ? d.getTime() : 0; }

function messageEl(m) {
  const author = /^(customer|bot|agent|system)$/.test(m.author) ? m.author : "system";
  const div = el("div", "msg " + author);
  div.dataset.id = String(m.id);
  const meta = el("div", "meta");
  const who = author === "agent" && m.agent ? m.agent : tOr("author_" + author, author);
  meta.appendChild(el("span", "author", who));
  meta.appendChild(el("time", "when", clock(m.created_at)));
  div.appendChild(meta);
  div.appendChild(fillText(el("div", "text"), m.text));
  if (author === "bot") div.appendChild(botInfo(m));
  return div;
}

function botInfo(m) {
  const info = el("div", "bot-info");
  const p = percent(m.confidence);
  info.appendChild(el("span", "confidence", p ? t("confidence", { p: p }) : t("noConfidence")));
  if (m.sources && m.sources.length) {
    const ul = el("ul", "sources");
    fillSources(ul, m.sources);
    info.appendChild(ul);
  }
  return info;
}

function noteEl(n) {
  const div = el("div", "note");
  div.dataset.id = String(n.id);
  const meta = el("div", "meta");
  meta.appendChild(el("span", "author", t("noteLabel") + " · " + (n.author || "")));
  meta.appendChild(el("time", "when", clock(n.created_at)));
  div.appendChild(meta);
  div.appendChild(el("div", "text", n.text));
  return div;
}

export function addMessage(m) {
  const d = state.detail;
  if (!d || d.messages.some((x) => x.id === m.id)) return;
  d.messages.push(m);
  if (m.author === "customer") hideCustomerTyping();
  renderTranscript(m.author === "agent");
}

export function addNote(n) {
  const d = state.detail;
  if (!d || d.notes.some((x) => x.id === n.id)) return;
  d.notes.push(n);
  renderTranscript(true);
}

export function showCustomerTyping() {
  $("typing").hidden = false;
  clearTimeout(state.timers.typing);
  state.timers.typing = setTimeout(hideCustomerTyping, CUSTOMER_TYPING_MS);
}

function hideCustomerTyping() {
  clearTimeout(state.timers.typing);
  $("typing").hidden = true;
}

