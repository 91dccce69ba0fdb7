/* Channels, for admins: GET /api/admin/channels lists the channels with their settings (secrets
   come back masked as "••••abcd", or "" when unset); PUT /api/admin/channels/:name {fields} saves
   and enables one at once on every replica; DELETE removes its admin settings (env-configured
   channels stay on). GET/PUT /api/admin/widget-origins: the sites that may run the widget. */
import { $, el } from "/shared/tandem.js";
import { state, events, t, api, toast, isAdmin, channelTitle, setText } from "./core.js";
import { STRINGS } from "./strings.js";

function channelPath(name) { return "/api/admin/channels/" + encodeURIComponent(name); }

export function closeChannels() {
  const dlg = $("channels-dialog");
  if (dlg.open) dlg.close();
  $("channels-list").textContent = "";
  $("channels-error").textContent = "";
  $("channels-status").textContent = "";
}

export async function openChannels() {
  if (!isAdmin()) return;
  const dlg = $("channels-dialog"), list = $("channels-list"), status = $("channels-status");
  $("channels-error").textContent = "";
  list.textContent = "";
  setText(status, "channelsLoading");
  if (!dlg.open) dlg.showModal();
  $("channels-close").focus();
  const seq = ++state.seq.channels;
  try {
    const data = await api("GET", "/api/admin/channels");
    if (seq !== state.seq.channels) return;
    const channels = (data && data.channels) || [];
    status.textContent = "";
    delete status.dataset.i18n;
    if (!channels.length) setText(status, "noChannels");
    channels.forEach((ch) => list.appendChild(channelForm(ch)));
    const origins = await api("GET", "/api/admin/widget-origins");
    if (seq !== state.seq.channels) return;
    list.appendChild(originsForm(origins || {}));
    const first = list.querySelector("input:not([readonly])");
    if (first) first.focus();
  } catch (err) {
    if (seq !== state.seq.channels) return;
    status.textContent = "";
    delete status.dataset.i18n;
    if (err.unauthorized) return;
    $("channels-error").textContent = err.message;
  }
}

