/* The widget's main module, which widget.js (the classic script a site embeds) imports and
   mounts with what it read from its tag. It makes the widget w, the one object its modules
   share: the tag, the words T, the state, the view's elements ui, and each module's functions
   (messages.js: the log; session.js: requests, session, socket and sending; this module: who
   owns the conversation, the queue, the rating, priority care, opening and closing). */
import { strings } from "./strings.js";
import { build } from "./view.js";
import { messages } from "./messages.js";
import { connection } from "./session.js";

const RATED_KEY = "tandem.rated.", LARGE_KEY = "tandem.large";

let mounted = false;

// mount builds the widget for tag (see widget.js), puts it in the page and starts its session.
export function mount(tag) {
  if (mounted || window.TandemWidget) return;
  mounted = true;
  const w = {
    tag: tag, T: strings(tag),
    state: { token: null, conversationId: null, owner: "bot", lastId: 0, ids: {}, ws: null, retry: 1000, open: false,
      agentName: "", typedAt: 0, typingTimer: null, score: 0, rated: {} },
  };
  w.ui = build(w.T);
  Object.assign(w, messages(w), connection(w), owners(w), rating(w), care(w));
  const ui = w.ui;
  const open = () => {
    w.state.open = true;
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.input.focus();
    w.toBottom();
  };
  const close = () => {
    w.state.open = false;
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.focus();
  };
  bindEvents(w, open, close);
  window.TandemWidget = { root: ui.root, open: open, close: close, send: w.send, state: w.state };
  const show = () => {
    document.body.appendChild(ui.host);
    ui.status.textContent = w.T.connecting;
    w.start();
  };
  if (document.body) show(); else document.addEventListener("DOMContentLoaded", show);
}

function bindEvents(w, open, close) {
  const ui = w.ui;
  ui.launcher.addEventListener("click", () => { w.state.open ? close() : open(); });
  ui.close.addEventListener("click", close);
  ui.root.addEventListener("keydown", (e) => { if (e.key === "Escape" && w.state.open) close(); });
  ui.form.addEventListener("submit", (e) => { e.preventDefault(); w.send(ui.input.value); });
  ui.input.addEventListener("input", w.sendTyping);
  ui.back.addEventListener("click", w.backToBot);
  const plainEnter = (e) => e.key === "Enter" && !e.shiftKey && !e.isComposing;
  ui.input.addEventListener("keydown", (e) => { if (plainEnter(e)) { e.preventDefault(); w.send(ui.input.value); } });
  // Some synthetic key sources deliver the newline as a separate keypress: keep it out of the emptied input.
  ui.input.addEventListener("keypress", (e) => { if (plainEnter(e)) e.preventDefault(); });
}

// owners shows who has the conversation (the bot, the queue, a person, closed), the waiting
// customer's place in the queue, and takes them back to the bot.
function owners(w) {
  const T = w.T, state = w.state, ui = w.ui;
  function setOwner(owner) {
    state.owner = owner;
    ui.panel.dataset.owner = owner;
    ui.status.textContent = owner === "waiting" ? T.waiting : owner === "human" ? T.human : "";
    ui.back.hidden = owner !== "waiting";
    if (owner !== "waiting") ui.queue.textContent = "";
    if (owner === "closed") w.showRating(); else w.hideRating();
    if (w.stuck()) w.toBottom();
  }

  // showPosition shows a waiting customer's place in the queue and the estimated wait.
  function showPosition(ev) {
    if (state.owner !== "waiting" || !(ev.position > 0)) return;
    const min = ev.wait > 0 ? Math.max(1, Math.round(ev.wait / 60)) : 0;
    ui.queue.textContent = T.queue(ev.position, min);
  }

  // backToBot leaves the queue.
  function backToBot() {
    ui.back.disabled = true;
    w.start().then(() => w.api("/api/widget/back", {}, state.token)).then((res) => {
      setOwner(res.owner || "bot");
    }, (err) => {
      ui.error.textContent = err.message || T.failed;
    }).then(() => { ui.back.disabled = false; });
  }
  return { setOwner, showPosition, backToBot };
}

// rating is the post-chat rating: shown once per closed conversation (remembered for the
// browser session), 1–5 stars and an optional comment.
function rating(w) {
  const T = w.T, state = w.state, ui = w.ui;
  function ratingSeen(id) {
    if (state.rated[id]) return true;
    try { return !!sessionStorage.getItem(RATED_KEY + id); } catch (e) { return false; }
  }

  function showRating() {
    const id = state.conversationId;
    if (!id || !ui.rating.hidden || ratingSeen(id)) return;
    state.rated[id] = true;
    try { sessionStorage.setItem(RATED_KEY + id, "1"); } catch (e) {}
    pickScore(0);
    ui.comment.value = "";
    ui.rateForm.hidden = false;
    ui.thanks.hidden = true;
    ui.rating.hidden = false;
  }

  function hideRating() { ui.rating.hidden = true; }

  function pickScore(score) {
    state.score = score;
    Array.prototype.forEach.call(ui.stars.children, (b) => {
      const n = Number(b.dataset.score);
      b.classList.toggle("on", n <= score);
      b.setAttribute("aria-pressed", String(n === score));
    });
    ui.rateSend.disabled = !score;
  }

  function submitRating(e) {
    e.preventDefault();
    if (!state.score) return;
    ui.rateSend.disabled = true;
    w.api("/api/widget/rating", { score: state.score, comment: ui.comment.value.trim() }, state.token).then(() => {
      ui.rateForm.hidden = true;
      ui.thanks.hidden = false;
    }, (err) => {
      ui.rateSend.disabled = false;
      ui.error.textContent = err.message || T.failed;
    });
  }

  ui.stars.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-score]");
    if (b) pickScore(Number(b.dataset.score));
  });
  ui.rateForm.addEventListener("submit", submitRating);
  ui.skip.addEventListener("click", (e) => { e.preventDefault(); hideRating(); });
  return { showRating, hideRating };
}

// care is priority care: larger text (a toggle, on by itself for care customers) and a one-step
// "talk to a person" while the bot has the conversation.
function care(w) {
  const state = w.state, panel = w.ui.panel, sizeBtn = w.ui.size, personBtn = w.ui.person;
  function setLarge(on) {
    panel.classList.toggle("tw-large", on);
    sizeBtn.setAttribute("aria-pressed", String(on));
  }
  // setCare turns care on for this customer: larger text unless they switched it off, and the
  // one-step button while the bot has the conversation.
  function setCare(on) {
    state.care = on;
    let pref = null;
    try { pref = localStorage.getItem(LARGE_KEY); } catch (e) {}
    setLarge(pref === null ? on : pref === "1");
    personBtn.hidden = !on || panel.dataset.owner !== "bot";
  }
  sizeBtn.addEventListener("click", () => {
    const on = !panel.classList.contains("tw-large");
    setLarge(on);
    try { localStorage.setItem(LARGE_KEY, on ? "1" : "0"); } catch (e) {}
  });
  personBtn.addEventListener("click", () => { w.send(w.T.ask); });
  new MutationObserver(() => { personBtn.hidden = !state.care || panel.dataset.owner !== "bot"; })
    .observe(panel, { attributes: true, attributeFilter: ["data-owner"] });
  try { if (localStorage.getItem(LARGE_KEY) === "1") setLarge(true); } catch (e) {}
  return { setCare };
}
