/* Signing in to the trainer console, two ways:
   - an API key from the URL fragment #key=… (then removed from the address bar) or sessionStorage
     "tandem.trainer.key": every request sends "Authorization: Bearer <key>", and a 401 brings back
     the key form. A key opens /api/v1/* only; /api/trainer/* needs a session.
   - a trainer session (HttpOnly cookie, SameSite=Strict): without a key the console asks
     GET /api/trainer/session, and when signed out shows the sign-in form (POST /api/trainer/login).
     Requests then carry no Authorization header; a later 401 returns to the form with "session expired".
   The status line shows GET /api/v1/kb/status {documents, chunks, embedder:{model,dim}, embedded,
   reembedding, calibration}. */
import { $, num } from "/shared/tandem.js";
import { state, events, t, api, apiMessage, report, showError, busy, count } from "./core.js";

var KEY = "tandem.trainer.key";
var statusTimer = null;

function readKey() {
  var m = /(?:^#|&)key=([^&]*)/.exec(location.hash);
  if (m) {
    try { state.key = decodeURIComponent(m[1]); } catch (e) { state.key = m[1]; }
    state.key = state.key.trim() || null;
    history.replaceState(null, "", location.pathname + location.search);
    if (state.key) { try { sessionStorage.setItem(KEY, state.key); } catch (e) {} return; }
  }
  try { state.key = sessionStorage.getItem(KEY); } catch (e) {}
}

// unauthorized handles a 401: back to the key form, or to the sign-in form for a session.
function unauthorized() {
  if (state.key) signOut(t("keyRejected"));
  else showSignIn(t("sessionExpired"));
}

// hideApp leaves the console and forgets what it showed.
function hideApp() {
  clearTimeout(statusTimer);
  $("app").hidden = true;
  $("sign-out").hidden = true;
  $("who").hidden = true;
  $("status").textContent = "";
  $("signin").hidden = false;
  events.emit("hide");
}

// signOut forgets the API key and shows the key form (and the sign-in form above it).
function signOut(msg) {
  state.key = null;
  try { sessionStorage.removeItem(KEY); } catch (e) {}
  hideApp();
  $("signin-error").textContent = "";
  $("key-note").textContent = msg || "";
  $("key-form").hidden = false;
  $("key-input").value = "";
  $("key-input").focus();
}

// showSignIn shows the username and password form, with msg (e.g. "session expired").
function showSignIn(msg) {
  state.me = null;
  hideApp();
  $("key-form").hidden = true;
  $("key-note").textContent = "";
  $("signin-error").textContent = msg || "";
  $("signin-pass").value = "";
  ($("signin-user").value ? $("signin-pass") : $("signin-user")).focus();
}

// checkSession opens the console if the browser has a trainer session, else the sign-in form.
function checkSession() {
  // The probe answers 200 {"signed_in": false} when signed out: no error in the browser's log.
  fetch("/api/trainer/session", { credentials: "same-origin" }).then(function (res) {
    if (!res.ok) { showSignIn(res.status === 403 ? t("wrongRole") : ""); return; }
    return res.json().then(function (me) { if (me.signed_in === false) showSignIn(""); else startSession(me); });
  }, function () { showSignIn(t("unreachable")); });
}

function signIn(e) {
  e.preventDefault();
  var user = $("signin-user").value.trim(), pass = $("signin-pass").value;
  if (!user || !pass) { $("signin-error").textContent = t("enterUserPass"); return; }
  var btn = $("signin-submit");
  busy(btn, true);
  fetch("/api/trainer/login", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: user, password: pass }) }).then(function (res) {
    return res.json().catch(function () { return {}; }).then(function (data) {
      if (res.ok) { startSession({ username: data.username || user, role: data.role }); return; }
      $("signin-error").textContent = res.status === 401 ? t("wrongPassword") : res.status === 403 ? t("wrongRole") : apiMessage(data, res.status);
      $("signin-pass").value = "";
      $("signin-pass").focus();
    });
  }, function () { $("signin-error").textContent = t("unreachable"); }).then(function () { busy(btn, false); });
}