// channelForm builds form[data-channel] for one channel: a heading with the enabled badge and the
// source, the webhook URL to copy, one labelled input per field, and Save / Remove buttons.
function channelForm(ch) {
  const name = String(ch.name || "");
  const form = el("form", "channel-form");
  form.dataset.channel = name;
  form.noValidate = true;
  const idBase = "channel-" + name.replace(/[^A-Za-z0-9_-]/g, "_");
  form.setAttribute("aria-labelledby", idBase + "-title");

  const head = el("div", "channel-head");
  const title = el("h3", null, channelTitle(name));
  title.id = idBase + "-title";
  if (STRINGS.en["channel_" + name] !== undefined) title.dataset.i18n = "channel_" + name;
  head.appendChild(title);
  if (channelTitle(name).toLowerCase() !== name.toLowerCase()) head.appendChild(el("span", "channel-key mono muted", name));
  const badge = setText(el("span", "badge enabled " + (ch.enabled ? "on" : "off")), ch.enabled ? "channelEnabled" : "channelDisabled");
  head.appendChild(badge);
  const source = /^(env|admin)$/.test(ch.source) ? ch.source : "none";
  const src = setText(el("span", "source muted small"), "source_" + source);
  src.dataset.source = source;
  head.appendChild(src);
  form.appendChild(head);

  if (ch.webhook) {
    const url = location.origin + (String(ch.webhook).charAt(0) === "/" ? "" : "/") + ch.webhook;
    const row = el("div", "webhook row");
    const lab = setText(el("label", "inline-label"), "webhookURL");
    lab.htmlFor = idBase + "-webhook";
    const input = el("input", "mono webhook-url");
    input.id = lab.htmlFor;
    input.type = "text";
    input.readOnly = true;
    input.value = url;
    input.spellcheck = false;
    input.addEventListener("focus", () => input.select());
    const copy = setText(el("button", "secondary copy"), "copyWebhook");
    copy.type = "button";
    copy.setAttribute("aria-label", t("copyWebhookLabel", { channel: channelTitle(name) }));
    copy.addEventListener("click", () => copyText(url, input));
    row.appendChild(lab);
    row.appendChild(input);
    row.appendChild(copy);
    form.appendChild(row);
  }

  const fields = Array.isArray(ch.fields) ? ch.fields : [];
  const grid = el("div", "channel-fields");
  fields.forEach((f) => {
    const key = String(f.key || "");
    const id = idBase + "-" + key.replace(/[^A-Za-z0-9_-]/g, "_");
    const lab = el("label", null, f.label || key);
    lab.htmlFor = id;
    if (f.required) {
      const req = el("span", "required", " *");
      req.title = t("requiredField");
      req.setAttribute("aria-hidden", "true");
      lab.appendChild(req);
    }
    const input = el("input", f.secret ? "secret" : null);
    input.id = id;
    input.name = key;
    input.spellcheck = false;
    input.autocapitalize = "off";
    if (f.required) input.setAttribute("aria-required", "true");
    if (f.secret) {
      input.type = "password";
      input.autocomplete = "new-password";
      input.value = "";
      input.placeholder = f.value || "";
      const hint = el("span", "hint muted small", f.value ? t("secretKeep", { masked: f.value }) : t("secretUnset"));
      hint.id = id + "-hint";
      input.setAttribute("aria-describedby", hint.id);
      grid.appendChild(lab);
      const cell = el("div", "field");
      cell.appendChild(input);
      cell.appendChild(hint);
      grid.appendChild(cell);
    } else {
      input.type = "text";
      input.autocomplete = "off";
      input.value = f.value || "";
      grid.appendChild(lab);
      const cell = el("div", "field");
      cell.appendChild(input);
      grid.appendChild(cell);
    }
    input.addEventListener("input", () => input.removeAttribute("aria-invalid"));
  });
  form.appendChild(grid);

  const actions = el("div", "row end");
  const remove = setText(el("button", "danger remove"), "removeAdmin");
  remove.type = "button";
  remove.addEventListener("click", () => removeChannel(form, name));
  const save = setText(el("button", "save"), "saveChannel");
  save.type = "submit";
  actions.appendChild(remove);
  actions.appendChild(save);
  form.appendChild(actions);

  form.addEventListener("submit", (e) => { e.preventDefault(); saveChannel(form, name, fields); });
  return form;
}

function setFormBusy(form, busy) {
  form.querySelectorAll("button").forEach((b) => { b.disabled = busy; });
  form.setAttribute("aria-busy", busy ? "true" : "false");
}

// markBadField flags the input whose key or label the server's message names.
function markBadField(form, fields, message) {
  const msg = String(message || "").toLowerCase();
  const bad = fields.find((f) => f.key && msg.indexOf(String(f.key).toLowerCase()) >= 0) ||
    fields.find((f) => f.label && msg.indexOf(String(f.label).toLowerCase()) >= 0);
  if (!bad) return;
  const input = Array.from(form.querySelectorAll("input[name]")).find((i) => i.name === bad.key);
  if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
}

