/* Bot actions, for admins: the definitions with their last 7 days' calls, success rate and p95
   latency; a JSON editor to create or change one (validated by the server, which names the
   field to fix; secrets show as •••• and stay as they are unless replaced); import and export.

     GET/PUT/DELETE /api/admin/actions/:name · GET /api/admin/actions · GET /api/admin/actions/stats
     POST /api/admin/actions/import · GET /api/admin/actions/export
*/
import { $, translator } from "/shared/tandem.js";
import { events, api, lang } from "./core.js";

var texts = {
  en: { button: "Bot actions", title: "Bot actions", editor: "Definition (JSON)", save: "Save", import: "Import file", export: "Export",
    edit: "Edit", remove: "Delete", saved: "Saved.", removed: "Deleted.", imported: "Imported: ", close: "Close",
    intro: "Calls to your systems the bot makes for verified customers. Writes need the customer's yes or an agent's approval.",
    confirmRemove: "Delete this action? Intents that run it will hand off.", name: "Action", risk: "Risk", calls: "Calls (7 days)",
    success: "Success", p95: "p95 ms" },
  zh: { button: "机器人操作", title: "机器人操作", editor: "定义（JSON）", save: "保存", import: "导入文件", export: "导出",
    edit: "编辑", remove: "删除", saved: "已保存。", removed: "已删除。", imported: "已导入：", close: "关闭",
    intro: "机器人为已验证客户调用业务系统。写操作需客户确认或坐席审批。",
    confirmRemove: "删除此操作？调用它的意图将转人工。", name: "操作", risk: "风险", calls: "调用（7 天）", success: "成功率", p95: "p95 毫秒" },
};

var t = translator(texts, lang).t;

function say(message, bad) {
  $("actions-error").className = bad ? "bad" : "muted";
  $("actions-error").textContent = message || "";
}

function cell(tr, text, cls) {
  var td = document.createElement("td");
  if (cls) td.className = cls;
  td.textContent = text;
  tr.appendChild(td);
  return td;
}

function load() {
  return Promise.all([api("GET", "/api/admin/actions"), api("GET", "/api/admin/actions/stats")]).then(function (r) {
    var stats = {};
    ((r[1] && r[1].actions) || []).forEach(function (s) { stats[s.action] = s; });
    var body = $("actions-table").querySelector("tbody");
    body.textContent = "";
    ((r[0] && r[0].actions) || []).forEach(function (d) {
      var s = stats[d.name] || { calls: 0, success_rate: 0, p95_ms: 0 };
      var tr = document.createElement("tr");
      tr.dataset.action = d.name;
      cell(tr, d.name);
      cell(tr, d.risk);
      cell(tr, String(s.calls), "num calls");
      cell(tr, s.calls ? Math.round(s.success_rate * 100) + " %" : "—", "num success");
      cell(tr, s.calls ? String(Math.round(s.p95_ms)) : "—", "num p95");
      var td = cell(tr, "");
      var edit = document.createElement("button");
      edit.type = "button"; edit.className = "secondary edit"; edit.textContent = t("edit");
      edit.addEventListener("click", function () { $("actions-editor").value = JSON.stringify(d, null, 2); $("actions-editor").focus(); });
      var del = document.createElement("button");
      del.type = "button"; del.className = "danger delete"; del.textContent = t("remove");
      del.addEventListener("click", function () {
        if (!window.confirm(t("confirmRemove"))) return;
        api("DELETE", "/api/admin/actions/" + encodeURIComponent(d.name)).then(function () { say(t("removed")); load(); })
          .catch(function (e) { say(e.message, true); });
      });
      td.appendChild(edit);
      td.appendChild(del);
      body.appendChild(tr);
    });
  }).catch(function (e) { say(e.message, true); });
}

function save() {
  var d;
  try { d = JSON.parse($("actions-editor").value); } catch (e) { say(e.message, true); return; }
  if (!d || !d.name) { say("name?", true); return; }
  api("PUT", "/api/admin/actions/" + encodeURIComponent(d.name), d).then(function (stored) {
    $("actions-editor").value = JSON.stringify(stored, null, 2);
    say(t("saved"));
    load();
  }).catch(function (e) { say(e.message, true); });
}

function importFile() {
  var input = document.createElement("input");
  input.type = "file";
  input.accept = "application/json,.json";
  input.addEventListener("change", function () {
    if (!input.files[0]) return;
    input.files[0].text().then(function (text) { return api("POST", "/api/admin/actions/import", text, { raw: true, headers: { "Content-Type": "application/json" } }); })
      .then(function (r) { say(t("imported") + r.imported); load(); }).catch(function (e) { say(e.message, true); });
  });
  input.click();
}

function label() {
  $("admin-actions").textContent = t("button");
  $("actions-title").textContent = t("title");
  $("actions-intro").textContent = t("intro");
  $("actions-editor-label").textContent = t("editor");
  $("actions-save").textContent = t("save");
  $("actions-import").textContent = t("import");
  $("actions-export").textContent = t("export");
  $("actions-close").textContent = t("close");
  ["name", "risk", "calls", "success", "p95"].forEach(function (k) {
    $("actions-table").querySelector('th[data-col="' + k + '"]').textContent = t(k);
  });
}

function open() {
  label();
  say("");
  $("actions-dialog").showModal();
  load();
}

// The button is for admins, while they are signed in.
events.on("start", function (me) { $("admin-actions").hidden = !(me && me.role === "admin"); label(); });
events.on("end", function () { $("admin-actions").hidden = true; });
events.on("lang", label);

$("admin-actions").addEventListener("click", open);
$("actions-save").addEventListener("click", save);
$("actions-import").addEventListener("click", importFile);
