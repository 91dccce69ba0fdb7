/* The widget's connection to its server: JSON requests with the visitor token, the session
   (started, resumed, or started over when the server refuses a stored token), the live socket
   that reconnects and catches up, and sending messages one at a time, in order. */

const TOKEN_KEY = "tandem.visitor";
// RETRY_MS and MAX_RETRY_MS bound the waits between attempts to reach the server (doubling).
const RETRY_MS = 1000, MAX_RETRY_MS = 30000;
// TYPING_EVERY_MS is how often at most the agent is told the customer is typing.
const TYPING_EVERY_MS = 2000;

// connection returns the widget w's requests, session, socket and sending (see main.js).
export function connection(w) {
  const T = w.T, state = w.state, ui = w.ui, tag = w.tag;
  let queue = Promise.resolve(); // sends go out one at a time, in order
  let ready = null; // the session promise: send() waits for it

  function api(path, body, token) {
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(tag.origin + path, { method: "POST", headers: headers, body: JSON.stringify(body) }).then((r) =>
      r.json().catch(() => ({})).then((data) => {
        if (!r.ok) {
          const err = new Error((data.error && data.error.message) || r.statusText);
          err.status = r.status;
          throw err;
        }
        return data;
      }));
  }

  // session starts (or resumes) the conversation; a stored token the server refuses is dropped.
  // A signed-in customer's token is never stored: the page vouches for them on every load, and the
  // next person on a shared browser starts anonymous.
  function session() {
    let saved = null;
    const id = tag.identity();
    try {
      if (id) localStorage.removeItem(TOKEN_KEY);
      else saved = localStorage.getItem(TOKEN_KEY);
    } catch (e) {}
    const first = id ? api("/api/widget/session", { identity_token: id, lang: tag.lang })
      : api("/api/widget/session", { visitor_token: saved || "", lang: tag.lang });
    return first.catch((err) => {
      if (err.status === 401 && saved && !id) {
        try { localStorage.removeItem(TOKEN_KEY); } catch (e) {}
        return api("/api/widget/session", { visitor_token: "", lang: tag.lang });
      }
      throw err;
    }).then((s) => {
      if (state.conversationId && state.conversationId !== s.conversation_id) w.clear(); // a new conversation: start clean
      state.token = s.visitor_token;
      state.conversationId = s.conversation_id;
      if (!id) { try { localStorage.setItem(TOKEN_KEY, s.visitor_token); } catch (e) {} }
      (s.messages || []).forEach(w.render);
      w.greet();
      w.setOwner(s.owner || "bot");
      w.setCare(!!s.care);
      if (ui.error.textContent === T.offline) ui.error.textContent = "";
      connect();
    });
  }

  // start keeps trying to reach the server (1s, 2s, 4s… 30s) until a session exists.
  function start() {
    if (ready) return ready;
    let delay = RETRY_MS;
    ready = new Promise((resolve) => {
      (function attempt() {
        session().then(resolve, (err) => {
          ui.error.textContent = err.status ? err.message || T.failed : T.offline;
          setTimeout(attempt, delay);
          delay = Math.min(delay * 2, MAX_RETRY_MS);
        });
      })();
    });
    return ready;
  }

  const handlers = {
    message: (ev) => { w.render(ev.message); },
    owner: (ev) => { w.setOwner(ev.owner); },
    delta: (ev) => { if (typeof ev.text === "string") w.renderDelta(ev.text); },
    position: (ev) => { w.showPosition(ev); },
    typing: (ev) => { w.showTyping(ev); },
  };

  function connect() {
    if (state.ws) { const old = state.ws; state.ws = null; old.close(); }
    const url = tag.origin.replace(/^http/, "ws") + "/api/widget/ws?token=" + encodeURIComponent(state.token) + "&after=" + state.lastId;
    const ws = new WebSocket(url);
    state.ws = ws;
    ws.onopen = () => { state.retry = RETRY_MS; if (ui.error.textContent === T.offline) ui.error.textContent = ""; };
    ws.onmessage = (e) => {
      let ev;
      try { ev = JSON.parse(e.data); } catch (x) { return; }
      if (ev && Object.prototype.hasOwnProperty.call(handlers, ev.type)) handlers[ev.type](ev); // others: ignored
    };
    ws.onclose = () => {
      if (state.ws !== ws) return;
      if (state.retry > RETRY_MS && !ui.error.textContent) ui.error.textContent = T.offline; // quiet on a single blip
      setTimeout(() => { if (state.ws === ws) connect(); }, state.retry);
      state.retry = Math.min(state.retry * 2, MAX_RETRY_MS);
    };
  }

  // send posts one message; on failure the text goes back into the input with an error line.
  function send(text) {
    text = (text || "").trim();
    if (!text) return Promise.resolve(false);
    ui.error.textContent = "";
    ui.input.value = "";
    state.awaiting = true;
    const chips = ui.list.querySelector(".tw-suggest");
    if (chips) chips.remove();
    w.hideRating(); // a message after close reopens the conversation to the bot
    const post = () => api("/api/widget/messages", { text: text }, state.token);
    const p = queue.then(start).then(post).catch((err) => {
      if (err.status !== 401) throw err;
      try { localStorage.removeItem(TOKEN_KEY); } catch (e) {} // the token expired: a fresh session, one retry
      return session().then(post);
    }).then((res) => {
      w.render(res.message);
      (res.replies || []).forEach(w.render);
      return true;
    }).catch((err) => {
      if (!ui.input.value) ui.input.value = text;
      ui.error.textContent = err.status === 429 ? T.slow : (err.message || T.failed);
      return false;
    });
    queue = p;
    return p;
  }

  // sendTyping tells the agent the customer is typing, at most once every 2 s.
  function sendTyping() {
    const ws = state.ws, now = Date.now();
    if (!ui.input.value.trim() || !ws || ws.readyState !== WebSocket.OPEN || now - state.typedAt < TYPING_EVERY_MS) return;
    state.typedAt = now;
    try { ws.send('{"type":"typing"}'); } catch (e) {}
  }

  return { api, start, send, sendTyping };
}
