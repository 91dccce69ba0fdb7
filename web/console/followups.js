/* Follow-ups with consent, on the open conversation: the customer's consent on its channel (the
   latest ledger entry, and buttons to record what the customer agreed to or withdrew), the
   follow-ups scheduled and what became of them, and — once the conversation is closed — a form
   to schedule one. console.js announces the open conversation with a "tandem:conversation" event.

     GET  /api/console/conversations/:id/consent     {consents}
     POST /api/console/conversations/:id/consent     {granted, text}
     GET  /api/console/conversations/:id/followups   {followups}
     POST /api/console/conversations/:id/followups   {kind, text, delay_minutes}
*/
(function () {
  "use strict";

  var texts = {
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
  var kinds = ["satisfaction", "claim_progress", "reminder"];
  var current = { id: null, owner: null, seq: 0 };

  function lang() { return document.documentElement.lang.indexOf("zh") === 0 ? "zh" : "en"; }

  function t(key, vars) {
    var s = texts[lang()][key] || key;
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(vars[k]); });
    return s;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function when(iso) { return new Date(iso).toLocaleString(lang() === "zh" ? "zh-CN" : "en-GB"); }

  function path(id, what) { return "/api/console/conversations/" + encodeURIComponent(id) + "/" + what; }

  function api(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var err = new Error((data.error && data.error.message) || res.statusText);
          err.status = res.status;
          throw err;
        }
        return data;
      });
    });
  }

  function load(conv) {
    var seq = ++current.seq;
    Promise.all([api("GET", path(conv.id, "consent")), api("GET", path(conv.id, "followups"))]).then(function (r) {
      if (seq !== current.seq) return;
      render(conv, r[0].consents || [], r[1].followups || []);
    }).catch(function (err) {
      if (seq === current.seq && err.status === 503) document.getElementById("followups").hidden = true; // not configured
    });
  }

  function render(conv, ledger, followups) {
    var section = document.getElementById("followups"), body = document.getElementById("followups-body");
    document.getElementById("followups-title").textContent = t("title");
    body.textContent = "";
    section.hidden = false;
    var mine = ledger.filter(function (c) { return c.channel === conv.channel && c.purpose === "followup"; });
    var last = mine[mine.length - 1];
    var state = el("p", "consent");
    state.dataset.granted = last ? String(last.granted) : "none";
    state.textContent = !last ? t("none") : last.granted ? t("granted", { ch: conv.channel, at: when(last.at), text: last.text || "" })
      : t("withdrawn", { ch: conv.channel, at: when(last.at), source: last.source });
    body.appendChild(state);
    body.appendChild(consentForm(conv));
    var list = el("ul", "followup-list");
    followups.forEach(function (f) { list.appendChild(item(f)); });
    if (followups.length) body.appendChild(list);
    body.appendChild(conv.owner === "closed" ? scheduleForm(conv) : el("p", "muted small", t("closeFirst")));
  }

  function item(f) {
    var li = el("li", "followup");
    li.dataset.status = f.status;
    li.dataset.reason = f.reason || "";
    var status = t(f.status) + (f.reason ? " — " + t(f.reason) : "");
    li.appendChild(el("strong", "", t(f.kind)));
    li.appendChild(document.createTextNode(" · " + t("due") + " " + when(f.due_at) + " · "));
    li.appendChild(el("span", "badge", status));
    li.appendChild(el("p", "said", f.text));
    return li;
  }

  function consentForm(conv) {
    var row = el("div", "row consent-form");
    var input = el("input");
    input.placeholder = t("agreed");
    input.setAttribute("aria-label", t("agreed"));
    input.maxLength = 2000;
    var grant = el("button", "grant secondary", t("grant"));
    var withdraw = el("button", "withdraw secondary", t("withdraw"));
    grant.type = withdraw.type = "button";
    grant.addEventListener("click", function () { send(conv, row, path(conv.id, "consent"), { granted: true, text: input.value.trim() }); });
    withdraw.addEventListener("click", function () { send(conv, row, path(conv.id, "consent"), { granted: false, text: input.value.trim() }); });
    row.appendChild(input);
    row.appendChild(grant);
    row.appendChild(withdraw);
    return row;
  }

  function scheduleForm(conv) {
    var form = el("form", "schedule-form");
    var kind = el("select");
    kinds.forEach(function (k) { var o = el("option", "", t(k)); o.value = k; kind.appendChild(o); });
    var text = el("textarea");
    text.rows = 2;
    text.maxLength = 2000;
    text.required = true;
    var delay = el("input");
    delay.type = "number"; delay.min = "0"; delay.max = String(90 * 24); delay.step = "1"; delay.value = "24";
    [[t("kind"), kind], [t("text"), text], [t("delay"), delay]].forEach(function (p) {
      var label = el("label", "", p[0]);
      label.appendChild(p[1]);
      form.appendChild(label);
    });
    var submit = el("button", "schedule", t("schedule"));
    submit.type = "submit";
    form.appendChild(submit);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send(conv, form, path(conv.id, "followups"), { kind: kind.value, text: text.value.trim(),
        delay_minutes: Math.round((Number(delay.value) || 0) * 60) });
    });
    return form;
  }

  function send(conv, box, url, body) {
    box.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    api("POST", url, body).then(function () { load(conv); }).catch(function (err) {
      box.appendChild(el("p", "bad", err.message));
      box.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  }

  document.addEventListener("tandem:conversation", function (e) {
    var conv = e.detail && e.detail.conversation;
    if (!conv || !conv.id) return;
    if (current.id === conv.id && current.owner === conv.owner) return; // a new message: keep what the agent is typing
    if (current.id !== conv.id) { // another conversation: nothing of the last one stays on screen
      document.getElementById("followups").hidden = true;
      document.getElementById("followups-body").textContent = "";
    }
    current.id = conv.id;
    current.owner = conv.owner;
    load(conv);
  });
})();
