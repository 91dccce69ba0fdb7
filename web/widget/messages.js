/* The widget's message log: the greeting and suggested questions, the messages (text only, with
   their sources and thumbs), a reply while it streams, the agent's typing line, and keeping the
   newest message in view. */
import { fillText } from "../shared/tandem.js";

// STICK_PX is how close to the end of the log counts as reading the newest message.
const STICK_PX = 24;
// TYPING_MS is how long "… is typing" shows after the agent's last keystroke.
const TYPING_MS = 4000;

// Thumbs as inline SVG: an emoji needs a font that not every machine has (it shows a box).
const THUMB_UP = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" ' +
  'd="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z"/></svg>';
const THUMB_DOWN = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" ' +
  'd="M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1l1.1 1 6.6-6.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7c-.8 0-1.5.5-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2z"/></svg>';

// messages returns the log's functions for the widget w (see main.js): it reads w.T, w.state and
// w.ui, and calls w.api and w.send.
export function messages(w) {
  const T = w.T, state = w.state, list = w.ui.list, typingEl = w.ui.typing;

  // The newest message stays in view whenever the layout changes (a banner appears, the
  // keyboard opens, the panel resizes), unless the customer has scrolled up to read.
  let stick = true;
  function toBottom() { list.scrollTop = list.scrollHeight; stick = true; }
  list.addEventListener("scroll", () => { stick = list.scrollHeight - list.scrollTop - list.clientHeight < STICK_PX; });
  if (window.ResizeObserver) new ResizeObserver(() => { if (stick) list.scrollTop = list.scrollHeight; }).observe(list);

  // greet shows the greeting and suggested questions in a conversation with no messages yet;
  // they are the widget's own and are not stored. Sending anything removes the suggestions.
  function greet() {
    if (list.querySelector(".tw-msg") || list.querySelector(".tw-greeting")) return;
    if (T.greeting) {
      const g = document.createElement("div");
      g.className = "tw-greeting";
      g.textContent = T.greeting;
      list.appendChild(g);
    }
    if (T.suggestions.length) {
      const box = document.createElement("div");
      box.className = "tw-suggest";
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", T.suggest);
      T.suggestions.forEach((q) => {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = q;
        b.addEventListener("click", () => { w.send(q); });
        box.appendChild(b);
      });
      list.appendChild(box);
    }
    toBottom();
  }

  // clear empties the log for a new conversation.
  function clear() {
    list.textContent = "";
    state.ids = {};
    state.lastId = 0;
  }

  // renderDelta shows a bot reply while it is being written; the final message replaces it.
  function renderDelta(text) {
    if (!state.awaiting) return; // a late delta after the final reply: ignore it
    let el = list.querySelector(".tw-msg[data-streaming]");
    if (!el) {
      el = document.createElement("div");
      el.className = "tw-msg";
      el.dataset.author = "bot";
      el.dataset.streaming = "true";
      el.appendChild(who(T.bot));
      const body = document.createElement("div");
      body.className = "tw-text";
      el.appendChild(body);
      list.appendChild(el);
    }
    fillText(el.querySelector(".tw-text"), text);
    toBottom();
  }

  // feedbackButtons are the thumbs up and down under a bot answer.
  function feedbackButtons(id) {
    const box = document.createElement("div");
    box.className = "tw-feedback";
    [[true, THUMB_UP, T.helpful], [false, THUMB_DOWN, T.unhelpful]].forEach((b) => {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = "tw-thumb";
      btn.dataset.helpful = String(b[0]);
      btn.innerHTML = b[1]; // a fixed inline SVG of ours, never text from a message
      btn.setAttribute("aria-label", b[2]);
      btn.title = b[2];
      btn.addEventListener("click", () => {
        w.api("/api/widget/feedback", { message_id: id, helpful: b[0] }, state.token).then(() => {
          box.textContent = T.feedbackThanks;
        }).catch(() => { /* feedback is optional: stay quiet */ });
      });
      box.appendChild(btn);
    });
    return box;
  }

  // sources lists the articles an answer cites, as links to http(s) pages only.
  function sources(cited) {
    const src = document.createElement("div");
    src.className = "tw-sources";
    src.appendChild(document.createTextNode(T.sources + ": "));
    cited.forEach((s) => {
      let href;
      try { href = new URL(s.url, w.tag.origin); } catch (e) { return; }
      if (!/^https?:$/.test(href.protocol)) return; // no javascript: or data: links
      const a = document.createElement("a");
      a.href = href.href;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = s.title || href.href;
      src.appendChild(a);
    });
    return src;
  }

  // render adds message m to the log once, in id order.
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
      const partial = list.querySelector(".tw-msg[data-streaming]");
      if (partial) partial.remove();
    }
    state.lastId = Math.max(state.lastId, m.id);
    const el = document.createElement("div");
    el.className = "tw-msg";
    el.dataset.id = m.id;
    el.dataset.author = m.author;
    if (m.author !== "customer" && m.author !== "system") el.appendChild(who(m.author === "agent" ? m.agent || T.agent : T.bot));
    const text = document.createElement("div");
    text.className = "tw-text";
    if (m.author === "customer") text.textContent = m.text;
    else fillText(text, m.text);
    el.appendChild(text);
    if (m.sources && m.sources.length) el.appendChild(sources(m.sources));
    if (m.author === "bot" && m.decision === "answer") el.appendChild(feedbackButtons(m.id));
    // Keep id order even when the socket and the POST response race.
    let after = null;
    for (let n = list.lastElementChild; n; n = n.previousElementSibling) {
      if (Number(n.dataset.id || 0) < m.id) { after = n; break; } // the greeting counts as 0
    }
    list.insertBefore(el, after ? after.nextSibling : list.firstChild);
    toBottom();
  }

  function showTyping(ev) {
    if (ev.author !== "agent") return;
    typingEl.textContent = T.typing(state.agentName || T.agent);
    typingEl.hidden = false;
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(hideTyping, TYPING_MS);
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    typingEl.hidden = true;
  }

  return { toBottom, stuck: () => stick, greet, clear, render, renderDelta, showTyping };
}

// who is the name line above a message that is not the customer's.
function who(name) {
  const el = document.createElement("span");
  el.className = "tw-who";
  el.textContent = name;
  return el;
}
