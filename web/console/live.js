/* The console's live socket: WS /api/console/ws carries chat.Event frames {type, conversation_id, …}
   for the queue, the agent's own conversations and the one on screen. */
import { $ } from "/shared/tandem.js";
import { state, events, t, send } from "./core.js";
import { refreshLists, scheduleRefresh } from "./lists.js";
import { reloadDetail, scheduleReload } from "./conversation.js";
import { addMessage, addNote, showCustomerTyping } from "./transcript.js";
import { onDraft, onDraftDelta } from "./composer.js";

export function connect() {
  disconnect();
  const url = (location.protocol === "https:" ? "wss:" : "ws:") + "//" + location.host + "/api/console/ws";
  let ws;
  try { ws = new WebSocket(url); } catch (e) { scheduleReconnect(); return; }
  state.ws = ws;
  ws.onopen = () => {
    state.wsRetry = 0;
    renderLive(true);
    refreshLists();
    if (state.openId) { send({ type: "watch", conversation_id: state.openId }); reloadDetail(); }
    clearInterval(state.pingTimer);
    state.pingTimer = setInterval(() => send({ type: "ping" }), 25000);
  };
  ws.onmessage = (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch (e) { return; }
    if (ev && typeof ev.type === "string") handleEvent(ev);
  };
  ws.onclose = () => {
    if (state.ws !== ws) return;
    state.ws = null;
    clearInterval(state.pingTimer);
    renderLive(false);
    if (state.me) scheduleReconnect();
  };
  ws.onerror = () => { /* onclose follows */ };
}

export function disconnect() {
  clearTimeout(state.wsTimer);
  clearInterval(state.pingTimer);
  const ws = state.ws;
  state.ws = null;
  if (ws) { try { ws.close(); } catch (e) {} }
  renderLive(false);
}

// scheduleReconnect retries after 1 s, 2 s, 4 s … up to 30 s, with some jitter.
function scheduleReconnect() {
  clearTimeout(state.wsTimer);
  const delay = Math.min(30000, 1000 * Math.pow(2, state.wsRetry)) * (0.8 + Math.random() * 0.4);
  state.wsRetry++;
  state.wsTimer = setTimeout(() => { if (state.me) connect(); }, delay);
}

function renderLive(up) {
  const live = $("live");
  if (!state.me) { live.textContent = ""; live.className = "live"; return; }
  live.textContent = up ? t("live") : t("reconnecting");
  live.className = "live " + (up ? "up" : "down");
}

function handleEvent(ev) {
  const open = ev.conversation_id && ev.conversation_id === state.openId;
  switch (ev.type) {
    case "queue":
    case "owner":
    case "sla_breach":
      scheduleRefresh();
      if (open) scheduleReload();
      break;
    case "message":
      scheduleRefresh();
      if (open && ev.message) addMessage(ev.message);
      break;
    case "note":
      if (open && ev.note) addNote(ev.note);
      break;
    case "typing":
      if (open && ev.author === "customer") showCustomerTyping();
      break;
    case "draft_delta":
      if (open) onDraftDelta(ev.text || "");
      break;
    case "draft":
      if (ev.draft && (ev.draft.conversation_id || ev.conversation_id) === state.openId) onDraft(ev.draft);
      break;
  }
}

events.on("end", disconnect);
events.on("lang", () => renderLive(state.ws && state.ws.readyState === WebSocket.OPEN));