// originsForm is the admin's list of widget sites (GET/PUT /api/admin/widget-origins): one
// origin per line; the environment's list is shown, read-only.
function originsForm(data) {
  const form = el("form", "channel-form origins-form");
  form.noValidate = true;
  form.setAttribute("aria-labelledby", "widget-origins-title");
  const title = setText(el("h3"), "widgetOrigins");
  title.id = "widget-origins-title";
  form.appendChild(title);
  const help = setText(el("p", "muted small"), "widgetOriginsHelp");
  help.id = "widget-origins-help";
  form.appendChild(help);
  const env = Array.isArray(data.env) ? data.env : [];
  if (env.length) form.appendChild(el("p", "muted small mono", t("widgetOriginsEnv", { list: env.join(", ") })));
  const area = el("textarea", "mono");
  area.id = "widget-origins";
  area.rows = 3;
  area.spellcheck = false;
  area.setAttribute("aria-labelledby", "widget-origins-title");
  area.setAttribute("aria-describedby", "widget-origins-help");
  area.value = (Array.isArray(data.origins) ? data.origins : []).join("\n");
  form.appendChild(area);
  const save = setText(el("button", "save"), "saveOrigins");
  save.type = "submit";
  const row = el("div", "row end");
  row.appendChild(save);
  form.appendChild(row);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const origins = area.value.split(/[\s,]+/).map((s) => s.trim().replace(/\/+$/, "")).filter(Boolean);
    $("channels-error").textContent = "";
    area.removeAttribute("aria-invalid");
    setFormBusy(form, true);
    try {
      const fresh = await api("PUT", "/api/admin/widget-origins", { origins: origins });
      area.value = ((fresh && fresh.origins) || []).join("\n");
      toast(t("widgetOriginsSaved"), "info");
    } catch (err) {
      if (err.unauthorized) return;
      $("channels-error").textContent = err.message;
      area.setAttribute("aria-invalid", "true");
      area.focus();
    } finally {
      if (form.isConnected) setFormBusy(form, false);
    }
  });
  return form;
}

async function saveChannel(form, name, fields) {
  const values = {};
  fields.forEach((f) => {
    const input = Array.from(form.querySelectorAll("input[name]")).find((i) => i.name === f.key);
    if (!input) return;
    // An empty secret keeps the stored one; non-secrets are sent as typed.
    values[f.key] = f.secret ? input.value : input.value.trim();
  });
  $("channels-error").textContent = "";
  form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
  setFormBusy(form, true);
  try {
    const ch = await api("PUT", channelPath(name), { fields: values });
    if (!form.isConnected) return;
    const fresh = channelForm(ch && ch.name ? ch : Object.assign({ name: name }, ch || {}));
    form.replaceWith(fresh);
    fresh.querySelector("button.save").focus();
    toast(t(ch && ch.enabled ? "channelSaved" : "channelSavedOnly", { channel: channelTitle(name) }), "info");
  } catch (err) {
    if (err.unauthorized) return;
    $("channels-error").textContent = err.message;
    $("channels-error").scrollIntoView({ block: "nearest" });
    markBadField(form, fields, err.message);
  } finally {
    if (form.isConnected) setFormBusy(form, false);
  }
}

async function removeChannel(form, name) {
  if (!window.confirm(t("confirmRemove", { channel: channelTitle(name) }))) return;
  $("channels-error").textContent = "";
  setFormBusy(form, true);
  try {
    await api("DELETE", channelPath(name));
    toast(t("channelRemoved", { channel: channelTitle(name) }), "info");
    await reloadChannel(form, name);
  } catch (err) {
    if (err.unauthorized) return;
    $("channels-error").textContent = err.message;
  } finally {
    if (form.isConnected) setFormBusy(form, false);
  }
}

// reloadChannel re-reads the list after a removal (DELETE has no body) and redraws that channel.
async function reloadChannel(form, name) {
  const seq = state.seq.channels;
  let data;
  try { data = await api("GET", "/api/admin/channels"); } catch (err) {
    if (!err.unauthorized) $("channels-error").textContent = err.message;
    return;
  }
  if (seq !== state.seq.channels || !form.isConnected) return;
  const ch = ((data && data.channels) || []).find((c) => c.name === name);
  if (!ch) { form.remove(); return; }
  const fresh = channelForm(ch);
  form.replaceWith(fresh);
  fresh.querySelector("button.remove").focus();
}

async function copyText(text, input) {
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
    await navigator.clipboard.writeText(text);
    toast(t("copied"), "info");
  } catch (e) {
    input.focus();
    input.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e2) { ok = false; }
    toast(ok ? t("copied") : t("copyFailed"), ok ? "info" : "error");
  }
}

events.on("end", closeChannels);
