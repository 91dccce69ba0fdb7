/* Follow-ups with consent, on the open conversation: the customer's consent on its channel (the
   latest ledger entry, and buttons to record what the customer agreed to or withdrew), the
   follow-ups scheduled and what became of them, and — once the conversation is closed — a form
   to schedule one. The console announces the conversation it shows with the hook "detail".

     GET  /api/console/conversations/:id/consent     {consents}
     POST /api/console/conversations/:id/consent     {granted, text}
     GET  /api/console/conversations/:id/followups   {followups}
     POST /api/console/conversations/:id/followups   {kind, text, delay_minutes}
*/
import { $, el, translator } from "/shared/tandem.js";
import { events, api, lang, convPath } from "./core.js";

const texts = {
  en: { title: "Follow-ups", none: "No consent to follow-ups recorded on this channel.", granted: "Consented on {ch} ({at}): “{text}”",
    withdrawn: "Withdrew consent on {ch} ({at}, {source})", agreed: "What the customer agreed to", grant: "Record consent",
    withdraw: "Record withdrawal", closeFirst: "Close the conversation to schedule a follow-up.", kind: "Kind", text: "Message",
    delay: "Send after (hours)", schedule: "Schedule follow-up", due: "due",
    satisfaction: "Satisfaction check", claim_progress: "Claim progress", reminder: "Reminder",
    scheduled: "scheduled", sent: "sent", skipped: "not sent",
    no_consent: "no consent on this channel", outside_window: "outside the platform's messaging window",
    template: "as the approved template", send_failed: "sending failed" },
  zh: { title: "回访", none: "此渠道尚无回访同意记录。", granted: "已在 {ch} 同意（{at}）：“{text}”",
    withdrawn: "已在 {ch} 撤回同意（{at}，{source}）", agreed: "客户同意的内容", grant: "记录同意",
    withdraw: "记录撤回", closeFirst: "结束会话后才能安排回访。", kind: "类型", text: "内容",
    delay: "多少小时后发送", schedule: "安排回访", due: "预定",
    satisfaction: "满意度回访", claim_progress: "理赔进度", reminder: "提醒",
    scheduled: "已安排", sent: "已发送", skipped: "未发送",
    no_consent: "此渠道未获同意", outside_window: "超出平台消息窗口", template: "以已审核模板发送", send_failed: "发送失败" },
};
const kinds = ["satisfaction", "claim_progress", "reminder"];

// current is the conversation shown (id and owner), the request last sent for it (seq), and
// what it last loaded (shown: {conv, ledger, followups}), to render again in another language.
const current = { id: null, owner: null, seq: 0, shown: null };

const { t } = translator(texts, lang);

function when(iso) { return new Date(iso).toLocaleString(lang() === "zh" ? "zh-CN" : "en-GB"); }

function load(conv) {
  const seq = ++current.seq;
  Promise.all([api("GET", convPath(conv.id, "consent")), api("GET", convPath(conv.id, "followups"))]).then(([c, f]) => {
    if (seq !== current.seq) return;
    current.shown = { conv, ledger: (c && c.consents) || [], followups: (f && f.followups) || [] };
    render(current.shown);
  }).catch((err) => {
    if (seq === current.seq && err.status === 503) $("followups").hidden = true; // not configured
  });
}

function render({ conv, ledger, followups }) {
  const body = $("followups-body");
  $("followups-title").textContent = t("title");
  body.textContent = "";
  $("followups").hidden = false;
  const mine = ledger.filter((c) => c.channel === conv.channel && c.purpose === "followup");
  const last = mine[mine.length - 1];
  const state = el("p", "consent");
  state.dataset.granted = last ? String(last.granted) : "none";
  state.textContent = !last ? t("none") : last.granted ? t("granted", { ch: conv.channel, at: when(last.at), text: last.text || "" })
    : t("withdrawn", { ch: conv.channel, at: when(last.at), source: last.source });
  body.appendChild(state);
  body.appendChild(consentForm(conv));
  const list = el("ul", "followup-list");
  followups.forEach((f) => list.appendChild(item(f)));
  if (followups.length) body.appendChild(list);
  body.appendChild(conv.owner === "closed" ? scheduleForm(conv) : el("p", "muted small", t("closeFirst")));
}

function item(f) {
  const li = el("li", "followup");
  li.dataset.status = f.status;
  li.dataset.reason = f.reason || "";
  const status = t(f.status) + (f.reason ? " — " + t(f.reason) : "");
  li.appendChild(el("strong", "", t(f.kind)));
  li.appendChild(document.createTextNode(" · " + t("due") + " " + when(f.due_at) + " · "));
  li.appendChild(el("span", "badge", status));
  li.appendChild(el("p", "said", f.text));
  return li;
}

function consentForm(conv) {
  const row = el("div", "row consent-form");
  const input = el("input");
  input.placeholder = t("agreed");
  input.setAttribute("aria-label", t("agreed"));
  input.maxLength = 2000;
  const grant = el("button", "grant secondary", t("grant"));
  const withdraw = el("button", "withdraw secondary", t("withdraw"));
  grant.type = withdraw.type = "button";
  const record = (granted) => send(conv, row, convPath(conv.id, "consent"), { granted, text: input.value.trim() });
  grant.addEventListener("click", () => record(true));
  withdraw.addEventListener("click", () => record(false));
  row.append(input, grant, withdraw);
  return row;
}

function scheduleForm(conv) {
  const form = el("form", "schedule-form");
  const kind = el("select");
  kinds.forEach((k) => { const o = el("option", "", t(k)); o.value = k; kind.appendChild(o); });
  const text = el("textarea");
  text.rows = 2;
  text.maxLength = 2000;
  text.required = true;
  const delay = el("input");
  delay.type = "number"; delay.min = "0"; delay.max = String(90 * 24); delay.step = "1"; delay.value = "24";
  [[t("kind"), kind], [t("text"), text], [t("delay"), delay]].forEach(([words, field]) => {
    const label = el("label", "", words);
    label.appendChild(field);
    form.appendChild(label);
  });
  const submit = el("button", "schedule", t("schedule"));
  submit.type = "submit";
  form.appendChild(submit);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    send(conv, form, convPath(conv.id, "followups"), { kind: kind.value, text: text.value.trim(),
      delay_minutes: Math.round((Number(delay.value) || 0) * 60) });
  });
  return form;
}

function send(conv, box, url, body) {
  box.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  api("POST", url, body).then(() => load(conv)).catch((err) => {
    box.appendChild(el("p", "bad", err.message));
    box.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  });
}

// clear takes the last conversation's follow-ups off the screen.
function clear() {
  $("followups").hidden = true;
  $("followups-body").textContent = "";
  current.shown = null;
}

// relabel renders the box again in the console's new language, keeping what the agent typed.
function relabel() {
  if (!current.shown) return;
  const fields = () => Array.from($("followups-body").querySelectorAll("input, textarea, select"));
  const typed = fields().map((f) => f.value);
  render(current.shown);
  fields().forEach((f, i) => { if (typed[i] !== undefined) f.value = typed[i]; });
}

events.on("detail", (detail) => {
  const conv = detail && detail.conversation;
  if (!conv || !conv.id) return;
  if (current.id === conv.id && current.owner === conv.owner) return; // a new message: keep what the agent is typing
  if (current.id !== conv.id) clear(); // another conversation: nothing of the last one stays on screen
  current.id = conv.id;
  current.owner = conv.owner;
  load(conv);
});
events.on("lang", relabel);
events.on("end", () => { // signed out: the next session loads afresh
  current.id = current.owner = null;
  current.seq++;
  clear();
});
