/* The trainer's tabs (tab-<name> buttons, panel-<name> sections): each panel registers what its
   tab loads; the arrow keys, Home and End move between tabs. */
import { $ } from "/shared/tandem.js";
import { showError } from "./core.js";

const TABS = ["docs", "import", "search", "intents", "tuning", "review", "evals", "analytics", "gaps", "confidence"];
const loaders = {};
let currentTab = "tab-docs";

// onTab registers what tab-<name> fetches when it is shown.
export function onTab(name, load) { loaders["tab-" + name] = load; }

// shown reports whether panel-<name> is on screen.
export function shown(name) { return !$("panel-" + name).hidden; }

function loadTab(id) {
  const load = loaders[id];
  return load ? load() : undefined;
}

export function reloadTab() { loadTab(currentTab); }

// selectTab shows a tab and returns what its loader returned (a promise, for most).
export function selectTab(id) {
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

export function wire() {
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
}
