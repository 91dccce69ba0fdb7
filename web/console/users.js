/* Users and the audit log, for admins.
     GET  /api/admin/users                     {users:[{username,role,created_at,disabled_at?}]}
     POST /api/admin/users/:username/disable   204; an admin cannot disable their own account
     GET  /api/admin/audit?actor=              {entries:[{id,at,actor,role,action,target?,status}]},
                                               newest first, at most the newest 500 */
import { $, el, validTime } from "/shared/tandem.js";
import { state, events, t, tOr, api, isAdmin, adminPath, setText, stamp, showAdmin, closeDialog } from "./core.js";

function timeCell(s) {
  const td = el("td", "when");
  const d = validTime(s);
  if (!d) return td;
  const tm = el("time", null, stamp(s));
  tm.dateTime = d.toISOString();
  td.appendChild(tm);
  return td;
}

// closeAdmin closes the users and audit dialogs and forgets what they showed (on sign-out or expiry).
function closeAdmin() {
  ["users", "audit"].forEach(closeDialog);
  $("users-table").tBodies[0].textContent = "";
  $("audit-table").tBodies[0].textContent = "";
  $("audit-actor").value = "";
  state.admin.users = [];
}

export async function openUsers() {
  if (!isAdmin()) return;
  showAdmin("users");
  $("users-close").focus();
  if (await loadUsers()) {
    const first = $("users-table").querySelector("button.disable");
    if (first && $("users-dialog").open) first.focus();
  }
}

// loadUsers lists the accounts; false when it failed or the dialog closed meanwhile.
async function loadUsers() {
  const seq = ++state.seq.users, status = $("users-status");
  setText(status, "usersLoading");
  try {
    const data = await api("GET", "/api/admin/users");
    if (seq !== state.seq.users) return false;
    state.admin.users = (data && data.users) || [];
    renderUsers();
    return true;
  } catch (err) {
    if (seq !== state.seq.users) return false;
    setText(status, null);
    if (!err.unauthorized) $("users-error").textContent = err.message;
    return false;
  }
}

function renderUsers() {
  const users = state.admin.users, body = $("users-table").tBodies[0];
  body.textContent = "";
  users.forEach((u) => body.appendChild(userRow(u)));
  const disabled = users.filter((u) => validTime(u.disabled_at)).length;
  if (users.length) setText($("users-status"), "usersCount", { n: users.length, d: disabled });
  else setText($("users-status"), "noUsers");
  fillActors();
}

// userRow is tr[data-user][data-disabled]: the username (the row's header, focusable by script),
// role, created, disabled, and a Disable button on enabled accounts but one's own.
function userRow(u) {
  const name = String(u.username || ""), off = !!validTime(u.disabled_at);
  const self = !!(state.me && state.me.username === name);
  const tr = el("tr", off ? "off" : null);
  tr.dataset.user = name;
  tr.dataset.disabled = off ? "true" : "false";
  const th = el("th", null, name);
  th.scope = "row";
  th.tabIndex = -1;
  if (self) th.appendChild(el("span", "badge you", t("you")));
  tr.appendChild(th);
  const role = el("td", null, tOr("role_" + u.role, u.role || ""));
  tr.appendChild(role);
  tr.appendChild(timeCell(u.created_at));
  tr.appendChild(off ? timeCell(u.disabled_at) : el("td", "muted", t("notDisabled")));
  const act = el("td");
  if (!off && !self) {
    const b = el("button", "danger disable", t("disableUser"));
    b.type = "button";
    b.setAttribute("aria-label", t("disableUserLabel", { user: name }));
    b.addEventListener("click", () => disableUser(name, b));
    act.appendChild(b);
  }
  tr.appendChild(act);
  return tr;
}

async function disableUser(name, btn) {
  if (!window.confirm(t("confirmDisable", { user: name }))) return;
  $("users-error").textContent = "";
  btn.disabled = true;
  let failed = null;
  try {
    await api("POST", adminPath("users", name, "disable"));
  } catch (err) {
    if (err.unauthorized) return;
    failed = err;
  } finally {
    if (btn.isConnected) btn.disabled = false;
  }
  if (!$("users-dialog").open) return;
  // Reload either way: after an error the list may be out of date (another admin acted).
  await loadUsers();
  if (failed) {
    $("users-error").textContent = failed.message;
  } else {
    setText($("users-status"), "userDisabled", { user: name });
  }
  const row = Array.from($("users-table").tBodies[0].rows).find((r) => r.dataset.user === name);
  if (row) row.cells[0].focus();
}

// -- audit log

export function openAudit() {
  if (!isAdmin()) return;
  showAdmin("audit");
  $("audit-actor").focus();
  loadAudit();
}

export async function loadAudit() {
  const actor = $("audit-actor").value.trim(), seq = ++state.seq.audit, status = $("audit-status");
  $("audit-error").textContent = "";
  setText(status, "auditLoading");
  try {
    const q = actor ? "?" + new URLSearchParams({ actor: actor }) : "";
    const data = await api("GET", "/api/admin/audit" + q);
    if (seq !== state.seq.audit) return;
    const entries = (data && data.entries) || [];
    renderAudit(entries);
    if (!entries.length) setText(status, "noAudit");
    else if (actor) setText(status, "auditCountActor", { n: entries.length, actor: actor });
    else setText(status, "auditCount", { n: entries.length });
  } catch (err) {
    if (seq !== state.seq.audit) return;
    setText(status, null);
    if (!err.unauthorized) $("audit-error").textContent = err.message;
  }
}

// renderAudit fills the table, one tr[data-id] per entry: time, actor, role, action, target, status.
function renderAudit(entries) {
  const body = $("audit-table").tBodies[0];
  body.textContent = "";
  entries.forEach((e) => {
    const tr = el("tr");
    tr.dataset.id = String(e.id);
    tr.dataset.action = e.action || "";
    tr.dataset.target = e.target || "";
    tr.dataset.status = String(e.status);
    tr.appendChild(timeCell(e.at));
    tr.appendChild(el("td", null, e.actor));
    tr.appendChild(el("td", null, tOr("role_" + e.role, e.role || "")));
    tr.appendChild(el("td", "mono", e.action));
    tr.appendChild(el("td", "mono", e.target || ""));
    const st = el("td", "num");
    st.appendChild(el("span", "status " + (e.status >= 400 ? "bad" : "ok"), e.status));
    tr.appendChild(st);
    body.appendChild(tr);
  });
  fillActors(entries);
}

// fillActors offers the known usernames in the actor filter.
function fillActors(entries) {
  const names = new Set(state.admin.users.map((u) => u.username));
  (entries || []).forEach((e) => { if (e.actor) names.add(e.actor); });
  const list = $("audit-actors");
  list.textContent = "";
  Array.from(names).sort().forEach((n) => { const o = el("option"); o.value = n; list.appendChild(o); });
}

events.on("end", closeAdmin);
