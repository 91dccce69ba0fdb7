/* Tandem chat widget: one <script src="…/widget.js" data-lang="en" async></script> tag.
   Plain JS in a Shadow DOM; talks to the server that served this file. */
(function () {
  "use strict";
  if (window.TandemWidget) return;
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var origin = new URL(script ? script.src : location.href, location.href).origin;
  var pageLang = new URLSearchParams(location.search).get("lang");
  var lang = (script && script.dataset.lang) || pageLang || (navigator.language || "en");
  lang = /^zh/i.test(lang) ? "zh" : "en";
  var T = {
    en: { launcher: "Chat with us", title: "Help", input: "Type your message…", send: "Send", close: "Close chat",
      connecting: "Connecting…", helpful: "Helpful", unhelpful: "Not helpful", feedbackThanks: "Thanks for the feedback", sources: "Sources", bot: "Bot", agent: "Agent", you: "You", system: "",
      waiting: "Waiting for an agent…", human: "You're chatting with a person", slow: "Please slow down.",
      offline: "Connection lost — reconnecting…", failed: "Could not send. Please try again.",
      queue: function (n, min) { return "You are number " + n + " in the queue" + (min ? " · about " + min + " min" : ""); },
      back: "Back to the bot", typing: function (name) { return name + " is typing…"; },
      rateAsk: "How was your chat?", star: function (n) { return n + (n === 1 ? " star" : " stars"); },
      comment: "Add a comment (optional)", rateSend: "Send", skip: "Skip", thanks: "Thanks for your feedback",
      greeting: "Hi! Ask me anything: I answer right away, day and night, and tell you when I'm not sure. A person can take over whenever you like.",
      suggestions: ["Talk to a person"], suggest: "Suggested questions" },
    zh: { launcher: "在线客服", title: "帮助中心", input: "请输入您的问题…", send: "发送", close: "关闭对话",
      connecting: "连接中…", helpful: "有帮助", unhelpful: "没帮助", feedbackThanks: "感谢反馈", sources: "参考来源", bot: "智能助手", agent: "人工客服", you: "我", system: "",
      waiting: "正在为您转接人工客服…", human: "人工客服已接入", slow: "发送太快，请稍候。",
      offline: "连接中断，正在重连…", failed: "发送失败，请重试。",
      queue: function (n, min) {
        return (n === 1 ? "您是下一位" : "您前面还有 " + (n - 1) + " 位") + (min ? "，预计等待约 " + min + " 分钟" : "");
      },
      back: "返回机器人", typing: function (name) { return name + " 正在输入…"; },
      rateAsk: "请为本次服务评分", star: function (n) { return n + " 星"; },
      comment: "补充评价（选填）", rateSend: "提交", skip: "跳过", thanks: "感谢您的评价！",
      greeting: "您好！有什么可以帮您？我会 7×24 小时即时回答；没有把握时会告诉您，您也可以随时转人工客服。",
      suggestions: ["转人工"], suggest: "猜你想问" }
  }[lang];
  if (script && script.dataset.title) T.title = script.dataset.title;
  // The site sets its own greeting and suggested questions on the tag: data-greeting,
  // data-greeting-zh, data-suggestions="First question|Second question", data-suggestions-zh.
  var sfx = lang === "zh" ? "Zh" : "";
  if (script && script.dataset["greeting" + sfx] !== undefined) T.greeting = script.dataset["greeting" + sfx];
  if (script && script.dataset["suggestions" + sfx] !== undefined) {
    T.suggestions = script.dataset["suggestions" + sfx].split("|").map(function (q) { return q.trim(); }).filter(Boolean).slice(0, 6);
  }

  var TOKEN_KEY = "tandem.visitor", RATED_KEY = "tandem.rated.";
  var state = { token: null, conversationId: null, owner: "bot", lastId: 0, ids: {}, ws: null, retry: 1000, open: false,
    agentName: "", typedAt: 0, typingTimer: null, score: 0, rated: {} };
  var queue = Promise.resolve(); // sends go out one at a time, in order
  var ready = null; // the session promise: send() waits for it

  var host = document.createElement("div");
  host.id = "tandem-widget";
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    '<style>' +
    ':host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif}' +
    '.tw-launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#0b5cad;color:#fff;display:flex;align-items:center;justify-content:center;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}' +
    '[hidden]{display:none!important}' +
    '.tw-launcher:focus-visible,.tw-send:focus-visible,.tw-close:focus-visible,#tandem-back:focus-visible,.tandem-rating button:focus-visible,.tandem-rating a:focus-visible{outline:3px solid #f5a623;outline-offset:2px}' +
    '.tw-panel{position:fixed;right:20px;bottom:88px;width:370px;height:560px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;color:#1d2733;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden;z-index:2147483000}' +
    '.tw-panel[hidden]{display:none}' +
    '.tw-head{display:flex;align-items:center;justify-content:space-between;padding:12px 14px;background:#0b5cad;color:#fff}' +
    '.tw-head h2{margin:0;font-size:16px}.tw-close{background:none;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1}' +
    '.tw-status{padding:6px 14px;font-size:13px;background:#fff6e0;color:#6b4a00}.tw-status:empty{display:none}' +
    '.tandem-queue{padding:0 14px 6px;font-size:13px;background:#fff6e0;color:#6b4a00}.tandem-queue:empty{display:none}' +
    '#tandem-back{margin:6px 14px;align-self:flex-start;padding:4px 10px;border:1px solid #0b5cad;border-radius:6px;background:#fff;color:#0b5cad;font-size:13px;cursor:pointer}' +
    '.tw-messages{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f5f7fa}' +
    '.tw-msg{max-width:85%;padding:8px 11px;border-radius:10px;font-size:14px;line-height:1.45;background:#fff;border:1px solid #e1e6ec;align-self:flex-start}' +
    '.tw-msg[data-author=customer]{align-self:flex-end;background:#0b5cad;color:#fff;border-color:#0b5cad}' +
    '.tw-msg[data-author=system]{align-self:center;background:none;border:0;color:#5b6775;font-size:13px;text-align:center}' +
    '.tw-who{display:block;font-size:11px;color:#5b6775;margin-bottom:2px}.tw-msg[data-author=customer] .tw-who{display:none}' +
    '.tw-feedback{margin-top:4px;font-size:12px;color:#5b6775;display:flex;gap:2px;align-items:center}' +
    '.tw-thumb{border:0;background:none;cursor:pointer;padding:2px 4px;color:#5b6775;display:inline-flex;border-radius:4px}.tw-thumb:hover{color:#0b5cad;background:#eef3f8}' +
    '.tw-greeting{align-self:flex-start;max-width:85%;padding:8px 11px;border-radius:10px;font-size:14px;line-height:1.45;background:#fff;border:1px solid #e1e6ec}' +
    '.tw-suggest{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start;max-width:95%}' +
    '.tw-suggest button{border:1px solid #0b5cad;background:#fff;color:#0b5cad;border-radius:16px;padding:5px 11px;font-size:13px;cursor:pointer;text-align:left}' +
    '.tw-suggest button:hover{background:#eef3f8}.tw-suggest button:focus-visible{outline:2px solid #f5a623}' +
    '.tw-thumb:focus-visible{outline:2px solid #0b5cad}' +
    '.tw-msg[data-author=agent]{background:#eaf6ee;border-color:#9fd4b0;border-left:3px solid #1d7a43}' +
    '.tw-msg[data-author=agent] .tw-who{color:#1d6b3a;font-weight:600}' +
    '.tandem-typing{padding:4px 14px;font-size:12px;font-style:italic;color:#5b6775;background:#f5f7fa}' +
    '.tandem-rating{padding:10px 14px;border-top:1px solid #e1e6ec;font-size:14px}.tandem-rating p{margin:0 0 4px}' +
    '.tw-stars button{background:none;border:0;padding:0 2px;font-size:26px;line-height:1;color:#c5ced8;cursor:pointer}' +
    '.tw-stars button.on{color:#f5a623}' +
    '.tw-rate-row{display:flex;gap:8px;align-items:center;margin:6px 0}' +
    '.tw-rate-comment{flex:1;padding:6px 8px;border:1px solid #c5ced8;border-radius:6px;font-size:13px}' +
    '.tw-rate-send{padding:6px 12px;border:0;border-radius:6px;background:#0b5cad;color:#fff;font-size:13px;cursor:pointer}' +
    '.tw-rate-send:disabled{opacity:.5;cursor:default}.tandem-rating-skip{font-size:13px;color:#5b6775}' +
    '.tw-text{white-space:pre-wrap;overflow-wrap:anywhere}.tw-text p{margin:0}' +
    '.tw-text ul,.tw-text ol{margin:4px 0;padding-left:20px;white-space:normal}.tw-text li{margin:2px 0}' +
    '.tw-sources{margin-top:6px;font-size:12px;color:#5b6775}.tw-sources a{color:#0b5cad;margin-right:8px}' +
    '.tw-error{padding:6px 14px;font-size:13px;color:#a01c1c;background:#fdecec}.tw-error:empty{display:none}' +
    '.tw-form{display:flex;gap:8px;padding:10px;border-top:1px solid #e1e6ec}' +
    '.tw-input{flex:1;resize:none;height:42px;max-height:120px;padding:10px;border:1px solid #c5ced8;border-radius:8px;font-size:14px}' +
    '.tw-input:focus{outline:2px solid #0b5cad;border-color:#0b5cad}' +
    '.tw-send{padding:0 16px;border:0;border-radius:8px;background:#0b5cad;color:#fff;font-size:14px;cursor:pointer}' +
    '@media (max-width:480px){.tw-panel{right:0;bottom:0;width:100vw;height:100%;max-height:100%;border-radius:0}}' +
    // Priority care: larger, simpler text (a toggle; on by itself for care customers) and a one-step "talk to a person".
    '.tw-size{background:none;border:1px solid #fff;border-radius:6px;color:#fff;font-size:14px;cursor:pointer;margin-left:auto;margin-right:8px;padding:2px 8px}' +
    '.tw-size[aria-pressed=true]{background:#fff;color:#0b5cad}' +
    '.tw-person{margin:8px 12px 0;padding:12px;border:0;border-radius:8px;background:#b45309;color:#fff;font-size:18px;font-weight:600;cursor:pointer}' +
    '.tw-large .tw-msg,.tw-large .tw-input,.tw-large .tw-send,.tw-large .tw-status,.tw-large .tandem-queue{line-height:1.5}' +
    '.tw-large .tw-msg,.tw-large .tw-greeting,.tw-large .tw-input,.tw-large .tw-send{font-size:20px}.tw-large .tw-head h2{font-size:20px}' +
    '.tw-large .tw-sources,.tw-large .tw-feedback,.tw-large .tw-suggest{display:none}' +
    '</style>' +
    '<button class="tw-launcher" type="button" aria-haspopup="dialog" aria-expanded="false"></button>' +
    '<section class="tw-panel" role="dialog" aria-modal="false" hidden data-owner="bot">' +
    '<header class="tw-head"><h2 class="tw-title"></h2><button class="tw-size" type="button" aria-pressed="false">A+</button><button class="tw-close" type="button">×</button></header>' +
    '<button class="tw-person" type="button" hidden></button>' +
    '<div class="tw-status" role="status"></div>' +
    '<div class="tandem-queue" role="status"></div>' +
    '<button id="tandem-back" type="button" hidden></button>' +
    '<div class="tw-messages" role="log" aria-live="polite"></div>' +
    '<div class="tandem-typing" aria-live="polite" hidden></div>' +
    '<div class="tandem-rating" hidden><form class="tandem-rating-form"><p class="tandem-rating-ask"></p>' +
    '<div class="tw-stars" role="group"></div><div class="tw-rate-row">' +
    '<input class="tw-rate-comment" type="text" maxlength="1000"><button class="tw-rate-send" type="submit" disabled></button>' +
    '</div><a class="tandem-rating-skip" href="#" role="button"></a></form>' +
    '<p class="tandem-rating-thanks" role="status" hidden></p></div>' +
    '<div class="tw-error" role="alert"></div>' +
    '<form class="tw-form"><textarea class="tw-input" rows="1" maxlength="4096"></textarea>' +
    '<button class="tw-send" type="submit"></button></form></section>';
  var $ = function (sel) { return root.querySelector(sel); };
  var launcher = $(".tw-launcher"), panel = $(".tw-panel"), list = $(".tw-messages"), input = $(".tw-input");
  var statusEl = $(".tw-status"), errorEl = $(".tw-error"), queueEl = $(".tandem-queue"), backBtn = $("#tandem-back");
  var typingEl = $(".tandem-typing"), rating = $(".tandem-rating"), rateForm = $(".tandem-rating-form");
  var stars = $(".tw-stars"), commentEl = $(".tw-rate-comment"), rateSend = $(".tw-rate-send");
  var thanksEl = $(".tandem-rating-thanks");
  // An inline SVG: emoji fonts are not everywhere (headless Linux shows a box).
  launcher.innerHTML = '<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-4.5 3.6A.5.5 0 0 1 4 21.2V18a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  launcher.setAttribute("aria-label", T.launcher);
  launcher.title = T.launcher;
  $(".tw-title").textContent = T.title;
  $(".tw-close").setAttribute("aria-label", T.close);
  panel.setAttribute("aria-label", T.title);
  input.placeholder = T.input;
  input.setAttribute("aria-label", T.input);
  $(".tw-send").textContent = T.send;
  backBtn.textContent = T.back;
  $(".tandem-rating-ask").textContent = T.rateAsk;
  stars.setAttribute("aria-label", T.rateAsk);
  for (var i = 1; i <= 5; i++) {
    var star = document.createElement("button");
    star.type = "button";
    star.dataset.score = String(i);
    star.textContent = "★";
    star.setAttribute("aria-label", T.star(i));
    star.setAttribute("aria-pressed", "false");
    stars.appendChild(star);
  }
  commentEl.placeholder = T.comment;
  commentEl.setAttribute("aria-label", T.comment);
  rateSend.textContent = T.rateSend;
  $(".tandem-rating-skip").textContent = T.skip;
  thanksEl.textContent = T.thanks;

  function api(path, body, token) {
    var headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(origin + path, { method: "POST", headers: headers, body: JSON.stringify(body) }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var err = new Error((data.error && data.error.message) || r.statusText);
          err.status = r.status;
          throw err;
        }
        return data;
      });
    });
  }

  // The newest message stays in view whenever the layout changes (a banner appears, the
  // keyboard opens, the panel resizes), unless the customer has scrolled up to read.
  var stick = true;
  function toBottom() { list.scrollTop = list.scrollHeight; stick = true; }
  list.addEventListener("scroll", function () { stick = list.scrollHeight - list.scrollTop - list.clientHeight < 24; });
  if (window.ResizeObserver) new ResizeObserver(function () { if (stick) list.scrollTop = list.scrollHeight; }).observe(list);

  // greet shows the greeting and suggested questions in a conversation with no messages yet;
  // they are the widget's own and are not stored. Sending anything removes the suggestions.
  function greet() {
    if (list.querySelector(".tw-msg") || list.querySelector(".tw-greeting")) return;
    if (T.greeting) {
      var g = document.createElement("div");
      g.className = "tw-greeting";
      g.textContent = T.greeting;
      list.appendChild(g);
    }
    if (T.suggestions.length) {
      var box = document.createElement("div");
      box.className = "tw-suggest";
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", T.suggest);
      T.suggestions.forEach(function (q) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = q;
        b.addEventListener("click", function () { send(q); });
        box.appendChild(b);
      });
      list.appendChild(box);
    }
    toBottom();
  }

  function setOwner(owner) {
    state.owner = owner;
    panel.dataset.owner = owner;
    statusEl.textContent = owner === "waiting" ? T.waiting : owner === "human" ? T.human : "";
    backBtn.hidden = owner !== "waiting";
    if (owner !== "waiting") queueEl.textContent = "";
    if (owner === "closed") showRating(); else hideRating();
    if (stick) toBottom();
  }

  // showPosition shows a waiting customer's place in the queue and the estimated wait.
  function showPosition(ev) {
    if (state.owner !== "waiting" || !(ev.position > 0)) return;
    var min = ev.wait > 0 ? Math.max(1, Math.round(ev.wait / 60)) : 0;
    queueEl.textContent = T.queue(ev.position, min);
  }

  // backToBot leaves the queue.
  function backToBot() {
    backBtn.disabled = true;
    (ready || start()).then(function () { return api("/api/widget/back", {}, state.token); }).then(function (res) {
      setOwner(res.owner || "bot");
    }, function (err) {
      errorEl.textContent = err.message || T.failed;
    }).then(function () { backBtn.disabled = false; });
  }

  function showTyping(ev) {
    if (ev.author !== "agent") return;
    typingEl.textContent = T.typing(state.agentName || T.agent);
    typingEl.hidden = false;
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(hideTyping, 4000);
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    typingEl.hidden = true;
  }

  // sendTyping tells the agent the customer is typing, at most once every 2 s.
  function sendTyping() {
    var ws = state.ws, now = Date.now();
    if (!input.value.trim() || !ws || ws.readyState !== WebSocket.OPEN || now - state.typedAt < 2000) return;
    state.typedAt = now;
    try { ws.send('{"type":"typing"}'); } catch (e) {}
  }

  // The rating panel shows once per closed conversation (remembered for the browser session).
  function ratingSeen(id) {
    if (state.rated[id]) return true;
    try { return !!sessionStorage.getItem(RATED_KEY + id); } catch (e) { return false; }
  }

  function showRating() {
    var id = state.conversationId;
    if (!id || !rating.hidden || ratingSeen(id)) return;
    state.rated[id] = true;
    try { sessionStorage.setItem(RATED_KEY + id, "1"); } catch (e) {}
    pickScore(0);
    commentEl.value = "";
    rateForm.hidden = false;
    thanksEl.hidden = true;
    rating.hidden = false;
  }

  function hideRating() { rating.hidden = true; }

  function pickScore(score) {
    state.score = score;
    Array.prototype.forEach.call(stars.children, function (b) {
      var n = Number(b.dataset.score);
      b.classList.toggle("on", n <= score);
      b.setAttribute("aria-pressed", String(n === score));
    });
    rateSend.disabled = !score;
  }

  function submitRating(e) {
    e.preventDefault();
    if (!state.score) return;
    rateSend.disabled = true;
    api("/api/widget/rating", { score: state.score, comment: commentEl.value.trim() }, state.token).then(function () {
      rateForm.hidden = true;
      thanksEl.hidden = false;
    }, function (err) {
      rateSend.disabled = false;
      errorEl.textContent = err.message || T.failed;
    });
  }

  // fillText renders a reply into box as text only (never HTML): lines starting with "- " (or
  // "* ", "• ") become a bulleted list, lines starting with "1. " a numbered one.
  function fillText(box, text) {
    box.textContent = "";
    var ul = null, para = [];
    function flush() {
      if (!para.length) return;
      var p = document.createElement("p");
      p.textContent = para.join("\n");
      box.appendChild(p);
      para = [];
    }
    String(text || "").split("\n").forEach(function (line) {
      var b = /^\s*[-*\u2022]\s+(\S.*)$/.exec(line), n = /^\s*(\d{1,3})[.)]\s+(\S.*)$/.exec(line);
      var kind = b ? "ul" : n ? "ol" : "";
      if (!kind) {
        ul = null;
        if (line.trim()) para.push(line); else flush();
        return;
      }
      flush();
      if (!ul || ul.tagName.toLowerCase() !== kind) {
        ul = document.createElement(kind);
        if (n && n[1] !== "1") ul.start = Number(n[1]);
        box.appendChild(ul);
      }
      var li = document.createElement("li");
      li.textContent = b ? b[1] : n[2];
      ul.appendChild(li);
    });
    flush();
  }

  // renderDelta shows a bot reply while it is being written; the final message replaces it.
  function renderDelta(text) {
    if (!state.awaiting) return; // a late delta after the final reply: ignore it
    var el = list.querySelector(".tw-msg[data-streaming]");
    if (!el) {
      el = document.createElement("div");
      el.className = "tw-msg";
      el.dataset.author = "bot";
      el.dataset.streaming = "true";
      var who = document.createElement("span");
      who.className = "tw-who";
      who.textContent = T.bot;
      var body = document.createElement("div");
      body.className = "tw-text";
      el.appendChild(who);
      el.appendChild(body);
      list.appendChild(el);
    }
    fillText(el.querySelector(".tw-text"), text);
    toBottom();
  }

  // Thumbs as inline SVG: an emoji needs a font that not every machine has (it shows a box).
  var THUMB_UP = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" ' +
    'd="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z"/></svg>';
  var THUMB_DOWN = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" ' +
    'd="M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1l1.1 1 6.6-6.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7c-.8 0-1.5.5-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2z"/></svg>';

  // feedbackButtons are the thumbs up and down under a bot answer.
  function feedbackButtons(id) {
    var box = document.createElement("div");
    box.className = "tw-feedback";
    [[true, THUMB_UP, T.helpful], [false, THUMB_DOWN, T.unhelpful]].forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "tw-thumb";
      btn.dataset.helpful = String(b[0]);
      btn.innerHTML = b[1]; // a fixed inline SVG of ours, never text from a message
      btn.setAttribute("aria-label", b[2]);
      btn.title = b[2];
      btn.addEventListener("click", function () {
        api("/api/widget/feedback", { message_id: id, helpful: b[0] }, state.token).then(function () {
          box.textContent = T.feedbackThanks;
        }).catch(function () { /* feedback is optional: stay quiet */ });
      });
      box.appendChild(btn);
    });
    return box;
  }

  function render(m) {
    if (!m || !m.id || state.ids[m.id]) return;
    state.ids[m.id] = true;
    if (m.author === "customer") state.awaiting = true;
    if (m.author === "agent") {
      if (m.agent) state.agentName = m.agent;
      hideTyping();
    }
    if (m.author === "bot" || m.author === "agent") {
      state.awaiting = false;
      var partial = list.querySelector(".tw-msg[data-streaming]");
      if (partial) partial.remove();
    }
    state.lastId = Math.max(state.lastId, m.id);
    var el = document.createElement("div");
    el.className = "tw-msg";
    el.dataset.id = m.id;
    el.dataset.author = m.author;
    if (m.author !== "customer" && m.author !== "system") {
      var who = document.createElement("span");
      who.className = "tw-who";
      who.textContent = m.author === "agent" ? m.agent || T.agent : T.bot;
      el.appendChild(who);
    }
    var text = document.createElement("div");
    text.className = "tw-text";
    if (m.author === "customer") text.textContent = m.text;
    else fillText(text, m.text);
    el.appendChild(text);
    if (m.sources && m.sources.length) {
      var src = document.createElement("div");
      src.className = "tw-sources";
      src.appendChild(document.createTextNode(T.sources + ": "));
      m.sources.forEach(function (s) {
        var href;
        try { href = new URL(s.url, origin); } catch (e) { return; }
        if (!/^https?:$/.test(href.protocol)) return; // no javascript: or data: links
        var a = document.createElement("a");
        a.href = href.href;
        a.target = "_blank";
        a.rel = "noopener";
        a.textContent = s.title || href.href;
        src.appendChild(a);
      });
      el.appendChild(src);
    }
    if (m.author === "bot" && m.decision === "answer") el.appendChild(feedbackButtons(m.id));
    // Keep id order even when the socket and the POST response race.
    var after = null;
    for (var n = list.lastElementChild; n; n = n.previousElementSibling) {
      if (Number(n.dataset.id || 0) < m.id) { after = n; break; } // the greeting counts as 0
    }
    list.insertBefore(el, after ? after.nextSibling : list.firstChild);
    toBottom();
  }

  // identity is the site's signed token for its signed-in customer, if it gives one: the
  // script tag's data-identity, or window.TandemIdentity. It lets the customer's history follow
  // them across devices.
  function identity() {
    var t = (script && script.dataset.identity) || window.TandemIdentity || "";
    return typeof t === "string" ? t : "";
  }

  // session starts (or resumes) the conversation; a stored token the server refuses is dropped.
  // A signed-in customer's token is never stored: the page vouches for them on every load, and the
  // next person on a shared browser starts anonymous.
  function session() {
    var saved = null;
    var id = identity();
    try {
      if (id) localStorage.removeItem(TOKEN_KEY);
      else saved = localStorage.getItem(TOKEN_KEY);
    } catch (e) {}
    var first = id ? api("/api/widget/session", { identity_token: id, lang: lang })
      : api("/api/widget/session", { visitor_token: saved || "", lang: lang });
    return first.catch(function (err) {
      if (err.status === 401 && saved && !id) {
        try { localStorage.removeItem(TOKEN_KEY); } catch (e) {}
        return api("/api/widget/session", { visitor_token: "", lang: lang });
      }
      throw err;
    }).then(function (s) {
      if (state.conversationId && state.conversationId !== s.conversation_id) { // a new conversation: start clean
        list.textContent = "";
        state.ids = {};
        state.lastId = 0;
      }
      state.token = s.visitor_token;
      state.conversationId = s.conversation_id;
      if (!id) { try { localStorage.setItem(TOKEN_KEY, s.visitor_token); } catch (e) {} }
      (s.messages || []).forEach(render);
      greet();
      setOwner(s.owner || "bot");
      setCare(!!s.care);
      if (errorEl.textContent === T.offline) errorEl.textContent = "";
      connect();
    });
  }

  // start keeps trying to reach the server (1s, 2s, 4s… 30s) until a session exists.
  function start() {
    if (ready) return ready;
    var delay = 1000;
    ready = new Promise(function (resolve) {
      (function attempt() {
        session().then(resolve, function (err) {
          errorEl.textContent = err.status ? err.message || T.failed : T.offline;
          setTimeout(attempt, delay);
          delay = Math.min(delay * 2, 30000);
        });
      })();
    });
    return ready;
  }

  var handlers = {
    message: function (ev) { render(ev.message); },
    owner: function (ev) { setOwner(ev.owner); },
    delta: function (ev) { if (typeof ev.text === "string") renderDelta(ev.text); },
    position: showPosition,
    typing: showTyping
  };

  function connect() {
    if (state.ws) { var old = state.ws; state.ws = null; old.close(); }
    var url = origin.replace(/^http/, "ws") + "/api/widget/ws?token=" + encodeURIComponent(state.token) + "&after=" + state.lastId;
    var ws = new WebSocket(url);
    state.ws = ws;
    ws.onopen = function () { state.retry = 1000; if (errorEl.textContent === T.offline) errorEl.textContent = ""; };
    ws.onmessage = function (e) {
      var ev;
      try { ev = JSON.parse(e.data); } catch (x) { return; }
      if (ev && Object.prototype.hasOwnProperty.call(handlers, ev.type)) handlers[ev.type](ev); // others: ignored
    };
    ws.onclose = function () {
      if (state.ws !== ws) return;
      if (state.retry > 1000 && !errorEl.textContent) errorEl.textContent = T.offline; // quiet on a single blip
      setTimeout(function () { if (state.ws === ws) connect(); }, state.retry);
      state.retry = Math.min(state.retry * 2, 30000);
    };
  }

  // send posts one message; on failure the text goes back into the input with an error line.
  function send(text) {
    text = (text || "").trim();
    if (!text) return Promise.resolve(false);
    errorEl.textContent = "";
    input.value = "";
    state.awaiting = true;
    var chips = list.querySelector(".tw-suggest");
    if (chips) chips.remove();
    hideRating(); // a message after close reopens the conversation to the bot
    var post = function () { return api("/api/widget/messages", { text: text }, state.token); };
    var p = queue.then(function () { return ready || start(); }).then(post).catch(function (err) {
      if (err.status !== 401) throw err;
      try { localStorage.removeItem(TOKEN_KEY); } catch (e) {} // the token expired: a fresh session, one retry
      return session().then(post);
    }).then(function (res) {
      render(res.message);
      (res.replies || []).forEach(render);
      return true;
    }).catch(function (err) {
      if (!input.value) input.value = text;
      errorEl.textContent = err.status === 429 ? T.slow : (err.message || T.failed);
      return false;
    });
    queue = p;
    return p;
  }

  function open() {
    state.open = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
    toBottom();
  }

  function close() {
    state.open = false;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { state.open ? close() : open(); });
  $(".tw-close").addEventListener("click", close);
  root.addEventListener("keydown", function (e) { if (e.key === "Escape" && state.open) close(); });
  $(".tw-form").addEventListener("submit", function (e) { e.preventDefault(); send(input.value); });
  input.addEventListener("input", sendTyping);
  backBtn.addEventListener("click", backToBot);
  stars.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-score]");
    if (b) pickScore(Number(b.dataset.score));
  });
  rateForm.addEventListener("submit", submitRating);
  $(".tandem-rating-skip").addEventListener("click", function (e) { e.preventDefault(); hideRating(); });
  function plainEnter(e) { return e.key === "Enter" && !e.shiftKey && !e.isComposing; }
  input.addEventListener("keydown", function (e) { if (plainEnter(e)) { e.preventDefault(); send(input.value); } });
  // Some synthetic key sources deliver the newline as a separate keypress: keep it out of the emptied input.
  input.addEventListener("keypress", function (e) { if (plainEnter(e)) e.preventDefault(); });

  // ---- priority care: larger text, and one tap to a person ----
  var CARE = { en: { larger: "Larger text", person: "Talk to a person", ask: "talk to a person" },
    zh: { larger: "大字模式", person: "一键转人工", ask: "转人工" } }[lang];
  var LARGE_KEY = "tandem.large", sizeBtn = $(".tw-size"), personBtn = $(".tw-person");
  sizeBtn.setAttribute("aria-label", CARE.larger);
  sizeBtn.title = CARE.larger;
  personBtn.textContent = CARE.person;
  function setLarge(on) {
    panel.classList.toggle("tw-large", on);
    sizeBtn.setAttribute("aria-pressed", String(on));
  }
  // setCare turns care on for this customer: larger text unless they switched it off, and the
  // one-step button while the bot has the conversation.
  function setCare(on) {
    state.care = on;
    var pref = null;
    try { pref = localStorage.getItem(LARGE_KEY); } catch (e) {}
    setLarge(pref === null ? on : pref === "1");
    personBtn.hidden = !on || panel.dataset.owner !== "bot";
  }
  sizeBtn.addEventListener("click", function () {
    var on = !panel.classList.contains("tw-large");
    setLarge(on);
    try { localStorage.setItem(LARGE_KEY, on ? "1" : "0"); } catch (e) {}
  });
  personBtn.addEventListener("click", function () { send(CARE.ask); });
  new MutationObserver(function () { personBtn.hidden = !state.care || panel.dataset.owner !== "bot"; })
    .observe(panel, { attributes: true, attributeFilter: ["data-owner"] });
  try { if (localStorage.getItem(LARGE_KEY) === "1") setLarge(true); } catch (e) {}

  window.TandemWidget = { root: root, open: open, close: close, send: send, state: state };
  function mount() {
    document.body.appendChild(host);
    statusEl.textContent = T.connecting;
    start();
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
