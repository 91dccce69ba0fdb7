/* The transfer dialog: hand the open conversation to another agent or back to a team's queue.
     GET /api/console/agents   POST /api/console/conversations/:id/transfer {to|team, note} */
import { $, el } from "/shared/tandem.js";
import { state, t, tOr, api, toast, convPath } from "./core.js";
import { scheduleRefresh } from "./lists.js";
import { reloadDetail } from "./conversation.js";

export async function openTransfer() {
  if (!state.openId) return;
  const dlg = $("transfer-dialog");
  $("transfer-error").textContent = "";
  $("transfer-team").value = "";
  $("transfer-note").value = "";
  const sel = $("transfer-agent");
  while (sel.options.length > 1) sel.remove(1);
  dlg.showModal();
  sel.focus();
  try {
    const data = await api("GET", "/api/console/agents");
    ((data && data.agents) || []).forEach((a) => {
      if (state.me && a.username === state.me.username) return;
      const o = el("option", null, t("agentOption", {
        name: a.name ? a.name + " (" + a.username + ")" : a.username,
        status: tOr(a.status, a.status || ""), load: a.load || 0, capacity: a.capacity || 0,
      }));
      o.value = a.username;
      if (a.status !== "online") o.className = "unavailable";
      sel.appendChild(o);
    });
  } catch (err) {
    if (!err.unauthorized) $("transfer-error").textContent = err.message;
  }
}

export async function submitTransfer(e) {
  e.preventDefault();
  const to = $("transfer-agent").value, team = $("transfer-team").value.trim(), note = $("transfer-note").value.trim();
  if (!to && !team) { $("transfer-error").textContent = t("transferNeedTarget"); return; }
  const body = to ? { to: to } : { team: team };
  if (note) body.note = note;
  const btn = $("transfer-submit");
  btn.disabled = true;
  try {
    await api("POST", convPath(state.openId, "transfer"), body);
    $("transfer-dialog").close();
    toast(t("transferred"), "info");
    scheduleRefresh();
    reloadDetail(false);
  } catch (err) {
    if (!err.unauthorized) $("transfer-error").textContent = err.message;
    else $("transfer-dialog").close();
  } finally {
    btn.disabled = false;
  }
}
