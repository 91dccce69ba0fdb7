/* The widget's words in English and Chinese, and the site's own title, greeting and suggested
   questions from its script tag (read by widget.js). */

const words = {
  en: { launcher: "Chat with us", title: "Help", input: "Type your message…", send: "Send", close: "Close chat",
    connecting: "Connecting…", helpful: "Helpful", unhelpful: "Not helpful", feedbackThanks: "Thanks for the feedback", sources: "Sources", bot: "Bot", agent: "Agent", you: "You", system: "",
    waiting: "Waiting for an agent…", human: "You're chatting with a person", slow: "Please slow down.",
    offline: "Connection lost — reconnecting…", failed: "Could not send. Please try again.",
    queue: (n, min) => "You are number " + n + " in the queue" + (min ? " · about " + min + " min" : ""),
    back: "Back to the bot", typing: (name) => name + " is typing…",
    rateAsk: "How was your chat?", star: (n) => n + (n === 1 ? " star" : " stars"),
    comment: "Add a comment (optional)", rateSend: "Send", skip: "Skip", thanks: "Thanks for your feedback",
    greeting: "Hi! Ask me anything: I answer right away, day and night, and tell you when I'm not sure. A person can take over whenever you like.",
    suggestions: ["Talk to a person"], suggest: "Suggested questions",
    // priority care: larger text, and one tap to a person (ask is what that tap sends)
    larger: "Larger text", person: "Talk to a person", ask: "talk to a person" },
  zh: { launcher: "在线客服", title: "帮助中心", input: "请输入您的问题…", send: "发送", close: "关闭对话",
    connecting: "连接中…", helpful: "有帮助", unhelpful: "没帮助", feedbackThanks: "感谢反馈", sources: "参考来源", bot: "智能助手", agent: "人工客服", you: "我", system: "",
    waiting: "正在为您转接人工客服…", human: "人工客服已接入", slow: "发送太快，请稍候。",
    offline: "连接中断，正在重连…", failed: "发送失败，请重试。",
    queue: (n, min) => (n === 1 ? "您是下一位" : "您前面还有 " + (n - 1) + " 位") + (min ? "，预计等待约 " + min + " 分钟" : ""),
    back: "返回机器人", typing: (name) => name + " 正在输入…",
    rateAsk: "请为本次服务评分", star: (n) => n + " 星",
    comment: "补充评价（选填）", rateSend: "提交", skip: "跳过", thanks: "感谢您的评价！",
    greeting: "您好！有什么可以帮您？我会 7×24 小时即时回答；没有把握时会告诉您，您也可以随时转人工客服。",
    suggestions: ["转人工"], suggest: "猜你想问",
    larger: "大字模式", person: "一键转人工", ask: "转人工" },
};

// MAX_SUGGESTIONS is how many of the site's suggested questions are shown.
const MAX_SUGGESTIONS = 6;

// strings returns the words in tag.lang with the tag's title, greeting and suggestions ("|"
// between questions) in place of the widget's own; an empty data-greeting or data-suggestions
// shows none.
export function strings(tag) {
  const T = Object.assign({}, words[tag.lang]);
  if (tag.title) T.title = tag.title;
  if (tag.greeting !== undefined) T.greeting = tag.greeting;
  if (tag.suggestions !== undefined) {
    T.suggestions = tag.suggestions.split("|").map((q) => q.trim()).filter(Boolean).slice(0, MAX_SUGGESTIONS);
  }
  return T;
}
