/* Tandem agent console (/console/): the queue, the agent's conversations, the bot's drafts, and
   for admins channels, users, the audit log, customers' data and bot actions. ES modules, no
   build step: this module wires the page's controls to the panels' modules, which share
   /shared/tandem.js and ./core.js. */
import { $ } from "/shared/tandem.js";
import { state, t, api, convPath } from "./core.js";
import { boot, login, signOut, setPresence, toggleLang } from "./session.js";
import { accept, act } from "./conversation.js";
import { submitComposer, onComposerInput, closeCanned, toggleNoteMode, askDraft, useDraft } from "./composer.js";
import { openTransfer, submitTransfer } from "./transfer.js";
import { openChannels } from "./channels.js";
import { openUsers, openAudit, loadAudit } from "./users.js";
import { openCustomers, findCustomer, exportCustomer, eraseCustomer, clearCustomers } from "./customers.js";
import { onKeydown } from "./keys.js";
import "./complaints.js";
import "./proposals.js";
import "./followups.js";
import "./actions-admin.js";

function bindEvents() {
  $("login-form").addEventListener("submit", login);
  $("sign-out").addEventListener("click", signOut);
  $("lang").addEventListener("click", toggleLang);
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

bindEvents();
boot();
