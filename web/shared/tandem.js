/* Helpers of Tandem's own pages, the agent console (/console/) and the trainer console
   (/trainer/), served at /shared/tandem.js: same-origin JSON requests with the API's errors,
   strings in English and Chinese, text-only rendering and safe links, and a little formatting.
   The widget (/widget.js) is a classic script embedded on other sites and does not use this.

   Errors are HTTP 4xx/5xx with {"error":{"code":"…","message":"…"}}. Text from the server is
   always set with textContent, never as HTML; links are http(s) only. */

export const $ = (id) => document.getElementById(id);

// el makes an element with an optional class and text.
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

// fillText renders text into box as text only (never HTML): lines starting with "- " (or "* ",
// "• ") become a bulleted list, lines starting with "1. " a numbered one. cls names the classes
// of the paragraphs (cls.para) and lists (cls.list).
export function fillText(box, text, cls = {}) {
  box.textContent = "";
  let list = null, para = [];
  const flush = () => { if (para.length) box.appendChild(el("p", cls.para, para.join("\n"))); para = []; };
  String(text || "").split("\n").forEach((line) => {
    const b = /^\s*[-*\u2022]\s+(\S.*)$/.exec(line), n = /^\s*(\d{1,3})[.)]\s+(\S.*)$/.exec(line);
    const kind = b ? "ul" : n ? "ol" : "";
    if (!kind) {
      list = null;
      if (line.trim()) para.push(line); else flush();
      return;
    }
    flush();
    if (!list || list.tagName.toLowerCase() !== kind) {
      list = el(kind, cls.list);
      if (n && n[1] !== "1") list.start = Number(n[1]);
      box.appendChild(list);
    }
    list.appendChild(el("li", null, b ? b[1] : n[2]));
  });
  flush();
  return box;
}

// safeURL resolves u against this page and returns it when it is http(s), else null.
export function safeURL(u) {
  if (!u) return null;
  try { const x = new URL(u, location.origin); return /^https?:$/.test(x.protocol) ? x.href : null; } catch (e) { return null; }
}

// link is an anchor opening href in a new tab, without giving that tab this page.
export function link(href, text) {
  const a = el("a", null, text);
  a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
  return a;
}

// cssEscape quotes s for an attribute selector.
export function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&"); }

// clip shortens text to n characters (code points, so no emoji or rare CJK character is cut in half).
export function clip(text, n) {
  const chars = Array.from(text || "");
  return chars.length > n ? chars.slice(0, n).join("") + "…" : chars.join("");
}

// num formats a number with digits decimals, or "—" when it is not one.
export function num(x, digits) { return typeof x === "number" && isFinite(x) ? x.toFixed(digits) : "—"; }

// validTime parses an RFC 3339 time, treating Go's zero time as missing.
export function validTime(s) {
  if (!s) return null;
  const d = new Date(s);
  if (isNaN(d.getTime()) || d.getUTCFullYear() < 2000) return null;
  return d;
}

// ---- requests ---------------------------------------------------------------------------------

// failure is the Error a request throws: the message to show, the HTTP status (0: unreachable)
// and the API's error code.
export function failure(message, status, code) {
  const err = new Error(message);
  err.status = status;
  err.code = code || "";
  err.unauthorized = status === 401;
  return err;
}

// request sends a same-origin request with the session cookie and returns the parsed JSON body
// (null when there is none). body is sent as JSON, or as it is with o.raw (a FormData, a file's
// text); o.headers are added. It throws failure(o.unreachable, 0) when the server cannot be
// reached, and failure(the API's message, or o.message(data, status)) for an HTTP error. The
// session cookie is SameSite=Strict and the browser sends Origin, which the server checks
// against CSRF.
export async function request(method, path, body, o = {}) {
  const opts = { method: method, credentials: "same-origin", headers: Object.assign({ Accept: "application/json" }, o.headers) };
  if (body !== undefined) {
    if (o.raw) {
      opts.body = body;
    } else {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
  }
  let res;
  try { res = await fetch(path, opts); } catch (e) { throw failure(o.unreachable || "The server could not be reached.", 0); }
  const text = await res.text().catch(() => "");
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
  if (res.ok) return data;
  const message = data && data.error && data.error.message ? data.error.message
    : o.message ? o.message(data, res.status) : "The server answered HTTP " + res.status + ".";
  throw failure(message, res.status, data && data.error && data.error.code);
}

// ---- strings ----------------------------------------------------------------------------------

// translator returns t and tOr over strings ({en:{key:text}, zh:{…}}) in the language lang()
// names. t(key, params) falls back to English, then to the key, and fills {name} placeholders;
// tOr(key, fallback) is t(key), or fallback when no language has key (a code without words yet).
export function translator(strings, lang) {
  function t(key, params) {
    const dict = strings[lang()] || strings.en;
    let s = dict[key] !== undefined ? dict[key] : strings.en[key] !== undefined ? strings.en[key] : key;
    if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
    return s;
  }
  function tOr(key, fallback) { return strings.en[key] !== undefined ? t(key) : fallback; }
  return { t, tOr };
}

// initialLang is the language saved under storageKey, else the browser's ("zh" or "en").
export function initialLang(storageKey) {
  let saved = null;
  try { saved = localStorage.getItem(storageKey); } catch (e) {}
  if (saved === "en" || saved === "zh") return saved;
  return /^zh/i.test(navigator.language || "") ? "zh" : "en";
}

// saveLang remembers the language chosen with the #lang button.
export function saveLang(storageKey, lang) {
  try { localStorage.setItem(storageKey, lang); } catch (e) {}
}

// translatePage rewrites the page's static text in lang: the title, elements marked data-i18n
// (with JSON data-i18n-params), data-i18n-placeholder and data-i18n-aria-label, and the #lang
// button, which offers the other language.
export function translatePage(t, lang) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("appTitle");
  document.querySelectorAll("[data-i18n]").forEach((e) => { e.textContent = t(e.dataset.i18n, i18nParams(e)); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((e) => { e.placeholder = t(e.dataset.i18nPlaceholder); });
  document.querySelectorAll("[data-i18n-aria-label]").forEach((e) => { e.setAttribute("aria-label", t(e.dataset.i18nAriaLabel)); });
  const btn = $("lang");
  btn.textContent = t("switchLang");
  btn.lang = lang === "zh" ? "en" : "zh";
  btn.setAttribute("aria-label", t("switchLangLabel"));
}

// i18nParams reads the parameters a data-i18n text was made with (data-i18n-params, JSON).
function i18nParams(e) {
  if (!e.dataset.i18nParams) return undefined;
  try { return JSON.parse(e.dataset.i18nParams); } catch (err) { return undefined; }
}

// ---- hooks ------------------------------------------------------------------------------------

// hooks is a registry of named callbacks, so that a page's modules hear of what concerns them
// all (the language changed, the session ended) without importing each other.
export function hooks() {
  const named = {};
  return {
    on(name, fn) { (named[name] = named[name] || []).push(fn); },
    emit(name, ...args) { (named[name] || []).forEach((fn) => fn(...args)); },
  };
}
