/* The open conversation: who handles it, why the bot handed off, the customer, and the actions
   on it (accept, return to the bot, close).
     GET  /api/console/conversations/:id   {conversation,customer,messages,notes,draft,handoff,transitions}
     POST /api/console/conversations/:id/{accept,return,close} */
import { $, el } from "/shared/tandem.js";
import { state, events, t, tOr, api, report, toast, send, percent, convPath, customerName, channelBadge, priorityBadge, reasonText } from "./core.js";
import { scheduleRefresh, select, markSelection } from "./lists.js";
import { renderTranscript, fillSources } from "./transcript.js";
import { resetComposer, saveComposer, fillComposerOnOpen, renderDraftInfo, loadCanned } from "./composer.js";

export async function accept(id) {
  try {
    await api("POST", convPath(id, "accept"));
    toast(t("accepted"), "info");
    select(id);
    scheduleRefresh();
    await openConversation(id);
    $("composer").focus();
  } catch (err) {
    report(err);
    scheduleRefresh();
  }
}

// act runs a button's action on the open conversation: disables the button meanwhile, toasts
// the result and refreshes the lists and the pane.
export async function act(button, fn, okMessage) {
  const id = state.openId;
  if (!id) return;
  if (button) button.disabled = true;
  try {
    await fn(id);
    if (okMessage) toast(okMessage, "info");
    scheduleRefresh();
    if (id === state.openId) await reloadDetail();
  } catch (err) {
    report(err);
  } finally {
    if (button) button.disabled = false;
    if (state.detail) renderActions();
  }
}

export async function openConversation(id) {
  if (state.openId && state.openId !== id) saveComposer();
  const switching = state.openId !== id;
  state.openId = id;
  $("conv").dataset.conv = id; // for complaints.js
  markSelection();
  // The server sends live messages, drafts and typing only for the agent's own conversations
  // and the one on screen.
  if (switching) send({ type: "watch", conversation_id: id });
  if (switching) {
    state.detail = null;
    $("typing").hidden = true;
    resetComposer("");
  }
  await reloadDetail(switching);
}

export function scheduleReload() {
  clearTimeout(state.timers.reload);
  state.timers.reload = setTimeout(() => { reloadDetail(false); }, 150);
}

// reloadDetail fetches the open conversation. first: it was just opened, so the composer takes
// the agent's saved text or the bot's unsent draft.
export async function reloadDetail(first) {
  const id = state.openId;
  if (!id) return;
  const mine = ++state.seq.detail;
  try {
    const d = await api("GET", convPath(id));
    if (mine !== state.seq.detail || id !== state.openId) return;
    state.detail = normalizeDetail(d);
    renderDetail(first);
    if (first) fillComposerOnOpen(id);
    loadCanned(convLang());
  } catch (err) {
    if (mine !== state.seq.detail) return;
    report(err);
    if (err.status === 404 && id === state.openId) closeConversation();
  }
}

function normalizeDetail(d) {
  d = d || {};
  return {
    conversation: d.conversation || { id: state.openId },
    customer: d.customer || {},
    messages: Array.isArray(d.messages) ? d.messages : [],
    notes: Array.isArray(d.notes) ? d.notes : [],
    draft: d.draft || null,
    handoff: d.handoff || null,
  };
}

export function closeConversation() {
  state.openId = null;
  delete $("conv").dataset.conv;
  state.detail = null;
  $("conv").hidden = true;
  $("conv-empty").hidden = false;
  resetComposer("");
  markSelection();
}

function convLang() {
  const d = state.detail;
  return (d && (d.conversation.lang || d.customer.lang)) || state.lang;
}

export function renderDetail(scrollToEnd) {
  const d = state.detail;
  if (!d) return;
  $("conv-empty").hidden = true;
  $("conv").hidden = false;
  renderHeader();
  renderActions();
  renderHandoff();
  renderCustomer();
  renderTranscript(!!scrollToEnd);
  renderDraftInfo();
  // proposals.js (the bot's proposed actions) follows the open conversation.
  events.emit("detail", { conversation: d.conversation, me: state.me && state.me.username });
}

function renderHeader() {
  const c = state.detail.conversation, cust = state.detail.customer;
  $("conv-name").textContent = customerName(cust, c.id);
  const ch = $("conv-channel");
  const badge = channelBadge(c.channel);
  ch.className = badge.className;
  ch.textContent = badge.textContent;
  const pri = priorityBadge(c.priority), pEl = $("conv-priority");
  pEl.hidden = !pri;
  if (pri) { pEl.className = pri.className; pEl.textContent = pri.textContent; }
  const parts = [handledBy(c)];
  if (c.team) parts.push(t("team", { team: c.team }));
  $("conv-owner").textContent = parts.join(" · ");
}

// handledBy says in words who is handling the conversation.
function handledBy(c) {
  switch (c.owner) {
    case "bot": return t("handledBot");
    case "waiting": return t("handledWaiting");
    case "closed": return t("handledClosed");
    case "human":
      if (!c.assignee) return t("handledHuman");
      return state.me && c.assignee === state.me.username ? t("handledYou") : t("handledBy", { who: c.assignee });
  }
  return c.owner || "";
}

function renderActions() {
  const c = state.detail.conversation;
  $("conv-accept").hidden = c.owner !== "waiting";
  $("transfer").disabled = c.owner === "closed" || c.owner === "bot";
  $("return").disabled = c.owner === "closed" || c.owner === "bot";
  $("close").disabled = c.owner === "closed";
}

function renderHandoff() {
  const h = state.detail.handoff;
  const box = $("handoff");
  box.hidden = !h;
  if (!h) return;
  $("handoff-reason").textContent = reasonText(h.reason || "");
  const p = percent(h.confidence);
  $("handoff-confidence").textContent = p ? t("confidence", { p: p }) : t("noConfidence");
  fillSources($("handoff-sources"), h.sources);
}

function renderCustomer() {
  const c = state.detail.conversation, cust = state.detail.customer;
  $("customer-id").textContent = cust.id || c.customer_id || "";
  $("customer-external").textContent = cust.external_id || "—";
  $("customer-name").textContent = cust.name || "—";
  $("customer-channel").textContent = tOr("channel_" + (cust.channel || c.channel), cust.channel || c.channel || "—");
  $("customer-lang").textContent = c.lang || cust.lang || "—";
  const body = $("customer-attrs").querySelector("tbody");
  body.textContent = "";
  const attrs = cust.attributes || {};
  const keys = Object.keys(attrs).sort();
  keys.forEach((k) => {
    const tr = el("tr");
    const th = el("th", null, k);
    th.scope = "row";
    tr.appendChild(th);
    tr.appendChild(el("td", null, attrs[k]));
    body.appendChild(tr);
  });
  $("customer-attrs").hidden = !keys.length;
  $("customer-attrs-empty").hidden = keys.length > 0;
}

events.on("open", openConversation);
events.on("accept", accept);
events.on("lang", () => { if (state.detail) renderDetail(); });
events.on("end", closeConversation);
