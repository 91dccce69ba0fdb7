/* Tandem trainer console (/trainer/): the knowledge base, the bot's intents, the review queue,
   eval sets and runs, and analytics. Plain JS, no build step.
   Two ways in:
   - an API key from the URL fragment #key=… (then removed from the address bar) or sessionStorage
     "tandem.trainer.key": every request sends "Authorization: Bearer <key>", and a 401 brings back
     the key form. A key opens /api/v1/* only; /api/trainer/* needs a session.
   - a trainer session (HttpOnly cookie, SameSite=Strict): without a key the console asks
     GET /api/trainer/me, and on a 401 shows the sign-in form (POST /api/trainer/login). Requests
     then carry no Authorization header; a later 401 returns to the form with "session expired".
   Errors are HTTP 4xx/5xx with {"error":{"code":"invalid","message":"…"}}; the message is shown in #error.

   Knowledge API:
     GET    /api/v1/kb/status                      {documents, chunks, embedder:{model,dim}, embedded, reembedding}
     GET    /api/v1/kb/documents?q=&collection=    {documents:[{id,title,collection,lang,kind,tags,url,chunks,updated_at}],
                                                    collections:[…] (optional: else taken from the documents)}
     DELETE /api/v1/kb/documents/{id}              204
     GET    /api/v1/kb/documents/{id}/chunks       {document:{…,body,questions}, chunks:[{id,ord,heading,text,lang}]}
     POST   /api/v1/kb/import                      multipart: "file" parts + "collection"; or JSON {urls, sitemap, collection}
                                                   → {files:[{name,documents,chunks,changed,error}], documents, changed, failed}
                                                   (200 even when some files failed; 413 when the upload is too large)
     GET    /api/v1/kb/search?q=&k=&collection=&lang=
                                                   {took_ms, hits:[{doc_id,chunk_id,title,heading,text,url,kind,
                                                    lexical:{rank,raw,norm}|null, vector:{rank,raw,norm}|null, fused}]}
   Intents and settings API:
     GET /api/v1/intents, PUT/DELETE /api/v1/intents/{name}, POST /api/v1/intents/import (JSONL),
     GET /api/v1/intents/export, GET /api/v1/intents/try?text=; GET/PUT /api/v1/settings.

   Trainer API (session only):
     GET  /api/trainer/me                          {username, role}
     GET  /api/trainer/review?reason=&channel=&status=&from=&to=&limit=
                                                   {items:[{id,reason,conversation_id,channel,intent,text,bot_answer,
                                                    answer,confidence,sources,status,created_at}]}
     POST /api/trainer/review/accept               {set, items:[{review_id, expected_*}]} → {set, cases}
     POST /api/trainer/review/dismiss              {ids} → {dismissed}
     GET  /api/trainer/sets, /api/trainer/sets/{name}, /api/trainer/runs?set=, /api/trainer/runs/{id}/report
     GET  /api/trainer/analytics?from=&to=         analytics.Report (to is exclusive; days are UTC)

   Strings are English and Chinese (STRINGS, the #lang button; static text carries data-i18n).
   Data from the server is always written with textContent, never as HTML; links are http(s) only. */
