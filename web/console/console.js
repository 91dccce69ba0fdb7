/* Tandem agent console (/console/): the queue, the agent's conversations, the bot's drafts.
   Plain JS, no build step. The session is the HttpOnly cookie "tandem_session" set by
   POST /api/console/login; any later 401 brings back the sign-in form.
   Errors are HTTP 4xx/5xx with {"error":{"code":"…","message":"…"}}; the message is shown in #toast.

   API (see the issue 5 contract):
     POST /api/console/login {username,password}      GET /api/console/me      POST /api/console/logout
     PUT  /api/console/presence {status}
     GET  /api/console/conversations?view=queue|mine  {conversations:[Summary]}
     GET  /api/console/conversations/:id              {conversation,customer,messages,notes,draft,handoff,transitions}
     POST /api/console/conversations/:id/{accept,messages,notes,typing,transfer,return,close,draft}
     GET  /api/console/agents                         GET /api/console/canned?lang=
     WS   /api/console/ws  frames: chat.Event {type, conversation_id, …}

   Text from the server is always written with textContent, never as HTML; links are http(s) only. */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const LANG_KEY = "tandem.console.lang";
  const LIST_REFRESH_MS = 15000;
  const TYPING_EVERY_MS = 3000;
  const CUSTOMER_TYPING_MS = 4000;
  // EXPORT_URL_MS is how long a customer export's object URL lives: long enough for the browser
  // to start the download, after which the Blob (personal data) is released.
  const EXPORT_URL_MS = 60000;
  const ADMIN_BUTTONS = ["admin-channels", "admin-users", "admin-audit", "admin-customers"];

  // ---- strings ------------------------------------------------------------------------------

  const STRINGS = {
    en: {
      appTitle: "Tandem · Agent console", signInTitle: "Sign in to the agent console",
      username: "Username", password: "Password", signIn: "Sign in", signOut: "Sign out",
      sessionExpired: "Your session expired, sign in again.", loginMissing: "Enter your username and password.",
      presence: "Status", online: "Online", away: "Away", offline: "Offline",
      conversations: "Conversations", queue: "Queue", mine: "Mine",
      queueEmpty: "No one is waiting.", mineEmpty: "You have no conversations.",
      pickConversation: "Pick a conversation: j / k to move, Enter to open.",
      accept: "Accept", acceptItem: "Accept {name}", transfer: "Transfer", returnToBot: "Return to bot", closeConv: "Close",
      priorityHigh: "VIP/priority", priorityLow: "Low priority",
      slaBreached: "SLA breached", waited: "Waiting {t}", position: "#{n}",
      noMessages: "No messages yet.",
      team: "team {team}",
      handledBot: "The bot is handling this conversation", handledWaiting: "Waiting in the queue for a person",
      handledYou: "You are handling this conversation", handledBy: "{who} is handling this conversation",
      handledHuman: "A person is handling this conversation", handledClosed: "This conversation is closed",
      handoffTitle: "Why the bot handed off", confidence: "Confidence {p}", noConfidence: "Confidence unknown",
      sources: "Sources", noSources: "No sources",
      reason_low_confidence: "The bot was not sure enough of its answer",
      reason_customer_request: "The customer asked for a person",
      reason_care: "Priority care: aged 65+ or flagged for care",
      reason_frustration: "The customer seems frustrated",
      reason_intent_policy: "This kind of request always goes to a person",
      reason_loop: "The conversation was going round in circles",
      reason_ambiguous: "The question was ambiguous",
      reason_out_of_scope: "Outside what the bot knows",
      reason_error: "The bot had an error",
      author_customer: "Customer", author_bot: "Bot", author_agent: "Agent", author_system: "System",
      noteLabel: "Internal note", byAuthor: "{who}",
      customerTyping: "Customer is typing…", transcript: "Transcript",
      customerDetails: "Customer", fieldId: "ID", fieldName: "Name", fieldChannel: "Channel", fieldLang: "Language",
      attributes: "Attributes", attrKey: "Key", attrValue: "Value", noAttributes: "No attributes.",
      reply: "Reply", noteBox: "Internal note (the customer never sees it)",
      composerPlaceholder: "Type a reply; / at the start for canned replies",
      notePlaceholder: "Write a note for your colleagues",
      composerHint: "Ctrl+Enter sends · Esc leaves the box · ? shows all shortcuts",
      send: "Send", addNote: "Add note", noteMode: "Note", newDraft: "New draft",
      drafting: "The bot is drafting a reply…", draftReady: "Bot draft · confidence {p}",
      draftUnsure: "Unsure draft · confidence {p} · the bot would not have sent this itself: check it",
      draftNothing: "The bot found nothing relevant in the knowledge base for this question",
      draftNothingAsked: "The customer has not asked a question yet; the bot drafts when they do",
      draftAsked: "Asked the bot for a new draft.", useDraft: "Use the bot's draft",
      cannedReplies: "Canned replies", noCanned: "No canned reply matches.",
      transferTitle: "Transfer the conversation", transferAgent: "To an agent",
      transferTeam: "Or back to the queue of a team", transferNote: "Note for the next person (optional)",
      noneChosen: "— none —", agentOption: "{name} · {status} · {load}/{capacity}",
      transferNeedTarget: "Choose an agent or enter a team.", cancel: "Cancel",
      transferred: "Conversation transferred.", returned: "The bot has the conversation again.",
      closed: "Conversation closed; the customer is asked for a rating.", accepted: "Conversation accepted.",
      emptyText: "Write something first.",
      shortcuts: "Keyboard shortcuts", closeHelp: "Close",
      keyMove: "Next / previous conversation in the lists", keyOpen: "Open the selected conversation",
      keyAccept: "Accept the selected queue conversation", keyCompose: "Go to the reply box (/ again there: canned replies)",
      keySend: "Send the reply (or the note)", keyEsc: "Leave the reply box, close a dialog", keyHelp: "Show this help",
      live: "Live", reconnecting: "Reconnecting…",
      unreachable: "The server could not be reached. Check your connection and try again.",
      httpError: "The server answered HTTP {status}.",
      switchLang: "中文", switchLangLabel: "切换到中文",
      channel_web: "Web", channel_wechat: "WeChat", channel_whatsapp: "WhatsApp", channel_telegram: "Telegram",
      channel_chatwoot: "Chatwoot", channel_generic: "API", channel_app: "App",
      channel_wecomkf: "WeChat Customer Service",
      channels: "Channels", channelsTitle: "Channels",
      channelsIntro: "Settings saved here take effect at once on every server. Secrets are never shown: type a new one only to change it.",
      channelsLoading: "Loading the channels…", noChannels: "No channels.",
      channelEnabled: "Enabled", channelDisabled: "Disabled",
      source_env: "Configured by environment variables", source_admin: "Configured here by an admin", source_none: "Not configured",
      webhookURL: "Webhook URL", copyWebhook: "Copy", copyWebhookLabel: "Copy the webhook URL of {channel}",
      copied: "Webhook URL copied.", copyFailed: "Could not copy; select the address and copy it.",
      saveChannel: "Save", removeAdmin: "Remove admin settings",
      confirmRemove: "Remove the admin settings of {channel}? It stays enabled only if environment variables configure it.",
      channelSaved: "{channel} saved and enabled on every server.", channelSavedOnly: "{channel} saved.",
      widgetOrigins: "Widget sites", widgetOriginsHelp: "Sites on other origins that may run the chat widget, one per line, such as https://shop.example.com. Browsers on any other site are refused.",
      widgetOriginsEnv: "Also allowed by the server configuration (TANDEM_WIDGET_ORIGINS, TANDEM_PUBLIC_URL): {list}", widgetOriginsSaved: "Widget sites saved for every server.", saveOrigins: "Save widget sites",
      channelRemoved: "Admin settings of {channel} removed.",
      secretKeep: "Set ({masked}); leave empty to keep it.", secretUnset: "Not set.", requiredField: "required",
      closeDialog: "Close",
      users: "Users", usersTitle: "Users", usersIntro: "A disabled account can no longer sign in. You cannot disable your own.",
      usersLoading: "Loading the accounts…", noUsers: "No accounts.", usersCount: "Accounts: {n} · disabled: {d}.",
      colUsername: "Username", colRole: "Role", colCreated: "Created", colDisabled: "Disabled", colAction: "Action",
      role_agent: "Agent", role_trainer: "Trainer", role_admin: "Admin",
      notDisabled: "No", you: "you", disableUser: "Disable", disableUserLabel: "Disable {user}",
      confirmDisable: "Disable the account {user}? It can no longer sign in.", userDisabled: "{user} is disabled.",
      auditLog: "Audit log", auditTitle: "Audit log",
      auditIntro: "Changes made with console, trainer and admin sessions, and reads of customers' data, newest first.",
      auditActor: "Actor", auditActorHint: "A username; empty shows everyone.", auditFilter: "Filter",
      auditLoading: "Loading the audit log…", noAudit: "No entries.", auditCount: "Entries: {n}, newest first.",
      auditCountActor: "Entries by {actor}: {n}, newest first.",
      colTime: "Time", colActor: "Actor", colActionName: "Action", colTarget: "Target", colStatus: "Status",
      customerData: "Customer data", customersTitle: "Customer data",
      customersIntro: "Data-access and erasure requests: find the customer by the id their channel knows them by, then export or erase everything stored about them. Both are recorded in the audit log.",
      findChannel: "Channel (for a channel's id)", findExternal: "Customer id", externalId: "External id", findCustomer: "Find",
      findHint: "The id the console shows for the customer, or the id their channel knows them by with that channel: the widget: id:<user id> for a signed-in user; the app API: the customer id your app sent; a messaging channel: the sender's id there.",
      findMissing: "Enter the customer's id.", finding: "Looking the customer up…",
      customerFound: "Found {name}.", unnamedCustomer: "Customer {id}",
      exportCustomer: "Export", eraseCustomer: "Erase", exporting: "Preparing the export…",
      exported: "Downloaded {file} (conversations: {n}).",
      confirmErase: "Erase {name} ({channel} · {external}) and everything stored about them? This cannot be undone.",
      erasing: "Erasing…", erasedTitle: "Erased {name}", erased: "{name} erased; rows deleted: {n}.",
      colTable: "Table", colRows: "Rows deleted", total: "Total",
    },
    zh: {
      appTitle: "Tandem · 客服工作台", signInTitle: "登录客服工作台",
      username: "用户名", password: "密码", signIn: "登录", signOut: "退出登录",
      sessionExpired: "登录已过期，请重新登录。", loginMissing: "请输入用户名和密码。",
      presence: "状态", online: "在线", away: "离开", offline: "离线",
      conversations: "会话", queue: "排队中", mine: "我的会话",
      queueEmpty: "没有排队的客户。", mineEmpty: "你当前没有会话。",
      pickConversation: "选择一个会话：j / k 移动，回车打开。",
      accept: "接入", acceptItem: "接入 {name}", transfer: "转接", returnToBot: "交回机器人", closeConv: "结束会话",
      priorityHigh: "VIP/优先", priorityLow: "低优先级",
      slaBreached: "已超时", waited: "已等待 {t}", position: "第 {n} 位",
      noMessages: "还没有消息。",
      team: "团队 {team}",
      handledBot: "机器人正在处理此会话", handledWaiting: "正在排队等待人工客服",
      handledYou: "您正在处理此会话", handledBy: "{who} 正在处理此会话",
      handledHuman: "人工客服正在处理此会话", handledClosed: "此会话已结束",
      handoffTitle: "机器人转人工的原因", confidence: "置信度 {p}", noConfidence: "置信度未知",
      sources: "来源", noSources: "无来源",
      reason_low_confidence: "机器人对答案把握不足",
      reason_customer_request: "客户要求转人工",
      reason_care: "适老化优先服务：65 岁以上或已标记",
      reason_frustration: "客户情绪不满",
      reason_intent_policy: "此类问题按规定由人工处理",
      reason_loop: "对话陷入重复",
      reason_ambiguous: "问题含义不明确",
      reason_out_of_scope: "超出机器人的知识范围",
      reason_error: "机器人出错",
      author_customer: "客户", author_bot: "机器人", author_agent: "客服", author_system: "系统",
      noteLabel: "内部备注", byAuthor: "{who}",
      customerTyping: "客户正在输入…", transcript: "聊天记录",
      customerDetails: "客户资料", fieldId: "ID", fieldName: "姓名", fieldChannel: "渠道", fieldLang: "语言",
      attributes: "属性", attrKey: "键", attrValue: "值", noAttributes: "没有属性。",
      reply: "回复", noteBox: "内部备注（客户看不到）",
      composerPlaceholder: "输入回复；在开头输入 / 使用快捷回复",
      notePlaceholder: "给同事写一条备注",
      composerHint: "Ctrl+Enter 发送 · Esc 离开输入框 · ? 查看全部快捷键",
      send: "发送", addNote: "添加备注", noteMode: "备注", newDraft: "重新起草",
      drafting: "机器人正在起草回复…", draftReady: "机器人草稿 · 置信度 {p}",
      draftUnsure: "机器人没有把握的草稿 · 置信度 {p} · 机器人自己不会发出，请核对",
      draftNothing: "机器人在知识库中没有找到与这个问题相关的内容",
      draftNothingAsked: "客户还没有提出问题；客户提问后机器人会起草",
      draftAsked: "已请机器人重新起草。", useDraft: "使用机器人的草稿",
      cannedReplies: "快捷回复", noCanned: "没有匹配的快捷回复。",
      transferTitle: "转接会话", transferAgent: "转给客服",
      transferTeam: "或转回某个团队的队列", transferNote: "给接手者的备注（可选）",
      noneChosen: "— 不选 —", agentOption: "{name} · {status} · {load}/{capacity}",
      transferNeedTarget: "请选择客服或填写团队。", cancel: "取消",
      transferred: "会话已转接。", returned: "会话已交回机器人。",
      closed: "会话已结束，已请客户评价。", accepted: "已接入会话。",
      emptyText: "请先输入内容。",
      shortcuts: "键盘快捷键", closeHelp: "关闭",
      keyMove: "在列表中上下移动", keyOpen: "打开选中的会话",
      keyAccept: "接入选中的排队会话", keyCompose: "跳到回复框（在框内输入 / 使用快捷回复）",
      keySend: "发送回复（或备注）", keyEsc: "离开回复框，关闭对话框", keyHelp: "显示此帮助",
      live: "实时", reconnecting: "正在重连…",
      unreachable: "无法连接服务器，请检查网络后重试。",
      httpError: "服务器返回 HTTP {status}。",
      switchLang: "English", switchLangLabel: "Switch to English",
      channel_web: "网页", channel_wechat: "微信", channel_whatsapp: "WhatsApp", channel_telegram: "Telegram",
      channel_chatwoot: "Chatwoot", channel_generic: "API", channel_app: "App",
      channel_wecomkf: "微信客服",
      channels: "渠道", channelsTitle: "渠道设置",
      channelsIntro: "在此保存的设置会立即在所有服务器上生效。密钥不会显示：只有需要更换时才输入新的密钥。",
      channelsLoading: "正在加载渠道…", noChannels: "没有渠道。",
      channelEnabled: "已启用", channelDisabled: "未启用",
      source_env: "由环境变量配置", source_admin: "由管理员在此配置", source_none: "未配置",
      webhookURL: "Webhook 地址", copyWebhook: "复制", copyWebhookLabel: "复制 {channel} 的 Webhook 地址",
      copied: "已复制 Webhook 地址。", copyFailed: "复制失败，请选中地址后手动复制。",
      saveChannel: "保存", removeAdmin: "删除管理员设置",
      confirmRemove: "删除 {channel} 的管理员设置？之后只有环境变量配置了该渠道时它才保持启用。",
      channelSaved: "{channel} 已保存，并已在所有服务器上启用。", channelSavedOnly: "{channel} 已保存。",
      widgetOrigins: "挂件网站", widgetOriginsHelp: "允许在其他源上运行聊天挂件的网站，每行一个，例如 https://shop.example.com。其他网站的浏览器请求会被拒绝。",
      widgetOriginsEnv: "服务器配置（TANDEM_WIDGET_ORIGINS、TANDEM_PUBLIC_URL）另外允许：{list}", widgetOriginsSaved: "挂件网站已保存，所有服务器生效。", saveOrigins: "保存挂件网站",
      channelRemoved: "已删除 {channel} 的管理员设置。",
      secretKeep: "已设置（{masked}）；留空则保持不变。", secretUnset: "未设置。", requiredField: "必填",
      closeDialog: "关闭",
      users: "用户", usersTitle: "用户管理", usersIntro: "停用的账号无法再登录。不能停用你自己的账号。",
      usersLoading: "正在加载账号…", noUsers: "没有账号。", usersCount: "账号：{n} 个 · 已停用：{d} 个。",
      colUsername: "用户名", colRole: "角色", colCreated: "创建时间", colDisabled: "停用时间", colAction: "操作",
      role_agent: "客服", role_trainer: "训练师", role_admin: "管理员",
      notDisabled: "未停用", you: "你", disableUser: "停用", disableUserLabel: "停用 {user}",
      confirmDisable: "停用账号 {user}？停用后该账号无法再登录。", userDisabled: "{user} 已停用。",
      auditLog: "审计日志", auditTitle: "审计日志",
      auditIntro: "通过客服、训练师和管理员会话所做的更改，以及对客户数据的读取，最新的在前。",
      auditActor: "操作人", auditActorHint: "填写用户名；留空显示所有人。", auditFilter: "筛选",
      auditLoading: "正在加载审计日志…", noAudit: "没有记录。", auditCount: "记录：{n} 条，最新的在前。",
      auditCountActor: "{actor} 的记录：{n} 条，最新的在前。",
      colTime: "时间", colActor: "操作人", colActionName: "操作", colTarget: "对象", colStatus: "状态",
      customerData: "客户数据", customersTitle: "客户数据",
      customersIntro: "数据查阅与删除请求：按客户在渠道中的 ID 查找客户，然后导出或删除关于该客户存储的全部数据。两种操作都会记入审计日志。",
      findChannel: "渠道（按渠道 ID 查找时）", findExternal: "客户 ID", externalId: "外部 ID", findCustomer: "查找",
      findHint: "控制台显示的客户 ID；或客户在其渠道的 ID（并选择该渠道）：网页插件：已登录用户填 id:<用户 ID>；应用 API：你的应用发送的客户 ID；消息渠道：发送者在该渠道的 ID。",
      findMissing: "请输入客户 ID。", finding: "正在查找客户…",
      customerFound: "已找到 {name}。", unnamedCustomer: "客户 {id}",
      exportCustomer: "导出", eraseCustomer: "删除", exporting: "正在准备导出…",
      exported: "已下载 {file}（会话：{n} 个）。",
      confirmErase: "删除 {name}（{channel} · {external}）以及关于该客户存储的全部数据？此操作无法撤销。",
      erasing: "正在删除…", erasedTitle: "已删除 {name}", erased: "已删除 {name}；删除的行数：{n}。",
      colTable: "数据表", colRows: "删除的行数", total: "合计",
    },
  };

  // ---- state ---------------------------------------------------------------------------------

  const state = {
    lang: "en",
    me: null,                 // the signed-in agent (GET /me), null when signed out
    lists: { queue: [], mine: [] },
    selectedId: null,         // the highlighted list item (j/k)
    openId: null,             // the conversation in the main pane
    detail: null,             // GET /conversations/:id of openId
    composer: { touched: false, draft: null, streaming: false, lastTypingAt: 0 },
    saved: {},                // conversation id → unsent text the agent typed
    noteMode: false,
    canned: { lang: null, replies: [], shown: [], index: 0 },
    ws: null, wsRetry: 0, wsTimer: null, pingTimer: null,
    timers: { refresh: null, poll: null, tick: null, reload: null, typing: null, toast: null },
    seq: { lists: 0, detail: 0, channels: 0, users: 0, audit: 0, customers: 0 },
    admin: { users: [], customer: null }, // the accounts last listed; the customer found in "Customer data"
  };

  // ---- small helpers -------------------------------------------------------------------------

  function t(key, params) {
    const dict = STRINGS[state.lang] || STRINGS.en;
    let s = dict[key] !== undefined ? dict[key] : (STRINGS.en[key] !== undefined ? STRINGS.en[key] : key);
    if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
    return s;
  }

  // tOr translates key, or returns fallback when there is no such string.
  function tOr(key, fallback) {
    const dict = STRINGS[state.lang] || STRINGS.en;
    return dict[key] !== undefined ? dict[key] : fallback;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // fillText renders message text into box as text only (never HTML): lines starting with "- "
  // (or "* ", "• ") become a bulleted list, lines starting with "1. " a numbered one.
  function fillText(box, text) {
    box.textContent = "";
    let list = null, para = [];
    const flush = () => { if (para.length) box.appendChild(el("p", null, para.join("\n"))); para = []; };
    String(text || "").split("\n").forEach((line) => {
      const b = /^\s*[-*\u2022]\s+(\S.*)$/.exec(line), n = /^\s*(\d{1,3})[.)]\s+(\S.*)$/.exec(line);
      const kind = b ? "ul" : n ? "ol" : "";
      if (!kind) {
        list = null;
        if (line.trim()) para.push(line); else flush();
        return;
      }
      flush();
      if (!list || list.tagName.toLowerCase() !== kind) {
        list = el(kind);
        if (n && n[1] !== "1") list.start = Number(n[1]);
        box.appendChild(list);
      }
      list.appendChild(el("li", null, b ? b[1] : n[2]));
    });
    flush();
    return box;
  }

  // validTime parses an RFC 3339 time, treating Go's zero time as missing.
  function validTime(s) {
    if (!s) return null;
    const d = new Date(s);
    if (isNaN(d.getTime()) || d.getUTCFullYear() < 2000) return null;
    return d;
  }

  function mmss(ms) {
    const sec = Math.max(0, Math.floor(ms / 1000));
    const m = Math.floor(sec / 60), s = sec % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function clock(s) {
    const d = validTime(s);
    if (!d) return "";
    const sameDay = d.toDateString() === new Date().toDateString();
    const opts = sameDay ? { hour: "2-digit", minute: "2-digit" } : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    try { return d.toLocaleString(state.lang === "zh" ? "zh-CN" : "en", opts); } catch (e) { return d.toLocaleString(); }
  }

  function percent(x) {
    return typeof x === "number" && isFinite(x) ? Math.round(x * 100) + "%" : null;
  }

  function clip(text, n) {
    const chars = Array.from(text || "");
    return chars.length > n ? chars.slice(0, n).join("") + "…" : chars.join("");
  }

  function shortId(id) { return id ? "#" + String(id).slice(0, 8) : ""; }

  function customerName(c, convId) { return (c && c.name) || shortId((c && c.id) || convId); }

  function safeURL(u) {
    if (!u) return null;
    try { const x = new URL(u, location.origin); return /^https?:$/.test(x.protocol) ? x.href : null; } catch (e) { return null; }
  }

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
  }

  function convPath(id, action) {
    return "/api/console/conversations/" + encodeURIComponent(id) + (action ? "/" + action : "");
  }

  // ---- API -----------------------------------------------------------------------------------

  // api sends a JSON request with the session cookie and returns the parsed body (null for 204/202
  // without a body). It throws an Error carrying the server's message; a 401 while signed in
  // also brings back the sign-in form.
  async function api(method, path, body) {
    const opts = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    let res;
    try { res = await fetch(path, opts); } catch (e) { throw failure(t("unreachable"), 0); }
    const text = await res.text().catch(() => "");
    let data = null;
    if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
    if (res.ok) return data;
    const message = data && data.error && data.error.message ? data.error.message : t("httpError", { status: res.status });
    const err = failure(message, res.status, data && data.error && data.error.code);
    if (res.status === 401 && state.me && path !== "/api/console/login") expire();
    throw err;
  }

  function failure(message, status, code) {
    const err = new Error(message);
    err.status = status;
    err.code = code || "";
    err.unauthorized = status === 401;
    return err;
  }

  // report shows an action's error in the toast (a 401 has already shown the sign-in form).
  function report(err) {
    if (!err || err.unauthorized) return;
    toast(err.message || String(err), "error");
  }

  function toast(message, kind) {
    const box = $("toast");
    // Inside an open modal dialog the rest of the page is inert, so the toast goes along with it.
    const host = document.querySelector("dialog[open]") || document.body;
    if (box.parentNode !== host) host.appendChild(box);
    box.textContent = message;
    box.className = kind === "error" ? "error" : "info";
    box.hidden = false;
    clearTimeout(state.timers.toast);
    state.timers.toast = setTimeout(() => { box.hidden = true; }, kind === "error" ? 8000 : 3500);
  }

  // ---- language ------------------------------------------------------------------------------

  function initialLang() {
    let saved = null;
    try { saved = localStorage.getItem(LANG_KEY); } catch (e) {}
    if (saved === "en" || saved === "zh") return saved;
    return /^zh/i.test(navigator.language || "") ? "zh" : "en";
  }

  function setLang(lang) {
    state.lang = lang;
    try { localStorage.setItem(LANG_KEY, lang); } catch (e) {}
    applyLang();
  }

  // i18nParams reads the parameters a data-i18n text was made with (data-i18n-params, JSON).
  function i18nParams(e) {
    if (!e.dataset.i18nParams) return undefined;
    try { return JSON.parse(e.dataset.i18nParams); } catch (err) { return undefined; }
  }

  function applyLang() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.title = t("appTitle");
    document.querySelectorAll("[data-i18n]").forEach((e) => { e.textContent = t(e.dataset.i18n, i18nParams(e)); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((e) => { e.placeholder = t(e.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-i18n-aria-label]").forEach((e) => { e.setAttribute("aria-label", t(e.dataset.i18nAriaLabel)); });
    const btn = $("lang");
    btn.textContent = t("switchLang");
    btn.lang = state.lang === "zh" ? "en" : "zh";
    btn.setAttribute("aria-label", t("switchLangLabel"));
    renderNoteMode();
    renderLists();
    if (state.detail) renderDetail();
    if (state.me) renderMe();
    renderLive(state.ws && state.ws.readyState === WebSocket.OPEN);
  }

  // ---- session -------------------------------------------------------------------------------

  async function boot() {
    state.lang = initialLang();
    applyLang();
    bindEvents();
    try {
      // The probe answers 200 when signed out, so opening the sign-in form logs no error.
      const me = await api("GET", "/api/console/session");
      if (me.signed_in === false) showLogin(""); else startSession(me, false);
    } catch (err) {
      showLogin(err.unauthorized ? "" : err.message);
    }
  }

  function showLogin(message) {
    $("app").hidden = true;
    $("sign-out").hidden = true;
    $("presence-label").hidden = true;
    $("help-open").hidden = true;
    ADMIN_BUTTONS.forEach((id) => { $(id).hidden = true; });
    $("me").textContent = "";
    $("login-error").textContent = message || "";
    $("login-form").hidden = false;
    $("login-pass").value = "";
    ($("login-user").value ? $("login-pass") : $("login-user")).focus();
  }

  async function login(e) {
    e.preventDefault();
    const username = $("login-user").value.trim(), password = $("login-pass").value;
    if (!username || !password) { $("login-error").textContent = t("loginMissing"); return; }
    $("login-submit").disabled = true;
    try {
      await api("POST", "/api/console/login", { username: username, password: password });
      const me = await api("GET", "/api/console/me");
      startSession(me, true);
    } catch (err) {
      $("login-error").textContent = err.message;
      $("login-pass").select();
    } finally {
      $("login-submit").disabled = false;
    }
  }

  function startSession(me, fresh) {
    state.me = me;
    $("login-form").hidden = true;
    $("login-error").textContent = "";
    $("app").hidden = false;
    $("sign-out").hidden = false;
    $("presence-label").hidden = false;
    $("help-open").hidden = false;
    ADMIN_BUTTONS.forEach((id) => { $(id).hidden = !isAdmin(); });
    renderMe();
    if (fresh) setPresence("online");
    connect();
    refreshLists();
    clearInterval(state.timers.poll);
    state.timers.poll = setInterval(refreshLists, LIST_REFRESH_MS);
    clearInterval(state.timers.tick);
    state.timers.tick = setInterval(tickWaits, 1000);
  }

  // endSession stops everything that talks to the server and clears what the agent saw.
  function endSession() {
    state.me = null;
    closeChannels();
    closeAdmin();
    disconnect();
    Object.keys(state.timers).forEach((k) => { clearTimeout(state.timers[k]); clearInterval(state.timers[k]); state.timers[k] = null; });
    state.lists = { queue: [], mine: [] };
    state.selectedId = null;
    state.saved = {};
    closeConversation();
    renderLists();
    $("toast").hidden = true;
  }

  function expire() {
    endSession();
    showLogin(t("sessionExpired"));
  }

  async function signOut() {
    try { await api("POST", "/api/console/logout"); } catch (err) { /* signed out either way */ }
    endSession();
    showLogin("");
  }

  function renderMe() {
    const me = state.me;
    if (!me) return;
    $("me").textContent = me.name ? me.name + " (" + me.username + ")" : me.username;
    if (me.status) $("presence").value = me.status;
  }

  async function setPresence(status) {
    try {
      const agent = await api("PUT", "/api/console/presence", { status: status });
      if (state.me && agent) { state.me.status = agent.status || status; renderMe(); }
      scheduleRefresh();
    } catch (err) {
      report(err);
      renderMe(); // put the selector back to the status the server has
    }
  }

  // ---- live events ---------------------------------------------------------------------------

  function connect() {
    disconnect();
    const url = (location.protocol === "https:" ? "wss:" : "ws:") + "//" + location.host + "/api/console/ws";
    let ws;
    try { ws = new WebSocket(url); } catch (e) { scheduleReconnect(); return; }
    state.ws = ws;
    ws.onopen = () => {
      state.wsRetry = 0;
      renderLive(true);
      refreshLists();
      if (state.openId) { send({ type: "watch", conversation_id: state.openId }); reloadDetail(); }
      clearInterval(state.pingTimer);
      state.pingTimer = setInterval(() => send({ type: "ping" }), 25000);
    };
    ws.onmessage = (m) => {
      let ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (ev && typeof ev.type === "string") handleEvent(ev);
    };
    ws.onclose = () => {
      if (state.ws !== ws) return;
      state.ws = null;
      clearInterval(state.pingTimer);
      renderLive(false);
      if (state.me) scheduleReconnect();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  function disconnect() {
    clearTimeout(state.wsTimer);
    clearInterval(state.pingTimer);
    const ws = state.ws;
    state.ws = null;
    if (ws) { try { ws.close(); } catch (e) {} }
    renderLive(false);
  }

  // scheduleReconnect retries after 1 s, 2 s, 4 s … up to 30 s, with some jitter.
  function scheduleReconnect() {
    clearTimeout(state.wsTimer);
    const delay = Math.min(30000, 1000 * Math.pow(2, state.wsRetry)) * (0.8 + Math.random() * 0.4);
    state.wsRetry++;
    state.wsTimer = setTimeout(() => { if (state.me) connect(); }, delay);
  }

  function send(frame) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(frame));
  }

  function renderLive(up) {
    const live = $("live");
    if (!state.me) { live.textContent = ""; live.className = "live"; return; }
    live.textContent = up ? t("live") : t("reconnecting");
    live.className = "live " + (up ? "up" : "down");
  }

  function handleEvent(ev) {
    const open = ev.conversation_id && ev.conversation_id === state.openId;
    switch (ev.type) {
      case "queue":
      case "owner":
      case "sla_breach":
        scheduleRefresh();
        if (open) scheduleReload();
        break;
      case "message":
        scheduleRefresh();
        if (open && ev.message) addMessage(ev.message);
        break;
      case "note":
        if (open && ev.note) addNote(ev.note);
        break;
      case "typing":
        if (open && ev.author === "customer") showCustomerTyping();
        break;
      case "draft_delta":
        if (open) onDraftDelta(ev.text || "");
        break;
      case "draft":
        if (ev.draft && (ev.draft.conversation_id || ev.conversation_id) === state.openId) onDraft(ev.draft);
        break;
    }
  }

  // ---- lists ---------------------------------------------------------------------------------

  function scheduleRefresh() {
    clearTimeout(state.timers.refresh);
    state.timers.refresh = setTimeout(refreshLists, 100);
  }

  async function refreshLists() {
    if (!state.me) return;
    const mine = ++state.seq.lists;
    try {
      const [queue, own] = await Promise.all([
        api("GET", "/api/console/conversations?view=queue"),
        api("GET", "/api/console/conversations?view=mine"),
      ]);
      if (mine !== state.seq.lists || !state.me) return;
      state.lists.queue = (queue && queue.conversations) || [];
      state.lists.mine = (own && own.conversations) || [];
      renderLists();
    } catch (err) {
      if (mine === state.seq.lists) report(err);
    }
  }

  function renderLists() {
    const hadFocus = document.activeElement && document.activeElement.closest && document.activeElement.closest(".convs");
    renderList("queue", state.lists.queue);
    renderList("mine", state.lists.mine);
    if (state.selectedId && !findItem(state.selectedId)) state.selectedId = null;
    markSelection();
    if (hadFocus && state.selectedId) { const li = findItem(state.selectedId); if (li) li.focus(); }
  }

  function renderList(view, convs) {
    const ul = $(view);
    ul.textContent = "";
    convs.forEach((c) => ul.appendChild(listItem(c, view)));
    $(view + "-empty").hidden = convs.length > 0 || !state.me;
    $(view + "-count").textContent = convs.length ? "(" + convs.length + ")" : "";
  }

  function listItem(c, view) {
    const li = el("li", "conv");
    li.dataset.conv = c.id;
    li.dataset.view = view;
    li.tabIndex = -1;
    if (c.sla_breached) li.classList.add("breached");

    const top = el("div", "line");
    top.appendChild(el("strong", "name", customerName(c.customer, c.id)));
    top.appendChild(channelBadge(c.channel));
    const pri = priorityBadge(c.priority);
    if (pri) top.appendChild(pri);
    if (c.sla_breached) top.appendChild(el("span", "badge sla", t("slaBreached")));
    li.appendChild(top);

    const meta = el("div", "line meta");
    if (view === "queue" && c.position) meta.appendChild(el("span", "position", t("position", { n: c.position })));
    const since = validTime(c.queued_at);
    if (since) {
      const w = el("span", "wait");
      w.dataset.since = String(since.getTime());
      w.textContent = t("waited", { t: mmss(Date.now() - since.getTime()) });
      meta.appendChild(w);
    }
    if (c.reason) meta.appendChild(el("span", "reason", reasonText(c.reason)));
    li.appendChild(meta);

    const last = c.last_message;
    if (last && last.text) {
      const p = el("p", "preview");
      p.appendChild(el("span", "who", tOr("author_" + last.author, last.author) + ": "));
      p.appendChild(document.createTextNode(clip(last.text, 90)));
      li.appendChild(p);
    }

    if (view === "queue") {
      const b = el("button", "accept", t("accept"));
      b.type = "button";
      b.setAttribute("aria-label", t("acceptItem", { name: customerName(c.customer, c.id) }));
      b.addEventListener("click", (e) => { e.stopPropagation(); accept(c.id); });
      li.appendChild(b);
    }
    li.addEventListener("click", () => { select(c.id); openConversation(c.id); });
    return li;
  }

  function channelBadge(channel) {
    const ch = channel || "generic";
    const b = el("span", "badge channel channel-" + ch.replace(/[^a-z0-9_-]/gi, ""), tOr("channel_" + ch, ch));
    return b;
  }

  function priorityBadge(priority) {
    if (priority === "high") return el("span", "badge priority-high", t("priorityHigh"));
    if (priority === "low") return el("span", "badge priority-low", t("priorityLow"));
    return null;
  }

  function reasonText(reason) { return tOr("reason_" + reason, reason); }

  function tickWaits() {
    const now = Date.now();
    document.querySelectorAll(".wait[data-since]").forEach((w) => {
      w.textContent = t("waited", { t: mmss(now - Number(w.dataset.since)) });
    });
  }

  function allItems() { return Array.from(document.querySelectorAll("#queue li[data-conv], #mine li[data-conv]")); }

  function findItem(id) { return allItems().find((li) => li.dataset.conv === id) || null; }

  function select(id) {
    state.selectedId = id;
    markSelection();
  }

  function markSelection() {
    const items = allItems();
    items.forEach((li) => {
      const sel = li.dataset.conv === state.selectedId;
      const open = li.dataset.conv === state.openId;
      li.classList.toggle("selected", sel);
      li.classList.toggle("open", open);
      li.tabIndex = sel || (!state.selectedId && li === items[0]) ? 0 : -1;
      if (open) li.setAttribute("aria-current", "true"); else li.removeAttribute("aria-current");
    });
  }

  function moveSelection(step) {
    const items = allItems();
    if (!items.length) return;
    let i = items.findIndex((li) => li.dataset.conv === state.selectedId);
    i = i < 0 ? (step > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, i + step));
    select(items[i].dataset.conv);
    items[i].focus();
  }

  // ---- actions on conversations -------------------------------------------------------------

  async function accept(id) {
    try {
      await api("POST", convPath(id, "accept"));
      toast(t("accepted"), "info");
      select(id);
      scheduleRefresh();
      await openConversation(id);
      $("composer").focus();
    } catch (err) {
      report(err);
      scheduleRefresh();
    }
  }

  // act runs a button's action on the open conversation: disables the button meanwhile, toasts
  // the result and refreshes the lists and the pane.
  async function act(button, fn, okMessage) {
    const id = state.openId;
    if (!id) return;
    if (button) button.disabled = true;
    try {
      await fn(id);
      if (okMessage) toast(okMessage, "info");
      scheduleRefresh();
      if (id === state.openId) await reloadDetail();
    } catch (err) {
      report(err);
    } finally {
      if (button) button.disabled = false;
      if (state.detail) renderActions();
    }
  }

  async function submitComposer(e) {
    if (e) e.preventDefault();
    const id = state.openId;
    const box = $("composer");
    const text = box.value.trim();
    if (!id) return;
    if (!text) { toast(t("emptyText"), "error"); return; }
    const btn = $("send");
    btn.disabled = true;
    try {
      if (state.noteMode) {
        const note = await api("POST", convPath(id, "notes"), { text: text });
        if (note && id === state.openId) addNote(note);
      } else {
        const body = { text: text };
        if (state.composer.draft && state.composer.draft.id) body.draft_id = state.composer.draft.id;
        const msg = await api("POST", convPath(id, "messages"), body);
        if (msg && id === state.openId) addMessage(msg);
        scheduleRefresh();
      }
      if (id === state.openId) resetComposer("");
      delete state.saved[id];
    } catch (err) {
      report(err);
    } finally {
      btn.disabled = false;
    }
  }

  async function askDraft() {
    const id = state.openId;
    if (!id) return;
    try {
      await api("POST", convPath(id, "draft"));
      // The agent asked for it: the new draft may replace what is in the box.
      state.composer.touched = false;
      state.composer.streaming = true;
      state.composer.draft = null;
      renderDraftInfo();
      toast(t("draftAsked"), "info");
    } catch (err) {
      report(err);
    }
  }

  function postTyping() {
    const id = state.openId;
    const now = Date.now();
    if (!id || state.noteMode || now - state.composer.lastTypingAt < TYPING_EVERY_MS) return;
    state.composer.lastTypingAt = now;
    api("POST", convPath(id, "typing")).catch((err) => { if (err.unauthorized) return; /* best effort */ });
  }

  // ---- the open conversation ----------------------------------------------------------------

  async function openConversation(id) {
    if (state.openId && state.openId !== id) saveComposer();
    const switching = state.openId !== id;
    state.openId = id;
    $("conv").dataset.conv = id; // for complaints.js
    markSelection();
    // The server sends live messages, drafts and typing only for the agent's own conversations
    // and the one on screen.
    if (switching) send({ type: "watch", conversation_id: id });
    if (switching) {
      state.detail = null;
      $("typing").hidden = true;
      resetComposer("");
    }
    await reloadDetail(switching);
  }

  function scheduleReload() {
    clearTimeout(state.timers.reload);
    state.timers.reload = setTimeout(() => { reloadDetail(false); }, 150);
  }

  // reloadDetail fetches the open conversation. first: it was just opened, so the composer takes
  // the agent's saved text or the bot's unsent draft.
  async function reloadDetail(first) {
    const id = state.openId;
    if (!id) return;
    const mine = ++state.seq.detail;
    try {
      const d = await api("GET", convPath(id));
      if (mine !== state.seq.detail || id !== state.openId) return;
      state.detail = normalizeDetail(d);
      renderDetail(first);
      if (first) fillComposerOnOpen(id);
      loadCanned(convLang());
    } catch (err) {
      if (mine !== state.seq.detail) return;
      report(err);
      if (err.status === 404 && id === state.openId) closeConversation();
    }
  }

  function normalizeDetail(d) {
    d = d || {};
    return {
      conversation: d.conversation || { id: state.openId },
      customer: d.customer || {},
      messages: Array.isArray(d.messages) ? d.messages : [],
      notes: Array.isArray(d.notes) ? d.notes : [],
      draft: d.draft || null,
      handoff: d.handoff || null,
    };
  }

  function closeConversation() {
    state.openId = null;
    delete $("conv").dataset.conv;
    state.detail = null;
    $("conv").hidden = true;
    $("conv-empty").hidden = false;
    resetComposer("");
    markSelection();
  }

  function convLang() {
    const d = state.detail;
    return (d && (d.conversation.lang || d.customer.lang)) || state.lang;
  }

  function renderDetail(scrollToEnd) {
    const d = state.detail;
    if (!d) return;
    $("conv-empty").hidden = true;
    $("conv").hidden = false;
    renderHeader();
    renderActions();
    renderHandoff();
    renderCustomer();
    renderTranscript(!!scrollToEnd);
    renderDraftInfo();
    // proposals.js (the bot's proposed actions) follows the open conversation.
    document.dispatchEvent(new CustomEvent("tandem:conversation", { detail: {
      conversation: d.conversation, me: state.me && state.me.username } }));
  }

  function renderHeader() {
    const c = state.detail.conversation, cust = state.detail.customer;
    $("conv-name").textContent = customerName(cust, c.id);
    const ch = $("conv-channel");
    const badge = channelBadge(c.channel);
    ch.className = badge.className;
    ch.textContent = badge.textContent;
    const pri = priorityBadge(c.priority), pEl = $("conv-priority");
    pEl.hidden = !pri;
    if (pri) { pEl.className = pri.className; pEl.textContent = pri.textContent; }
    const parts = [handledBy(c)];
    if (c.team) parts.push(t("team", { team: c.team }));
    $("conv-owner").textContent = parts.join(" · ");
  }

  // handledBy says in words who is handling the conversation.
  function handledBy(c) {
    switch (c.owner) {
      case "bot": return t("handledBot");
      case "waiting": return t("handledWaiting");
      case "closed": return t("handledClosed");
      case "human":
        if (!c.assignee) return t("handledHuman");
        return state.me && c.assignee === state.me.username ? t("handledYou") : t("handledBy", { who: c.assignee });
    }
    return c.owner || "";
  }

  function renderActions() {
    const c = state.detail.conversation;
    $("conv-accept").hidden = c.owner !== "waiting";
    $("transfer").disabled = c.owner === "closed" || c.owner === "bot";
    $("return").disabled = c.owner === "closed" || c.owner === "bot";
    $("close").disabled = c.owner === "closed";
  }

  function renderHandoff() {
    const h = state.detail.handoff;
    const box = $("handoff");
    box.hidden = !h;
    if (!h) return;
    $("handoff-reason").textContent = reasonText(h.reason || "");
    const p = percent(h.confidence);
    $("handoff-confidence").textContent = p ? t("confidence", { p: p }) : t("noConfidence");
    fillSources($("handoff-sources"), h.sources);
  }

  function fillSources(ul, sources) {
    ul.textContent = "";
    (sources || []).forEach((s) => {
      const li = el("li");
      const href = safeURL(s.url);
      const label = s.title || s.url || s.id || "";
      if (href) {
        const a = el("a", null, label);
        a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
        li.appendChild(a);
      } else {
        li.textContent = label;
      }
      ul.appendChild(li);
    });
    if (!ul.children.length) ul.appendChild(el("li", "muted", t("noSources")));
  }

  function renderCustomer() {
    const c = state.detail.conversation, cust = state.detail.customer;
    $("customer-id").textContent = cust.id || c.customer_id || "";
    $("customer-external").textContent = cust.external_id || "—";
    $("customer-name").textContent = cust.name || "—";
    $("customer-channel").textContent = tOr("channel_" + (cust.channel || c.channel), cust.channel || c.channel || "—");
    $("customer-lang").textContent = c.lang || cust.lang || "—";
    const body = $("customer-attrs").querySelector("tbody");
    body.textContent = "";
    const attrs = cust.attributes || {};
    const keys = Object.keys(attrs).sort();
    keys.forEach((k) => {
      const tr = el("tr");
      const th = el("th", null, k);
      th.scope = "row";
      tr.appendChild(th);
      tr.appendChild(el("td", null, attrs[k]));
      body.appendChild(tr);
    });
    $("customer-attrs").hidden = !keys.length;
    $("customer-attrs-empty").hidden = keys.length > 0;
  }

  // renderTranscript draws messages and notes in time order; it keeps the view at the bottom
  // when it was there (or when forced).
  function renderTranscript(forceBottom) {
    const box = $("transcript");
    const atBottom = forceBottom || box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const items = [];
    state.detail.messages.forEach((m, i) => items.push({ at: timeOf(m.created_at), order: i, kind: "msg", v: m }));
    state.detail.notes.forEach((n, i) => items.push({ at: timeOf(n.created_at), order: 100000 + i, kind: "note", v: n }));
    items.sort((a, b) => a.at - b.at || a.order - b.order);
    box.textContent = "";
    items.forEach((it) => box.appendChild(it.kind === "msg" ? messageEl(it.v) : noteEl(it.v)));
    if (!items.length) box.appendChild(el("p", "muted empty-log", t("noMessages")));
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  function timeOf(s) { const d = validTime(s); return d ? d.getTime() : 0; }

  function messageEl(m) {
    const author = /^(customer|bot|agent|system)$/.test(m.author) ? m.author : "system";
    const div = el("div", "msg " + author);
    div.dataset.id = String(m.id);
    const meta = el("div", "meta");
    const who = author === "agent" && m.agent ? m.agent : tOr("author_" + author, author);
    meta.appendChild(el("span", "author", who));
    meta.appendChild(el("time", "when", clock(m.created_at)));
    div.appendChild(meta);
    div.appendChild(fillText(el("div", "text"), m.text));
    if (author === "bot") div.appendChild(botInfo(m));
    return div;
  }

  function botInfo(m) {
    const info = el("div", "bot-info");
    const p = percent(m.confidence);
    info.appendChild(el("span", "confidence", p ? t("confidence", { p: p }) : t("noConfidence")));
    if (m.sources && m.sources.length) {
      const ul = el("ul", "sources");
      fillSources(ul, m.sources);
      info.appendChild(ul);
    }
    return info;
  }

  function noteEl(n) {
    const div = el("div", "note");
    div.dataset.id = String(n.id);
    const meta = el("div", "meta");
    meta.appendChild(el("span", "author", t("noteLabel") + " · " + (n.author || "")));
    meta.appendChild(el("time", "when", clock(n.created_at)));
    div.appendChild(meta);
    div.appendChild(el("div", "text", n.text));
    return div;
  }

  function addMessage(m) {
    const d = state.detail;
    if (!d || d.messages.some((x) => x.id === m.id)) return;
    d.messages.push(m);
    if (m.author === "customer") hideCustomerTyping();
    renderTranscript(m.author === "agent");
  }

  function addNote(n) {
    const d = state.detail;
    if (!d || d.notes.some((x) => x.id === n.id)) return;
    d.notes.push(n);
    renderTranscript(true);
  }

  function showCustomerTyping() {
    $("typing").hidden = false;
    clearTimeout(state.timers.typing);
    state.timers.typing = setTimeout(hideCustomerTyping, CUSTOMER_TYPING_MS);
  }

  function hideCustomerTyping() {
    clearTimeout(state.timers.typing);
    $("typing").hidden = true;
  }

  // ---- composer and drafts -------------------------------------------------------------------

  function resetComposer(text) {
    $("composer").value = text;
    state.composer.touched = false;
    state.composer.draft = null;
    state.composer.streaming = false;
    closeCanned();
    renderDraftInfo();
  }

  function saveComposer() {
    const text = $("composer").value;
    if (state.openId && state.composer.touched && text.trim()) state.saved[state.openId] = text;
    else if (state.openId) delete state.saved[state.openId];
  }

  function fillComposerOnOpen(id) {
    const draft = state.detail.draft;
    const unsent = draft && !draft.sent_at && !draft.sent_id ? draft : null;
    state.composer.draft = unsent;
    if (state.saved[id] !== undefined) {
      $("composer").value = state.saved[id];
      state.composer.touched = true;
    } else if (unsent) {
      $("composer").value = unsent.text || "";
    }
    renderDraftInfo();
  }

  // onDraftDelta streams the bot's draft into the composer while the agent has not typed in it.
  function onDraftDelta(text) {
    const c = state.composer;
    if (!c.streaming) {
      // A new draft starts: it replaces the last one, and an empty box counts as untouched again.
      c.streaming = true;
      c.draft = null;
      if (!$("composer").value.trim()) c.touched = false;
    }
    if (!c.touched) $("composer").value = text;
    renderDraftInfo();
  }

  function onDraft(draft) {
    const c = state.composer;
    if (!c.streaming && !$("composer").value.trim()) c.touched = false;
    c.streaming = false;
    c.draft = draft;
    if (state.detail) state.detail.draft = draft;
    if (!c.touched) $("composer").value = draft.text || "";
    renderDraftInfo();
  }

  function renderDraftInfo() {
    const c = state.composer, box = $("draft-info");
    if (c.streaming && !c.draft) {
      box.hidden = false;
      $("draft-label").textContent = t("drafting");
      $("draft-sources").hidden = true;
      $("use-draft").hidden = true;
      return;
    }
    if (!c.draft) { box.hidden = true; box.classList.remove("unsure", "empty"); return; }
    box.hidden = false;
    const p = percent(c.draft.confidence) || "—";
    const empty = !c.streaming && !(c.draft.text || "").trim();
    box.classList.toggle("unsure", !!c.draft.unsure && !empty);
    box.classList.toggle("empty", empty);
    if (empty) {
      // Nothing to start from: say why in words, not as an empty draft with "No sources".
      $("draft-label").textContent = t(c.draft.reason === "nothing_asked" ? "draftNothingAsked" : "draftNothing");
      $("draft-sources").hidden = true;
      $("use-draft").hidden = true;
      return;
    }
    $("draft-label").textContent = c.streaming ? t("drafting") : t(c.draft.unsure ? "draftUnsure" : "draftReady", { p: p });
    $("draft-sources").hidden = false;
    fillSources($("draft-sources"), c.draft.sources);
    $("use-draft").hidden = !(c.touched && $("composer").value !== c.draft.text);
  }

  function useDraft() {
    const c = state.composer;
    if (!c.draft) return;
    $("composer").value = c.draft.text || "";
    c.touched = false;
    renderDraftInfo();
    $("composer").focus();
  }

  function onComposerInput() {
    state.composer.touched = true;
    postTyping();
    updateCanned();
    renderDraftInfo();
  }

  function toggleNoteMode() {
    state.noteMode = !state.noteMode;
    renderNoteMode();
    if (state.detail) renderActions();
    $("composer").focus();
  }

  function renderNoteMode() {
    const on = state.noteMode;
    $("note-mode").setAttribute("aria-pressed", on ? "true" : "false");
    $("composer-form").classList.toggle("note-on", on);
    $("composer-label").textContent = on ? t("noteBox") : t("reply");
    $("composer").placeholder = on ? t("notePlaceholder") : t("composerPlaceholder");
    $("send").textContent = on ? t("addNote") : t("send");
  }

  // ---- canned replies ------------------------------------------------------------------------

  async function loadCanned(lang) {
    if (state.canned.lang === lang) return;
    state.canned.lang = lang;
    try {
      const data = await api("GET", "/api/console/canned?lang=" + encodeURIComponent(lang));
      if (state.canned.lang === lang) state.canned.replies = (data && data.replies) || [];
    } catch (err) {
      state.canned.lang = null;
      report(err);
    }
  }

  // updateCanned shows the list while the composer holds only "/word" (no spaces or newlines).
  function updateCanned() {
    const m = /^\/(\S*)$/.exec($("composer").value);
    if (!m) { closeCanned(); return; }
    const q = m[1].toLowerCase();
    state.canned.shown = state.canned.replies.filter((r) => {
      const hay = ((r.shortcut || "") + " " + (r.title || "")).toLowerCase();
      return hay.indexOf(q) >= 0;
    });
    state.canned.index = 0;
    renderCanned();
  }

  function renderCanned() {
    const ul = $("canned");
    ul.textContent = "";
    const shown = state.canned.shown;
    shown.forEach((r, i) => {
      const li = el("li", "canned-item");
      li.id = "canned-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === state.canned.index ? "true" : "false");
      li.appendChild(el("span", "shortcut mono", r.shortcut || ""));
      li.appendChild(el("span", "title", r.title || ""));
      li.appendChild(el("span", "snippet muted", clip(r.text, 80)));
      li.addEventListener("mousedown", (e) => { e.preventDefault(); insertCanned(i); });
      ul.appendChild(li);
    });
    if (!shown.length) ul.appendChild(el("li", "muted canned-none", t("noCanned")));
    ul.hidden = false;
    const box = $("composer");
    box.setAttribute("aria-controls", "canned");
    if (shown.length) box.setAttribute("aria-activedescendant", "canned-" + state.canned.index);
    else box.removeAttribute("aria-activedescendant");
    const cur = $("canned-" + state.canned.index);
    if (cur) cur.scrollIntoView({ block: "nearest" });
  }

  function closeCanned() {
    $("canned").hidden = true;
    $("canned").textContent = "";
    state.canned.shown = [];
    const box = $("composer");
    box.removeAttribute("aria-controls");
    box.removeAttribute("aria-activedescendant");
  }

  function cannedOpen() { return !$("canned").hidden; }

  function insertCanned(i) {
    const r = state.canned.shown[i];
    if (!r) return;
    const box = $("composer");
    box.value = r.text || "";
    state.composer.touched = true;
    closeCanned();
    renderDraftInfo();
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  // cannedKey handles the list's keys in the composer; it returns true when it used the key.
  function cannedKey(e) {
    if (!cannedOpen()) return false;
    const n = state.canned.shown.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (n) state.canned.index = (state.canned.index + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      renderCanned();
      return true;
    }
    if ((e.key === "Enter" || e.key === "Tab") && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
      if (!n) { closeCanned(); return e.key === "Enter"; }
      insertCanned(state.canned.index);
      return true;
    }
    if (e.key === "Escape") { closeCanned(); return true; }
    return false;
  }

  // ---- transfer dialog -----------------------------------------------------------------------

  async function openTransfer() {
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

  async function submitTransfer(e) {
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

  // ---- channels (admins) ---------------------------------------------------------------------
  // GET /api/admin/channels lists the channels with their settings (secrets come back masked as
  // "••••abcd", or "" when unset); PUT /api/admin/channels/:name {fields} saves and enables one at
  // once on every replica; DELETE removes its admin settings (env-configured channels stay on).

  function isAdmin() { return !!(state.me && state.me.role === "admin"); }

  function channelPath(name) { return "/api/admin/channels/" + encodeURIComponent(name); }

  function channelTitle(name) { return tOr("channel_" + name, name); }

  // i18nText gives e the translated text of key and marks it so that applyLang keeps it current.
  function i18nText(e, key) {
    e.dataset.i18n = key;
    e.textContent = t(key);
    return e;
  }

  function closeChannels() {
    const dlg = $("channels-dialog");
    if (dlg.open) dlg.close();
    $("channels-list").textContent = "";
    $("channels-error").textContent = "";
    $("channels-status").textContent = "";
  }

  async function openChannels() {
    if (!isAdmin()) return;
    const dlg = $("channels-dialog"), list = $("channels-list"), status = $("channels-status");
    $("channels-error").textContent = "";
    list.textContent = "";
    i18nText(status, "channelsLoading");
    if (!dlg.open) dlg.showModal();
    $("channels-close").focus();
    const seq = ++state.seq.channels;
    try {
      const data = await api("GET", "/api/admin/channels");
      if (seq !== state.seq.channels) return;
      const channels = (data && data.channels) || [];
      status.textContent = "";
      delete status.dataset.i18n;
      if (!channels.length) i18nText(status, "noChannels");
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
    const badge = i18nText(el("span", "badge enabled " + (ch.enabled ? "on" : "off")), ch.enabled ? "channelEnabled" : "channelDisabled");
    head.appendChild(badge);
    const source = /^(env|admin)$/.test(ch.source) ? ch.source : "none";
    const src = i18nText(el("span", "source muted small"), "source_" + source);
    src.dataset.source = source;
    head.appendChild(src);
    form.appendChild(head);

    if (ch.webhook) {
      const url = location.origin + (String(ch.webhook).charAt(0) === "/" ? "" : "/") + ch.webhook;
      const row = el("div", "webhook row");
      const lab = i18nText(el("label", "inline-label"), "webhookURL");
      lab.htmlFor = idBase + "-webhook";
      const input = el("input", "mono webhook-url");
      input.id = lab.htmlFor;
      input.type = "text";
      input.readOnly = true;
      input.value = url;
      input.spellcheck = false;
      input.addEventListener("focus", () => input.select());
      const copy = i18nText(el("button", "secondary copy"), "copyWebhook");
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
    const remove = i18nText(el("button", "danger remove"), "removeAdmin");
    remove.type = "button";
    remove.addEventListener("click", () => removeChannel(form, name));
    const save = i18nText(el("button", "save"), "saveChannel");
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
    const title = i18nText(el("h3"), "widgetOrigins");
    title.id = "widget-origins-title";
    form.appendChild(title);
    const help = i18nText(el("p", "muted small"), "widgetOriginsHelp");
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
    const save = i18nText(el("button", "save"), "saveOrigins");
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

  // ---- users, audit log, customers' data (admins) --------------------------------------------
  // GET  /api/admin/users                     {users:[{username,role,created_at,disabled_at?}]}
  // POST /api/admin/users/:username/disable   204; an admin cannot disable their own account
  // GET  /api/admin/audit?actor=              {entries:[{id,at,actor,role,action,target?,status}]},
  //                                           newest first, at most the newest 500
  // GET  /api/admin/customers?channel=&external_id=  the customer {id,channel,external_id,name?,created_at}
  // GET  /api/admin/customers/:id/export      everything stored about them (the read is audited)
  // DELETE /api/admin/customers/:id           {customer_id,erased_at,rows:{table:count}}
  // Customers' data is dropped from the page as soon as its dialog closes.

  function adminPath(kind, id, action) {
    return "/api/admin/" + kind + "/" + encodeURIComponent(id) + (action ? "/" + action : "");
  }

  // setText gives e the translated text of key with params (kept current by applyLang), or clears
  // it when key is null.
  function setText(e, key, params) {
    if (!key) {
      delete e.dataset.i18n;
      delete e.dataset.i18nParams;
      e.textContent = "";
      return e;
    }
    e.dataset.i18n = key;
    if (params) e.dataset.i18nParams = JSON.stringify(params); else delete e.dataset.i18nParams;
    e.textContent = t(key, params);
    return e;
  }

  // stamp formats an RFC 3339 time as local "YYYY-MM-DD HH:MM:SS": records need the date and
  // the seconds, read the same in every language.
  function stamp(s) {
    const d = validTime(s);
    if (!d) return "";
    const p = (n) => (n < 10 ? "0" : "") + n;
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " +
      p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }

  function timeCell(s) {
    const td = el("td", "when");
    const d = validTime(s);
    if (!d) return td;
    const tm = el("time", null, stamp(s));
    tm.dateTime = d.toISOString();
    td.appendChild(tm);
    return td;
  }

  // showAdmin opens one of the admin dialogs with its error cleared.
  function showAdmin(name) {
    const dlg = $(name + "-dialog");
    $(name + "-error").textContent = "";
    if (!dlg.open) dlg.showModal();
    return dlg;
  }

  // closeAdmin closes the admin dialogs and forgets what they showed (on sign-out or expiry).
  function closeAdmin() {
    ["users", "audit", "customers"].forEach((name) => {
      const dlg = $(name + "-dialog");
      if (dlg.open) dlg.close();
      $(name + "-error").textContent = "";
      setText($(name + "-status"), null);
    });
    $("users-table").tBodies[0].textContent = "";
    $("audit-table").tBodies[0].textContent = "";
    $("audit-actor").value = "";
    state.admin.users = [];
    clearCustomers();
  }

  // -- users

  async function openUsers() {
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

  function openAudit() {
    if (!isAdmin()) return;
    showAdmin("audit");
    $("audit-actor").focus();
    loadAudit();
  }

  async function loadAudit() {
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

  // -- customers' data

  function openCustomers() {
    if (!isAdmin()) return;
    showAdmin("customers");
    ($("find-channel").value ? $("find-external") : $("find-channel")).focus();
  }

  function foundName(c) { return (c && c.name) || t("unnamedCustomer", { id: c.external_id || shortId(c.id) }); }

  // clearCustomers drops the customer and the erasure report from the page.
  function clearCustomers() {
    state.seq.customers++;
    state.admin.customer = null;
    $("find-external").value = "";
    $("customers-error").textContent = "";
    setText($("customers-status"), null);
    showCustomer(null);
    showErased(null);
  }

  async function findCustomer(e) {
    e.preventDefault();
    const ch = $("find-channel"), ext = $("find-external");
    const channel = ch.value.trim(), external = ext.value.trim();
    const seq = ++state.seq.customers, status = $("customers-status");
    state.admin.customer = null;
    showCustomer(null);
    showErased(null);
    $("customers-error").textContent = "";
    if (!external) {
      const missing = ext;
      missing.setAttribute("aria-invalid", "true");
      $("customers-error").textContent = t("findMissing");
      setText(status, null);
      missing.focus();
      return;
    }
    setText(status, "finding");
    $("find-submit").disabled = true;
    try {
      // The id the console shows, or (with a channel) the id that channel knows them by.
      const q = { id: external.replace(/^#/, "") };
      if (channel) q.channel = channel;
      const c = await api("GET", "/api/admin/customers?" + new URLSearchParams(q));
      if (seq !== state.seq.customers) return;
      state.admin.customer = c;
      showCustomer(c);
      setText(status, "customerFound", { name: foundName(c) });
      $("customer-export").focus();
    } catch (err) {
      if (seq !== state.seq.customers) return;
      setText(status, null);
      if (err.unauthorized) return;
      $("customers-error").textContent = err.message;
      ext.select();
      ext.focus();
    } finally {
      $("find-submit").disabled = false;
    }
  }

  // showCustomer shows the customer found (or hides the card for null).
  function showCustomer(c) {
    setCustomerBusy(false);
    $("customer-found").hidden = !c;
    $("customer-found").dataset.customer = c ? c.id : "";
    $("found-title").textContent = c ? foundName(c) : "";
    $("found-id").textContent = c ? c.id : "";
    $("found-channel").textContent = c ? channelTitle(c.channel) : "";
    $("found-external").textContent = c ? c.external_id : "";
    $("found-created").textContent = c ? stamp(c.created_at) : "";
  }

  function setCustomerBusy(busy) {
    $("customer-export").disabled = busy;
    $("customer-erase").disabled = busy;
    $("customer-found").setAttribute("aria-busy", busy ? "true" : "false");
  }

  async function exportCustomer() {
    const c = state.admin.customer;
    if (!c) return;
    const seq = state.seq.customers, status = $("customers-status");
    $("customers-error").textContent = "";
    setText(status, "exporting");
    setCustomerBusy(true);
    try {
      const data = await api("GET", adminPath("customers", c.id, "export"));
      if (seq !== state.seq.customers) return;
      const file = "customer-" + String(c.id).replace(/[^A-Za-z0-9_-]/g, "_") + ".json";
      download(file, JSON.stringify(data, null, 2) + "\n");
      setText(status, "exported", { file: file, n: ((data && data.conversations) || []).length });
    } catch (err) {
      if (seq !== state.seq.customers) return;
      setText(status, null);
      if (!err.unauthorized) $("customers-error").textContent = err.message;
    } finally {
      if (seq === state.seq.customers) setCustomerBusy(false);
    }
  }

  // download offers text as a JSON file through a Blob's object URL. The link goes inside the
  // open dialog because the rest of the page is inert while a modal dialog is open.
  function download(name, text) {
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const a = el("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    (document.querySelector("dialog[open]") || document.body).appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), EXPORT_URL_MS);
  }

  async function eraseCustomer() {
    const c = state.admin.customer;
    if (!c) return;
    const name = foundName(c);
    if (!window.confirm(t("confirmErase", { name: name, channel: channelTitle(c.channel), external: c.external_id }))) return;
    const seq = state.seq.customers, status = $("customers-status");
    $("customers-error").textContent = "";
    setText(status, "erasing");
    setCustomerBusy(true);
    try {
      const report = await api("DELETE", adminPath("customers", c.id));
      if (seq !== state.seq.customers) return;
      state.admin.customer = null;
      showCustomer(null);
      const total = showErased(report, name);
      setText(status, "erased", { name: name, n: total });
      $("erase-report").focus();
      scheduleRefresh(); // the customer's conversations leave the lists
    } catch (err) {
      if (seq !== state.seq.customers) return;
      setText(status, null);
      if (!err.unauthorized) $("customers-error").textContent = err.message;
    } finally {
      if (seq === state.seq.customers) setCustomerBusy(false);
    }
  }

  // showErased shows the rows deleted per table (tr[data-table]), most first, and returns the
  // total; null hides the report.
  function showErased(report, name) {
    const box = $("erase-report"), body = $("erase-table").tBodies[0];
    body.textContent = "";
    box.hidden = !report;
    if (!report) {
      setText($("erase-title"), null);
      $("erase-total").textContent = "";
      return 0;
    }
    const rows = Object.entries(report.rows || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    let total = 0;
    rows.forEach(([table, n]) => {
      total += Number(n) || 0;
      const tr = el("tr");
      tr.dataset.table = table;
      const th = el("th", "mono", table);
      th.scope = "row";
      tr.appendChild(th);
      tr.appendChild(el("td", "num", n));
      body.appendChild(tr);
    });
    setText($("erase-title"), "erasedTitle", { name: name });
    $("erase-total").textContent = String(total);
    return total;
  }

  // ---- keyboard ------------------------------------------------------------------------------

  function anyDialogOpen() { return document.querySelector("dialog[open]") !== null; }

  function onKeydown(e) {
    if (!state.me || anyDialogOpen()) return;
    const inField = isTyping(e.target);
    if (e.target === $("composer") && cannedKey(e)) { e.preventDefault(); return; }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      if (e.target === $("composer") || !inField) { e.preventDefault(); submitComposer(); }
      return;
    }
    if (e.key === "Escape") {
      if (e.target === $("composer")) { e.preventDefault(); leaveComposer(); }
      return;
    }
    if (inField || e.ctrlKey || e.metaKey || e.altKey) return;
    const onControl = e.target.closest && e.target.closest("button, a, summary");
    switch (e.key) {
      case "j": case "ArrowDown":
        if (e.key === "ArrowDown" && !(e.target.closest && e.target.closest(".convs"))) return;
        e.preventDefault(); moveSelection(1); break;
      case "k": case "ArrowUp":
        if (e.key === "ArrowUp" && !(e.target.closest && e.target.closest(".convs"))) return;
        e.preventDefault(); moveSelection(-1); break;
      case "Enter":
        if (onControl || !state.selectedId) return;
        e.preventDefault(); openConversation(state.selectedId); break;
      case "a":
        e.preventDefault(); acceptSelected(); break;
      case "/":
        e.preventDefault(); focusComposer(); break;
      case "?":
        e.preventDefault(); $("help").showModal(); break;
    }
  }

  function acceptSelected() {
    const li = state.selectedId && findItem(state.selectedId);
    if (li && li.dataset.view === "queue") { accept(state.selectedId); return; }
    const d = state.detail;
    if (d && d.conversation.owner === "waiting") accept(state.openId);
  }

  async function focusComposer() {
    if (!state.openId && state.selectedId) await openConversation(state.selectedId);
    if (!$("conv").hidden) $("composer").focus();
  }

  function leaveComposer() {
    closeCanned();
    const li = (state.openId && findItem(state.openId)) || (state.selectedId && findItem(state.selectedId));
    if (li) { select(li.dataset.conv); li.focus(); } else $("composer").blur();
  }

  // ---- wiring --------------------------------------------------------------------------------

  function bindEvents() {
    $("login-form").addEventListener("submit", login);
    $("sign-out").addEventListener("click", signOut);
    $("lang").addEventListener("click", () => setLang(state.lang === "zh" ? "en" : "zh"));
    $("presence").addEventListener("change", (e) => setPresence(e.target.value));
    $("help-open").addEventListener("click", () => $("help").showModal());
    $("composer-form").addEventListener("submit", submitComposer);
    $("composer").addEventListener("input", onComposerInput);
    $("composer").addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== $("composer")) closeCanned(); }, 0));
    $("note-mode").addEventListener("click", toggleNoteMode);
    $("new-draft").addEventListener("click", askDraft);
    $("use-draft").addEventListener("click", useDraft);
    $("conv-accept").addEventListener("click", () => { if (state.openId) accept(state.openId); });
    $("transfer").addEventListener("click", openTransfer);
    $("return").addEventListener("click", (e) => act(e.currentTarget, (id) => api("POST", convPath(id, "return")), t("returned")));
    $("close").addEventListener("click", (e) => act(e.currentTarget, (id) => api("POST", convPath(id, "close")), t("closed")));
    $("transfer-form").addEventListener("submit", submitTransfer);
    $("transfer-cancel").addEventListener("click", () => $("transfer-dialog").close());
    $("admin-channels").addEventListener("click", openChannels);
    $("channels-dialog").addEventListener("close", () => { state.seq.channels++; });
    $("admin-users").addEventListener("click", openUsers);
    $("users-dialog").addEventListener("close", () => { state.seq.users++; });
    $("admin-audit").addEventListener("click", openAudit);
    $("audit-form").addEventListener("submit", (e) => { e.preventDefault(); loadAudit(); });
    $("audit-dialog").addEventListener("close", () => { state.seq.audit++; });
    $("admin-customers").addEventListener("click", openCustomers);
    $("customer-find").addEventListener("submit", findCustomer);
    ["find-channel", "find-external"].forEach((id) => $(id).addEventListener("input", (e) => e.target.removeAttribute("aria-invalid")));
    $("customer-export").addEventListener("click", exportCustomer);
    $("customer-erase").addEventListener("click", eraseCustomer);
    $("customers-dialog").addEventListener("close", clearCustomers);
    $("toast").addEventListener("click", () => { $("toast").hidden = true; });
    document.addEventListener("keydown", onKeydown);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
