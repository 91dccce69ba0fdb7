/* The trainer console's state and the helpers its panels share: strings in the chosen language,
   requests with the API key or the session, the error line, and formatting of figures, days and
   charts. Panels hear through events that the language changed ("lang"), the console opened
   ("start") or closed ("hide"), or a request was refused with 401 ("unauthorized"). */
import { $, request, failure, translator, hooks } from "/shared/tandem.js";
import { STRINGS } from "./strings.js";

export const state = {
  key: null,   // the API key, when signed in with one
  me: null,    // {username, role}, when signed in with a session
  lang: "en",
};

export const events = hooks();

export const { t, tOr } = translator(STRINGS, () => state.lang);

export const SVGNS = "http://www.w3.org/2000/svg";

export function showError(msg) { $("error").textContent = msg || ""; }

// report shows an error unless it was a 401, which already brought up the sign-in form.
export function report(err) { if (!err.unauthorized) showError(err.message); }

// headers adds the API key, when there is one (a session needs nothing: the cookie goes along).
export function headers(extra) {
  var h = extra || {};
  if (state.key) h.Authorization = "Bearer " + state.key;
  return h;
}

// api sends a request and returns the parsed JSON (or null for 204); o.raw and o.headers are
// request's. A 401 signs out, unless the key has changed since the request went out; with a
// key, a 401 from the session-only trainer API just says that it needs a trainer sign-in.
export function api(method, path, body, o) {
  var sent = state.key;
  var opts = Object.assign({}, o, { headers: headers(Object.assign({}, o && o.headers)), unreachable: t("unreachable"), message: apiMessage });
  return request(method, path, body, opts).catch(function (err) {
    if (err.status !== 401) throw err;
    if (state.key && /^\/api\/trainer\//.test(path)) throw failure(t("needSession"), 403);
    if (sent === state.key) events.emit("unauthorized");
    throw failure("unauthorized", 401);
  });
}

export function apiMessage(data, status) {
  if (data && data.error && data.error.message) return data.error.message;
  if (status === 413) return "The upload is too large. Send fewer or smaller files at a time.";
  if (status === 429) return "Too many requests. Wait a moment and try again.";
  return "The server answered HTTP " + status + ".";
}

export function busy(btn, on) { btn.disabled = on; btn.setAttribute("aria-busy", String(on)); }

export function cell(tr, text, cls) {
  var td = document.createElement("td");
  td.textContent = text === undefined || text === null ? "" : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

// ---- formatting ----------------------------------------------------------------------------

export function count(n, word) { n = Number(n) || 0; return n.toLocaleString() + " " + word + (n === 1 ? "" : "s"); }

export function pct(x, digits) { return typeof x === "number" && isFinite(x) ? (x * 100).toFixed(digits === undefined ? 1 : digits) + "%" : "—"; }

export function locale() { return state.lang === "zh" ? "zh-CN" : "en"; }

export function when(s) {
  var d = s ? new Date(s) : null;
  if (!d || isNaN(d.getTime())) return "";
  try { return d.toLocaleString(locale(), { dateStyle: "medium", timeStyle: "short" }); } catch (e) { return d.toLocaleString(); }
}

export function day(s) {
  var d = s ? new Date(s) : null;
  if (!d || isNaN(d.getTime())) return "";
  try { return d.toLocaleDateString(locale(), { dateStyle: "medium" }); } catch (e) { return d.toLocaleDateString(); }
}

// points formats a difference of two shares as signed percentage points.
export function points(x) {
  if (typeof x !== "number" || !isFinite(x)) return "—";
  var v = x * 100;
  return t("points", { n: (v > 0.05 ? "+" : v < -0.05 ? "−" : "±") + Math.abs(v).toFixed(1) });
}

// ---- date ranges (days are UTC) --------------------------------------------------------------

export function utcDay(d) { return d.toISOString().slice(0, 10); }

// dayAfter gives the day after a YYYY-MM-DD date (the API's to= is exclusive).
export function dayAfter(day) {
  var d = new Date(day + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function setRange(fromId, toId, days) {
  var to = new Date(), from = new Date();
  from.setUTCDate(from.getUTCDate() - (days - 1));
  $(fromId).value = utcDay(from);
  $(toId).value = utcDay(to);
}

// rangeQuery gives "from=…&to=…" for a pair of date inputs (to is inclusive there, exclusive in
// the API), filling in the last days days when either is empty; null when the range is backwards.
export function rangeQuery(fromId, toId, days) {
  if (!$(fromId).value || !$(toId).value) setRange(fromId, toId, days);
  var from = $(fromId).value, to = $(toId).value;
  if (from > to) { showError(t("badRange")); return null; }
  return { from: from, to: to, query: "from=" + from + "&to=" + dayAfter(to) };
}

// ---- charts ----------------------------------------------------------------------------------

export function svgEl(tag, attrs, parent, text) {
  var e = document.createElementNS(SVGNS, tag);
  Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
  if (text !== undefined) e.textContent = String(text);
  if (parent) parent.appendChild(e);
  return e;
}

// niceStep picks a round tick step (1, 2 or 5 × 10^n) for about four ticks up to max.
export function niceStep(max) {
  var raw = Math.max(max, 1) / 4, mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
  return Math.max(1, (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag);
}
