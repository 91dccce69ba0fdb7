/* Complaint cases in the agent console: the open cases (due soonest first, overdue ones
   highlighted), a case page where the complaints team moves a case through its steps, the
   complaints analytics, and the "Open complaint case" button on a conversation.

   API: GET  /api/console/complaints                 {cases:[Case+{breached,due_seconds}]}
        GET  /api/console/complaints/report?days=90  {received,on_time_rate,median_decision_hours,reopen_rate,breached,root_causes}
        GET  /api/console/complaints/:id             {case,steps,rule}
        POST /api/console/complaints/:id/{status,close,reopen,extend,pause,resume}
        POST /api/console/conversations/:id/complaint {category,severity,summary}

   Text from the server is always written with textContent. */

import { $, el, translator } from "/shared/tandem.js";
import { events, api, lang, toast } from "./core.js";

const STRINGS = {
  en: {
    complaints: "Complaints", openCase: "Open complaint case", opened: "Case {n} opened; the customer has been told the number.",
    received: "Received", decided: "Decided", onTime: "On-time decision rate", median: "Median time to decision",
    reopen: "Reopen rate", overdue: "Overdue now", overdueTag: "overdue", dueIn: "due {d}", none: "—",
    fCustomer: "Customer", fChannel: "Channel", fCategory: "Category", fSeverity: "Severity", fOwner: "Owner", fStatus: "Status",
    fReceived: "Received", fDue: "Decision due", fDecision: "Decision", fResolution: "Resolution", fRootCause: "Root cause", fReopens: "Reopens",
    status_received: "received", status_acknowledged: "acknowledged", status_investigating: "investigating",
    status_resolved: "resolved", status_closed: "closed", status_escalated: "escalated",
    moved: "Case {n}: {s}; the customer has been told.",
  },
  zh: {
    complaints: "投诉", openCase: "立为投诉案件", opened: "已立案 {n}，已告知客户投诉编号。",
    received: "受理", decided: "已答复", onTime: "按期答复率", median: "答复用时中位数",
    reopen: "重新处理率", overdue: "当前超期", overdueTag: "超期", dueIn: "{d} 到期", none: "—",
    fCustomer: "客户", fChannel: "渠道", fCategory: "类别", fSeverity: "严重程度", fOwner: "负责人", fStatus: "状态",
    fReceived: "受理时间", fDue: "答复期限", fDecision: "处理结果", fResolution: "办结说明", fRootCause: "根因", fReopens: "重新处理次数",
    status_received: "已受理", status_acknowledged: "已确认", status_investigating: "调查中",
    status_resolved: "已答复", status_closed: "已办结", status_escalated: "已升级",
    moved: "案件 {n}：{s}，已通知客户。",
  },
};

const { t } = translator(STRINGS, lang);

function when(iso) { return iso ? new Date(iso).toLocaleString() : t("none"); }

function hours(h) { return h >= 48 ? (h / 24).toFixed(1) + " d" : h.toFixed(1) + " h"; }

function pct(x, n) { return n ? Math.round(100 * x) + " %" : t("none"); }

let current = null; // the case on the case page

const SAY_MS = 5000; // how long the toast shows what a step did

function error(err) { $("complaints-error").textContent = err ? (err.message || String(err)) : ""; }

async function loadList() {
  const { cases } = await api("GET", "/api/console/complaints");
  const body = $("complaints-table").tBodies[0];
  body.replaceChildren();
  $("complaints-empty").hidden = cases.length > 0;
  for (const c of cases) {
    const tr = el("tr");
    tr.dataset.case = c.number;
    if (c.breached) tr.classList.add("breached");
    const num = el("td");
    const link = el("button", "link-button", c.number);
    link.type = "button";
    link.addEventListener("click", () => openCase(c.number).catch(error));
    num.append(link);
    if (c.breached) num.append(" ", el("span", "badge breached", t("overdueTag")));
    tr.append(num, el("td", null, t("status_" + c.status)), el("td", null, c.severity), el("td", null, c.owner || t("none")), el("td", null, when(c.due_at)));
    body.append(tr);
  }
}

