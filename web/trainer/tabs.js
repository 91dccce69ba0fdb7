/* The trainer's tabs (tab-<name> buttons, made here, and panel-<name> sections): each panel
   registers what its tab loads; the arrow keys, Home and End move between tabs. */
import { $, el } from "/shared/tandem.js";
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

// buildTabs puts a tab-<name> button for each panel into the #tabs list, labelled by the string
// tab<Name> (translatePage writes it); the first is selected.
function buildTabs() {
  TABS.forEach(function (name, i) {
    var b = el("button");
    b.type = "button";
    b.id = "tab-" + name;
    b.setAttribute("role", "tab");
    b.setAttribute("aria-controls", "panel-" + name);
    b.setAttribute("aria-selected", String(i === 0));
    if (i > 0) b.tabIndex = -1;
    b.dataset.i18n = "tab" + name[0].toUpperCase() + name.slice(1);
    $("tabs").appendChild(b);
  });
}

export function wire() {
  buildTabs();
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