function startSession(who) {
  state.key = null;
  try { sessionStorage.removeItem(KEY); } catch (e) {}
  state.me = who || {};
  $("signin-pass").value = "";
  start();
}

// leave signs out of whichever way the console was opened.
function leave() {
  if (!state.me) { signOut(""); return; }
  fetch("/api/trainer/logout", { method: "POST", credentials: "same-origin" }).catch(function () {}).then(function () { showSignIn(""); });
}

function start() {
  $("signin").hidden = true;
  $("key-form").hidden = true;
  $("key-note").textContent = "";
  $("signin-error").textContent = "";
  $("app").hidden = false;
  $("sign-out").hidden = false;
  renderWho();
  showError("");
  refreshStatus();
  events.emit("start");
}

function renderWho() {
  var w = $("who");
  w.hidden = !state.me && !state.key;
  w.textContent = state.me ? t("signedInAs", { user: state.me.username || "?" }) : state.key ? t("signedInKey") : "";
}

export function refreshStatus() {
  clearTimeout(statusTimer);
  if (!state.key && !state.me) return;
  api("GET", "/api/v1/kb/status").then(function (s) {
    var e = s.embedder || {};
    var text = count(s.documents, "document") + " · " + count(s.chunks, "chunk") +
      (e.model ? " · embedder " + e.model + (e.dim ? " (" + e.dim + "d)" : "") : "");
    if (s.reembedding) {
      text += " · re-embedding… " + (s.embedded || 0) + "/" + (s.chunks || 0);
      statusTimer = setTimeout(refreshStatus, 5000);
    }
    text += calibrationText(s.calibration);
    if (s.calibration && s.calibration.state !== "done" && !s.reembedding) statusTimer = setTimeout(refreshStatus, 2000);
    $("status").textContent = text;
  }).catch(report);
}

// calibrationText describes the answer calibrator fitted on the knowledge base.
function calibrationText(c) {
  if (!c || !c.state) return "";
  if (c.state === "running") return " · fitting confidence… " + (c.done || 0) + "/" + (c.total || 0);
  if (c.state === "waiting") return " · confidence waits for vectors";
  if (c.state === "failed") return " · confidence fit failed: " + (c.error || "");
  var langs = (c.fit && c.fit.langs) || {}, parts = [];
  Object.keys(langs).sort().forEach(function (l) {
    var x = langs[l];
    parts.push(l + " ECE " + num(x.ece, 3) + ", answers at P ≥ " + num(x.threshold, 2) + ": coverage " + num(x.coverage, 2) + " at precision " + num(x.precision, 2));
  });
  return " · confidence fitted on the knowledge base" + (parts.length ? " (" + parts.join("; ") + ")" : "");
}

// useKey opens the console with the key typed into the key form.
function useKey(e) {
  e.preventDefault();
  var k = $("key-input").value.trim();
  if (!k) { $("key-note").textContent = t("enterKey"); return; }
  state.key = k;
  state.me = null;
  try { sessionStorage.setItem(KEY, state.key); } catch (err) {}
  $("key-input").value = "";
  start();
}

export function wire() {
  $("sign-out").addEventListener("click", leave);
  $("signin-form").addEventListener("submit", signIn);
  $("use-key").addEventListener("click", function () { $("key-form").hidden = false; $("key-input").focus(); });
  $("key-form").addEventListener("submit", useKey);
  events.on("unauthorized", unauthorized);
  events.on("lang", renderWho);
}

// open opens the console with the key in the address or the tab, else with the browser's session.
export function open() {
  readKey();
  if (state.key) start(); else checkSession();
  // A #key=… link opened in a tab that already shows the console switches to that key.
  window.addEventListener("hashchange", function () {
    if (!/(?:^#|&)key=/.test(location.hash)) return;
    readKey();
    if (state.key) { state.me = null; start(); } else signOut("");
  });
}
