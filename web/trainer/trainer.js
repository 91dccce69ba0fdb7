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
     GET|PUT /api/v1/kb/documents/{id}/phrasings   {id,title,lang,phrasings:[…]}; PUT {phrasings:[…]}
     GET    /api/v1/kb/synonyms                     {languages:{en:[[word,…],…]}}; PUT /api/v1/kb/synonyms/{lang} {groups:[[…]]}
     POST   /api/v1/kb/import                      multipart: "file" parts + "collection"; or JSON {urls, sitemap, collection}
                                                   → {files:[{name,documents,chunks,changed,error}], documents, changed, failed}
                                                   (200 even when some files failed; 413 when the upload is too large)
     GET    /api/v1/kb/search?q=&k=&collection=&lang=
                                                   {took_ms, hits:[{doc_id,chunk_id,title,heading,text,url,kind,
                                                    lexical:{rank,raw,norm}|null, vector:{rank,raw,norm}|null, fused}]}
   Intents and settings API:
     GET /api/v1/intents, PUT/DELETE /api/v1/intents/{name}, POST /api/v1/intents/import (JSONL),
     GET /api/v1/intents/export, GET /api/v1/intents/training, GET /api/v1/intents/try?text=; GET/PUT /api/v1/settings.

   Trainer API (session only):
     GET  /api/trainer/me                          {username, role}
     GET  /api/trainer/review?reason=&channel=&status=&from=&to=&limit=
                                                   {items:[{id,reason,conversation_id,channel,intent,text,bot_answer,
                                                    answer,confidence,sources,status,created_at}]}
     POST /api/trainer/review/accept               {set, items:[{review_id, expected_*}]} → {set, cases}
     POST /api/trainer/review/dismiss              {ids} → {dismissed}
     GET  /api/trainer/sets, /api/trainer/sets/{name}, /api/trainer/runs?set=, /api/trainer/runs/{id}/report
     GET  /api/trainer/analytics?from=&to=         analytics.Report (to is exclusive; days are UTC)
     GET  /api/trainer/actions/stats?from=&to=     per bot action: calls, success rate, p95 latency, failures
     GET  /api/trainer/gaps?from=&to=              {gaps:[{key,size,examples,answers,first_at,last_at,title,article,
                                                    article_id,article_at|null,rate_before,rate_after,handoffs_before,handoffs_after}]}
                                                   "Create article" uploads <article_id>.md (front matter id/title/lang) to
                                                   POST /api/v1/kb/import; the gap then shows its handoffs per day before → after.
     GET  /api/trainer/confidence?from=&to=        {threshold, weeks:[{week,turns,histogram[10],below_share,judged,
                                                    predicted,observed,drift,alert}]}
     GET  /api/trainer/intents?set=                {run, intents:[{name,action,examples,cases,accuracy,confused:[{intent,count}]}]}
     POST /api/trainer/intents/preview             {set, intents:[full intents]} → {before, after, regressions, fixed, changes}
   Tuning keeps edited intents as a proposal (sessionStorage) until Save PUTs each to /api/v1/intents/{name}.

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
      hr_customer_request: "Customer asked for a person", hr_care: "Priority care (aged 65+ or flagged)", hr_low_confidence: "Bot not sure enough", hr_intent_policy: "Always a person (intent policy)",
      hr_frustration: "Customer frustrated", hr_loop: "Going in circles", hr_out_of_scope: "Outside the knowledge base", hr_error: "Bot error",
      hr_ambiguous: "Ambiguous question", hr_after_hours: "After hours", hr_action_failed: "Action failed", hr_needs_identity: "Needs sign-in", hr_action_approval: "Action awaiting approval",
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
      acceptFor: "The expectation is for the customer's message “{text}”: what should the bot have done right then?",
      acceptPolicy: "The bot handed off because {why}: that was right, so this case expects a handoff.",
      why_customer_request: "the customer asked for a person", why_intent_policy: "this kind of request always goes to a person",
      answerBulk: "Empty: each case expects its own agent's answer", sourcesHint: "The bot cited: {ids}",
      setRequired: "Name an eval set: no spaces or slashes.", nothingSelected: "Check some items first (x), or move to one (j/k).",
      accepted: "Accepted {n} into “{set}” ({total} cases in the set).", dismissed: "Dismissed {n}.",
      evalSets: "Eval sets", noSets: "No eval sets yet. Accept review items into a set, or import one with the command line.",
      pickSet: "Choose a set", runs: "Runs", run: "Run", time: "Time", mAccuracy: "Accuracy", mIntent: "Intent accuracy",
      mOOS: "OOS recall", mPrecision: "Decision precision", mCoverage: "Coverage at target", mECE: "ECE", baseline: "Baseline",
      report: "Report", openReport: "Report", openReportLabel: "Open the report of run {id} in a new tab",
      cases: "Cases", caseId: "ID", caseText: "Customer message", expectedIntentShort: "Intent", expectedDecisionShort: "Decision",
      sourcesShort: "Sources", caseSource: "From", setSize: "{n} cases", caseCount: "{n} cases", caseCountClip: "Showing the first {shown} of {n} cases",
      noRuns: "No runs yet — press Run to replay the set through the current configuration.",
      runSet: "Run", runSetLabel: "Replay set {set} through the current configuration", runStarting: "Starting the run…",
      runProgress: "Running {set}: {done} of {total} cases…", runDone: "Run {id} done.", runFailed: "The run failed: {error}",
      runElsewhere: "The run continues on another server; it appears here when done.", na: "n/a", naTitle: "No case in this set is judged on this", setTitle: "Set “{set}”", coverageAt: "{cov} at P ≥ {target}",
      cliTitle: "Import and run sets from the command line",
      cliImport: "add cases from a JSONL file", cliRun: "replay the set through the current configuration, compared with the last run",
      cliCalibrate: "fit the intent threshold for a target precision, check it, and activate it", cliRevert: "undo the last calibration",
      utcDays: "Days are UTC; both ends are included.", containmentDef: "Containment: resolved by the bot: no handoff, no person, not reopened within 24 h.",
      chartCaption: "Conversations per day (bars) and handoff rate (line)", byChannel: "By channel",
      byAction: "Bot actions", actionName: "Action", actionCalls: "Calls", actionSuccess: "Success rate", actionP95: "p95 latency",
      actionFailures: "Failures", noActionCalls: "No bot action was called in this period.",
      fConversations: "Conversations", fContainment: "Containment", fHandoff: "Handoff rate", fFirst: "First response p50 / p90",
      fWait: "Wait p50 / p90", fHandle: "Handle p50 / p90", fRating: "Rating", fDrop: "Drop-off",
      subRatings: "{n} ratings", subSamples: "{n} conversations", subDrop: "of handoffs left before a person took them",
      subContained: "of all conversations", reasonsTitle: "Handoff reasons:", reasonNone: "(none given)", noHandoffs: "No handoffs in this period.", intentMixTitle: "Intent mix:", noIntents: "No answers by intent in this period.",
      badRange: "Choose a start date on or before the end date.", noChannels: "No conversations in this period.",
      chartTitle: "Conversations per day and handoff rate, {from} to {to}",
      chartDesc: "{n} conversations over {days} days; bars count conversations, the line is the share handed to people.",
      axisConversations: "Conversations", axisHandoff: "Handoff rate", legendBars: "conversations", legendLine: "handoff rate",
      barTitle: "{day}: {n} conversations, handoff rate {rate}",
      sec: "{n} s", min: "{n} min", hour: "{n} h",
      tabTuning: "Tuning", tabGaps: "Gaps", tabConfidence: "Confidence", refresh: "Refresh", add: "Add",
      keyExample: "add this message as an example of an intent (Tuning)",
      // Tuning.
      tuningHelp: "Accuracy and confusions come from the set's latest run. Edit examples here: the changes stay a proposal in this browser until you preview and save them.",
      intentCol: "Intent", actionCol: "Action", examplesCol: "Examples", casesCol: "Cases", accuracyCol: "Accuracy",
      confusedCol: "Most confused with", noSetOption: "(no eval set)", runFrom: "Latest run: {run}",
      noRun: "This set has no run yet: run it to see accuracy.", noSetsTuning: "No eval sets yet: you can edit examples, but a preview needs a set.",
      noIntents: "No intents yet — create some on the Intents tab.",
      action_knowledge: "knowledge", action_answer: "canned answer", action_handoff: "handoff",
      noIntentPredicted: "(no intent)", confusedItem: "{intent} × {n}", edited: "edited", countChange: "{from} → {to}",
      intentTitle: "Intent {name}", intentMeta: "{n} examples · {cases} cases in the latest run, accuracy {acc}",
      intentMetaNoCases: "{n} examples · no cases in the latest run", addExample: "Add an example",
      exampleNew: "new", removedEx: "removed", deleteEx: "Delete", deleteExLabel: "Delete the example “{text}”",
      moveTo: "Move to…", move: "Move", moveLabel: "Move “{text}” to another intent", moveGo: "Move “{text}”",
      restore: "Restore", restoreLabel: "Restore the example “{text}”",
      exampleEmpty: "Type an example first.", exampleDup: "“{text}” is already an example of {intent}.",
      exampleAlso: "Added. Note: it is also an example of {other}.", exampleAdded: "Added to the proposal for {intent}.",
      exampleRemoved: "Removed from the proposal for {intent}.", exampleRestored: "Restored.",
      moved: "Moved to {intent}.", pickTarget: "Choose the intent to move it to.",
      proposal: "Proposal", preview: "Preview", saveProposal: "Save", discard: "Discard",
      proposalNone: "No changes yet. Add, delete or move examples, then preview their effect on the set.",
      proposalSummary: "{n} changed: {list}", proposalItem: "{name} (+{added} −{removed})",
      pickSetFirst: "Choose an eval set to preview against.", previewing: "Scoring the set…", saving: "Saving and retraining…",
      saved: "Saved {n} intents; the bot is retrained.", saveFailed: "Saved {ok} of {n}; {name} failed: {msg}",
      discardConfirm: "Discard the proposal ({n} intents changed)?", discarded: "Proposal discarded.",
      previewStale: "The proposal changed since this preview: preview again.",
      metric: "Metric", before: "Before", after: "After", change: "Change", kind: "Kind",
      intentBefore: "Before", intentAfter: "After", mCases: "Intent cases scored",
      previewCounts: "{fixed} fixed, {broken} broken.", previewNone: "No case changed its intent or decision.",
      changesClip: "Showing the first {n} changed cases.", kind_fixed: "fixed", kind_broken: "broken", kind_changed: "changed",
      points: "{n} pts", right: "right", wrong: "wrong",
      addAsExample: "Add as example…", addAsExampleTitle: "Add the message as an example of",
      addToProposal: "Add to proposal", exampleFrom: "Added “{text}” to the proposal for {intent}.",
      noSuchIntent: "There is no intent named {name}.",
      // Gaps.
      gapsHelp: "Questions handed to people that the knowledge base did not answer, grouped by shared words, largest first.",
      gapsLabel: "Knowledge gaps", gapsNone: "No knowledge gaps in this period: nothing was handed off that the knowledge base could not answer.",
      gapsSummary: "{n} gaps from {q} handed-off questions; {a} with an article.",
      gapSize: "{n} handoffs", gapSizeOne: "1 handoff", gapSpan: "{first} – {last}", gapAsked: "Customers asked",
      gapAnswered: "Agents answered", gapNoAnswers: "(no agent answer captured yet)",
      createArticle: "Create article", updateArticle: "Edit article", createArticleLabel: "Create an article for “{title}”",
      updateArticleLabel: "Edit the article for “{title}”",
      articleSince: "Article since {date}", articleRates: "Handoffs: {before} → {after}", perDay: "{n}/day",
      articleCounts: "({b} before, {a} after)", articleHeading: "Create a knowledge article", articleId: "Document id",
      articleTitle: "Title", articleLang: "Language", langEn: "English", langZh: "Chinese", articleBody: "Article (Markdown)",
      articleHint: "Ctrl+Enter uploads. The bot can use the article within seconds.", uploadArticle: "Upload article",
      articleFor: "For the gap “{title}” ({n}).", articleNeeds: "A title and the article text are required.",
      articleUploaded: "Uploaded “{title}” as {id}.",
      // Confidence.
      isoWeeks: "Weeks are ISO weeks (UTC).",
      calibCaption: "Predicted (mean confidence) and observed correctness of judged answers, per week",
      calibNote: "Observed: thumbs up or down, and agents sending the bot's draft as is (right) or rewritten (wrong). A week with at least 20 judged turns whose predicted and observed differ by more than 10 points is flagged.",
      week: "Week", turns: "Bot turns", belowShare: "Below threshold", judged: "Judged", predicted: "Predicted",
      observed: "Observed", drift: "Drift", flag: "Flag",
      confSummary: "Threshold {th}: below it the bot does not answer on its own. {n}, {turns} bot turns, {judged} judged.",
      confNone: "No bot turns in this period.", driftBadge: "calibration drift", overConfident: "over-confident", underConfident: "under-confident",
      driftAlert: "Calibration drift in {weeks}. The bot's confidence no longer matches how often it is right: recalibrate (tandem eval calibrate) and review recent answers.",
      driftWeek: "{week} ({dir}, {pts})", alertLead: "⚠ {badge}: ", noJudged: "No judged answers in this period: thumbs and agents' use of drafts judge them.", fewJudged: "too few judged",
      calibTitle: "Predicted and observed correctness per week, {from} to {to}",
      calibDesc: "{n} weeks. Two lines from 0 to 100%: predicted (mean confidence of judged answers) and observed (share judged right). {alerts} weeks flagged for calibration drift.",
      legendPredicted: "predicted", legendObserved: "observed", legendDrift: "calibration drift",
      pointTitle: "{week}: {what} {v} ({n} judged)", axisCorrect: "Correct",
      histCaption: "Confidence of the bot's turns in {week} (latest week), by tenth", histNone: "No bot turns to show.",
      histTitle: "Confidence of {n} bot turns in {week}, stacked by tenth",
      histDesc: "Turns per confidence tenth: {list}. {below} are below the threshold {th}.",
      histSeg: "{range}: {n} turns ({share})", histLegend: "{range}: {n}", weeksOne: "1 week", weeksN: "{n} weeks", thresholdMark: "threshold {th}: {below} below"
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
      hr_customer_request: "客户要求人工", hr_care: "适老化优先服务（65 岁以上或已标记）", hr_low_confidence: "机器人把握不足", hr_intent_policy: "总是转人工（意图策略）",
      hr_frustration: "客户情绪不满", hr_loop: "对话原地打转", hr_out_of_scope: "超出知识库范围", hr_error: "机器人出错",
      hr_ambiguous: "问题有歧义", hr_after_hours: "非工作时间", hr_action_failed: "操作失败", hr_needs_identity: "需要登录", hr_action_approval: "操作待审批",
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
      acceptFor: "期望针对客户的这条消息：“{text}”——机器人当时应该怎么做？",
      acceptPolicy: "机器人转人工是因为{why}，这是对的，所以此用例期望转人工。",
      why_customer_request: "客户要求人工", why_intent_policy: "这类请求总是交给人工",
      answerBulk: "留空：每条用例以各自客服的回答为期望答案", sourcesHint: "机器人引用了：{ids}",
      setRequired: "请填写评测集名称（不能含空格或斜杠）。", nothingSelected: "请先勾选条目（x），或移到某一条（j/k）。",
      accepted: "已将 {n} 条加入“{set}”（该评测集共 {total} 条用例）。", dismissed: "已忽略 {n} 条。",
      evalSets: "评测集", noSets: "还没有评测集。把审核条目加入评测集，或用命令行导入。",
      pickSet: "请选择评测集", runs: "运行记录", run: "运行", time: "时间", mAccuracy: "准确率", mIntent: "意图准确率",
      mOOS: "超范围召回", mPrecision: "决策精确率", mCoverage: "目标精确率下的覆盖率", mECE: "ECE", baseline: "基线",
      report: "报告", openReport: "报告", openReportLabel: "在新标签页打开运行 {id} 的报告",
      cases: "用例", caseId: "ID", caseText: "客户消息", expectedIntentShort: "意图", expectedDecisionShort: "处理方式",
      sourcesShort: "来源", caseSource: "出处", setSize: "{n} 条用例", caseCount: "共 {n} 条用例", caseCountClip: "显示前 {shown} 条，共 {n} 条用例",
      noRuns: "还没有运行记录——点击“运行”用当前配置重放评测集。",
      runSet: "运行", runSetLabel: "用当前配置重放评测集 {set}", runStarting: "正在开始运行…",
      runProgress: "正在运行 {set}：{done} / {total} 个用例…", runDone: "运行 {id} 已完成。", runFailed: "运行失败：{error}",
      runElsewhere: "运行在另一台服务器上继续，完成后会显示在这里。", na: "不适用", naTitle: "此评测集中没有用例评估这一项", setTitle: "评测集“{set}”", coverageAt: "{cov}（P ≥ {target}）",
      cliTitle: "用命令行导入和运行评测集",
      cliImport: "从 JSONL 文件添加用例", cliRun: "用当前配置重放评测集，并与上次运行比较",
      cliCalibrate: "按目标精确率拟合意图阈值、检验并启用", cliRevert: "撤销上次校准",
      utcDays: "日期按 UTC 计，包含起止两天。", containmentDef: "自助解决率：由机器人解决——未转人工、无人工接待、24 小时内未再次来询。",
      chartCaption: "每日会话数（柱）与转人工率（折线）", byChannel: "按渠道",
      byAction: "机器人操作", actionName: "操作", actionCalls: "调用", actionSuccess: "成功率", actionP95: "p95 延迟",
      actionFailures: "失败", noActionCalls: "此期间没有调用机器人操作。",
      fConversations: "会话数", fContainment: "自助解决率", fHandoff: "转人工率", fFirst: "首次响应 p50 / p90",
      fWait: "等待 p50 / p90", fHandle: "处理 p50 / p90", fRating: "评分", fDrop: "放弃率",
      subRatings: "{n} 个评分", subSamples: "{n} 个会话", subDrop: "转人工后在接待前离开",
      subContained: "占全部会话", reasonsTitle: "转人工原因：", reasonNone: "（未注明）", noHandoffs: "此期间没有转人工。", intentMixTitle: "意图分布：", noIntents: "此期间没有按意图回答。",
      badRange: "开始日期不能晚于结束日期。", noChannels: "此期间没有会话。",
      chartTitle: "{from} 至 {to} 每日会话数与转人工率",
      chartDesc: "{days} 天共 {n} 个会话；柱表示会话数，折线表示转人工的比例。",
      axisConversations: "会话数", axisHandoff: "转人工率", legendBars: "会话数", legendLine: "转人工率",
      barTitle: "{day}：{n} 个会话，转人工率 {rate}",
      sec: "{n} 秒", min: "{n} 分钟", hour: "{n} 小时",
      tabTuning: "意图调优", tabGaps: "知识缺口", tabConfidence: "置信度", refresh: "刷新", add: "添加",
      keyExample: "把这条消息加为某个意图的例句（意图调优）",
      tuningHelp: "准确率和混淆来自该评测集最近一次运行。在这里编辑例句：修改先作为提案保存在本浏览器中，预览并保存后才生效。",
      intentCol: "意图", actionCol: "处理方式", examplesCol: "例句", casesCol: "用例", accuracyCol: "准确率",
      confusedCol: "最常被混淆为", noSetOption: "（无评测集）", runFrom: "最近一次运行：{run}",
      noRun: "该评测集还没有运行记录：运行后才能看到准确率。", noSetsTuning: "还没有评测集：可以编辑例句，但预览需要评测集。",
      noIntents: "还没有意图——请在“意图”页创建。",
      action_knowledge: "知识库", action_answer: "固定回复", action_handoff: "转人工",
      noIntentPredicted: "（无意图）", confusedItem: "{intent} × {n}", edited: "已修改", countChange: "{from} → {to}",
      intentTitle: "意图 {name}", intentMeta: "{n} 条例句 · 最近一次运行中 {cases} 条用例，准确率 {acc}",
      intentMetaNoCases: "{n} 条例句 · 最近一次运行中没有用例", addExample: "添加例句",
      exampleNew: "新增", removedEx: "已删除", deleteEx: "删除", deleteExLabel: "删除例句“{text}”",
      moveTo: "移到…", move: "移动", moveLabel: "把“{text}”移到其他意图", moveGo: "移动“{text}”",
      restore: "恢复", restoreLabel: "恢复例句“{text}”",
      exampleEmpty: "请先输入例句。", exampleDup: "“{text}”已经是 {intent} 的例句。",
      exampleAlso: "已添加。注意：它也是 {other} 的例句。", exampleAdded: "已加入 {intent} 的提案。",
      exampleRemoved: "已从 {intent} 的提案中删除。", exampleRestored: "已恢复。",
      moved: "已移到 {intent}。", pickTarget: "请选择要移到的意图。",
      proposal: "提案", preview: "预览", saveProposal: "保存", discard: "放弃",
      proposalNone: "还没有修改。添加、删除或移动例句，然后预览它们对评测集的影响。",
      proposalSummary: "已修改 {n} 个：{list}", proposalItem: "{name}（+{added} −{removed}）",
      pickSetFirst: "请选择用于预览的评测集。", previewing: "正在评测…", saving: "正在保存并重新训练…",
      saved: "已保存 {n} 个意图，机器人已重新训练。", saveFailed: "已保存 {ok}/{n} 个；{name} 失败：{msg}",
      discardConfirm: "放弃提案（已修改 {n} 个意图）？", discarded: "已放弃提案。",
      previewStale: "预览之后提案又有修改：请重新预览。",
      metric: "指标", before: "修改前", after: "修改后", change: "变化", kind: "类型",
      intentBefore: "修改前", intentAfter: "修改后", mCases: "评测的意图用例",
      previewCounts: "修复 {fixed} 条，改坏 {broken} 条。", previewNone: "没有用例的意图或处理方式发生变化。",
      changesClip: "显示前 {n} 条有变化的用例。", kind_fixed: "修复", kind_broken: "改坏", kind_changed: "有变化",
      points: "{n} 个百分点", right: "正确", wrong: "错误",
      addAsExample: "加为例句…", addAsExampleTitle: "把这条消息加为以下意图的例句",
      addToProposal: "加入提案", exampleFrom: "已把“{text}”加入 {intent} 的提案。",
      noSuchIntent: "没有名为 {name} 的意图。",
      gapsHelp: "转人工且知识库未能回答的问题，按共同词语归类，数量多的在前。",
      gapsLabel: "知识缺口", gapsNone: "此期间没有知识缺口：没有知识库答不了而转人工的问题。",
      gapsSummary: "{q} 个转人工问题归为 {n} 个缺口；其中 {a} 个已有文章。",
      gapSize: "转人工 {n} 次", gapSizeOne: "转人工 1 次", gapSpan: "{first} – {last}", gapAsked: "客户的问题",
      gapAnswered: "客服的回答", gapNoAnswers: "（还没有记录到客服的回答）",
      createArticle: "创建文章", updateArticle: "编辑文章", createArticleLabel: "为“{title}”创建文章",
      updateArticleLabel: "编辑“{title}”的文章",
      articleSince: "文章创建于 {date}", articleRates: "转人工：{before} → {after}", perDay: "每天 {n} 次",
      articleCounts: "（之前 {b} 次，之后 {a} 次）", articleHeading: "创建知识库文章", articleId: "文档 ID",
      articleTitle: "标题", articleLang: "语言", langEn: "英文", langZh: "中文", articleBody: "正文（Markdown）",
      articleHint: "Ctrl+Enter 上传。几秒钟内机器人就能使用这篇文章。", uploadArticle: "上传文章",
      articleFor: "针对缺口“{title}”（{n}）。", articleNeeds: "标题和正文不能为空。",
      articleUploaded: "已上传“{title}”，ID 为 {id}。",
      isoWeeks: "按 ISO 周（UTC）统计。",
      calibCaption: "每周已评判回答的预测正确率（平均置信度）与实际正确率",
      calibNote: "实际正确率来自点赞/点踩，以及客服原样发送（正确）或改写（错误）机器人的草稿。已评判回答不少于 20 条、且预测与实际相差超过 10 个百分点的周会被标记。",
      week: "周", turns: "机器人回复", belowShare: "低于阈值", judged: "已评判", predicted: "预测",
      observed: "实际", drift: "偏差", flag: "标记",
      confSummary: "阈值 {th}：低于阈值时机器人不自行回答。共 {n}，{turns} 条机器人回复，{judged} 条已评判。",
      confNone: "此期间没有机器人回复。", driftBadge: "校准偏移", overConfident: "过于自信", underConfident: "过于保守",
      driftAlert: "{weeks} 出现校准偏移。机器人的置信度与实际正确率已不相符：请重新校准（tandem eval calibrate）并检查近期回答。",
      driftWeek: "{week}（{dir}，{pts}）", alertLead: "⚠ {badge}：", noJudged: "此期间没有已评判的回答：点赞/点踩以及客服对草稿的处理会评判回答。", fewJudged: "评判太少",
      calibTitle: "{from} 至 {to} 每周的预测与实际正确率",
      calibDesc: "共 {n} 周。两条 0–100% 的折线：预测（已评判回答的平均置信度）和实际（被评为正确的比例）。{alerts} 周被标记为校准偏移。",
      legendPredicted: "预测", legendObserved: "实际", legendDrift: "校准偏移",
      pointTitle: "{week}：{what} {v}（{n} 条已评判）", axisCorrect: "正确率",
      histCaption: "{week}（最近一周）机器人回复的置信度分布（按十分位）", histNone: "没有可显示的机器人回复。",
      histTitle: "{week} 的 {n} 条机器人回复按置信度十分位堆叠",
      histDesc: "各置信度区间的回复数：{list}。{below} 低于阈值 {th}。",
      histSeg: "{range}：{n} 条（{share}）", histLegend: "{range}：{n} 条", weeksOne: "1 周", weeksN: "{n} 周", thresholdMark: "阈值 {th}：{below} 低于阈值"
    }
  };

  // t translates key (English when Chinese lacks it) and fills {name} placeholders from params.
  function t(k, params) {
    var dict = STRINGS[lang] || STRINGS.en;
    var s = dict[k] !== undefined ? dict[k] : STRINGS.en[k] !== undefined ? STRINGS.en[k] : k;
    if (params) s = s.replace(/\{(\w+)\}/g, function (m, n) { return params[n] !== undefined ? String(params[n]) : m; });
    return s;
  }
  // tOr is t(k), or fallback when no language has k (a code the console has no words for yet).
  function tOr(k, fallback) { return STRINGS.en[k] !== undefined ? t(k) : fallback; }
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
    closeArticle(false);
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
    // The probe answers 200 {"signed_in": false} when signed out: no error in the browser's log.
    fetch("/api/trainer/session", { credentials: "same-origin" }).then(function (res) {
      if (!res.ok) { showSignIn(res.status === 403 ? t("wrongRole") : ""); return; }
      return res.json().then(function (me) { if (me.signed_in === false) showSignIn(""); else startSession(me); });
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
      text += calibrationText(s.calibration);
      if (s.calibration && s.calibration.state !== "done" && !s.reembedding) statusTimer = setTimeout(refreshStatus, 2000);
      $("status").textContent = text;
    }).catch(report);
  }

  // calibrationText describes the answer calibrator fitted on the knowledge base.
  function calibrationText(c) {
    if (!c || !c.state) return "";
    if (c.state === "running") return " · fitting confidence… " + (c.done || 0) + "/" + (c.total || 0);
    if (c.state === "waiting") return " · confidence waits for vectors";
    if (c.state === "failed") return " · confidence fit failed: " + (c.error || "");
    var langs = (c.fit && c.fit.langs) || {}, parts = [];
    Object.keys(langs).sort().forEach(function (l) {
      var x = langs[l];
      parts.push(l + " ECE " + num(x.ece, 3) + ", coverage " + num(x.coverage, 2) + " at precision " + num(x.precision, 2));
    });
    return " · confidence fitted on the knowledge base" + (parts.length ? " (" + parts.join("; ") + ")" : "");
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
      $("chunk-meta").textContent = meta;
      loadPhrasings(openDocId);
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

  // Similar questions of the open document: edited here, saved as one change.
  var phrasings = [];

  function loadPhrasings(id) {
    $("phrasing-note").textContent = "";
    api("GET", "/api/v1/kb/documents/" + encodeURIComponent(id) + "/phrasings").then(function (p) {
      if (id !== openDocId) return;
      phrasings = (p && p.phrasings) || [];
      renderPhrasings();
    }).catch(report);
  }

  function renderPhrasings() {
    var list = $("phrasing-list");
    list.textContent = "";
    phrasings.forEach(function (q, i) {
      var li = document.createElement("li");
      li.className = "phrasing";
      var input = document.createElement("input");
      input.type = "text"; input.value = q; input.maxLength = 400;
      input.setAttribute("aria-label", "Similar question " + (i + 1));
      input.addEventListener("input", function () { phrasings[i] = input.value; });
      var del = document.createElement("button");
      del.type = "button"; del.className = "plain"; del.textContent = "×";
      del.setAttribute("aria-label", "Remove “" + q + "”");
      del.addEventListener("click", function () { phrasings.splice(i, 1); renderPhrasings(); savePhrasings(); });
      li.appendChild(input); li.appendChild(del);
      list.appendChild(li);
    });
    if (!phrasings.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "No similar questions yet.";
      list.appendChild(none);
    }
  }

  function savePhrasings() {
    var id = openDocId;
    if (!id) return;
    api("PUT", "/api/v1/kb/documents/" + encodeURIComponent(id) + "/phrasings", { phrasings: phrasings }).then(function (p) {
      if (id !== openDocId) return;
      phrasings = (p && p.phrasings) || [];
      renderPhrasings();
      $("phrasing-note").textContent = "Saved " + count(phrasings.length, "similar question") + ".";
      showError("");
      refreshStatus();
    }).catch(function (e) { $("phrasing-note").textContent = ""; report(e); });
  }

  function addPhrasing(e) {
    e.preventDefault();
    var v = $("phrasing-input").value.trim();
    if (!v) { showError("Type how a customer would ask for this article."); return; }
    phrasings.push(v);
    $("phrasing-input").value = "";
    renderPhrasings();
    savePhrasings();
  }

  // Synonym groups of one language: one group per line, words separated by commas.
  function loadSynonyms() {
    api("GET", "/api/v1/kb/synonyms").then(function (data) {
      var groups = ((data && data.languages) || {})[$("synonym-lang").value] || [];
      $("synonym-text").value = groups.map(function (g) { return g.join(", "); }).join("\n");
      $("synonym-note").textContent = count(groups.length, "group") + ".";
    }).catch(report);
  }

  function saveSynonyms(e) {
    e.preventDefault();
    var groups = $("synonym-text").value.split("\n").map(function (line) {
      return line.split(/[,，、]/).map(function (w) { return w.trim(); }).filter(Boolean);
    }).filter(function (g) { return g.length; });
    var lng = $("synonym-lang").value;
    api("PUT", "/api/v1/kb/synonyms/" + encodeURIComponent(lng), { groups: groups }).then(function (r) {
      $("synonym-note").textContent = "Saved " + count(r.groups, "group") + ".";
      showError("");
    }).catch(function (err) { $("synonym-note").textContent = ""; report(err); });
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
        cell(tr, h.phrase ? "“" + h.phrase.text + "” #" + h.phrase.rank + " · " + num(h.phrase.lexical, 2) + " · " + num(h.phrase.vector, 2) : "—",
          "phrase" + (h.phrase ? "" : " muted"));
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
      $("intent-try-result").textContent = "Imported " + data.intents + " intents; the bot is retraining in the background.";
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

  // fillText renders an answer into box as text only (never HTML): lines starting with "- " (or
  // "* ", "• ") become a bulleted list, lines starting with "1. " a numbered one.
  function fillText(box, text) {
    var list = null, para = [];
    function flush() { if (para.length) box.appendChild(el("p", "answer-text", para.join("\n"))); para = []; }
    String(text || "").split("\n").forEach(function (line) {
      var b = /^\s*[-*\u2022]\s+(\S.*)$/.exec(line), n = /^\s*(\d{1,3})[.)]\s+(\S.*)$/.exec(line);
      var kind = b ? "ul" : n ? "ol" : "";
      if (!kind) {
        list = null;
        if (line.trim()) para.push(line); else flush();
        return;
      }
      flush();
      if (!list || list.tagName.toLowerCase() !== kind) {
        list = el(kind, "answer-list");
        if (n && n[1] !== "1") list.start = Number(n[1]);
        box.appendChild(list);
      }
      list.appendChild(el("li", null, b ? b[1] : n[2]));
    });
    flush();
    return box;
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
    bot.appendChild(it.bot_answer ? fillText(el(replaced ? "del" : "div", ""), it.bot_answer) : el("span", "muted", t("noBotAnswer")));
    var agent = el("div", "answer agent");
    agent.appendChild(el("span", "who", t("agent")));
    agent.appendChild(it.answer ? fillText(el(replaced ? "ins" : "div", ""), it.answer) : el("span", "muted", t("noAgentAnswer")));
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
    if (it.intent) {
      var ex = el("button", "secondary small-btn review-example", t("addAsExample"));
      ex.type = "button";
      ex.addEventListener("click", function (e) { e.stopPropagation(); openExampleForm(it, ex); });
      row.appendChild(ex);
    }
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
    // A handoff the customer asked for (or policy made) was right: the default expects a handoff,
    // not the agent's reply, which may answer a later question.
    var policy = one && (one.handoff_reason === "customer_request" || one.handoff_reason === "intent_policy");
    $("accept-decision").value = policy ? "handoff" : "";
    $("accept-answer").value = one && !policy ? one.answer || "" : "";
    $("accept-for").textContent = one ? t("acceptFor", { text: clip(one.text, 200) }) : "";
    $("accept-policy").textContent = policy ? t("acceptPolicy", { why: t("why_" + one.handoff_reason) }) : "";
    $("accept-answer").placeholder = one ? "" : t("answerBulk");
    $("accept-intent").value = "";
    $("accept-sources").value = "";
    var cited = one && one.sources ? one.sources.map(function (s) { return s.id; }).filter(Boolean) : [];
    $("accept-hint").textContent = cited.length ? t("sourcesHint", { ids: cited.join(", ") }) : "";
    $("accept-error").textContent = "";
    $("accept-answer").disabled = policy;
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
      e: function () {
        var it = review.items[review.current], li = $("review-list").children[review.current];
        if (it && it.intent && li) openExampleForm(it, li.querySelector(".review-example"));
      },
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
    $("run-set").addEventListener("click", startRun);
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
    $("run-set").hidden = !has;
    $("run-set").disabled = !!runJob.id;
    if (has) $("run-set").setAttribute("aria-label", t("runSetLabel", { set: evalsState.set }));
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

  // rate shows a run's rate, or n/a when no case of the set is judged on it (a 0 % there would
  // read as a failure).
  function rate(tr, m, key, judgedBy) {
    if (m.judged && judgedBy && !m.judged[judgedBy]) {
      var c = cell(tr, t("na"), "num muted");
      c.title = t("naTitle");
      return c;
    }
    return cell(tr, pct(m[key]), "num");
  }

  function runRow(r) {
    var m = r.metrics || {}, tr = document.createElement("tr");
    tr.dataset.run = r.id;
    var idCell = cell(tr, shortRun(r.id), "mono small nowrap");
    idCell.title = r.id;
    cell(tr, when(r.created_at), "nowrap");
    cell(tr, pct(m.accuracy), "num"); rate(tr, m, "intent_accuracy", "intent"); rate(tr, m, "oos_recall", "oos");
    rate(tr, m, "decision_precision", "answered");
    cell(tr, typeof m.coverage === "number" ? t("coverageAt", { cov: pct(m.coverage), target: num(m.target, 2) }) : "—", "num nowrap");
    cell(tr, num(m.ece, 3), "num");
    var baseCell = cell(tr, r.baseline ? shortRun(r.baseline) : "—", "mono small nowrap" + (r.baseline ? "" : " muted"));
    if (r.baseline) baseCell.title = r.baseline;
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

  // shortRun shortens a run id ("run-20261204-013000-ab12cd") to its time and suffix for the table;
  // the full id is the cell's title.
  function shortRun(id) {
    var m = /^run-(\d{8})-(\d{6})-(\w+)$/.exec(id || "");
    return m ? m[2].slice(0, 2) + ":" + m[2].slice(2, 4) + " " + m[3] : id;
  }

  // runJob is the console's current run: it polls the job until it is done, then reloads the set.
  var runJob = { id: "", timer: 0 };

  function startRun() {
    var set = evalsState.set;
    if (!set || runJob.id) return;
    $("run-set").disabled = true;
    $("run-status").textContent = t("runStarting");
    api("POST", "/api/trainer/sets/" + encodeURIComponent(set) + "/run").then(function (j) {
      runJob.id = j.id;
      pollRun(set, 0);
    }).catch(function (err) {
      $("run-set").disabled = false;
      $("run-status").textContent = err.unauthorized ? "" : t("runFailed", { error: err.message });
    });
  }

  function pollRun(set, misses) {
    api("GET", "/api/trainer/jobs/" + encodeURIComponent(runJob.id)).then(function (j) {
      if (j.status === "running") {
        $("run-status").textContent = t("runProgress", { set: set, done: j.done || 0, total: j.total || "…" });
        runJob.timer = setTimeout(function () { pollRun(set, 0); }, 500);
        return;
      }
      runJob.id = "";
      $("run-set").disabled = false;
      $("run-status").textContent = j.status === "done" ? t("runDone", { id: j.run_id }) : t("runFailed", { error: j.error || "" });
      if (evalsState.set === set) loadSet(set);
      loadSets();
    }).catch(function (err) {
      if (err.status === 404 && misses < 120) { // polled on another replica: wait for the run to be listed
        $("run-status").textContent = t("runElsewhere");
        runJob.timer = setTimeout(function () { pollRun(set, misses + 1); }, 1000);
        return;
      }
      runJob.id = "";
      $("run-set").disabled = false;
      $("run-status").textContent = err.unauthorized ? "" : t("runFailed", { error: err.message });
      if (evalsState.set === set) loadSet(set);
    });
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
    var range = "?from=" + from + "&to=" + dayAfter(to);
    return Promise.all([api("GET", "/api/trainer/analytics" + range), api("GET", "/api/trainer/actions/stats" + range).catch(function () { return null; })]).then(function (r) {
      if (mine !== analytics.seq) return;
      var d = r[0];
      analytics.data = d || {}; analytics.actions = (r[1] && r[1].actions) || []; analytics.from = from; analytics.to = to;
      renderAnalytics();
      showError("");
    }).catch(report);
  }

  function renderAnalytics() {
    var d = analytics.data;
    if (!d) return;
    renderFigures(d);
    renderReasons(d.handoff_reasons || {});
    renderTags("intent-mix", d.intent_mix || {}, t("intentMixTitle"), t("noIntents"));
    renderChannels(d.by_channel || {});
    renderActions(analytics.actions || []);
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
      var tag = el("span", "tag", (r ? tOr("hr_" + r, r) : t("reasonNone")) + " " + reasons[r]);
      if (r) tag.title = r; // the code, as the API and exports name it
      p.appendChild(tag);
    });
  }

  // renderTags lists counts by name, largest first, under a title.
  function renderTags(id, counts, title, empty) {
    var p = $(id), names = Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; });
    p.textContent = "";
    if (!names.length) { p.appendChild(el("span", "muted", empty)); return; }
    p.appendChild(el("strong", "", title + " "));
    names.forEach(function (n, i) {
      if (i) p.appendChild(document.createTextNode(" · "));
      p.appendChild(el("span", "tag", n + " " + counts[n]));
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

  // renderActions lists each bot action's calls, success rate, p95 latency and failures by kind.
  function renderActions(stats) {
    var body = $("action-table").querySelector("tbody");
    body.textContent = "";
    stats.forEach(function (s) {
      var tr = document.createElement("tr"), f = s.failures || {};
      tr.dataset.action = s.action;
      cell(tr, s.action); cell(tr, (s.calls || 0).toLocaleString(locale()), "num calls");
      cell(tr, pct(s.success_rate), "num success"); cell(tr, Math.round(s.p95_ms || 0) + " ms", "num p95 nowrap");
      cell(tr, Object.keys(f).sort().map(function (k) { return k + " " + f[k]; }).join(" · ") || "—", "failures");
      body.appendChild(tr);
    });
    if (!stats.length) {
      var tr = document.createElement("tr");
      cell(tr, t("noActionCalls"), "muted").colSpan = 5;
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

  // ---- Shared: date ranges, days -----------------------------------------------------------------

  function setRange(fromId, toId, days) {
    var to = new Date(), from = new Date();
    from.setUTCDate(from.getUTCDate() - (days - 1));
    $(fromId).value = utcDay(from);
    $(toId).value = utcDay(to);
  }

  // rangeQuery gives "from=…&to=…" for a pair of date inputs (to is inclusive there, exclusive in
  // the API), filling in the last days days when either is empty; null when the range is backwards.
  function rangeQuery(fromId, toId, days) {
    if (!$(fromId).value || !$(toId).value) setRange(fromId, toId, days);
    var from = $(fromId).value, to = $(toId).value;
    if (from > to) { showError(t("badRange")); return null; }
    return { from: from, to: to, query: "from=" + from + "&to=" + dayAfter(to) };
  }

  function day(s) {
    var d = s ? new Date(s) : null;
    if (!d || isNaN(d.getTime())) return "";
    try { return d.toLocaleDateString(locale(), { dateStyle: "medium" }); } catch (e) { return d.toLocaleDateString(); }
  }

  // points formats a difference of two shares as signed percentage points.
  function points(x) {
    if (typeof x !== "number" || !isFinite(x)) return "—";
    var v = x * 100;
    return t("points", { n: (v > 0.05 ? "+" : v < -0.05 ? "−" : "±") + Math.abs(v).toFixed(1) });
  }

  // ---- Knowledge gaps ----------------------------------------------------------------------------

  var gapsState = { gaps: [], loaded: false, seq: 0, target: null, opener: null, langTouched: false };
  var CJK_CHAR = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;

  // guessLang says "zh" when a text has at least as many CJK characters as Latin words.
  function guessLang(text) {
    var cjk = (String(text || "").match(CJK_CHAR) || []).length;
    var words = (String(text || "").match(/[A-Za-z]+/g) || []).length;
    return cjk > 0 && cjk >= words ? "zh" : "en";
  }

  function loadGaps(e) {
    if (e) e.preventDefault();
    var r = rangeQuery("gaps-from", "gaps-to", 30);
    if (!r) return Promise.resolve();
    var mine = ++gapsState.seq;
    return api("GET", "/api/trainer/gaps?" + r.query).then(function (d) {
      if (mine !== gapsState.seq) return;
      gapsState.gaps = (d && d.gaps) || [];
      gapsState.loaded = true;
      renderGaps();
      showError("");
    }).catch(report);
  }

  function renderGaps() {
    var list = $("gap-list"), gaps = gapsState.gaps;
    list.textContent = "";
    gaps.forEach(function (g) { list.appendChild(gapCard(g)); });
    var questions = gaps.reduce(function (a, g) { return a + (Number(g.size) || 0); }, 0);
    var withArticle = gaps.filter(function (g) { return g.article_at; }).length;
    $("gaps-summary").textContent = gaps.length ? t("gapsSummary", { n: gaps.length, q: questions, a: withArticle }) : "";
    $("gaps-empty").textContent = t("gapsNone");
    $("gaps-empty").hidden = !gapsState.loaded || gaps.length > 0;
    markGap();
  }

  function gapCard(g) {
    var li = el("li", "gap card" + (g.article_at ? " has-article" : ""));
    li.dataset.gap = g.key;
    var head = el("div", "gap-head");
    var h = el("h3", "gap-title", clip(g.title, 200));
    if (/^[\w-]+$/.test(g.key || "")) { h.id = "gap-title-" + g.key; li.setAttribute("aria-labelledby", h.id); }
    head.appendChild(h);
    head.appendChild(el("span", "badge gap-size", g.size === 1 ? t("gapSizeOne") : t("gapSize", { n: g.size })));
    var first = day(g.first_at), last = day(g.last_at);
    var span = el("span", "muted small gap-span", first === last ? first : t("gapSpan", { first: first, last: last }));
    head.appendChild(span);
    li.appendChild(head);
    var cols = el("div", "gap-cols");
    cols.appendChild(gapList(t("gapAsked"), g.examples, "gap-examples", ""));
    cols.appendChild(gapList(t("gapAnswered"), g.answers, "gap-answers", t("gapNoAnswers")));
    li.appendChild(cols);
    var foot = el("div", "gap-foot");
    if (g.article_at) {
      var since = el("p", "gap-article");
      since.appendChild(el("strong", "ok", t("articleSince", { date: day(g.article_at) })));
      since.appendChild(document.createTextNode(" · "));
      var a = link("/kb/" + encodeURIComponent(g.article_id), g.article_id);
      a.className = "mono small";
      since.appendChild(a);
      foot.appendChild(since);
      var better = g.rate_after < g.rate_before;
      var rates = el("p", "gap-rates" + (better ? " improved" : ""));
      rates.appendChild(el("strong", "", t("articleRates", { before: t("perDay", { n: num(g.rate_before, 1) }), after: t("perDay", { n: num(g.rate_after, 1) }) })));
      rates.appendChild(el("span", "muted small", " " + t("articleCounts", { b: g.handoffs_before || 0, a: g.handoffs_after || 0 })));
      foot.appendChild(rates);
    }
    var btn = el("button", g.article_at ? "secondary gap-create" : "gap-create", t(g.article_at ? "updateArticle" : "createArticle"));
    btn.type = "button";
    btn.setAttribute("aria-label", t(g.article_at ? "updateArticleLabel" : "createArticleLabel", { title: clip(g.title, 60) }));
    btn.addEventListener("click", function () { openArticle(g, btn); });
    foot.appendChild(btn);
    li.appendChild(foot);
    return li;
  }

  function gapList(title, items, cls, empty) {
    var box = el("div", "gap-col " + cls);
    box.appendChild(el("h4", "", title));
    if (!items || !items.length) { box.appendChild(el("p", "muted small", empty)); return box; }
    var ul = el("ul");
    items.forEach(function (x) { ul.appendChild(el("li", "", x)); });
    box.appendChild(ul);
    return box;
  }

  function markGap() {
    var key = gapsState.target && !$("article-form").hidden ? gapsState.target.key : null;
    Array.prototype.forEach.call($("gap-list").children, function (li) { li.classList.toggle("selected", li.dataset.gap === key); });
  }

  function openArticle(g, opener) {
    gapsState.target = g;
    gapsState.opener = opener || null;
    gapsState.langTouched = false;
    $("article-for").textContent = t("articleFor", { title: clip(g.title, 80), n: g.size === 1 ? t("gapSizeOne") : t("gapSize", { n: g.size }) });
    $("article-id").value = g.article_id || "gap-" + g.key;
    $("article-title").value = String(g.title || "").replace(/\s+/g, " ").trim();
    $("article-body").value = g.article || "";
    $("article-lang").value = guessLang($("article-title").value + "\n" + $("article-body").value);
    $("article-error").textContent = "";
    $("article-form").hidden = false;
    markGap();
    $("article-title").focus();
  }

  function closeArticle(refocus) {
    $("article-form").hidden = true;
    markGap();
    var opener = gapsState.opener;
    gapsState.target = null;
    if (refocus && opener && document.body.contains(opener)) opener.focus();
  }

  function regessLang() {
    if (!gapsState.langTouched) $("article-lang").value = guessLang($("article-title").value + "\n" + $("article-body").value);
  }

  // articleMarkdown is the file the knowledge import takes: front matter, then the body.
  function articleMarkdown(id, title, lang, body) {
    return "---\nid: " + id + "\ntitle: " + title + "\nlang: " + lang + "\n---\n\n" + body + "\n";
  }

  function submitArticle(e) {
    e.preventDefault();
    var g = gapsState.target;
    if (!g) { closeArticle(false); return; }
    var id = $("article-id").value.trim(), title = $("article-title").value.replace(/\s+/g, " ").trim();
    var body = $("article-body").value.replace(/\r\n?/g, "\n").trim(), lang = $("article-lang").value === "zh" ? "zh" : "en";
    if (!title || !body) { $("article-error").textContent = t("articleNeeds"); (title ? $("article-body") : $("article-title")).focus(); return; }
    var form = new FormData();
    form.append("file", new Blob([articleMarkdown(id, title, lang, body)], { type: "text/markdown" }), id + ".md");
    var btn = $("article-submit"), sent = key, path = "/api/v1/kb/import", gapKey = g.key;
    busy(btn, true);
    $("article-error").textContent = "";
    fetch(path, { method: "POST", credentials: "same-origin", headers: headers(), body: form }).then(function (res) {
      return handle(res, sent, path);
    }, function () { throw failure(t("unreachable"), 0); }).then(function (rep) {
      var f = rep && rep.files && rep.files[0];
      if (f && f.error) throw failure(f.error, 400);
      closeArticle(false);
      $("gaps-note").textContent = t("articleUploaded", { title: clip(title, 80), id: id });
      refreshStatus();
      return loadGaps().then(function () {
        var b = $("gap-list").querySelector('li[data-gap="' + cssEscape(gapKey) + '"] .gap-create');
        if (b) b.focus();
      });
    }).catch(function (err) {
      if (!err.unauthorized) $("article-error").textContent = err.message;
    }).then(function () { busy(btn, false); });
  }

  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&"); }

  function wireGaps() {
    $("gaps-form").addEventListener("submit", function (e) { $("gaps-note").textContent = ""; loadGaps(e); });
    $("article-form").addEventListener("submit", submitArticle);
    $("article-close").addEventListener("click", function () { closeArticle(true); });
    $("article-cancel").addEventListener("click", function () { closeArticle(true); });
    $("article-title").addEventListener("input", regessLang);
    $("article-body").addEventListener("input", regessLang);
    $("article-lang").addEventListener("change", function () { gapsState.langTouched = true; });
    $("article-form").addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); closeArticle(true); }
      else if (e.key === "Enter" && (e.ctrlKey || e.metaKey || e.target.tagName === "SELECT")) { e.preventDefault(); $("article-submit").click(); }
    });
  }

  // ---- Confidence and calibration drift ------------------------------------------------------------

  var conf = { data: null, from: "", to: "", seq: 0 };

  function loadConfidence(e) {
    if (e) e.preventDefault();
    var r = rangeQuery("confidence-from", "confidence-to", 84);
    if (!r) return Promise.resolve();
    var mine = ++conf.seq;
    return api("GET", "/api/trainer/confidence?" + r.query).then(function (d) {
      if (mine !== conf.seq) return;
      conf.data = d || {}; conf.from = r.from; conf.to = r.to;
      renderConfidence();
      showError("");
    }).catch(report);
  }

  function driftDir(w) { return t(w.drift > 0 ? "overConfident" : "underConfident"); }

  function renderConfidence() {
    var d = conf.data;
    if (!d) return;
    var weeks = d.weeks || [], th = d.threshold;
    var sum = function (f) { return weeks.reduce(function (a, w) { return a + (Number(w[f]) || 0); }, 0); };
    $("confidence-summary").textContent = weeks.length
      ? t("confSummary", { th: num(th, 2), n: weeks.length === 1 ? t("weeksOne") : t("weeksN", { n: weeks.length }), turns: sum("turns").toLocaleString(locale()), judged: sum("judged").toLocaleString(locale()) })
      : t("confNone");
    var alerts = weeks.filter(function (w) { return w.alert; }), box = $("confidence-alert");
    box.textContent = "";
    if (alerts.length) {
      box.appendChild(el("strong", "", t("alertLead", { badge: t("driftBadge") })));
      box.appendChild(document.createTextNode(t("driftAlert", { weeks: alerts.map(function (w) {
        return t("driftWeek", { week: w.week, dir: driftDir(w), pts: points(w.drift) });
      }).join(", ") })));
    }
    box.hidden = !alerts.length;
    drawCalibration(weeks);
    renderConfidenceTable(weeks);
    drawHistogram(weeks[weeks.length - 1], th);
  }

  function renderConfidenceTable(weeks) {
    var body = $("confidence-table").querySelector("tbody");
    body.textContent = "";
    weeks.forEach(function (w) {
      var tr = document.createElement("tr"), judged = w.judged > 0;
      tr.dataset.week = w.week;
      if (w.alert) tr.className = "alert";
      cell(tr, w.week, "mono nowrap");
      cell(tr, (w.turns || 0).toLocaleString(locale()), "num");
      cell(tr, pct(w.below_share), "num");
      cell(tr, (w.judged || 0).toLocaleString(locale()), "num");
      cell(tr, judged ? pct(w.predicted) : "—", "num");
      cell(tr, judged ? pct(w.observed) : "—", "num");
      cell(tr, judged ? points(w.drift) : "—", "num nowrap");
      var flag = cell(tr, "", "nowrap");
      if (w.alert) flag.appendChild(el("span", "badge drift-badge", "⚠ " + t("driftBadge") + " · " + driftDir(w)));
      else if (judged && w.judged < 20) flag.appendChild(el("span", "muted small", t("fewJudged")));
      body.appendChild(tr);
    });
    if (!weeks.length) {
      var tr = document.createElement("tr");
      cell(tr, t("confNone"), "muted").colSpan = 8;
      body.appendChild(tr);
    }
  }

  // drawCalibration draws, per week, the predicted and observed correctness (0–100%) as two lines;
  // weeks flagged for drift get a shaded band. Weeks without judged turns break the lines.
  function drawCalibration(weeks) {
    var box = $("confidence-chart-box");
    box.textContent = "";
    var W = 760, H = 280, m = { top: 34, right: 24, bottom: 40, left: 56 }, w = W - m.left - m.right, h = H - m.top - m.bottom;
    var root = svgEl("svg", { id: "confidence-chart", viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-labelledby": "confidence-chart-title confidence-chart-desc", class: "chart calib" }, box);
    svgEl("title", { id: "confidence-chart-title" }, root, t("calibTitle", { from: conf.from, to: conf.to }));
    svgEl("desc", { id: "confidence-chart-desc" }, root, t("calibDesc", { n: weeks.length, alerts: weeks.filter(function (x) { return x.alert; }).length }));
    var band = w / Math.max(weeks.length, 1), yr = function (r) { return m.top + h - h * Math.max(0, Math.min(1, r)); };
    var bands = svgEl("g", { class: "drift-bands" }, root);
    weeks.forEach(function (wk, i) {
      if (!wk.alert) return;
      var r = svgEl("rect", { x: (m.left + i * band).toFixed(1), y: m.top, width: band.toFixed(1), height: h, class: "drift-band" }, bands);
      svgEl("title", {}, r, wk.week + ": " + t("driftBadge") + " (" + driftDir(wk) + ", " + points(wk.drift) + ")");
    });
    var axes = svgEl("g", { class: "axes" }, root);
    [0, 0.25, 0.5, 0.75, 1].forEach(function (r) {
      var yy = yr(r).toFixed(1);
      svgEl("line", { x1: m.left, x2: m.left + w, y1: yy, y2: yy, class: r ? "grid" : "axis" }, axes);
      svgEl("text", { x: m.left - 6, y: yy, dy: "0.32em", "text-anchor": "end", class: "tick" }, axes, Math.round(r * 100) + "%");
    });
    svgEl("line", { x1: m.left, x2: m.left, y1: m.top, y2: m.top + h, class: "axis" }, axes);
    var midY = m.top + h / 2;
    svgEl("text", { x: 14, y: midY, transform: "rotate(-90 14 " + midY + ")", "text-anchor": "middle", class: "axis-title" }, axes, t("axisCorrect"));
    var every = Math.max(1, Math.ceil(weeks.length / 14));
    weeks.forEach(function (wk, i) {
      if (i % every && i !== weeks.length - 1) return;
      var x = (m.left + (i + 0.5) * band).toFixed(1);
      svgEl("line", { x1: x, x2: x, y1: m.top + h, y2: m.top + h + 4, class: "axis" }, axes);
      svgEl("text", { x: x, y: m.top + h + 18, "text-anchor": "middle", class: "tick" + (wk.alert ? " alert-tick" : "") }, axes,
        String(wk.week || "").replace(/^\d{4}-/, ""));
    });
    if (!weeks.some(function (x) { return x.judged > 0; })) {
      svgEl("text", { x: m.left + w / 2, y: m.top + h / 2, "text-anchor": "middle", class: "tick empty-note" }, root, t("noJudged"));
    }
    calibLine(root, weeks, "predicted", "predicted", m, band, yr);
    calibLine(root, weeks, "observed", "observed", m, band, yr);
    var lg = svgEl("g", { class: "legend", transform: "translate(" + m.left + " 12)" }, root);
    svgEl("line", { x1: 0, x2: 22, y1: 6, y2: 6, class: "line predicted" }, lg);
    svgEl("circle", { cx: 11, cy: 6, r: 3.5, class: "dot predicted" }, lg);
    svgEl("text", { x: 28, y: 6, dy: "0.32em", class: "tick" }, lg, t("legendPredicted"));
    svgEl("line", { x1: 130, x2: 152, y1: 6, y2: 6, class: "line observed" }, lg);
    svgEl("circle", { cx: 141, cy: 6, r: 3.5, class: "dot observed" }, lg);
    svgEl("text", { x: 158, y: 6, dy: "0.32em", class: "tick" }, lg, t("legendObserved"));
    svgEl("rect", { x: 260, y: 0, width: 14, height: 12, class: "drift-band" }, lg);
    svgEl("text", { x: 280, y: 6, dy: "0.32em", class: "tick" }, lg, t("legendDrift"));
  }

  function calibLine(root, weeks, field, cls, m, band, yr) {
    var g = svgEl("g", { class: "calib-line " + cls }, root), path = "", pen = false;
    weeks.forEach(function (wk, i) {
      if (!wk.judged) { pen = false; return; }
      var x = (m.left + (i + 0.5) * band).toFixed(1), yy = yr(wk[field] || 0).toFixed(1);
      path += (pen ? " L" : " M") + x + " " + yy;
      pen = true;
      var dot = svgEl("circle", { cx: x, cy: yy, r: 3.5, class: "dot " + cls }, g);
      dot.dataset.week = wk.week;
      svgEl("title", {}, dot, t("pointTitle", { week: wk.week, what: t(field), v: pct(wk[field]), n: wk.judged }));
    });
    if (path) g.insertBefore(svgEl("path", { d: path.trim(), class: "line " + cls }), g.firstChild);
  }

  // drawHistogram stacks the latest week's turns by confidence tenth in one bar (red: unsure,
  // green: sure), with the threshold marked where the turns below it end.
  function drawHistogram(wk, th) {
    var box = $("confidence-histogram-box");
    box.textContent = "";
    $("histogram-caption").textContent = wk ? t("histCaption", { week: wk.week }) : t("histNone");
    if (!wk || !wk.turns) return;
    var hist = wk.histogram || [], total = hist.reduce(function (a, n) { return a + (Number(n) || 0); }, 0) || 1;
    var W = 760, H = 128, m = { left: 16, right: 16 }, w = W - m.left - m.right, y0 = 26, bh = 30;
    var range = function (i) { return (i / 10).toFixed(1) + "–" + ((i + 1) / 10).toFixed(1); };
    var root = svgEl("svg", { id: "confidence-histogram", viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-labelledby": "confidence-histogram-title confidence-histogram-desc", class: "chart hist" }, box);
    svgEl("title", { id: "confidence-histogram-title" }, root, t("histTitle", { n: wk.turns, week: wk.week }));
    svgEl("desc", { id: "confidence-histogram-desc" }, root, t("histDesc", {
      list: hist.map(function (n, i) { return range(i) + " " + n; }).join(", "), below: pct(wk.below_share), th: num(th, 2) }));
    var x = m.left, segs = svgEl("g", { class: "segments" }, root);
    hist.forEach(function (n, i) {
      var sw = w * (Number(n) || 0) / total;
      var r = svgEl("rect", { x: x.toFixed(1), y: y0, width: sw.toFixed(1), height: bh, class: "seg tenth-" + i, fill: tenthColour(i) }, segs);
      r.dataset.tenth = String(i);
      svgEl("title", {}, r, t("histSeg", { range: range(i), n: n, share: pct(n / total) }));
      if (sw >= 40) svgEl("text", { x: (x + sw / 2).toFixed(1), y: y0 + bh / 2, dy: "0.32em", "text-anchor": "middle", class: "seg-label" }, segs, pct(n / total, 0));
      x += sw;
    });
    if (typeof wk.below_share === "number") {
      var tx = m.left + w * wk.below_share;
      svgEl("line", { x1: tx.toFixed(1), x2: tx.toFixed(1), y1: y0 - 8, y2: y0 + bh + 4, class: "threshold" }, root);
      svgEl("text", { x: tx.toFixed(1), y: y0 - 12, "text-anchor": tx > W - 160 ? "end" : tx < 160 ? "start" : "middle", class: "tick" }, root,
        t("thresholdMark", { th: num(th, 2), below: pct(wk.below_share, 0) }));
    }
    var lg = svgEl("g", { class: "legend", transform: "translate(" + m.left + " " + (y0 + bh + 16) + ")" }, root), step = w / 5;
    for (var i = 0; i < 10; i++) {
      var lx = (i % 5) * step, ly = Math.floor(i / 5) * 20;
      svgEl("rect", { x: lx.toFixed(1), y: ly, width: 12, height: 12, fill: tenthColour(i) }, lg);
      svgEl("text", { x: (lx + 16).toFixed(1), y: ly + 6, dy: "0.32em", class: "tick" }, lg, t("histLegend", { range: range(i), n: hist[i] || 0 }));
    }
  }

  // tenthColour runs from red (confidence 0–0.1) to green (0.9–1).
  function tenthColour(i) { return "hsl(" + Math.round(i * 13) + " 62% " + (i < 5 ? 52 : 42) + "%)"; }

  // ---- Intent tuning -------------------------------------------------------------------------------

  var PROPOSAL_KEY = "tandem.trainer.proposal", TUNESET_KEY = "tandem.trainer.tuneset";
  // base: the stored intents by name; stats: /api/trainer/intents rows by name; proposal: the
  // edited intents (full objects) by name, kept in sessionStorage until saved or discarded.
  var tuning = { sets: [], set: null, run: "", base: {}, order: [], stats: {}, proposal: {}, selected: null,
    preview: null, stale: false, loaded: false, seq: 0 };

  function loadProposal() {
    try { tuning.proposal = JSON.parse(sessionStorage.getItem(PROPOSAL_KEY) || "{}") || {}; } catch (e) { tuning.proposal = {}; }
  }

  function storeProposal() {
    try {
      if (Object.keys(tuning.proposal).length) sessionStorage.setItem(PROPOSAL_KEY, JSON.stringify(tuning.proposal));
      else sessionStorage.removeItem(PROPOSAL_KEY);
    } catch (e) {}
  }

  // loadBase refreshes the stored intents (full objects: action, answers, team … as well).
  function loadBase() {
    return api("GET", "/api/v1/intents").then(function (d) {
      tuning.base = {};
      tuning.order = [];
      ((d && d.intents) || []).forEach(function (it) { tuning.base[it.name] = it; tuning.order.push(it.name); });
      Object.keys(tuning.proposal).forEach(function (n) { if (!tuning.base[n]) tuning.order.push(n); });
    });
  }

  function loadTuning() {
    var mine = ++tuning.seq;
    return api("GET", "/api/trainer/sets").then(function (d) {
      tuning.sets = ((d && d.sets) || []).map(function (s) { return s.name; });
      if (tuning.set === null) { try { tuning.set = localStorage.getItem(TUNESET_KEY); } catch (e) {} }
      if (tuning.sets.indexOf(tuning.set) < 0) tuning.set = tuning.sets[0] || "";
      fillTuningSets();
      return Promise.all([loadBase(), api("GET", "/api/trainer/intents?set=" + encodeURIComponent(tuning.set))]);
    }).then(function (r) {
      if (mine !== tuning.seq) return;
      tuning.stats = {};
      ((r[1] && r[1].intents) || []).forEach(function (s) { tuning.stats[s.name] = s; });
      tuning.run = (r[1] && r[1].run) || "";
      tuning.loaded = true;
      if (tuning.selected && !tuning.base[tuning.selected] && !tuning.proposal[tuning.selected]) tuning.selected = null;
      renderTuning();
      showError("");
    }).catch(report);
  }

  function fillTuningSets() {
    var sel = $("tuning-set");
    sel.textContent = "";
    if (!tuning.sets.length) { var o = el("option", "", t("noSetOption")); o.value = ""; sel.appendChild(o); }
    tuning.sets.forEach(function (n) { var o = el("option", "", n); o.value = n; sel.appendChild(o); });
    sel.value = tuning.set || "";
  }

  function renderTuning() {
    fillTuningSets();
    $("tuning-run").textContent = !tuning.sets.length ? t("noSetsTuning") : tuning.run ? t("runFrom", { run: tuning.run }) : t("noRun");
    renderTuningTable();
    renderTuningDetail();
    renderProposal();
    renderPreview();
  }

  function examplesOf(name) {
    var p = tuning.proposal[name] || tuning.base[name];
    return (p && p.examples) || [];
  }

  function normEx(s) { return String(s || "").replace(/\s+/g, " ").trim().toLowerCase(); }

  function hasExample(list, text) {
    var n = normEx(text);
    return list.some(function (x) { return normEx(x) === n; });
  }

  // diff counts the examples a proposed intent adds to and removes from the stored one.
  function diff(name) {
    var base = (tuning.base[name] && tuning.base[name].examples) || [], now = examplesOf(name);
    return {
      added: now.filter(function (x) { return !hasExample(base, x); }),
      removed: base.filter(function (x) { return !hasExample(now, x); })
    };
  }

  function renderTuningTable() {
    var body = $("tuning-table").querySelector("tbody");
    body.textContent = "";
    tuning.order.forEach(function (name) {
      var base = tuning.base[name] || tuning.proposal[name] || { name: name, action: "knowledge", examples: [] };
      var st = tuning.stats[name] || {}, changed = !!tuning.proposal[name];
      var tr = document.createElement("tr");
      tr.dataset.intent = name;
      tr.tabIndex = 0;
      tr.className = (name === tuning.selected ? "selected" : "") + (changed ? " changed" : "");
      tr.setAttribute("aria-selected", String(name === tuning.selected));
      var nameCell = cell(tr, name, "mono");
      if (changed) { nameCell.appendChild(document.createTextNode(" ")); nameCell.appendChild(el("span", "badge edited", t("edited"))); }
      cell(tr, t("action_" + (base.action || "knowledge")));
      var was = ((tuning.base[name] && tuning.base[name].examples) || []).length, now = examplesOf(name).length;
      cell(tr, changed && was !== now ? t("countChange", { from: was, to: now }) : now, "num nowrap");
      cell(tr, st.cases ? st.cases : "—", "num" + (st.cases ? "" : " muted"));
      var acc = cell(tr, st.cases ? pct(st.accuracy, 0) : "—", "num" + (st.cases ? st.accuracy < 0.8 ? " low" : "" : " muted"));
      acc.dataset.accuracy = st.cases ? String(st.accuracy) : "";
      var conf = cell(tr, "", "confused");
      (st.confused || []).forEach(function (c) {
        conf.appendChild(el("span", "tag", t("confusedItem", { intent: c.intent || t("noIntentPredicted"), n: c.count })));
      });
      tr.addEventListener("click", function () { selectIntent(name, false); });
      tr.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); selectIntent(name, true); }
        else if (e.key === "ArrowDown" && tr.nextSibling) { e.preventDefault(); tr.nextSibling.focus(); }
        else if (e.key === "ArrowUp" && tr.previousSibling) { e.preventDefault(); tr.previousSibling.focus(); }
      });
      body.appendChild(tr);
    });
    $("tuning-empty").textContent = t("noIntents");
    $("tuning-empty").hidden = !tuning.loaded || tuning.order.length > 0;
  }

  function selectIntent(name, focusInput) {
    tuning.selected = name;
    $("tuning-add-note").textContent = "";
    Array.prototype.forEach.call($("tuning-table").querySelectorAll("tbody tr"), function (tr) {
      var on = tr.dataset.intent === name;
      tr.classList.toggle("selected", on);
      tr.setAttribute("aria-selected", String(on));
    });
    renderTuningDetail();
    if (focusInput) $("tuning-add-input").focus();
  }

  function closeIntent() {
    var was = tuning.selected;
    tuning.selected = null;
    renderTuningTable();
    renderTuningDetail();
    var row = was && $("tuning-table").querySelector('tbody tr[data-intent="' + cssEscape(was) + '"]');
    if (row) row.focus();
  }

  function renderTuningDetail() {
    var name = tuning.selected, box = $("tuning-detail");
    box.hidden = !name;
    box.parentNode.classList.toggle("open", !!name);
    if (!name) return;
    box.dataset.intent = name;
    var st = tuning.stats[name] || {}, list = examplesOf(name), d = diff(name);
    $("tuning-intent-title").textContent = t("intentTitle", { name: name });
    $("tuning-intent-meta").textContent = st.cases
      ? t("intentMeta", { n: list.length, cases: st.cases, acc: pct(st.accuracy, 0) })
      : t("intentMetaNoCases", { n: list.length });
    var ul = $("tuning-examples");
    ul.textContent = "";
    list.forEach(function (text) { ul.appendChild(exampleItem(name, text, hasExample(d.added, text))); });
    d.removed.forEach(function (text) { ul.appendChild(removedItem(name, text)); });
  }

  function exampleItem(name, text, isNew) {
    var li = el("li", "example" + (isNew ? " added" : ""));
    li.dataset.example = text;
    li.appendChild(el("span", "example-text", text));
    if (isNew) li.appendChild(el("span", "badge new", t("exampleNew")));
    var tools = el("span", "example-tools");
    var del = el("button", "danger small-btn example-delete", t("deleteEx"));
    del.type = "button";
    del.setAttribute("aria-label", t("deleteExLabel", { text: clip(text, 60) }));
    del.addEventListener("click", function () { var at = indexOf(li); removeExample(name, text); focusExample(at); });
    var sel = el("select", "example-move");
    sel.setAttribute("aria-label", t("moveLabel", { text: clip(text, 60) }));
    var first = el("option", "", t("moveTo")); first.value = ""; sel.appendChild(first);
    tuning.order.forEach(function (n) { if (n !== name) { var o = el("option", "", n); o.value = n; sel.appendChild(o); } });
    var go = el("button", "secondary small-btn example-move-btn", t("move"));
    go.type = "button";
    go.setAttribute("aria-label", t("moveGo", { text: clip(text, 60) }));
    var doMove = function () {
      if (!sel.value) { $("tuning-add-note").textContent = t("pickTarget"); sel.focus(); return; }
      var at = indexOf(li);
      moveExample(name, text, sel.value);
      focusExample(at);
    };
    go.addEventListener("click", doMove);
    sel.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); doMove(); } });
    tools.appendChild(del); tools.appendChild(sel); tools.appendChild(go);
    li.appendChild(tools);
    return li;
  }

  function removedItem(name, text) {
    var li = el("li", "example removed");
    li.dataset.example = text;
    li.appendChild(el("del", "example-text", text));
    li.appendChild(el("span", "badge gone", t("removedEx")));
    var tools = el("span", "example-tools");
    var undo = el("button", "secondary small-btn example-restore", t("restore"));
    undo.type = "button";
    undo.setAttribute("aria-label", t("restoreLabel", { text: clip(text, 60) }));
    undo.addEventListener("click", function () {
      var p = proposed(name);
      if (p && !hasExample(p.examples, text)) p.examples.push(text);
      $("tuning-add-note").textContent = t("exampleRestored");
      afterEdit();
      $("tuning-add-input").focus();
    });
    tools.appendChild(undo);
    li.appendChild(tools);
    return li;
  }

  function indexOf(li) { return Array.prototype.indexOf.call($("tuning-examples").children, li); }

  // focusExample keeps the keyboard where an example was removed (list redrawn): on the next
  // one's first button, else the add input.
  function focusExample(i) {
    var ul = $("tuning-examples"), next = ul.children[Math.max(0, i)] || ul.children[i - 1];
    var b = next && next.querySelector("button");
    (b || $("tuning-add-input")).focus();
  }

  // proposed returns the proposal for an intent, starting one from the stored intent.
  function proposed(name) {
    if (!tuning.proposal[name]) {
      var b = tuning.base[name];
      if (!b) return null;
      tuning.proposal[name] = { name: b.name, action: b.action || "knowledge", answer: b.answer || "",
        answers: Object.assign({}, b.answers || {}), team: b.team || "", priority: b.priority || "",
        examples: (b.examples || []).slice() };
    }
    return tuning.proposal[name];
  }

  // afterEdit drops proposals that are back to the stored examples, keeps the rest, and redraws.
  function afterEdit() {
    Object.keys(tuning.proposal).forEach(function (n) {
      var b = tuning.base[n], p = tuning.proposal[n];
      if (!b) return;
      var same = p.examples.length === (b.examples || []).length && p.examples.every(function (x) { return hasExample(b.examples || [], x); });
      if (same) delete tuning.proposal[n];
    });
    storeProposal();
    if (tuning.preview) tuning.stale = true;
    renderTuningTable();
    renderTuningDetail();
    renderProposal();
    renderPreview();
  }

  // addExample adds text to the proposal for an intent; it returns a note for the trainer.
  function addExample(name, text) {
    text = String(text || "").replace(/\s+/g, " ").trim();
    if (!text) return { ok: false, note: t("exampleEmpty") };
    var p = proposed(name);
    if (!p) return { ok: false, note: t("noSuchIntent", { name: name }) };
    if (hasExample(p.examples, text)) return { ok: false, note: t("exampleDup", { text: clip(text, 60), intent: name }) };
    p.examples.push(text);
    var other = tuning.order.filter(function (n) { return n !== name && hasExample(examplesOf(n), text); });
    return { ok: true, note: other.length ? t("exampleAlso", { other: other.join(", ") }) : t("exampleAdded", { intent: name }) };
  }

  function removeExample(name, text) {
    var p = proposed(name);
    if (!p) return;
    var n = normEx(text);
    p.examples = p.examples.filter(function (x) { return normEx(x) !== n; });
    $("tuning-add-note").textContent = t("exampleRemoved", { intent: name });
    afterEdit();
  }

  function moveExample(from, text, to) {
    var p = proposed(from), q = proposed(to);
    if (!p || !q) return;
    var n = normEx(text);
    p.examples = p.examples.filter(function (x) { return normEx(x) !== n; });
    if (!hasExample(q.examples, text)) q.examples.push(text);
    $("tuning-add-note").textContent = t("moved", { intent: to });
    afterEdit();
  }

  function submitAddExample(e) {
    e.preventDefault();
    if (!tuning.selected) return;
    var input = $("tuning-add-input"), r = addExample(tuning.selected, input.value);
    $("tuning-add-note").textContent = r.note;
    if (r.ok) { input.value = ""; afterEdit(); }
    input.focus();
  }

  function intentBody(p) {
    return { name: p.name, action: p.action || "knowledge", answer: p.answer || "", answers: p.answers || {},
      team: p.team || "", priority: p.priority || "", examples: p.examples.slice() };
  }

  function changedIntents() { return Object.keys(tuning.proposal).map(function (n) { return tuning.proposal[n]; }); }

  function renderProposal() {
    var list = changedIntents();
    $("tuning-proposal-summary").textContent = list.length
      ? t("proposalSummary", { n: list.length, list: list.map(function (p) {
        var d = diff(p.name);
        return t("proposalItem", { name: p.name, added: d.added.length, removed: d.removed.length });
      }).join(", ") })
      : t("proposalNone");
    $("tuning-preview").disabled = !list.length;
    $("tuning-save").disabled = !list.length;
    $("tuning-discard").disabled = !list.length;
    $("tuning-proposal").classList.toggle("dirty", list.length > 0);
  }

  function previewProposal() {
    var list = changedIntents();
    if (!list.length) { $("tuning-status").textContent = t("proposalNone"); return; }
    if (!tuning.set) { $("tuning-status").textContent = t("pickSetFirst"); $("tuning-set").focus(); return; }
    var btn = $("tuning-preview");
    busy(btn, true);
    $("tuning-status").textContent = t("previewing");
    api("POST", "/api/trainer/intents/preview", { set: tuning.set, intents: list.map(intentBody) }).then(function (r) {
      tuning.preview = r || {};
      tuning.stale = false;
      $("tuning-status").textContent = "";
      renderPreview();
      showError("");
    }).catch(function (err) { $("tuning-status").textContent = ""; report(err); })
      .then(function () { busy(btn, false); renderProposal(); });
  }

  function renderPreview() {
    var r = tuning.preview, box = $("tuning-result");
    box.hidden = !r;
    if (!r) return;
    $("tuning-stale").hidden = !tuning.stale;
    var b = r.before || {}, a = r.after || {}, body = $("tuning-metrics").querySelector("tbody");
    body.textContent = "";
    [["accuracy", "mAccuracy"], ["intent_accuracy", "mIntent"], ["oos_recall", "mOOS"]].forEach(function (m) {
      var tr = document.createElement("tr"), d = (a[m[0]] || 0) - (b[m[0]] || 0);
      tr.dataset.metric = m[0];
      cell(tr, t(m[1]));
      cell(tr, pct(b[m[0]]), "num"); cell(tr, pct(a[m[0]]), "num");
      cell(tr, points(d), "num nowrap " + (d > 0.0005 ? "up" : d < -0.0005 ? "down" : "muted"));
      body.appendChild(tr);
    });
    var tr = document.createElement("tr");
    tr.dataset.metric = "cases";
    cell(tr, t("mCases")); cell(tr, b.cases || 0, "num"); cell(tr, a.cases || 0, "num"); cell(tr, "", "num");
    body.appendChild(tr);
    var changes = r.changes || [], counts = $("tuning-counts");
    counts.textContent = "";
    counts.appendChild(el("strong", (r.regressions ? "bad" : "ok"), t("previewCounts", { fixed: r.fixed || 0, broken: r.regressions || 0 })));
    if (!changes.length) counts.appendChild(el("span", "muted", " " + t("previewNone")));
    else if (changes.length >= 50) counts.appendChild(el("span", "muted", " " + t("changesClip", { n: changes.length })));
    var cb = $("tuning-changes").querySelector("tbody");
    cb.textContent = "";
    changes.forEach(function (c) {
      var row = document.createElement("tr");
      row.dataset.case = c.case_id || "";
      row.dataset.kind = c.kind || "";
      row.className = "kind-" + (c.kind || "");
      cell(row, "").appendChild(el("span", "badge kind-badge kind-" + c.kind, t("kind_" + c.kind)));
      cell(row, c.case_id, "mono small nowrap");
      cell(row, clip(c.text, 160), "case-text");
      cell(row, outcome(c.before), "small");
      cell(row, outcome(c.after), "small");
      cb.appendChild(row);
    });
    $("tuning-changes").hidden = !changes.length;
  }

  // outcome summarises one scored case: the intent predicted, the decision, right or wrong.
  function outcome(res) {
    res = res || {};
    return (res.intent || t("noIntentPredicted")) + " · " + (res.decision || "—") + " · " + (res.correct ? "✓ " + t("right") : "✗ " + t("wrong"));
  }

  function saveTuning() {
    var list = changedIntents();
    if (!list.length) return;
    var btn = $("tuning-save"), ok = 0;
    busy(btn, true);
    $("tuning-status").textContent = t("saving");
    list.reduce(function (p, it) {
      return p.then(function () {
        return api("PUT", "/api/v1/intents/" + encodeURIComponent(it.name), intentBody(it)).then(function () {
          ok++;
          delete tuning.proposal[it.name];
        }, function (err) { err.intent = it.name; throw err; });
      });
    }, Promise.resolve()).then(function () {
      $("tuning-status").textContent = t("saved", { n: ok });
      tuning.preview = null;
      tuning.stale = false;
    }, function (err) {
      $("tuning-status").textContent = err.unauthorized ? "" : t("saveFailed", { ok: ok, n: list.length, name: err.intent || "?", msg: err.message });
    }).then(function () {
      storeProposal();
      busy(btn, false);
      return loadTuning();
    });
  }

  function discardProposal() {
    var n = changedIntents().length;
    if (!n || !confirm(t("discardConfirm", { n: n }))) return;
    tuning.proposal = {};
    tuning.preview = null;
    tuning.stale = false;
    storeProposal();
    $("tuning-status").textContent = t("discarded");
    renderTuning();
  }

  function wireTuning() {
    loadProposal();
    $("tuning-form").addEventListener("submit", function (e) { e.preventDefault(); loadTuning(); });
    $("tuning-set").addEventListener("change", function () {
      tuning.set = $("tuning-set").value;
      try { localStorage.setItem(TUNESET_KEY, tuning.set); } catch (e) {}
      tuning.preview = null;
      loadTuning();
    });
    $("tuning-add").addEventListener("submit", submitAddExample);
    $("tuning-close").addEventListener("click", closeIntent);
    $("tuning-detail").addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); closeIntent(); } });
    $("tuning-preview").addEventListener("click", previewProposal);
    $("tuning-save").addEventListener("click", saveTuning);
    $("tuning-discard").addEventListener("click", discardProposal);
  }

  // ---- Review → tuning: a reviewed message as an example of an intent ----------------------------

  function openExampleForm(it, opener) {
    var li = $("review-list").querySelector('li[data-review="' + it.id + '"]');
    if (!li) return;
    var body = li.querySelector(".review-body"), form = body.querySelector(".example-form");
    if (form) { form.querySelector("select").focus(); return; }
    form = el("form", "example-form row");
    form.noValidate = true;
    var sel = el("select");
    sel.id = "example-intent-" + it.id;
    var lab = el("label", "", t("addAsExampleTitle"));
    lab.htmlFor = sel.id;
    var go = el("button", "small-btn", t("addToProposal"));
    go.type = "submit";
    var cancel = el("button", "secondary small-btn", t("cancel"));
    cancel.type = "button";
    var close = function () { form.remove(); if (opener && document.body.contains(opener)) opener.focus(); };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", function (e) {
      e.stopPropagation(); // keep j/k/a/d for the list
      if (e.key === "Escape") { e.preventDefault(); close(); }
      else if (e.key === "Enter" && e.target === sel) { e.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("click", function (e) { e.stopPropagation(); });
    form.addEventListener("submit", function (e) { e.preventDefault(); addFromReview(it, sel.value); });
    form.appendChild(lab); form.appendChild(sel); form.appendChild(go); form.appendChild(cancel);
    body.appendChild(form);
    loadBase().then(function () {
      tuning.order.forEach(function (n) { var o = el("option", "", n); o.value = n; sel.appendChild(o); });
      if (it.intent && tuning.base[it.intent]) sel.value = it.intent;
      sel.focus();
    }).catch(report);
  }

  function addFromReview(it, name) {
    if (!name) return;
    loadBase().then(function () {
      var r = addExample(name, it.text);
      storeProposal();
      tuning.selected = name;
      tuning.stale = !!tuning.preview;
      $("review-note").textContent = r.ok ? t("exampleFrom", { text: clip(it.text, 60), intent: name }) : r.note;
      var loaded = selectTab("tab-tuning");
      $("tab-tuning").focus();
      return Promise.resolve(loaded).then(function () {
        $("tuning-add-note").textContent = r.ok ? t("exampleFrom", { text: clip(it.text, 60), intent: name }) : r.note;
        var row = $("tuning-table").querySelector('tbody tr[data-intent="' + cssEscape(name) + '"]');
        if (row) { row.scrollIntoView({ block: "nearest" }); row.focus(); }
      });
    }).catch(report);
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
    if (!$("panel-tuning").hidden && tuning.loaded) renderTuning();
    if (!$("panel-gaps").hidden) renderGaps();
    if (!$("panel-confidence").hidden) renderConfidence();
  }

  function toggleLang() {
    lang = lang === "zh" ? "en" : "zh";
    try { localStorage.setItem(LANG_KEY, lang); } catch (e) {}
    applyLang();
  }

  // ---- Tabs and wiring ---------------------------------------------------------------------------

  var TABS = ["docs", "import", "search", "intents", "tuning", "review", "evals", "analytics", "gaps", "confidence"];
  var currentTab = "tab-docs";

  // loadTab fetches what a tab shows.
  function loadTab(id) {
    if (id === "tab-docs") return loadDocuments();
    if (id === "tab-intents") { loadSettings(); return loadIntents(); }
    if (id === "tab-import") return loadSynonyms();
    if (id === "tab-tuning") return loadTuning();
    if (id === "tab-review") return loadReview();
    if (id === "tab-evals") return loadSets();
    if (id === "tab-analytics") return loadAnalytics();
    if (id === "tab-gaps") return loadGaps();
    if (id === "tab-confidence") return loadConfidence();
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
    if (id !== "tab-docs") return loadTab(id);
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
    $("phrasing-form").addEventListener("submit", addPhrasing);
    $("phrasing-save").addEventListener("click", savePhrasings);
    $("synonym-form").addEventListener("submit", saveSynonyms);
    $("synonym-lang").addEventListener("change", loadSynonyms);
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
    wireGaps();
    wireTuning();
    $("confidence-form").addEventListener("submit", loadConfidence);
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
  setRange("gaps-from", "gaps-to", 30);
  setRange("confidence-from", "confidence-to", 84);
  readKey();
  if (key) start(); else checkSession();
  // A #key=… link opened in a tab that already shows the console switches to that key.
  window.addEventListener("hashchange", function () {
    if (!/(?:^#|&)key=/.test(location.hash)) return;
    readKey();
    if (key) { me = null; start(); } else signOut("");
  });
})();