(function () {
  "use strict";
  var KEY = "tandem.trainer.key", LANG_KEY = "tandem.trainer.lang", SET_KEY = "tandem.trainer.set";
  var $ = function (id) { return document.getElementById(id); };
  var key = null;   // the API key, when signed in with one
  var me = null;    // {username, role}, when signed in with a session
  var lang = "en";

  var STRINGS = {
    en: {
      appTitle: "Tandem · Trainer", switchLang: "中文", switchLangLabel: "切换到中文",
      signOut: "Sign out", signInTitle: "Sign in to the trainer console", username: "Username", password: "Password",
      signIn: "Sign in", useKey: "Use an API key instead", keyTitle: "Sign in with an API key",
      keyHelp: "Enter an API key (the demo prints one when it starts). A key opens the knowledge base and intents; review, evals and analytics need a trainer sign-in.",
      apiKey: "API key", enterKey: "Enter an API key.", enterUserPass: "Enter your username and password.",
      wrongPassword: "Wrong username or password.", wrongRole: "This account may not use the trainer console (trainers and admins only).",
      sessionExpired: "Your session expired. Sign in again.", keyRejected: "That API key was not accepted. Enter a valid key.",
      unreachable: "The server could not be reached. Check your connection and try again.",
      needSession: "Review, evals and analytics need a trainer sign-in (username and password); an API key opens only the knowledge base and intents. Sign out and sign in as a trainer.",
      signedInAs: "{user}", signedInKey: "API key",
      tabsLabel: "Trainer", tabDocs: "Documents", tabImport: "Import", tabSearch: "Search playground", tabIntents: "Intents",
      tabReview: "Review", tabEvals: "Evals", tabAnalytics: "Analytics",
      reason: "Reason", allReasons: "All reasons", channel: "Channel", anyChannel: "any", status: "Status",
      reason_handoff: "Handed off", reason_edited: "Draft edited", reason_low_rating: "Low rating", reason_low_confidence: "Low confidence",
      status_open: "Open", status_accepted: "Accepted", status_dismissed: "Dismissed", status_all: "All",
      from: "From", to: "To", apply: "Apply", selectAll: "Select all", acceptInto: "Accept into set…", dismiss: "Dismiss",
      shortcuts: "Keyboard shortcuts", keyMove: "next / previous item", keyToggle: "check or uncheck the item",
      keyAccept: "accept the checked items (or this one) into a set", keyDismiss: "dismiss the checked items (or this one)",
      keyEsc: "close the form or this help", keyShowHelp: "show or hide these keys", reviewQueue: "Review queue",
      acceptTitle: "Accept into an eval set", close: "Close", evalSet: "Eval set", expectedDecision: "Expected decision",
      decisionAuto: "as captured (answer when there is an answer)", decisionAnswer: "the bot answers", decisionHandoff: "the bot hands off to a person",
      expectedAnswer: "Expected answer", expectedIntent: "Expected intent", intentHint: "empty: not judged; oos: out of scope",
      expectedSources: "Expected sources (document ids, comma-separated)", accept: "Accept", cancel: "Cancel",
      reviewEmptyOpen: "Nothing to review. Handoffs, edited drafts, poor ratings and low-confidence answers show up here.",
      reviewEmptyFiltered: "No items match these filters.", reviewCount: "{n} items", reviewCountMax: "the newest {n} items",
      selected: "{n} checked", confidence: "confidence {c}", intentIs: "intent {i}", bot: "Bot", agent: "Agent",
      noAgentAnswer: "(no agent answer captured)", noBotAnswer: "(the bot did not answer)", cited: "Bot cited:",
      statusBadge_accepted: "accepted", statusBadge_dismissed: "dismissed", checkItem: "Check item {id}",
      acceptOne: "Accept into set…", dismissOne: "Dismiss", conversation: "conversation {id}",
      acceptWhat: "{n} items: {reasons}.", acceptWhatOne: "Item {id} ({reason}): “{text}”",
      answerBulk: "Empty: each case expects its own agent's answer", sourcesHint: "The bot cited: {ids}",
      setRequired: "Name an eval set: no spaces or slashes.", nothingSelected: "Check some items first (x), or move to one (j/k).",
      accepted: "Accepted {n} into “{set}” ({total} cases in the set).", dismissed: "Dismissed {n}.",
      evalSets: "Eval sets", noSets: "No eval sets yet. Accept review items into a set, or import one with the command line.",
      pickSet: "Choose a set", runs: "Runs", run: "Run", time: "Time", mAccuracy: "Accuracy", mIntent: "Intent accuracy",
      mOOS: "OOS recall", mPrecision: "Decision precision", mCoverage: "Coverage at target", mECE: "ECE", baseline: "Baseline",
      report: "Report", openReport: "Report", openReportLabel: "Open the report of run {id} in a new tab",
      cases: "Cases", caseId: "ID", caseText: "Customer message", expectedIntentShort: "Intent", expectedDecisionShort: "Decision",
      sourcesShort: "Sources", caseSource: "From", setSize: "{n} cases", caseCount: "{n} cases", caseCountClip: "Showing the first {shown} of {n} cases",
      noRuns: "No runs yet — run the set with the command below.", setTitle: "Set “{set}”", coverageAt: "{cov} at P ≥ {target}",
      cliTitle: "Import and run sets from the command line",
      cliImport: "add cases from a JSONL file", cliRun: "replay the set through the current configuration, compared with the last run",
      cliCalibrate: "fit the intent threshold for a target precision, check it, and activate it", cliRevert: "undo the last calibration",
      utcDays: "Days are UTC; both ends are included.", containmentDef: "Containment: resolved by the bot: no handoff, no person, not reopened within 24 h.",
      chartCaption: "Conversations per day (bars) and handoff rate (line)", byChannel: "By channel",
      fConversations: "Conversations", fContainment: "Containment", fHandoff: "Handoff rate", fFirst: "First response p50 / p90",
      fWait: "Wait p50 / p90", fHandle: "Handle p50 / p90", fRating: "Rating", fDrop: "Drop-off",
      subRatings: "{n} ratings", subSamples: "{n} conversations", subDrop: "of handoffs left before a person took them",
      subContained: "of all conversations", reasonsTitle: "Handoff reasons:", reasonNone: "(none given)", noHandoffs: "No handoffs in this period.",
      badRange: "Choose a start date on or before the end date.", noChannels: "No conversations in this period.",
      chartTitle: "Conversations per day and handoff rate, {from} to {to}",
      chartDesc: "{n} conversations over {days} days; bars count conversations, the line is the share handed to people.",
      axisConversations: "Conversations", axisHandoff: "Handoff rate", legendBars: "conversations", legendLine: "handoff rate",
      barTitle: "{day}: {n} conversations, handoff rate {rate}",
      sec: "{n} s", min: "{n} min", hour: "{n} h"
    },
    zh: {
      appTitle: "Tandem · 训练台", switchLang: "English", switchLangLabel: "Switch to English",
      signOut: "退出", signInTitle: "登录训练台", username: "用户名", password: "密码",
      signIn: "登录", useKey: "改用 API 密钥", keyTitle: "用 API 密钥登录",
      keyHelp: "输入 API 密钥（演示启动时会打印）。密钥可管理知识库和意图；审核、评测和数据分析需要训练师账号登录。",
      apiKey: "API 密钥", enterKey: "请输入 API 密钥。", enterUserPass: "请输入用户名和密码。",
      wrongPassword: "用户名或密码错误。", wrongRole: "此账号不能使用训练台（仅限训练师和管理员）。",
      sessionExpired: "登录已过期，请重新登录。", keyRejected: "API 密钥无效，请输入有效的密钥。",
      unreachable: "无法连接服务器，请检查网络后重试。",
      needSession: "审核、评测和数据分析需要训练师账号（用户名和密码）登录；API 密钥只能管理知识库和意图。请退出后以训练师身份登录。",
      signedInAs: "{user}", signedInKey: "API 密钥",
      tabsLabel: "训练台", tabDocs: "文档", tabImport: "导入", tabSearch: "检索测试", tabIntents: "意图",
      tabReview: "审核", tabEvals: "评测", tabAnalytics: "数据分析",
      reason: "原因", allReasons: "全部原因", channel: "渠道", anyChannel: "任意", status: "状态",
      reason_handoff: "转人工", reason_edited: "草稿被修改", reason_low_rating: "低评分", reason_low_confidence: "低置信度",
      status_open: "待处理", status_accepted: "已采纳", status_dismissed: "已忽略", status_all: "全部",
      from: "从", to: "到", apply: "应用", selectAll: "全选", acceptInto: "加入评测集…", dismiss: "忽略",
      shortcuts: "键盘快捷键", keyMove: "下一条 / 上一条", keyToggle: "勾选或取消勾选",
      keyAccept: "把勾选的条目（或当前条目）加入评测集", keyDismiss: "忽略勾选的条目（或当前条目）",
      keyEsc: "关闭表单或本帮助", keyShowHelp: "显示或隐藏快捷键", reviewQueue: "审核队列",
      acceptTitle: "加入评测集", close: "关闭", evalSet: "评测集", expectedDecision: "期望的处理方式",
      decisionAuto: "按记录（有答案则回答）", decisionAnswer: "机器人回答", decisionHandoff: "机器人转人工",
      expectedAnswer: "期望答案", expectedIntent: "期望意图", intentHint: "留空：不评判；oos：超出范围",
      expectedSources: "期望来源（文档 ID，用逗号分隔）", accept: "采纳", cancel: "取消",
      reviewEmptyOpen: "暂无待审核条目。转人工、被修改的草稿、低评分和低置信度的回答会出现在这里。",
      reviewEmptyFiltered: "没有符合筛选条件的条目。", reviewCount: "{n} 条", reviewCountMax: "最新的 {n} 条",
      selected: "已勾选 {n} 条", confidence: "置信度 {c}", intentIs: "意图 {i}", bot: "机器人", agent: "客服",
      noAgentAnswer: "（没有记录到客服的回答）", noBotAnswer: "（机器人没有回答）", cited: "机器人引用：",
      statusBadge_accepted: "已采纳", statusBadge_dismissed: "已忽略", checkItem: "勾选条目 {id}",
      acceptOne: "加入评测集…", dismissOne: "忽略", conversation: "会话 {id}",
      acceptWhat: "{n} 条：{reasons}。", acceptWhatOne: "条目 {id}（{reason}）：“{text}”",
      answerBulk: "留空：每条用例以各自客服的回答为期望答案", sourcesHint: "机器人引用了：{ids}",
      setRequired: "请填写评测集名称（不能含空格或斜杠）。", nothingSelected: "请先勾选条目（x），或移到某一条（j/k）。",
      accepted: "已将 {n} 条加入“{set}”（该评测集共 {total} 条用例）。", dismissed: "已忽略 {n} 条。",
      evalSets: "评测集", noSets: "还没有评测集。把审核条目加入评测集，或用命令行导入。",
      pickSet: "请选择评测集", runs: "运行记录", run: "运行", time: "时间", mAccuracy: "准确率", mIntent: "意图准确率",
      mOOS: "超范围召回", mPrecision: "决策精确率", mCoverage: "目标精确率下的覆盖率", mECE: "ECE", baseline: "基线",
      report: "报告", openReport: "报告", openReportLabel: "在新标签页打开运行 {id} 的报告",
      cases: "用例", caseId: "ID", caseText: "客户消息", expectedIntentShort: "意图", expectedDecisionShort: "处理方式",
      sourcesShort: "来源", caseSource: "出处", setSize: "{n} 条用例", caseCount: "共 {n} 条用例", caseCountClip: "显示前 {shown} 条，共 {n} 条用例",
      noRuns: "还没有运行记录——用下面的命令运行评测集。", setTitle: "评测集“{set}”", coverageAt: "{cov}（P ≥ {target}）",
      cliTitle: "用命令行导入和运行评测集",
      cliImport: "从 JSONL 文件添加用例", cliRun: "用当前配置重放评测集，并与上次运行比较",
      cliCalibrate: "按目标精确率拟合意图阈值、检验并启用", cliRevert: "撤销上次校准",
      utcDays: "日期按 UTC 计，包含起止两天。", containmentDef: "自助解决率：由机器人解决——未转人工、无人工接待、24 小时内未再次来询。",
      chartCaption: "每日会话数（柱）与转人工率（折线）", byChannel: "按渠道",
      fConversations: "会话数", fContainment: "自助解决率", fHandoff: "转人工率", fFirst: "首次响应 p50 / p90",
      fWait: "等待 p50 / p90", fHandle: "处理 p50 / p90", fRating: "评分", fDrop: "放弃率",
      subRatings: "{n} 个评分", subSamples: "{n} 个会话", subDrop: "转人工后在接待前离开",
      subContained: "占全部会话", reasonsTitle: "转人工原因：", reasonNone: "（未注明）", noHandoffs: "此期间没有转人工。",
      badRange: "开始日期不能晚于结束日期。", noChannels: "此期间没有会话。",
      chartTitle: "{from} 至 {to} 每日会话数与转人工率",
      chartDesc: "{days} 天共 {n} 个会话；柱表示会话数，折线表示转人工的比例。",
      axisConversations: "会话数", axisHandoff: "转人工率", legendBars: "会话数", legendLine: "转人工率",
      barTitle: "{day}：{n} 个会话，转人工率 {rate}",
      sec: "{n} 秒", min: "{n} 分钟", hour: "{n} 小时"
    }
  };

  // t translates key (English when Chinese lacks it) and fills {name} placeholders from params.
  function t(k, params) {
    var dict = STRINGS[lang] || STRINGS.en;
    var s = dict[k] !== undefined ? dict[k] : STRINGS.en[k] !== undefined ? STRINGS.en[k] : k;
    if (params) s = s.replace(/\{(\w+)\}/g, function (m, n) { return params[n] !== undefined ? String(params[n]) : m; });
    return s;
  }
  var statusTimer = null;
  var seq = { docs: 0, chunks: 0, search: 0 }; // only the latest response of each kind is shown
  var openDocId = null;

  function readKey() {
    var m = /(?:^#|&)key=([^&]*)/.exec(location.hash);
    if (m) {
      try { key = decodeURIComponent(m[1]); } catch (e) { key = m[1]; }
      key = key.trim() || null;
      history.replaceState(null, "", location.pathname + location.search);
      if (key) { try { sessionStorage.setItem(KEY, key); } catch (e) {} return; }
    }
    try { key = sessionStorage.getItem(KEY); } catch (e) {}
  }

  function showError(msg) { $("error").textContent = msg || ""; }

  // report shows an error unless it was a 401, which already brought up the sign-in form.
  function report(err) { if (!err.unauthorized) showError(err.message); }

  function failure(message, status) {
    var err = new Error(message);
    err.status = status;
    err.unauthorized = status === 401;
    return err;
  }

  // headers adds the API key, when there is one (a session needs nothing: the cookie goes along).
  function headers(extra) {
    var h = extra || {};
    if (key) h.Authorization = "Bearer " + key;
    return h;
  }

  // api sends a request and returns the parsed JSON (or null for 204).
  function api(method, path, body) {
    var sent = key;
    var opts = { method: method, headers: headers(), credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (res) { return handle(res, sent, path); }, function () {
      throw failure(t("unreachable"), 0);
    });
  }

  // handle turns a response into data or an Error with the API's message. A 401 signs out,
  // unless the key has changed since the request went out; with a key, a 401 from the
  // session-only trainer API just says that it needs a trainer sign-in.
  function handle(res, sent, path) {
    if (res.status === 401) {
      if (key && /^\/api\/trainer\//.test(path || "")) throw failure(t("needSession"), 403);
      if (sent === undefined || sent === key) unauthorized();
      throw failure("unauthorized", 401);
    }
    if (res.status === 204) return null;
    return res.json().catch(function () { return {}; }).then(function (data) {
      if (!res.ok) throw failure(apiMessage(data, res.status), res.status);
      return data;
    });
  }

  function apiMessage(data, status) {
    if (data && data.error && data.error.message) return data.error.message;
    if (status === 413) return "The upload is too large. Send fewer or smaller files at a time.";
    if (status === 429) return "Too many requests. Wait a moment and try again.";
    return "The server answered HTTP " + status + ".";
  }

  // unauthorized handles a 401: back to the key form, or to the sign-in form for a session.
  function unauthorized() {
    if (key) signOut(t("keyRejected"));
    else showSignIn(t("sessionExpired"));
  }

  // hideApp leaves the console and forgets what it showed.
  function hideApp() {
    clearTimeout(statusTimer);
    $("app").hidden = true;
    $("sign-out").hidden = true;
    $("who").hidden = true;
    $("status").textContent = "";
    $("signin").hidden = false;
    closeAccept();
  }

  // signOut forgets the API key and shows the key form (and the sign-in form above it).
  function signOut(msg) {
    key = null;
    try { sessionStorage.removeItem(KEY); } catch (e) {}
    hideApp();
    $("signin-error").textContent = "";
    $("key-note").textContent = msg || "";
    $("key-form").hidden = false;
    $("key-input").value = "";
    $("key-input").focus();
  }

  // showSignIn shows the username and password form, with msg (e.g. "session expired").
  function showSignIn(msg) {
    me = null;
    hideApp();
    $("key-form").hidden = true;
    $("key-note").textContent = "";
    $("signin-error").textContent = msg || "";
    $("signin-pass").value = "";
    ($("signin-user").value ? $("signin-pass") : $("signin-user")).focus();
  }

  // checkSession opens the console if the browser has a trainer session, else the sign-in form.
  function checkSession() {
    fetch("/api/trainer/me", { credentials: "same-origin" }).then(function (res) {
      if (!res.ok) { showSignIn(res.status === 403 ? t("wrongRole") : ""); return; }
      return res.json().then(startSession);
    }, function () { showSignIn(t("unreachable")); });
  }

  function signIn(e) {
    e.preventDefault();
    var user = $("signin-user").value.trim(), pass = $("signin-pass").value;
    if (!user || !pass) { $("signin-error").textContent = t("enterUserPass"); return; }
    var btn = $("signin-submit");
    busy(btn, true);
    fetch("/api/trainer/login", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: user, password: pass }) }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.ok) { startSession({ username: data.username || user, role: data.role }); return; }
        $("signin-error").textContent = res.status === 401 ? t("wrongPassword") : res.status === 403 ? t("wrongRole") : apiMessage(data, res.status);
        $("signin-pass").value = "";
        $("signin-pass").focus();
      });
    }, function () { $("signin-error").textContent = t("unreachable"); }).then(function () { busy(btn, false); });
  }

  function startSession(who) {
    key = null;
    try { sessionStorage.removeItem(KEY); } catch (e) {}
    me = who || {};
    $("signin-pass").value = "";
    start();
  }

  // leave signs out of whichever way the console was opened.
  function leave() {
    if (!me) { signOut(""); return; }
    fetch("/api/trainer/logout", { method: "POST", credentials: "same-origin" }).catch(function () {}).then(function () { showSignIn(""); });
  }

  function start() {
    $("signin").hidden = true;
    $("key-form").hidden = true;
    $("key-note").textContent = "";
    $("signin-error").textContent = "";
    $("app").hidden = false;
    $("sign-out").hidden = false;
    renderWho();
    showError("");
    refreshStatus();
    reloadTab();
  }

  function renderWho() {
    var w = $("who");
    w.hidden = !me && !key;
    w.textContent = me ? t("signedInAs", { user: me.username || "?" }) : key ? t("signedInKey") : "";
  }

  function refreshStatus() {
    clearTimeout(statusTimer);
    if (!key && !me) return;
    api("GET", "/api/v1/kb/status").then(function (s) {
      var e = s.embedder || {};
      var text = count(s.documents, "document") + " · " + count(s.chunks, "chunk") +
        (e.model ? " · embedder " + e.model + (e.dim ? " (" + e.dim + "d)" : "") : "");
      if (s.reembedding) {
        text += " · re-embedding… " + (s.embedded || 0) + "/" + (s.chunks || 0);
        statusTimer = setTimeout(refreshStatus, 5000);
      }
      $("status").textContent = text;
    }).catch(report);
  }

  function count(n, word) { n = Number(n) || 0; return n.toLocaleString() + " " + word + (n === 1 ? "" : "s"); }

  function num(x, digits) { return typeof x === "number" && isFinite(x) ? x.toFixed(digits) : "—"; }

  function locale() { return lang === "zh" ? "zh-CN" : "en"; }

  function when(s) {
    var d = s ? new Date(s) : null;
    if (!d || isNaN(d.getTime())) return "";
    try { return d.toLocaleString(locale(), { dateStyle: "medium", timeStyle: "short" }); } catch (e) { return d.toLocaleString(); }
  }

  // clip shortens text to n characters (code points, so no emoji or rare CJK character is cut in half).
  function clip(text, n) {
    var chars = Array.from(text || "");
    return chars.length > n ? chars.slice(0, n).join("") + "…" : chars.join("");
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text === undefined || text === null ? "" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function safeURL(u) {
    if (!u) return null;
    try { var x = new URL(u, location.origin); return /^https?:$/.test(x.protocol) ? x.href : null; } catch (e) { return null; }
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
    a.textContent = text;
    return a;
  }

  function fillCollections(names) {
    ["doc-collection", "search-collection"].forEach(function (id) {
      var sel = $(id), cur = sel.value;
      while (sel.options.length > 1) sel.remove(1);
      names.forEach(function (n) { var o = document.createElement("option"); o.value = n; o.textContent = n || "(none)"; sel.appendChild(o); });
      sel.value = names.indexOf(cur) >= 0 ? cur : "";
    });
  }

  function loadDocuments() {
    var qText = $("doc-filter").value.trim(), coll = $("doc-collection").value;
    var mine = ++seq.docs;
    return api("GET", "/api/v1/kb/documents?q=" + encodeURIComponent(qText) + "&collection=" + encodeURIComponent(coll)).then(function (data) {
      if (mine !== seq.docs) return;
      var docs = (data && data.documents) || [];
      if (data && Array.isArray(data.collections)) fillCollections(data.collections);
      else if (!qText && !coll) fillCollections(docs.map(function (d) { return d.collection; }).filter(function (c, i, a) { return a.indexOf(c) === i; }).sort());
      var body = $("doc-table").querySelector("tbody");
      body.textContent = "";
      docs.forEach(function (d) { body.appendChild(docRow(d)); });
      var empty = $("doc-empty");
      empty.textContent = qText || coll ? "No documents match this filter." : "No documents yet — import some on the Import tab.";
      empty.hidden = docs.length > 0;
      showError("");
    }).catch(report);
  }

  function docRow(d) {
    var tr = document.createElement("tr");
    tr.dataset.id = d.id;
    tr.tabIndex = 0;
    if (d.id === openDocId) tr.classList.add("selected");
    cell(tr, d.title, "title"); cell(tr, d.id, "mono opt"); cell(tr, d.collection); cell(tr, d.lang); cell(tr, d.kind);
    var tags = cell(tr, "", "opt");
    (d.tags || []).forEach(function (t) { var s = document.createElement("span"); s.className = "tag"; s.textContent = t; tags.appendChild(s); });
    cell(tr, d.chunks, "num"); cell(tr, when(d.updated_at), "opt nowrap");
    var del = document.createElement("button");
    del.type = "button"; del.textContent = "Delete"; del.className = "danger";
    del.setAttribute("aria-label", "Delete " + (d.title || d.id));
    del.addEventListener("click", function (e) { e.stopPropagation(); remove(d, del); });
    del.addEventListener("keydown", function (e) { e.stopPropagation(); });
    cell(tr, "").appendChild(del);
    tr.addEventListener("click", function () { openChunks(d.id); });
    tr.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openChunks(d.id); }
    });
    return tr;
  }

  function remove(d, btn) {
    if (!confirm("Delete “" + (d.title || d.id) + "” and its " + count(d.chunks, "chunk") + "? The bot stops using it within seconds.")) return;
    btn.disabled = true;
    api("DELETE", "/api/v1/kb/documents/" + encodeURIComponent(d.id)).then(function () {
      if (openDocId === d.id) closeChunks();
      loadDocuments(); refreshStatus();
    }).catch(function (e) { btn.disabled = false; report(e); });
  }

  function markSelected() {
    Array.prototype.forEach.call($("doc-table").querySelectorAll("tbody tr"), function (tr) {
      tr.classList.toggle("selected", tr.dataset.id === openDocId);
    });
  }

  function openChunks(id) {
    var mine = ++seq.chunks;
    api("GET", "/api/v1/kb/documents/" + encodeURIComponent(id) + "/chunks").then(function (data) {
      if (mine !== seq.chunks) return;
      var d = data.document || { id: id }, chunks = data.chunks || [];
      openDocId = d.id || id;
      markSelected();
      $("chunk-title").textContent = d.title || d.id;
      var meta = [d.id, d.collection, d.kind || "article", d.lang, count(chunks.length, "chunk")].filter(Boolean).join(" · ");
      if (d.questions && d.questions.length) meta += " · questions: " + d.questions.join(" | ");
      $("chunk-meta").textContent = meta;
      var href = safeURL(d.url), lk = $("chunk-link");
      lk.textContent = "";
      if (href) lk.appendChild(link(href, d.url));
      lk.hidden = !href;
      var list = $("chunk-list");
      list.textContent = "";
      chunks.forEach(function (c) {
        var li = document.createElement("li");
        li.className = "chunk";
        li.dataset.id = c.id;
        var h = document.createElement("div");
        h.className = "chunk-head";
        var strong = document.createElement("strong");
        strong.textContent = c.heading || "(no heading)";
        var small = document.createElement("span");
        small.className = "muted small";
        small.textContent = [c.lang, c.id].filter(Boolean).join(" · ");
        h.appendChild(strong); h.appendChild(small);
        var p = document.createElement("p");
        p.textContent = c.text;
        li.appendChild(h); li.appendChild(p);
        list.appendChild(li);
      });
      if (!chunks.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = "This document has no chunks.";
        list.appendChild(none);
      }
      $("chunk-panel").hidden = false;
      $("chunk-panel").parentNode.classList.add("open");
      $("chunk-panel").scrollTop = 0;
      showError("");
    }).catch(report);
  }

  function closeChunks() {
    seq.chunks++;
    $("chunk-panel").hidden = true;
    $("chunk-panel").parentNode.classList.remove("open");
    var was = openDocId;
    openDocId = null;
    markSelected();
    var row = was && $("doc-table").querySelector('tbody tr[data-id="' + (window.CSS && CSS.escape ? CSS.escape(was) : was) + '"]');
    if (row) row.focus();
  }

  function renderReport(rep) {
    var t = $("import-report"), body = t.querySelector("tbody"), files = (rep && rep.files) || [];
    body.textContent = "";
    files.forEach(function (f) {
      var tr = document.createElement("tr");
      var ok = !f.error;
      tr.dataset.ok = String(ok);
      var mark = cell(tr, ok ? "✓" : "✗", ok ? "ok mark" : "bad mark");
      mark.setAttribute("aria-label", ok ? "imported" : "failed");
      cell(tr, f.name, "name"); cell(tr, f.documents, "num"); cell(tr, f.chunks, "num");
      cell(tr, f.changed, "num"); cell(tr, f.error || "", "bad error");
      body.appendChild(tr);
    });
    t.hidden = files.length === 0;
    var failed = rep.failed || files.filter(function (f) { return f.error; }).length;
    var docs = rep.documents || 0, changed = rep.changed || 0;
    $("import-summary").textContent = files.length
      ? count(docs, "document") + " imported, " + changed + " new or changed" + (failed ? "; " + failed + " of " + files.length + " failed (see below)." : ".")
      : "Nothing was imported.";
    showError(failed ? failed + " of " + files.length + " imports failed; the others were imported." : "");
    loadDocuments(); refreshStatus();
  }

  function busy(btn, on) { btn.disabled = on; btn.setAttribute("aria-busy", String(on)); }

  function filesChosen() {
    var files = $("file-input").files, n = files ? files.length : 0;
    var names = Array.prototype.map.call(files || [], function (f) { return f.name; });
    $("file-summary").textContent = n ? n + (n === 1 ? " file: " : " files: ") + clip(names.join(", "), 160) : "";
  }

  function upload() {
    var files = $("file-input").files;
    if (!files || !files.length) { showError("Choose one or more files first (or drop them on the box above)."); return; }
    var form = new FormData();
    Array.prototype.forEach.call(files, function (f) { form.append("file", f, f.name); });
    form.append("collection", $("collection-input").value.trim());
    var xhr = new XMLHttpRequest(), bar = $("upload-progress"), btn = $("upload-btn"), note = $("upload-note"), sent = key;
    var done = function () { busy(btn, false); bar.hidden = true; note.textContent = ""; };
    xhr.open("POST", "/api/v1/kb/import");
    if (sent) xhr.setRequestHeader("Authorization", "Bearer " + sent);
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round(100 * e.loaded / e.total);
      bar.value = pct; note.textContent = "Uploading… " + pct + "%";
    };
    xhr.upload.onload = function () { bar.value = 100; note.textContent = "Importing and indexing…"; };
    xhr.onload = function () {
      done();
      if (xhr.status === 401) { if (sent === key) unauthorized(); return; }
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) {}
      if (xhr.status < 200 || xhr.status > 299 || !data) { showError("Upload failed: " + apiMessage(data, xhr.status)); return; }
      $("file-input").value = ""; filesChosen();
      renderReport(data);
    };
    xhr.onerror = function () { done(); showError("Upload failed: the server could not be reached."); };
    xhr.onabort = done;
    showError("");
    busy(btn, true); bar.hidden = false; bar.value = 0; note.textContent = "Uploading…";
    xhr.send(form);
  }

  function importURLs() {
    var urls = $("urls-input").value.split(/\r?\n/).map(function (s) { return s.trim(); }).filter(Boolean);
    var sitemap = $("sitemap-input").value.trim();
    if (!urls.length && !sitemap) { showError("Enter page URLs (one per line) or a sitemap URL."); return; }
    var bad = urls.concat(sitemap ? [sitemap] : []).filter(function (u) { return !/^https?:\/\/\S+$/i.test(u); });
    if (bad.length) { showError("Not an http(s) URL: " + clip(bad[0], 120)); return; }
    var btn = $("url-import-btn"), note = $("url-note");
    busy(btn, true); showError("");
    note.textContent = "Fetching " + (sitemap ? "the sitemap" + (urls.length ? " and " + count(urls.length, "page") : "") : count(urls.length, "page")) + "…";
    api("POST", "/api/v1/kb/import", { urls: urls, sitemap: sitemap, collection: $("collection-input").value.trim() })
      .then(renderReport).catch(report)
      .then(function () { busy(btn, false); note.textContent = ""; });
  }

  function leg(l) { return l ? "#" + l.rank + " · " + num(l.raw, 3) + " · " + num(l.norm, 2) : "—"; }

  function search(e) {
    if (e) e.preventDefault();
    var q = $("search-input").value.trim();
    if (!q) { showError("Type a question to search for."); $("search-input").focus(); return; }
    var btn = $("search-btn"), mine = ++seq.search;
    busy(btn, true);
    var params = "q=" + encodeURIComponent(q) + "&k=" + encodeURIComponent($("search-k").value) +
      "&lang=" + encodeURIComponent($("search-lang").value) + "&collection=" + encodeURIComponent($("search-collection").value);
    api("GET", "/api/v1/kb/search?" + params).then(function (data) {
      if (mine !== seq.search) return;
      var hits = (data && data.hits) || [];
      var body = $("search-results").querySelector("tbody");
      body.textContent = "";
      hits.forEach(function (h, i) {
        var tr = document.createElement("tr");
        tr.dataset.doc = h.doc_id || "";
        tr.dataset.chunk = h.chunk_id || "";
        cell(tr, i + 1, "num");
        var td = cell(tr, "", "title"), href = safeURL(h.url);
        if (href) td.appendChild(link(href, h.title || h.doc_id)); else td.textContent = h.title || h.doc_id || "";
        cell(tr, h.heading); cell(tr, clip(h.text, 200), "snippet");
        cell(tr, leg(h.lexical), "lexical nowrap" + (h.lexical ? "" : " muted"));
        cell(tr, leg(h.vector), "vector nowrap" + (h.vector ? "" : " muted"));
        cell(tr, num(h.fused, 4), "fused num");
        body.appendChild(tr);
      });
      var took = typeof data.took_ms === "number" ? " in " + data.took_ms.toFixed(1) + " ms" : "";
      $("search-took").textContent = hits.length
        ? count(hits.length, "result") + took + ". Lexical and vector legs are fused by reciprocal rank; “—” means that leg did not find the chunk."
        : "No results" + took + ". Try other words, another language, or all collections.";
      showError("");
    }).catch(function (err) { if (mine === seq.search) report(err); }).then(function () { if (mine === seq.search) busy(btn, false); });
  }

  // Intents.
  var intents = [];

  function loadIntents() {
    return api("GET", "/api/v1/intents").then(function (data) {
      intents = data.intents;
      var body = $("intent-table").querySelector("tbody");
      body.textContent = "";
      intents.forEach(function (it) {
        var tr = document.createElement("tr");
        tr.dataset.name = it.name;
        tr.tabIndex = 0;
        cell(tr, it.name, "mono"); cell(tr, it.action); cell(tr, it.team); cell(tr, it.priority);
        cell(tr, it.examples.length, "num"); cell(tr, new Date(it.updated_at).toLocaleString());
        tr.addEventListener("click", function () { editIntent(it); });
        tr.addEventListener("keydown", function (e) { if (e.key === "Enter") editIntent(it); });
        body.appendChild(tr);
      });
      $("intent-empty").hidden = intents.length > 0;
    }).catch(report);
  }

  function showActionFields() {
    var a = $("intent-action").value;
    $("intent-answer-box").hidden = a !== "answer";
    $("intent-handoff-box").hidden = a !== "handoff";
  }

  function editIntent(it) {
    var isNew = !it;
    it = it || { name: "", action: "knowledge", answer: "", team: "", priority: "", examples: [] };
    $("intent-form-title").textContent = isNew ? "New intent" : "Intent " + it.name;
    $("intent-name").value = it.name;
    $("intent-name").readOnly = !isNew;
    $("intent-action").value = it.action;
    var answers = it.answers || {};
    $("intent-answer-en").value = answers.en || it.answer || "";
    $("intent-answer-zh").value = answers.zh || "";
    $("intent-team").value = it.team || "";
    $("intent-priority").value = it.priority || "";
    $("intent-examples").value = it.examples.join("\n");
    $("intent-delete").hidden = isNew;
    showActionFields();
    $("intent-form").hidden = false;
    (isNew ? $("intent-name") : $("intent-examples")).focus();
  }

  function saveIntent(e) {
    e.preventDefault();
    var name = $("intent-name").value.trim();
    var answers = {};
    if ($("intent-answer-en").value.trim()) answers.en = $("intent-answer-en").value.trim();
    if ($("intent-answer-zh").value.trim()) answers.zh = $("intent-answer-zh").value.trim();
    var body = { action: $("intent-action").value, answers: answers, team: $("intent-team").value.trim(),
      priority: $("intent-priority").value,
      examples: $("intent-examples").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean) };
    var btn = $("intent-save");
    busy(btn, true);
    api("PUT", "/api/v1/intents/" + encodeURIComponent(name), body).then(function () {
      showError(""); $("intent-form").hidden = true; return loadIntents();
    }).catch(report).then(function () { busy(btn, false); });
  }

  function deleteIntent() {
    var name = $("intent-name").value;
    if (!confirm("Delete the intent " + name + "? The bot is retrained without it.")) return;
    api("DELETE", "/api/v1/intents/" + encodeURIComponent(name)).then(function () {
      $("intent-form").hidden = true; loadIntents();
    }).catch(report);
  }

  function importIntents() {
    var f = $("intent-file").files[0];
    if (!f) return;
    var sent = key;
    f.text().then(function (text) {
      return fetch("/api/v1/intents/import", { method: "POST", credentials: "same-origin", headers: headers({ "Content-Type": "application/jsonl" }), body: text });
    }).then(function (res) { return handle(res, sent); }).then(function (data) {
      $("intent-try-result").textContent = "Imported " + data.intents + " intents; the bot is retrained.";
      showError(""); $("intent-file").value = ""; loadIntents();
    }).catch(report);
  }

  function exportIntents() {
    var sent = key;
    fetch("/api/v1/intents/export", { credentials: "same-origin", headers: headers() }).then(function (res) {
      if (res.status === 401) return handle(res, sent);
      if (!res.ok) throw new Error("Export failed: HTTP " + res.status);
      return res.blob();
    }).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob); a.download = "intents.jsonl"; a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    }).catch(report);
  }

  function tryIntent(e) {
    e.preventDefault();
    var text = $("intent-try").value.trim();
    if (!text) return;
    api("GET", "/api/v1/intents/try?text=" + encodeURIComponent(text)).then(function (r) {
      $("intent-try-result").textContent = r.matched
        ? "→ " + r.intent + " (" + r.action + "), probability " + r.probability.toFixed(2)
        : "→ no intent (probability " + r.probability.toFixed(2) + "): the bot answers from the knowledge base";
    }).catch(report);
  }

  function loadSettings() {
    api("GET", "/api/v1/settings").then(function (s) {
      $("target-input").value = s.target_precision;
      $("target-note").textContent = "default " + s.default_target_precision + "; below it the bot hands off";
    }).catch(report);
  }

  function saveSettings(e) {
    e.preventDefault();
    var v = parseFloat($("target-input").value);
    api("PUT", "/api/v1/settings", { target_precision: v }).then(function (s) {
      $("target-note").textContent = "saved: the bot now answers at P(right) ≥ " + s.target_precision;
      showError("");
    }).catch(report);
  }

  // ---- Review queue ------------------------------------------------------------------------------

  var review = { items: [], current: -1, checked: {}, target: [], seq: 0, limit: 500 };
  var SET_NAME = /^[^\s\/]{1,100}$/;

  // dayAfter gives the day after a YYYY-MM-DD date (the API's to= is exclusive).
  function dayAfter(day) {
    var d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  function reviewQuery() {
    var q = ["status=" + encodeURIComponent($("review-status").value), "limit=" + review.limit];
    if ($("review-reason").value) q.push("reason=" + encodeURIComponent($("review-reason").value));
    if ($("review-channel").value.trim()) q.push("channel=" + encodeURIComponent($("review-channel").value.trim()));
    if ($("review-from").value) q.push("from=" + $("review-from").value);
    if ($("review-to").value) q.push("to=" + dayAfter($("review-to").value));
    return q.join("&");
  }

  function loadReview() {
    var mine = ++review.seq;
    return api("GET", "/api/trainer/review?" + reviewQuery()).then(function (data) {
      if (mine !== review.seq) return;
      var keep = review.items[review.current] && review.items[review.current].id;
      review.items = (data && data.items) || [];
      var ids = {};
      review.items.forEach(function (it) { ids[it.id] = true; });
      Object.keys(review.checked).forEach(function (id) { if (!ids[id]) delete review.checked[id]; });
      var at = review.items.findIndex(function (it) { return it.id === keep; });
      review.current = at >= 0 ? at : Math.min(Math.max(review.current, 0), review.items.length - 1);
      fillChannels(review.items.map(function (it) { return it.channel; }));
      renderReview();
      showError("");
    }).catch(report);
  }

  function fillChannels(names) {
    var list = $("review-channels"), have = {};
    Array.prototype.forEach.call(list.options, function (o) { have[o.value] = true; });
    names.forEach(function (n) {
      if (!n || have[n]) return;
      have[n] = true;
      var o = document.createElement("option"); o.value = n; list.appendChild(o);
    });
  }

  function renderReview() {
    var list = $("review-list");
    list.textContent = "";
    review.items.forEach(function (it, i) { list.appendChild(reviewItem(it, i)); });
    var filtered = $("review-reason").value || $("review-channel").value.trim() || $("review-from").value || $("review-to").value || $("review-status").value !== "open";
    $("review-empty").textContent = filtered ? t("reviewEmptyFiltered") : t("reviewEmptyOpen");
    $("review-empty").hidden = review.items.length > 0;
    renderChecked();
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function reviewItem(it, i) {
    var li = el("li", "review-item" + (i === review.current ? " current" : ""));
    li.dataset.review = String(it.id);
    li.tabIndex = i === review.current ? 0 : -1;
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = !!review.checked[it.id];
    box.setAttribute("aria-label", t("checkItem", { id: it.id }));
    box.addEventListener("change", function () { setChecked(it.id, box.checked); });
    li.appendChild(box);
    var body = el("div", "review-body");
    body.appendChild(reviewHead(it));
    body.appendChild(el("p", "review-text", it.text));
    body.appendChild(reviewAnswers(it));
    if (it.sources && it.sources.length) body.appendChild(reviewSources(it.sources));
    body.appendChild(reviewActions(it));
    li.appendChild(body);
    li.addEventListener("click", function (e) { if (e.target === li || e.target.closest(".review-body")) moveTo(i, false); });
    return li;
  }

  function reviewHead(it) {
    var head = el("div", "review-head");
    head.appendChild(el("span", "badge reason-" + it.reason, t("reason_" + it.reason)));
    if (it.status && it.status !== "open") head.appendChild(el("span", "badge status-" + it.status, t("statusBadge_" + it.status)));
    if (it.channel) head.appendChild(el("span", "tag", it.channel));
    head.appendChild(el("span", "muted small", t("confidence", { c: num(it.confidence, 2) })));
    if (it.intent) head.appendChild(el("span", "muted small", t("intentIs", { i: it.intent })));
    var time = el("time", "muted small", when(it.created_at));
    time.dateTime = it.created_at || "";
    head.appendChild(time);
    var conv = el("span", "muted small mono", t("conversation", { id: clip(it.conversation_id, 12) }));
    conv.title = it.conversation_id || "";
    head.appendChild(conv);
    return head;
  }

  // reviewAnswers shows the bot's answer struck through against the agent's, when the agent answered.
  function reviewAnswers(it) {
    var box = el("div", "review-answers");
    var replaced = !!it.answer && it.answer !== it.bot_answer;
    var bot = el("div", "answer bot");
    bot.appendChild(el("span", "who", t("bot")));
    bot.appendChild(it.bot_answer ? el(replaced ? "del" : "span", "", it.bot_answer) : el("span", "muted", t("noBotAnswer")));
    var agent = el("div", "answer agent");
    agent.appendChild(el("span", "who", t("agent")));
    agent.appendChild(it.answer ? el(replaced ? "ins" : "span", "", it.answer) : el("span", "muted", t("noAgentAnswer")));
    box.appendChild(bot); box.appendChild(agent);
    return box;
  }

  function reviewSources(sources) {
    var p = el("p", "small review-sources");
    p.appendChild(el("span", "muted", t("cited") + " "));
    sources.forEach(function (s, i) {
      if (i) p.appendChild(document.createTextNode(" · "));
      var href = safeURL(s.url), label = s.title || s.id || s.url || "?";
      var node = href ? link(href, label) : el("span", "", label);
      if (s.id) node.title = s.id;
      p.appendChild(node);
    });
    return p;
  }

  function reviewActions(it) {
    var row = el("div", "review-actions");
    var acc = el("button", "secondary small-btn", t("acceptOne"));
    acc.type = "button";
    acc.addEventListener("click", function (e) { e.stopPropagation(); openAccept([it]); });
    var dis = el("button", "secondary small-btn", t("dismissOne"));
    dis.type = "button";
    dis.addEventListener("click", function (e) { e.stopPropagation(); dismiss([it.id]); });
    row.appendChild(acc); row.appendChild(dis);
    return row;
  }

  function setChecked(id, on) {
    if (on) review.checked[id] = true; else delete review.checked[id];
    var box = $("review-list").querySelector('li[data-review="' + id + '"] input[type=checkbox]');
    if (box) box.checked = on;
    renderChecked();
  }

  function checkedItems() { return review.items.filter(function (it) { return review.checked[it.id]; }); }

  function renderChecked() {
    var n = checkedItems().length, all = $("review-all");
    $("review-selected").textContent = n ? t("selected", { n: n }) : review.items.length
      ? t(review.items.length >= review.limit ? "reviewCountMax" : "reviewCount", { n: review.items.length }) : "";
    all.checked = n > 0 && n === review.items.length;
    all.indeterminate = n > 0 && n < review.items.length;
    all.disabled = !review.items.length;
  }

  // selection is what a and d act on: the checked items, else the current one.
  function selection() {
    var items = checkedItems();
    if (!items.length && review.items[review.current]) items = [review.items[review.current]];
    return items;
  }

  function moveTo(i, focus) {
    if (!review.items.length) return;
    review.current = Math.max(0, Math.min(review.items.length - 1, i));
    Array.prototype.forEach.call($("review-list").children, function (li, j) {
      li.classList.toggle("current", j === review.current);
      li.tabIndex = j === review.current ? 0 : -1;
    });
    var li = $("review-list").children[review.current];
    if (li && focus) { li.focus(); li.scrollIntoView({ block: "nearest" }); }
  }

  function dismiss(ids) {
    if (!ids.length) { $("review-note").textContent = t("nothingSelected"); return; }
    api("POST", "/api/trainer/review/dismiss", { ids: ids }).then(function (r) {
      ids.forEach(function (id) { delete review.checked[id]; });
      $("review-note").textContent = t("dismissed", { n: r && r.dismissed !== undefined ? r.dismissed : ids.length });
      return loadReview().then(function () { moveTo(review.current, true); });
    }).catch(report);
  }

  // ---- Accept form ----

  function openAccept(items) {
    if (!items.length) { $("review-note").textContent = t("nothingSelected"); return; }
    review.target = items;
    var one = items.length === 1 ? items[0] : null;
    $("accept-what").textContent = one
      ? t("acceptWhatOne", { id: one.id, reason: t("reason_" + one.reason), text: clip(one.text, 80) })
      : t("acceptWhat", { n: items.length, reasons: reasonSummary(items) });
    var last = "";
    try { last = localStorage.getItem(SET_KEY) || ""; } catch (e) {}
    if (!$("accept-set").value) $("accept-set").value = last;
    $("accept-decision").value = "";
    $("accept-answer").value = one ? one.answer || "" : "";
    $("accept-answer").placeholder = one ? "" : t("answerBulk");
    $("accept-intent").value = "";
    $("accept-sources").value = "";
    var cited = one && one.sources ? one.sources.map(function (s) { return s.id; }).filter(Boolean) : [];
    $("accept-hint").textContent = cited.length ? t("sourcesHint", { ids: cited.join(", ") }) : "";
    $("accept-error").textContent = "";
    $("accept-answer").disabled = false;
    $("accept-form").hidden = false;
    loadSetNames(); loadIntentNames();
    var first = $("accept-set").value ? $("accept-answer") : $("accept-set");
    setTimeout(function () { first.focus(); }, 0); // after the key that opened the form
  }

  function reasonSummary(items) {
    var counts = {};
    items.forEach(function (it) { counts[it.reason] = (counts[it.reason] || 0) + 1; });
    return Object.keys(counts).map(function (r) { return t("reason_" + r) + " × " + counts[r]; }).join(", ");
  }

  function closeAccept() {
    $("accept-form").hidden = true;
    review.target = [];
  }

  function fillDatalist(id, names) {
    var list = $(id);
    list.textContent = "";
    names.forEach(function (n) { var o = document.createElement("option"); o.value = n; list.appendChild(o); });
  }

  function loadSetNames() {
    return api("GET", "/api/trainer/sets").then(function (d) {
      fillDatalist("accept-sets", ((d && d.sets) || []).map(function (s) { return s.name; }));
    }).catch(function () {});
  }

  function loadIntentNames() {
    return api("GET", "/api/v1/intents").then(function (d) {
      fillDatalist("accept-intents", ((d && d.intents) || []).map(function (it) { return it.name; }).concat(["oos"]));
    }).catch(function () {});
  }

  function acceptLabels() {
    var answer = $("accept-answer").value.trim(), intent = $("accept-intent").value.trim(), decision = $("accept-decision").value;
    var sources = $("accept-sources").value.split(/[,，\s]+/).map(function (s) { return s.trim(); }).filter(Boolean);
    return review.target.map(function (it) {
      var l = { review_id: it.id };
      if (decision) l.expected_decision = decision;
      if (answer && decision !== "handoff") l.expected_answer = answer;
      if (intent) l.expected_intent = intent;
      if (sources.length) l.expected_sources = sources;
      return l;
    });
  }

  function submitAccept(e) {
    e.preventDefault();
    var set = $("accept-set").value.trim();
    if (!SET_NAME.test(set)) { $("accept-error").textContent = t("setRequired"); $("accept-set").focus(); return; }
    if (!review.target.length) { closeAccept(); return; }
    var btn = $("accept-submit"), ids = review.target.map(function (it) { return it.id; });
    busy(btn, true);
    api("POST", "/api/trainer/review/accept", { set: set, items: acceptLabels() }).then(function (r) {
      try { localStorage.setItem(SET_KEY, set); } catch (err) {}
      ids.forEach(function (id) { delete review.checked[id]; });
      closeAccept();
      $("review-note").textContent = t("accepted", { n: ids.length, set: set, total: r && r.cases !== undefined ? r.cases : "?" });
      return loadReview().then(function () { moveTo(review.current, true); });
    }).catch(function (err) {
      if (!err.unauthorized) $("accept-error").textContent = err.message;
    }).then(function () { busy(btn, false); });
  }

  // reviewKeys: j/k move, x checks, a accepts, d dismisses, ? toggles the help, Esc closes.
  function reviewKeys(e) {
    if ($("panel-review").hidden || $("app").hidden || e.ctrlKey || e.metaKey || e.altKey) return;
    var tg = e.target, tag = tg && tg.tagName;
    if (e.key === "Escape") {
      if (!$("accept-form").hidden) { closeAccept(); moveTo(review.current, true); }
      else toggleHelp(false);
      return;
    }
    if (tg && (tg.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && tg.type !== "checkbox"))) return;
    var inList = $("review-list").contains(document.activeElement);
    var act = {
      j: function () { moveTo(inList ? review.current + 1 : review.current, true); },
      k: function () { moveTo(inList ? review.current - 1 : review.current, true); },
      x: function () { var it = review.items[review.current]; if (it) setChecked(it.id, !review.checked[it.id]); },
      a: function () { openAccept(selection()); },
      d: function () { dismiss(selection().map(function (it) { return it.id; })); },
      "?": function () { toggleHelp(); }
    }[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  }

  function toggleHelp(on) {
    var h = $("review-help");
    h.hidden = on === undefined ? !h.hidden : !on;
    $("review-keys").setAttribute("aria-expanded", String(!h.hidden));
  }

  function wireReview() {
    $("review-filters").addEventListener("submit", function (e) { e.preventDefault(); loadReview(); });
    ["review-reason", "review-status", "review-from", "review-to", "review-channel"].forEach(function (id) {
      $(id).addEventListener("change", loadReview);
    });
    $("review-all").addEventListener("change", function () {
      var on = $("review-all").checked;
      review.items.forEach(function (it) { setChecked(it.id, on); });
    });
    $("review-accept").addEventListener("click", function () { openAccept(selection()); });
    $("review-dismiss").addEventListener("click", function () { dismiss(selection().map(function (it) { return it.id; })); });
    $("review-keys").addEventListener("click", function () { toggleHelp(); });
    $("accept-form").addEventListener("submit", submitAccept);
    $("accept-close").addEventListener("click", closeAccept);
    $("accept-cancel").addEventListener("click", closeAccept);
    $("accept-decision").addEventListener("change", function () {
      $("accept-answer").disabled = $("accept-decision").value === "handoff";
    });
    document.addEventListener("keydown", reviewKeys);
  }

  // ---- Evals -----------------------------------------------------------------------------------

  var evalsState = { sets: [], set: null, cases: null, runs: [], seq: 0 };
  var CASES_SHOWN = 200;

  function pct(x, digits) { return typeof x === "number" && isFinite(x) ? (x * 100).toFixed(digits === undefined ? 1 : digits) + "%" : "—"; }

  function loadSets() {
    return api("GET", "/api/trainer/sets").then(function (d) {
      evalsState.sets = (d && d.sets) || [];
      var names = evalsState.sets.map(function (s) { return s.name; });
      if (names.indexOf(evalsState.set) < 0) evalsState.set = names[0] || null;
      renderSets();
      renderCLI();
      if (evalsState.set) return loadSet(evalsState.set);
      renderSetDetail();
      showError("");
    }).catch(report);
  }

  function renderSets() {
    var list = $("set-list");
    list.textContent = "";
    evalsState.sets.forEach(function (s) {
      var li = el("li");
      var b = el("button", "set-btn");
      b.type = "button";
      b.dataset.set = s.name;
      b.setAttribute("aria-pressed", String(s.name === evalsState.set));
      b.appendChild(el("span", "mono", s.name));
      b.appendChild(el("span", "muted small", t("setSize", { n: (Number(s.cases) || 0).toLocaleString(locale()) })));
      b.addEventListener("click", function () { evalsState.set = s.name; renderSets(); renderCLI(); loadSet(s.name); });
      li.appendChild(b);
      list.appendChild(li);
    });
    $("sets-empty").hidden = evalsState.sets.length > 0;
  }

  function loadSet(name) {
    var mine = ++evalsState.seq, path = encodeURIComponent(name);
    return Promise.all([
      api("GET", "/api/trainer/sets/" + path),
      api("GET", "/api/trainer/runs?set=" + path)
    ]).then(function (r) {
      if (mine !== evalsState.seq) return;
      evalsState.cases = (r[0] && r[0].cases) || [];
      evalsState.runs = (r[1] && r[1].runs) || [];
      renderSetDetail();
      showError("");
    }).catch(report);
  }

  function renderSetDetail() {
    var has = !!evalsState.set;
    $("set-title").textContent = has ? t("setTitle", { set: evalsState.set }) : t("pickSet");
    renderRuns(has ? evalsState.runs : []);
    renderCases(has ? evalsState.cases || [] : []);
    $("set-detail").hidden = !has && !evalsState.sets.length;
  }

  function renderRuns(runs) {
    var body = $("run-table").querySelector("tbody");
    body.textContent = "";
    runs.forEach(function (r) { body.appendChild(runRow(r)); });
    $("run-table").hidden = !runs.length;
    $("runs-empty").textContent = t("noRuns");
    $("runs-empty").hidden = runs.length > 0 || !evalsState.set;
  }

  function runRow(r) {
    var m = r.metrics || {}, tr = document.createElement("tr");
    tr.dataset.run = r.id;
    cell(tr, r.id, "mono small nowrap");
    cell(tr, when(r.created_at), "nowrap");
    cell(tr, pct(m.accuracy), "num"); cell(tr, pct(m.intent_accuracy), "num"); cell(tr, pct(m.oos_recall), "num");
    cell(tr, pct(m.decision_precision), "num");
    cell(tr, typeof m.coverage === "number" ? t("coverageAt", { cov: pct(m.coverage), target: num(m.target, 2) }) : "—", "num nowrap");
    cell(tr, num(m.ece, 3), "num");
    cell(tr, r.baseline || "—", "mono small nowrap" + (r.baseline ? "" : " muted"));
    var a = link("/api/trainer/runs/" + encodeURIComponent(r.id) + "/report", t("openReport"));
    a.className = "report-link";
    a.setAttribute("aria-label", t("openReportLabel", { id: r.id }));
    cell(tr, "").appendChild(a);
    return tr;
  }

  function renderCases(cases) {
    var body = $("case-table").querySelector("tbody"), shown = cases.slice(0, CASES_SHOWN);
    body.textContent = "";
    shown.forEach(function (c) {
      var tr = document.createElement("tr");
      tr.dataset.case = c.id || "";
      cell(tr, c.id, "mono nowrap"); cell(tr, clip(c.text, 200), "case-text"); cell(tr, c.expected_intent, "mono");
      cell(tr, c.expected_decision); cell(tr, clip(c.expected_answer, 160), "case-answer");
      cell(tr, (c.expected_sources || []).join(", "), "mono small");
      var src = cell(tr, c.source, "small");
      (c.tags || []).forEach(function (tag) { src.appendChild(document.createTextNode(" ")); src.appendChild(el("span", "tag", tag)); });
      body.appendChild(tr);
    });
    $("case-table").hidden = !shown.length;
    var n = cases.length.toLocaleString(locale());
    $("case-count").textContent = !evalsState.set ? "" : cases.length > shown.length
      ? t("caseCountClip", { shown: shown.length, n: n }) : t("caseCount", { n: n });
  }

  // renderCLI shows the commands a trainer runs for the chosen set (or a placeholder name).
  function renderCLI() {
    var set = evalsState.set || "NAME";
    var lines = [
      "# " + t("cliImport"),
      "tandem eval import --set " + set + " cases.jsonl",
      "# " + t("cliRun"),
      "tandem eval run --set " + set + " --baseline latest --report report.html",
      "# " + t("cliCalibrate"),
      "tandem eval calibrate --set " + set + " --target 0.9",
      "# " + t("cliRevert"),
      "tandem eval calibrate --revert"
    ];
    $("cli-commands").textContent = lines.join("\n");
  }

  // ---- Analytics -------------------------------------------------------------------------------

  var analytics = { data: null, from: "", to: "", seq: 0 };
  var SVGNS = "http://www.w3.org/2000/svg";

  function utcDay(d) { return d.toISOString().slice(0, 10); }

  function defaultRange() {
    var to = new Date(), from = new Date();
    from.setUTCDate(from.getUTCDate() - 6);
    $("analytics-from").value = utcDay(from);
    $("analytics-to").value = utcDay(to);
  }

  function loadAnalytics(e) {
    if (e) e.preventDefault();
    if (!$("analytics-from").value || !$("analytics-to").value) defaultRange();
    var from = $("analytics-from").value, to = $("analytics-to").value;
    if (from > to) { showError(t("badRange")); return; }
    var mine = ++analytics.seq;
    return api("GET", "/api/trainer/analytics?from=" + from + "&to=" + dayAfter(to)).then(function (d) {
      if (mine !== analytics.seq) return;
      analytics.data = d || {}; analytics.from = from; analytics.to = to;
      renderAnalytics();
      showError("");
    }).catch(report);
  }

  function renderAnalytics() {
    var d = analytics.data;
    if (!d) return;
    renderFigures(d);
    renderReasons(d.handoff_reasons || {});
    renderChannels(d.by_channel || {});
    drawChart(dayRange(analytics.from, analytics.to, d.by_day || []));
  }

  // duration formats seconds as s, min or h.
  function duration(s) {
    if (typeof s !== "number" || !isFinite(s)) return "—";
    if (s < 90) return t("sec", { n: Math.round(s) });
    if (s < 5400) return t("min", { n: (s / 60).toFixed(s < 600 ? 1 : 0) });
    return t("hour", { n: (s / 3600).toFixed(1) });
  }

  function spread(p) { return p && p.n ? duration(p.p50) + " / " + duration(p.p90) : "—"; }

  function rating(m) { return m.rating_count ? num(m.rating_avg, 2) + " / 5" : "—"; }

  function renderFigures(d) {
    var box = $("analytics-figures");
    box.textContent = "";
    var n = function (x) { return (Number(x) || 0).toLocaleString(locale()); };
    [
      ["conversations", "fConversations", n(d.conversations), ""],
      ["containment", "fContainment", pct(d.containment), t("subContained")],
      ["handoff_rate", "fHandoff", pct(d.handoff_rate), ""],
      ["first_response", "fFirst", spread(d.first_response_seconds), samples(d.first_response_seconds)],
      ["wait", "fWait", spread(d.wait_seconds), samples(d.wait_seconds)],
      ["handle", "fHandle", spread(d.handle_seconds), samples(d.handle_seconds)],
      ["rating", "fRating", rating(d), t("subRatings", { n: n(d.rating_count) })],
      ["drop_off", "fDrop", pct(d.drop_off_rate), t("subDrop")]
    ].forEach(function (f) {
      var card = el("div", "figure");
      card.dataset.metric = f[0];
      card.appendChild(el("span", "label", t(f[1])));
      card.appendChild(el("strong", "value", f[2]));
      if (f[3]) card.appendChild(el("span", "sub muted small", f[3]));
      box.appendChild(card);
    });
  }

  function samples(p) { return p && p.n ? t("subSamples", { n: p.n.toLocaleString(locale()) }) : ""; }

  function renderReasons(reasons) {
    var p = $("handoff-reasons"), names = Object.keys(reasons).sort(function (a, b) { return reasons[b] - reasons[a]; });
    p.textContent = "";
    if (!names.length) { p.appendChild(el("span", "muted", t("noHandoffs"))); return; }
    p.appendChild(el("strong", "", t("reasonsTitle") + " "));
    names.forEach(function (r, i) {
      if (i) p.appendChild(document.createTextNode(" · "));
      p.appendChild(el("span", "tag", (r || t("reasonNone")) + " " + reasons[r]));
    });
  }

  function renderChannels(byChannel) {
    var body = $("channel-table").querySelector("tbody");
    body.textContent = "";
    var names = Object.keys(byChannel).sort(function (a, b) { return byChannel[b].conversations - byChannel[a].conversations || (a < b ? -1 : 1); });
    names.forEach(function (ch) {
      var m = byChannel[ch], tr = document.createElement("tr");
      tr.dataset.channel = ch;
      cell(tr, ch || "—"); cell(tr, (m.conversations || 0).toLocaleString(locale()), "num");
      cell(tr, pct(m.containment), "num"); cell(tr, pct(m.handoff_rate), "num");
      cell(tr, spread(m.first_response_seconds), "num nowrap"); cell(tr, spread(m.wait_seconds), "num nowrap");
      cell(tr, spread(m.handle_seconds), "num nowrap"); cell(tr, rating(m), "num nowrap"); cell(tr, pct(m.drop_off_rate), "num");
      body.appendChild(tr);
    });
    if (!names.length) {
      var tr = document.createElement("tr");
      cell(tr, t("noChannels"), "muted").colSpan = 9;
      body.appendChild(tr);
    }
  }

  // dayRange lists every day from..to (inclusive), with the report's figures or zeros.
  function dayRange(from, to, byDay) {
    var have = {};
    byDay.forEach(function (d) { have[d.day] = d; });
    var days = [], day = from;
    for (var i = 0; day <= to && i < 400; i++, day = dayAfter(day)) days.push(have[day] || { day: day, conversations: 0, handoff_rate: 0 });
    return days.length ? days : byDay;
  }

  function svgEl(tag, attrs, parent, text) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }

  // niceStep picks a round tick step (1, 2 or 5 × 10^n) for about four ticks up to max.
  function niceStep(max) {
    var raw = Math.max(max, 1) / 4, mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
    return Math.max(1, (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag);
  }

  // drawChart draws conversations per day as bars (left axis) and the handoff rate as a line (right axis, 0–100%).
  function drawChart(days) {
    var box = $("analytics-chart");
    box.textContent = "";
    var W = 760, H = 300, m = { top: 34, right: 56, bottom: 48, left: 56 }, w = W - m.left - m.right, h = H - m.top - m.bottom;
    var max = days.reduce(function (a, d) { return Math.max(a, d.conversations || 0); }, 0);
    var step = niceStep(max), top = Math.max(step, Math.ceil(max / step) * step);
    var total = days.reduce(function (a, d) { return a + (d.conversations || 0); }, 0);
    var root = svgEl("svg", { id: "day-chart", viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": "day-chart-title day-chart-desc", class: "chart" }, box);
    svgEl("title", { id: "day-chart-title" }, root, t("chartTitle", { from: analytics.from, to: analytics.to }));
    svgEl("desc", { id: "day-chart-desc" }, root, t("chartDesc", { n: total, days: days.length }));
    var y = function (v) { return m.top + h - h * v / top; }, yr = function (r) { return m.top + h - h * r; };
    var band = w / Math.max(days.length, 1), bar = Math.max(2, Math.min(48, band * 0.62));
    drawAxes(root, { W: W, m: m, w: w, h: h, top: top, step: step, y: y, yr: yr });
    var bars = svgEl("g", { class: "bars" }, root);
    days.forEach(function (d, i) {
      var x = m.left + i * band + (band - bar) / 2, v = d.conversations || 0;
      var r = svgEl("rect", { x: x.toFixed(1), y: y(v).toFixed(1), width: bar.toFixed(1), height: (m.top + h - y(v)).toFixed(1), class: "bar" }, bars);
      r.dataset.day = d.day;
      svgEl("title", {}, r, t("barTitle", { day: d.day, n: v, rate: v ? pct(d.handoff_rate, 0) : "—" }));
    });
    drawDayLabels(root, days, m, band, h);
    drawRateLine(root, days, m, band, yr);
    drawLegend(root, m);
  }

  function drawAxes(root, g) {
    var axes = svgEl("g", { class: "axes" }, root);
    for (var v = 0; v <= g.top + 1e-9; v += g.step) {
      var yy = g.y(v).toFixed(1);
      svgEl("line", { x1: g.m.left, x2: g.m.left + g.w, y1: yy, y2: yy, class: v ? "grid" : "axis" }, axes);
      svgEl("text", { x: g.m.left - 6, y: yy, dy: "0.32em", "text-anchor": "end", class: "tick" }, axes, v.toLocaleString(locale()));
    }
    [0, 0.25, 0.5, 0.75, 1].forEach(function (r) {
      svgEl("text", { x: g.m.left + g.w + 6, y: g.yr(r).toFixed(1), dy: "0.32em", class: "tick rate" }, axes, Math.round(r * 100) + "%");
    });
    svgEl("line", { x1: g.m.left, x2: g.m.left, y1: g.m.top, y2: g.m.top + g.h, class: "axis" }, axes);
    svgEl("line", { x1: g.m.left + g.w, x2: g.m.left + g.w, y1: g.m.top, y2: g.m.top + g.h, class: "axis" }, axes);
    var midY = g.m.top + g.h / 2;
    svgEl("text", { x: 14, y: midY, transform: "rotate(-90 14 " + midY + ")", "text-anchor": "middle", class: "axis-title" }, axes, t("axisConversations"));
    var rx = g.W - 12;
    svgEl("text", { x: rx, y: midY, transform: "rotate(90 " + rx + " " + midY + ")", "text-anchor": "middle", class: "axis-title rate" }, axes, t("axisHandoff"));
  }

  function drawDayLabels(root, days, m, band, h) {
    var every = Math.max(1, Math.ceil(days.length / 12)), g = svgEl("g", { class: "days" }, root);
    days.forEach(function (d, i) {
      if (i % every && i !== days.length - 1) return;
      var x = m.left + (i + 0.5) * band;
      svgEl("line", { x1: x.toFixed(1), x2: x.toFixed(1), y1: m.top + h, y2: m.top + h + 4, class: "axis" }, g);
      svgEl("text", { x: x.toFixed(1), y: m.top + h + 18, "text-anchor": "middle", class: "tick" }, g, d.day.slice(5));
    });
  }

  // drawRateLine joins the handoff rate of the days that had conversations (a gap for empty days).
  function drawRateLine(root, days, m, band, yr) {
    var g = svgEl("g", { class: "rate-line" }, root), path = "", pen = false;
    days.forEach(function (d, i) {
      if (!d.conversations) { pen = false; return; }
      var x = (m.left + (i + 0.5) * band).toFixed(1), yy = yr(d.handoff_rate || 0).toFixed(1);
      path += (pen ? " L" : " M") + x + " " + yy;
      pen = true;
      var dot = svgEl("circle", { cx: x, cy: yy, r: 3.5, class: "dot" }, g);
      svgEl("title", {}, dot, d.day + ": " + pct(d.handoff_rate, 0));
    });
    if (path) g.insertBefore(svgEl("path", { d: path.trim(), class: "line" }), g.firstChild);
  }

  function drawLegend(root, m) {
    var g = svgEl("g", { class: "legend", transform: "translate(" + m.left + " 12)" }, root);
    svgEl("rect", { x: 0, y: 0, width: 12, height: 12, class: "bar" }, g);
    svgEl("text", { x: 18, y: 6, dy: "0.32em", class: "tick" }, g, t("legendBars"));
    svgEl("line", { x1: 130, x2: 152, y1: 6, y2: 6, class: "line" }, g);
    svgEl("circle", { cx: 141, cy: 6, r: 3.5, class: "dot" }, g);
    svgEl("text", { x: 158, y: 6, dy: "0.32em", class: "tick" }, g, t("legendLine"));
  }

  // ---- Language ----------------------------------------------------------------------------------

  function initialLang() {
    var saved = null;
    try { saved = localStorage.getItem(LANG_KEY); } catch (e) {}
    if (saved === "en" || saved === "zh") return saved;
    return /^zh/i.test(navigator.language || "") ? "zh" : "en";
  }

  // applyLang rewrites the static text (data-i18n…) and re-renders what the server sent.
  function applyLang() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t("appTitle");
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (e) { e.textContent = t(e.dataset.i18n); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-placeholder]"), function (e) { e.placeholder = t(e.dataset.i18nPlaceholder); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-aria-label]"), function (e) { e.setAttribute("aria-label", t(e.dataset.i18nAriaLabel)); });
    var btn = $("lang");
    btn.textContent = t("switchLang");
    btn.lang = lang === "zh" ? "en" : "zh";
    btn.setAttribute("aria-label", t("switchLangLabel"));
    renderWho();
    renderCLI();
    if (!$("panel-review").hidden) renderReview();
    if (!$("panel-evals").hidden) { renderSets(); renderSetDetail(); }
    if (!$("panel-analytics").hidden) renderAnalytics();
  }

  function toggleLang() {
    lang = lang === "zh" ? "en" : "zh";
    try { localStorage.setItem(LANG_KEY, lang); } catch (e) {}
    applyLang();
  }

  // ---- Tabs and wiring ---------------------------------------------------------------------------

  var TABS = ["docs", "import", "search", "intents", "review", "evals", "analytics"];
  var currentTab = "tab-docs";

  // loadTab fetches what a tab shows.
  function loadTab(id) {
    if (id === "tab-docs") loadDocuments();
    if (id === "tab-intents") { loadIntents(); loadSettings(); }
    if (id === "tab-review") loadReview();
    if (id === "tab-evals") loadSets();
    if (id === "tab-analytics") loadAnalytics();
  }

  function reloadTab() { loadTab(currentTab); }

  function selectTab(id) {
    currentTab = id;
    showError("");
    TABS.forEach(function (name) {
      var on = "tab-" + name === id;
      $("tab-" + name).setAttribute("aria-selected", String(on));
      $("tab-" + name).tabIndex = on ? 0 : -1;
      $("panel-" + name).hidden = !on;
    });
    if (id !== "tab-docs") loadTab(id);
  }

  function wire() {
    var tabs = TABS.map(function (t) { return "tab-" + t; });
    tabs.forEach(function (id, i) {
      $(id).addEventListener("click", function () { selectTab(id); });
      $(id).addEventListener("keydown", function (e) {
        var j = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
        if (j === undefined) return;
        e.preventDefault();
        var next = tabs[(j + tabs.length) % tabs.length];
        selectTab(next); $(next).focus();
      });
    });
    var timer = null;
    $("doc-filter").addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(loadDocuments, 250); });
    $("doc-collection").addEventListener("change", loadDocuments);
    $("chunk-close").addEventListener("click", closeChunks);
    $("chunk-panel").addEventListener("keydown", function (e) { if (e.key === "Escape") closeChunks(); });
    $("doc-table").addEventListener("keydown", function (e) { if (e.key === "Escape" && !$("chunk-panel").hidden) closeChunks(); });
    $("upload-btn").addEventListener("click", upload);
    $("file-input").addEventListener("change", filesChosen);
    $("url-import-btn").addEventListener("click", importURLs);
    $("search-form").addEventListener("submit", search);
    $("sign-out").addEventListener("click", leave);
    $("lang").addEventListener("click", toggleLang);
    $("signin-form").addEventListener("submit", signIn);
    $("use-key").addEventListener("click", function () { $("key-form").hidden = false; $("key-input").focus(); });
    $("analytics-form").addEventListener("submit", loadAnalytics);
    wireReview();
    $("intent-new").addEventListener("click", function () { editIntent(null); });
    $("intent-action").addEventListener("change", showActionFields);
    $("intent-form").addEventListener("submit", saveIntent);
    $("intent-delete").addEventListener("click", deleteIntent);
    $("intent-file").addEventListener("change", importIntents);
    $("intent-export").addEventListener("click", exportIntents);
    $("intent-try-form").addEventListener("submit", tryIntent);
    $("target-form").addEventListener("submit", saveSettings);
    $("key-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var k = $("key-input").value.trim();
      if (!k) { $("key-note").textContent = t("enterKey"); return; }
      key = k;
      me = null;
      try { sessionStorage.setItem(KEY, key); } catch (err) {}
      $("key-input").value = "";
      start();
    });

    // Files dropped anywhere but the zone must not make the browser open them instead of the console.
    window.addEventListener("dragover", function (e) { e.preventDefault(); });
    window.addEventListener("drop", function (e) { e.preventDefault(); });
    var zone = $("drop-zone"), depth = 0;
    zone.addEventListener("dragenter", function (e) { e.preventDefault(); depth++; zone.classList.add("over"); });
    zone.addEventListener("dragover", function (e) { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = "copy"; });
    zone.addEventListener("dragleave", function () { if (--depth <= 0) { depth = 0; zone.classList.remove("over"); } });
    zone.addEventListener("drop", function (e) {
      e.preventDefault(); depth = 0; zone.classList.remove("over");
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      try { $("file-input").files = e.dataTransfer.files; } catch (err) { showError("This browser cannot take dropped files; use “choose files”."); return; }
      filesChosen();
      $("upload-btn").focus();
    });
  }

  lang = initialLang();
  wire();
  applyLang();
  defaultRange();
  readKey();
  if (key) start(); else checkSession();
  // A #key=… link opened in a tab that already shows the console switches to that key.
  window.addEventListener("hashchange", function () {
    if (!/(?:^#|&)key=/.test(location.hash)) return;
    readKey();
    if (key) { me = null; start(); } else signOut("");
  });
})();
