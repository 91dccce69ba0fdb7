/* A reviewed customer message as an example of an intent: a form on the review item that adds
   it to the tuning proposal and opens the Tuning tab on that intent. */
import { $, el, clip, cssEscape } from "/shared/tandem.js";
import { t, report } from "./core.js";
import { selectTab } from "./tabs.js";
import { tuning, loadBase, addExample, storeProposal } from "./tuning.js";

export function openExampleForm(it, opener) {
  var li = $("review-list").querySelector('li[data-review="' + it.id + '"]');
  if (!li) return;
  var body = li.querySelector(".review-body"), form = body.querySelector(".example-form");
  if (form) { form.querySelector("select").focus(); return; }
  form = el("form", "example-form row");
  form.noValidate = true;
  var sel = el("select");
  sel.id = "example-intent-" + it.id;
  var lab = el("label", "", t("addAsExampleTitle"));
  lab.htmlFor = sel.id;
  var go = el("button", "small-btn", t("addToProposal"));
  go.type = "submit";
  var cancel = el("button", "secondary small-btn", t("cancel"));
  cancel.type = "button";
  var close = function () { form.remove(); if (opener && document.body.contains(opener)) opener.focus(); };
  cancel.addEventListener("click", close);
  form.addEventListener("keydown", function (e) {
    e.stopPropagation(); // keep j/k/a/d for the list
    if (e.key === "Escape") { e.preventDefault(); close(); }
    else if (e.key === "Enter" && e.target === sel) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("click", function (e) { e.stopPropagation(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); addFromReview(it, sel.value); });
  form.appendChild(lab); form.appendChild(sel); form.appendChild(go); form.appendChild(cancel);
  body.appendChild(form);
  loadBase().then(function () {
    tuning.order.forEach(function (n) { var o = el("option", "", n); o.value = n; sel.appendChild(o); });
    if (it.intent && tuning.base[it.intent]) sel.value = it.intent;
    sel.focus();
  }).catch(report);
}

function addFromReview(it, name) {
  if (!name) return;
  loadBase().then(function () {
    var r = addExample(name, it.text);
    storeProposal();
    tuning.selected = name;
    tuning.stale = !!tuning.preview;
    $("review-note").textContent = r.ok ? t("exampleFrom", { text: clip(it.text, 60), intent: name }) : r.note;
    var loaded = selectTab("tab-tuning");
    $("tab-tuning").focus();
    return Promise.resolve(loaded).then(function () {
      $("tuning-add-note").textContent = r.ok ? t("exampleFrom", { text: clip(it.text, 60), intent: name }) : r.note;
      var row = $("tuning-table").querySelector('tbody tr[data-intent="' + cssEscape(name) + '"]');
      if (row) { row.scrollIntoView({ block: "nearest" }); row.focus(); }
    });
  }).catch(report);
}
