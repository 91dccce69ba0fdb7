/* The console's keyboard: j/k (or the arrows in the lists) move, Enter opens, a accepts, / goes to
   the reply box, ? shows the shortcuts; in the reply box Ctrl+Enter sends and Esc leaves it. */
import { $ } from "/shared/tandem.js";
import { state, isTyping } from "./core.js";
import { moveSelection, findItem, select } from "./lists.js";
import { accept, openConversation } from "./conversation.js";
import { submitComposer, cannedKey, closeCanned } from "./composer.js";

function anyDialogOpen() { return document.querySelector("dialog[open]") !== null; }

export function onKeydown(e) {
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
