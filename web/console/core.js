/* The agent console's state and the helpers its panels share: strings in the chosen language,
   the console API, the toast, the live socket's send, and the hooks through which panels hear
   that the language changed ("lang"), a session started ("start", me) or ended ("end"), a
   conversation was shown ("detail", {conversation, me}), or a list item wants opening ("open", id)
   or accepting ("accept", id). */
import { $, el, request, translator, validTime, hooks } from "/shared/tandem.js";
import { STRINGS } from "./strings.js";

export const LANG_KEY = "tandem.console.lang";

export const state = {
  lang: "en",
  me: null,                 // the signed-in agent (GET /me), null when signed out
  lists: { queue: [], mine: [] },
  selectedId: null,         // the highlighted list item (j/k)
  openId: null,             // the conversation in the main pane
  detail: null,             // GET /conversations/:id of openId
  composer: { touched: false, draft: null, streaming: false, lastTypingAt: 0 },
  saved: {},                // conversation id → unsent text the agent typed
  noteMode: false,
  canned: { lang: null, replies: [], shown: [], index: 0 },
  ws: null, wsRetry: 0, wsTimer: null, pingTimer: null,
  timers: { refresh: null, poll: null, tick: null, reload: null, typing: null, toast: null },
  seq: { lists: 0, detail: 0, channels: 0, users: 0, audit: 0, customers: 0 },
  admin: { users: [], customer: null }, // the accounts last listed; the customer found in "Customer data"
};

export const events = hooks();

export const { t, tOr } = translator(STRINGS, () => state.lang);

// lang is the console's language, for the modules with strings of their own.
export function lang() { return state.lang; }

export function mmss(ms) {
  const sec = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(sec / 60), s = sec % 60;
  return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
}

export function clock(s) {
  const d = validTime(s);
  if (!d) return "";
  const sameDay = d.toDateString() === new Date().toDateString();
  const opts = sameDay ? { hour: "2-digit", minute: "2-digit" } : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
  try { return d.toLocaleString(state.lang === "zh" ? "zh-CN" : "en", opts); } catch (e) { return d.toLocaleString(); }
}

// stamp formats an RFC 3339 time as local "YYYY-MM-DD HH:MM:SS": records need the date and
// the seconds, read the same in every language.
export function stamp(s) {
  const d = validTime(s);
  if (!d) return "";
  const p = (n) => (n < 10 ? "0" : "") + n;
  return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " +
    p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
}

export function percent(x) {
  return typeof x === "number" && isFinite(x) ? Math.round(x * 100) + "%" : null;
}

export function shortId(id) { return id ? "#" + String(id).slice(0, 8) : ""; }

export function customerName(c, convId) { return (c && c.name) || shortId((c && c.id) || convId); }

export function isTyping(target) {
  if (!target || !target.tagName) return false;
  return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
}

export function isAdmin() { return !!(state.me && state.me.role === "admin"); }

export function convPath(id, action) {
  return "/api/console/conversations/" + encodeURIComponent(id) + (action ? "/" + action : "");
}

export function adminPath(kind, id, action) {
  return "/api/admin/" + kind + "/" + encodeURIComponent(id) + (action ? "/" + action : "");
}

export function channelTitle(name) { return tOr("channel_" + name, name); }

export function channelBadge(channel) {
  const ch = channel || "generic";
  return el("span", "badge channel channel-" + ch.replace(/[^a-z0-9_-]/gi, ""), tOr("channel_" + ch, ch));
}

export function priorityBadge(priority) {
  if (priority === "high") return el("span", "badge priority-high", t("priorityHigh"));
  if (priority === "low") return el("span", "badge priority-low", t("priorityLow"));
  return null;
}

export function reasonText(reason) { return tOr("reason_" + reason, reason); }

// setText gives e the translated text of key with params (kept current on a language change),
// or clears it when key is null.
export function setText(e, key, params) {
  if (!key) {
    delete e.dataset.i18n;
    delete e.dataset.i18nParams;
    e.textContent = "";
    return e;
  }
  e.dataset.i18n = key;
  if (params) e.dataset.i18nParams = JSON.stringify(params); else delete e.dataset.i18nParams;
  e.textContent = t(key, params);
  return e;
}

// showAdmin opens one of the admin dialogs with its error cleared.
export function showAdmin(name) {
  const dlg = $(name + "-dialog");
  $(name + "-error").textContent = "";
  if (!dlg.open) dlg.showModal();
  return dlg;
}

// closeDialog closes one of the admin dialogs and clears its error and status.
export function closeDialog(name) {
  const dlg = $(name + "-dialog");
  if (dlg.open) dlg.close();
  $(name + "-error").textContent = "";
  setText($(name + "-status"), null);
}

// ---- API -------------------------------------------------------------------------------------

// api sends a JSON request with the session cookie and returns the parsed body (null for 204/202
// without a body); o.raw and o.headers are request's. It throws an Error carrying the server's
// message; a 401 while signed in also brings back the sign-in form.
export async function api(method, path, body, o) {
  const opts = Object.assign({ unreachable: t("unreachable"), message: (data, status) => t("httpError", { status: status }) }, o);
  try {
    return await request(method, path, body, opts);
  } catch (err) {
    if (err.status === 401 && state.me && path !== "/api/console/login") events.emit("expire");
    throw err;
  }
}

// report shows an action's error in the toast (a 401 has already shown the sign-in form).
export function report(err) {
  if (!err || err.unauthorized) return;
  toast(err.message || String(err), "error");
}

// toast shows a message for a few seconds (ms, or longer for an error).
export function toast(message, kind, ms) {
  const box = $("toast");
  // Inside an open modal dialog the rest of the page is inert, so the toast goes along with it.
  const host = document.querySelector("dialog[open]") || document.body;
  if (box.parentNode !== host) host.appendChild(box);
  box.textContent = message;
  box.className = kind === "error" ? "error" : "info";
  box.hidden = false;
  clearTimeout(state.timers.toast);
  state.timers.toast = setTimeout(() => { box.hidden = true; }, ms || (kind === "error" ? 8000 : 3500));
}

// send writes a frame to the live socket when it is open.
export function send(frame) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(frame));
}
