/* Tandem trainer console (/trainer/): the knowledge base, the bot's intents and their tuning, the
   review queue, eval sets and runs, analytics, knowledge gaps and calibration. ES modules, no
   build step: one per tab, sharing /shared/tandem.js and ./core.js; this one wires them.
   Strings are English and Chinese (./strings.js, the #lang button; static text carries data-i18n).
   Data from the server is always written with textContent, never as HTML; links are http(s) only. */
import { $, initialLang, saveLang, translatePage } from "/shared/tandem.js";
import { state, events, t } from "./core.js";
import * as session from "./session.js";
import * as tabs from "./tabs.js";
import * as docs from "./docs.js";
import * as imports from "./import.js";
import * as search from "./search.js";
import * as intents from "./intents.js";
import * as tuning from "./tuning.js";
import * as review from "./review.js";
import * as evals from "./evals.js";
import * as analytics from "./analytics.js";
import * as gaps from "./gaps.js";
import * as confidence from "./confidence.js";

var LANG_KEY = "tandem.trainer.lang";

// applyLang rewrites the static text (data-i18n…) and lets the panels re-render what the server sent.
function applyLang() {
  translatePage(t, state.lang);
  events.emit("lang");
}

function toggleLang() {
  state.lang = state.lang === "zh" ? "en" : "zh";
  saveLang(LANG_KEY, state.lang);
  applyLang();
}

state.lang = initialLang(LANG_KEY);
[session, tabs, docs, imports, search, intents, tuning, review, evals, analytics, gaps, confidence].forEach(function (m) { m.wire(); });
$("lang").addEventListener("click", toggleLang);
events.on("start", tabs.reloadTab);
applyLang();
session.open();