async function loadReport() {
  const r = await api("GET", "/api/console/complaints/report?days=90");
  const dl = $("complaints-figures");
  dl.replaceChildren();
  const facts = [["received", r.received], ["decided", r.decided], ["onTime", pct(r.on_time_rate, r.decided)],
    ["median", r.decided ? hours(r.median_decision_hours) : t("none")], ["reopen", pct(r.reopen_rate, r.received)], ["overdue", r.breached]];
  for (const [k, v] of facts) {
    const dd = el("dd", null, String(v));
    dd.dataset.figure = k;
    dl.append(el("dt", null, t(k)), dd);
  }
  const body = $("complaints-causes").tBodies[0];
  body.replaceChildren();
  for (const rc of r.root_causes) {
    const tr = el("tr");
    tr.append(el("td", null, rc.month), el("td", null, rc.root_cause), el("td", "num", String(rc.cases)));
    body.append(tr);
  }
}

async function openCase(id) {
  const { case: c, steps } = await api("GET", "/api/console/complaints/" + encodeURIComponent(id));
  current = c;
  $("case").hidden = false;
  $("case-number").textContent = c.number + (c.breached ? " · " + t("overdueTag") : "");
  $("case").classList.toggle("breached", c.breached);
  const dl = $("case-facts");
  dl.replaceChildren();
  const facts = [["fStatus", t("status_" + c.status)], ["fCustomer", c.customer_id], ["fChannel", c.channel], ["fCategory", c.category],
    ["fSeverity", c.severity], ["fOwner", c.owner || t("none")], ["fReceived", when(c.received_at)], ["fDue", when(c.due_at)],
    ["fDecision", c.decision || t("none")], ["fResolution", c.resolution || t("none")], ["fRootCause", c.root_cause || t("none")], ["fReopens", c.reopens]];
  for (const [k, v] of facts) {
    const dd = el("dd", null, String(v));
    dd.dataset.field = k;
    dl.append(el("dt", null, t(k)), dd);
  }
  const ol = $("case-steps");
  ol.replaceChildren();
  for (const s of steps) {
    const what = s.kind === "status" ? t("status_" + s.to) : s.kind;
    const li = el("li", null, when(s.at) + " · " + what + " · " + s.actor + (s.note ? " — " + s.note : ""));
    li.dataset.kind = s.kind;
    ol.append(li);
  }
}

async function step(path, body) {
  error();
  const c = await api("POST", "/api/console/complaints/" + encodeURIComponent(current.number) + "/" + path, body);
  $("case-note").value = "";
  await Promise.all([openCase(c.number), loadList(), loadReport()]);
  toast(t("moved", { n: c.number, s: t("status_" + c.status) }), "info", SAY_MS);
}

async function showDialog() {
  error();
  const dlg = $("complaints-dialog");
  if (!dlg.open) dlg.showModal();
  await Promise.all([loadList(), loadReport()]);
  if (current) await openCase(current.number);
}

function wire() {
  $("complaints-open").addEventListener("click", () => showDialog().catch(error));
  $("conv-complaint").addEventListener("click", async () => {
    const id = $("conv").dataset.conv;
    if (!id) return;
    try {
      const c = await api("POST", "/api/console/conversations/" + encodeURIComponent(id) + "/complaint", {});
      toast(t("opened", { n: c.number }), "info", SAY_MS);
      current = c;
      await showDialog();
    } catch (err) {
      toast(err.message, "error");
    }
  });
  $("case-form").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b || !current) return;
    const note = $("case-note").value;
    let p = null;
    if (b.dataset.step) p = step("status", { status: b.dataset.step, note });
    else if (b.dataset.extend) p = step("extend", { level: Number(b.dataset.extend), note });
    else if (b.hasAttribute("data-reopen")) p = step("reopen", { note });
    else if (b.dataset.clock) p = step(b.dataset.clock, { note });
    else if (b.id === "case-close") p = step("close", { resolution: $("case-resolution").value, root_cause: $("case-cause").value });
    if (p) p.catch(error);
  });
  // The button shows while the console is signed in.
  const label = () => {
    $("complaints-open").textContent = t("complaints");
    $("conv-complaint").textContent = t("openCase");
  };
  events.on("start", () => { $("complaints-open").hidden = false; });
  events.on("end", () => { $("complaints-open").hidden = true; });
  events.on("lang", label);
  label();
}

wire();
