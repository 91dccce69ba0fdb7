/* Signing in and out of the agent console, the agent's presence, and the language. The session
   is the HttpOnly cookie "tandem_session" set by POST /api/console/login; any later 401 brings
   back the sign-in form.
     POST /api/console/login {username,password}   GET /api/console/me   POST /api/console/logout
     GET  /api/console/session (200 {signed_in:false} when signed out)   PUT /api/console/presence {status} */
import { $, initialLang, saveLang, translatePage } from "/shared/tandem.js";
import { state, events, t, api, report, isAdmin, LANG_KEY } from "./core.js";
import { connect } from "./live.js";
import { refreshLists, scheduleRefresh, tickWaits } from "./lists.js";

const LIST_REFRESH_MS = 15000;
const ADMIN_BUTTONS = ["admin-channels", "admin-users", "admin-audit", "admin-customers"];

export function toggleLang() {
  state.lang = state.lang === "zh" ? "en" : "zh";
  saveLang(LANG_KEY, state.lang);
  applyLang();
}

// applyLang rewrites the static text and lets every panel redraw in the language.
function applyLang() {
  translatePage(t, state.lang);
  events.emit("lang");
}

// boot shows the console in the saved language and opens the session the browser has, if any.
export async function boot() {
  state.lang = initialLang(LANG_KEY);
  applyLang();
  try {
    const me = await api("GET", "/api/console/session");
    if (me.signed_in === false) showLogin(""); else startSession(me, false);
  } catch (err) {
    showLogin(err.unauthorized ? "" : err.message);
  }
}

function showLogin(message) {
  $("app").hidden = true;
  $("sign-out").hidden = true;
  $("presence-label").hidden = true;
  $("help-open").hidden = true;
  ADMIN_BUTTONS.forEach((id) => { $(id).hidden = true; });
  $("me").textContent = "";
  $("login-error").textContent = message || "";
  $("login-form").hidden = false;
  $("login-pass").value = "";
  ($("login-user").value ? $("login-pass") : $("login-user")).focus();
}

export async function login(e) {
  e.preventDefault();
  const username = $("login-user").value.trim(), password = $("login-pass").value;
  if (!username || !password) { $("login-error").textContent = t("loginMissing"); return; }
  $("login-submit").disabled = true;
  try {
    await api("POST", "/api/console/login", { username: username, password: password });
    const me = await api("GET", "/api/console/me");
    startSession(me, true);
  } catch (err) {
    $("login-error").textContent = err.message;
    $("login-pass").select();
  } finally {
    $("login-submit").disabled = false;
  }
}

function startSession(me, fresh) {
  state.me = me;
  $("login-form").hidden = true;
  $("login-error").textContent = "";
  $("app").hidden = false;
  $("sign-out").hidden = false;
  $("presence-label").hidden = false;
  $("help-open").hidden = false;
  ADMIN_BUTTONS.forEach((id) => { $(id).hidden = !isAdmin(); });
  renderMe();
  if (fresh) setPresence("online");
  connect();
  refreshLists();
  clearInterval(state.timers.poll);
  state.timers.poll = setInterval(refreshLists, LIST_REFRESH_MS);
  clearInterval(state.timers.tick);
  state.timers.tick = setInterval(tickWaits, 1000);
  events.emit("start", me);
}

// endSession stops everything that talks to the server and clears what the agent saw.
function endSession() {
  state.me = null;
  events.emit("end");
  Object.keys(state.timers).forEach((k) => { clearTimeout(state.timers[k]); clearInterval(state.timers[k]); state.timers[k] = null; });
  state.saved = {};
  $("toast").hidden = true;
}

function expire() {
  endSession();
  showLogin(t("sessionExpired"));
}

export async function signOut() {
  try { await api("POST", "/api/console/logout"); } catch (err) { /* signed out either way */ }
  endSession();
  showLogin("");
}

function renderMe() {
  const me = state.me;
  if (!me) return;
  $("me").textContent = me.name ? me.name + " (" + me.username + ")" : me.username;
  if (me.status) $("presence").value = me.status;
}

export async function setPresence(status) {
  try {
    const agent = await api("PUT", "/api/console/presence", { status: status });
    if (state.me && agent) { state.me.status = agent.status || status; renderMe(); }
    scheduleRefresh();
  } catch (err) {
    report(err);
    renderMe(); // put the selector back to the status the server has
  }
}


events.on("expire", expire);
events.on("lang", () => { if (state.me) renderMe(); });
