/* The reply box: replies and internal notes, the bot's draft streamed in while the agent has not
   typed, and canned replies ("/word" at the start).
     POST /api/console/conversations/:id/{messages,notes,typing,draft}   GET /api/console/canned?lang= */
import { $, el, clip } from "/shared/tandem.js";
import { state, events, t, api, report, toast, convPath, percent } from "./core.js";
import { scheduleRefresh } from "./lists.js";
import { addMessage, addNote, fillSources } from "./transcript.js";

const TYPING_EVERY_MS = 3000;

export async function submitComposer(e) {
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

export async function askDraft() {
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


export function resetComposer(text) {
  $("composer").value = text;
  state.composer.touched = false;
  state.composer.draft = null;
  state.composer.streaming = false;
  closeCanned();
  renderDraftInfo();
}

export function saveComposer() {
  const text = $("composer").value;
  if (state.openId && state.composer.touched && text.trim()) state.saved[state.openId] = text;
  else if (state.openId) delete state.saved[state.openId];
}

export function fillComposerOnOpen(id) {
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
export function onDraftDelta(text) {
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

export function onDraft(draft) {
  const c = state.composer;
  if (!c.streaming && !$("composer").value.trim()) c.touched = false;
  c.streaming = false;
  c.draft = draft;
  if (state.detail) state.detail.draft = draft;
  if (!c.touched) $("composer").value = draft.text || "";
  renderDraftInfo();
}

export function renderDraftInfo() {
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

export function useDraft() {
  const c = state.composer;
  if (!c.draft) return;
  $("composer").value = c.draft.text || "";
  c.touched = false;
  renderDraftInfo();
  $("composer").focus();
}

export function onComposerInput() {
  state.composer.touched = true;
  postTyping();
  updateCanned();
  renderDraftInfo();
}

export function toggleNoteMode() {
  state.noteMode = !state.noteMode;
  renderNoteMode();
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

export async function loadCanned(lang) {
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

export function closeCanned() {
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
export function cannedKey(e) {
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

events.on("lang", renderNoteMode);
