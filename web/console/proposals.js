/* Proposed actions: writes the bot proposed for a customer (bot actions of risk
   write_needs_approval) wait here for the agent holding the conversation, who sees the
   customer's words, the arguments (editable) and exactly what will be sent, and approves or
   rejects. The console announces the conversation it shows with the hook "detail".

     GET  /api/console/conversations/:id/proposals
     POST /api/console/conversations/:id/proposals/:proposal/approve  {args}
     POST /api/console/conversations/:id/proposals/:proposal/reject
*/
import { el, translator } from "/shared/tandem.js";
import { events, api, lang } from "./core.js";

var texts = {
  en: { title: "Proposed actions", said: "Customer said", send: "Will send", approve: "Approve and send", reject: "Reject",
    accept: "Accept the conversation to decide.", pending: "waiting for you", approved: "sent", rejected: "rejected",
    failed: "failed", result: "Result" },
  zh: { title: "待审批的操作", said: "客户原话", send: "将发送", approve: "批准并发送", reject: "拒绝",
    accept: "接入会话后才能审批。", pending: "待审批", approved: "已发送", rejected: "已拒绝", failed: "失败", result: "结果" },
};
var current = { id: null, seq: 0 };

var t = translator(texts, lang).t;

function path(id, rest) {
  return "/api/console/conversations/" + encodeURIComponent(id) + "/proposals" + (rest || "");
}

function load(conv, me) {
  var seq = ++current.seq;
  api("GET", path(conv.id)).then(function (data) {
    if (seq !== current.seq) return;
    render(conv, me, (data && data.proposals) || []);
  }).catch(function () { /* the console reports its own errors */ });
}

function render(conv, me, proposals) {
  var section = document.getElementById("proposals");
  var list = document.getElementById("proposals-list");
  document.getElementById("proposals-title").textContent = t("title");
  list.textContent = "";
  section.hidden = proposals.length === 0;
  var holds = conv.owner === "human" && conv.assignee === me;
  proposals.slice().reverse().forEach(function (p) { list.appendChild(item(conv, me, p, holds)); });
}

function item(conv, me, p, holds) {
  var box = el("article", "proposal");
  box.dataset.id = p.id;
  box.dataset.status = p.status;
  var head = el("p");
  head.appendChild(el("strong", "", p.action));
  head.appendChild(document.createTextNode(" "));
  head.appendChild(el("span", "badge", t(p.status) || p.status));
  box.appendChild(head);
  box.appendChild(el("p", "said", t("said") + ": “" + p.customer_text + "”"));
  var inputs = {};
  Object.keys(p.args || {}).sort().forEach(function (name) {
    var label = el("label", "", name);
    var input = el("input");
    input.value = p.args[name];
    input.dataset.arg = name;
    input.disabled = p.status !== "pending" || !holds;
    label.appendChild(input);
    inputs[name] = input;
    box.appendChild(label);
  });
  box.appendChild(el("p", "", t("send") + ":"));
  var req = p.request || {};
  box.appendChild(el("pre", "request", req.method + " " + req.url + (req.body ? "\n" + req.body : "")));
  if (p.result) box.appendChild(el("p", "result", t("result") + ": " + p.result));
  if (p.status !== "pending") return box;
  if (!holds) {
    box.appendChild(el("p", "muted", t("accept")));
    return box;
  }
  var row = el("div", "row");
  var approve = el("button", "approve", t("approve"));
  var reject = el("button", "reject danger", t("reject"));
  approve.type = reject.type = "button";
  approve.addEventListener("click", function () {
    var args = {};
    Object.keys(inputs).forEach(function (k) { args[k] = inputs[k].value.trim(); });
    decide(conv, me, box, path(conv.id, "/" + p.id + "/approve"), { args: args });
  });
  reject.addEventListener("click", function () { decide(conv, me, box, path(conv.id, "/" + p.id + "/reject"), {}); });
  row.appendChild(approve);
  row.appendChild(reject);
  box.appendChild(row);
  return box;
}

function decide(conv, me, box, url, body) {
  box.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
  api("POST", url, body).then(function () { load(conv, me); }).catch(function (err) {
    box.appendChild(el("p", "bad", err.message));
    load(conv, me);
  });
}

events.on("detail", function (detail) {
  var conv = detail && detail.conversation;
  if (!conv || !conv.id) return;
  if (current.id !== conv.id) { // another conversation: nothing of the last one stays on screen
    document.getElementById("proposals").hidden = true;
    document.getElementById("proposals-list").textContent = "";
  }
  current.id = conv.id;
  load(conv, detail.me);
});
