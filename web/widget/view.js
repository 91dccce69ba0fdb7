/* The widget's view: a Shadow DOM (so the site's styles and the widget's leave each other alone)
   with its stylesheet, the launcher, and the panel with its banners, message log, rating form
   and input, labelled in the visitor's language. Text is set with textContent only. */

// STYLE is the Shadow DOM's stylesheet.
const STYLE =
  ':host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif}' +
  '.tw-launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#0b5cad;color:#fff;display:flex;align-items:center;justify-content:center;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}' +
  '[hidden]{display:none!important}' +
  '.tw-launcher:focus-visible,.tw-send:focus-visible,.tw-close:focus-visible,#tandem-back:focus-visible,.tandem-rating button:focus-visible,.tandem-rating a:focus-visible{outline:3px solid #f5a623;outline-offset:2px}' +
  '.tw-panel{position:fixed;right:20px;bottom:88px;width:370px;height:560px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;color:#1d2733;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden;z-index:2147483000}' +
  '.tw-panel[hidden]{display:none}' +
  '.tw-head{display:flex;align-items:center;justify-content:space-between;padding:12px 14px;background:#0b5cad;color:#fff}' +
  '.tw-head h2{margin:0;font-size:16px}.tw-close{background:none;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1}' +
  '.tw-status{padding:6px 14px;font-size:13px;background:#fff6e0;color:#6b4a00}.tw-status:empty{display:none}' +
  '.tandem-queue{padding:0 14px 6px;font-size:13px;background:#fff6e0;color:#6b4a00}.tandem-queue:empty{display:none}' +
  '#tandem-back{margin:6px 14px;align-self:flex-start;padding:4px 10px;border:1px solid #0b5cad;border-radius:6px;background:#fff;color:#0b5cad;font-size:13px;cursor:pointer}' +
  '.tw-messages{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f5f7fa}' +
  '.tw-msg{max-width:85%;padding:8px 11px;border-radius:10px;font-size:14px;line-height:1.45;background:#fff;border:1px solid #e1e6ec;align-self:flex-start}' +
  '.tw-msg[data-author=customer]{align-self:flex-end;background:#0b5cad;color:#fff;border-color:#0b5cad}' +
  '.tw-msg[data-author=system]{align-self:center;background:none;border:0;color:#5b6775;font-size:13px;text-align:center}' +
  '.tw-who{display:block;font-size:11px;color:#5b6775;margin-bottom:2px}.tw-msg[data-author=customer] .tw-who{display:none}' +
  '.tw-feedback{margin-top:4px;font-size:12px;color:#5b6775;display:flex;gap:2px;align-items:center}' +
  '.tw-thumb{border:0;background:none;cursor:pointer;padding:2px 4px;color:#5b6775;display:inline-flex;border-radius:4px}.tw-thumb:hover{color:#0b5cad;background:#eef3f8}' +
  '.tw-greeting{align-self:flex-start;max-width:85%;padding:8px 11px;border-radius:10px;font-size:14px;line-height:1.45;background:#fff;border:1px solid #e1e6ec}' +
  '.tw-suggest{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start;max-width:95%}' +
  '.tw-suggest button{border:1px solid #0b5cad;background:#fff;color:#0b5cad;border-radius:16px;padding:5px 11px;font-size:13px;cursor:pointer;text-align:left}' +
  '.tw-suggest button:hover{background:#eef3f8}.tw-suggest button:focus-visible{outline:2px solid #f5a623}' +
  '.tw-thumb:focus-visible{outline:2px solid #0b5cad}' +
  '.tw-msg[data-author=agent]{background:#eaf6ee;border-color:#9fd4b0;border-left:3px solid #1d7a43}' +
  '.tw-msg[data-author=agent] .tw-who{color:#1d6b3a;font-weight:600}' +
  '.tandem-typing{padding:4px 14px;font-size:12px;font-style:italic;color:#5b6775;background:#f5f7fa}' +
  '.tandem-rating{padding:10px 14px;border-top:1px solid #e1e6ec;font-size:14px}.tandem-rating p{margin:0 0 4px}' +
  '.tw-stars button{background:none;border:0;padding:0 2px;font-size:26px;line-height:1;color:#c5ced8;cursor:pointer}' +
  '.tw-stars button.on{color:#f5a623}' +
  '.tw-rate-row{display:flex;gap:8px;align-items:center;margin:6px 0}' +
  '.tw-rate-comment{flex:1;padding:6px 8px;border:1px solid #c5ced8;border-radius:6px;font-size:13px}' +
  '.tw-rate-send{padding:6px 12px;border:0;border-radius:6px;background:#0b5cad;color:#fff;font-size:13px;cursor:pointer}' +
  '.tw-rate-send:disabled{opacity:.5;cursor:default}.tandem-rating-skip{font-size:13px;color:#5b6775}' +
  '.tw-text{white-space:pre-wrap;overflow-wrap:anywhere}.tw-text p{margin:0}' +
  '.tw-text ul,.tw-text ol{margin:4px 0;padding-left:20px;white-space:normal}.tw-text li{margin:2px 0}' +
  '.tw-sources{margin-top:6px;font-size:12px;color:#5b6775}.tw-sources a{color:#0b5cad;margin-right:8px}' +
  '.tw-error{padding:6px 14px;font-size:13px;color:#a01c1c;background:#fdecec}.tw-error:empty{display:none}' +
  '.tw-form{display:flex;gap:8px;padding:10px;border-top:1px solid #e1e6ec}' +
  '.tw-input{flex:1;resize:none;height:42px;max-height:120px;padding:10px;border:1px solid #c5ced8;border-radius:8px;font-size:14px}' +
  '.tw-input:focus{outline:2px solid #0b5cad;border-color:#0b5cad}' +
  '.tw-send{padding:0 16px;border:0;border-radius:8px;background:#0b5cad;color:#fff;font-size:14px;cursor:pointer}' +
  '@media (max-width:480px){.tw-panel{right:0;bottom:0;width:100vw;height:100%;max-height:100%;border-radius:0}}' +
  // Priority care: larger, simpler text (a toggle; on by itself for care customers) and a one-step "talk to a person".
  '.tw-size{background:none;border:1px solid #fff;border-radius:6px;color:#fff;font-size:14px;cursor:pointer;margin-left:auto;margin-right:8px;padding:2px 8px}' +
  '.tw-size[aria-pressed=true]{background:#fff;color:#0b5cad}' +
  '.tw-person{margin:8px 12px 0;padding:12px;border:0;border-radius:8px;background:#b45309;color:#fff;font-size:18px;font-weight:600;cursor:pointer}' +
  '.tw-large .tw-msg,.tw-large .tw-input,.tw-large .tw-send,.tw-large .tw-status,.tw-large .tandem-queue{line-height:1.5}' +
  '.tw-large .tw-msg,.tw-large .tw-greeting,.tw-large .tw-input,.tw-large .tw-send{font-size:20px}.tw-large .tw-head h2{font-size:20px}' +
  '.tw-large .tw-sources,.tw-large .tw-feedback,.tw-large .tw-suggest{display:none}';

// MARKUP is the launcher and the panel, without their words.
const MARKUP =
  '<button class="tw-launcher" type="button" aria-haspopup="dialog" aria-expanded="false"></button>' +
  '<section class="tw-panel" role="dialog" aria-modal="false" hidden data-owner="bot">' +
  '<header class="tw-head"><h2 class="tw-title"></h2><button class="tw-size" type="button" aria-pressed="false">A+</button><button class="tw-close" type="button">×</button></header>' +
  '<button class="tw-person" type="button" hidden></button>' +
  '<div class="tw-status" role="status"></div>' +
  '<div class="tandem-queue" role="status"></div>' +
  '<button id="tandem-back" type="button" hidden></button>' +
  '<div class="tw-messages" role="log" aria-live="polite"></div>' +
  '<div class="tandem-typing" aria-live="polite" hidden></div>' +
  '<div class="tandem-rating" hidden><form class="tandem-rating-form"><p class="tandem-rating-ask"></p>' +
  '<div class="tw-stars" role="group"></div><div class="tw-rate-row">' +
  '<input class="tw-rate-comment" type="text" maxlength="1000"><button class="tw-rate-send" type="submit" disabled></button>' +
  '</div><a class="tandem-rating-skip" href="#" role="button"></a></form>' +
  '<p class="tandem-rating-thanks" role="status" hidden></p></div>' +
  '<div class="tw-error" role="alert"></div>' +
  '<form class="tw-form"><textarea class="tw-input" rows="1" maxlength="4096"></textarea>' +
  '<button class="tw-send" type="submit"></button></form></section>';

// An inline SVG: emoji fonts are not everywhere (headless Linux shows a box).
const LAUNCHER_ICON = '<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
  '<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-4.5 3.6A.5.5 0 0 1 4 21.2V18a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

// STARS is the highest rating.
const STARS = 5;

// build makes the widget's host element (not yet in the page) and returns it with the elements
// the other modules use, labelled with the words T.
export function build(T) {
  const host = document.createElement("div");
  host.id = "tandem-widget";
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = "<style>" + STYLE + "</style>" + MARKUP;
  const $ = (sel) => root.querySelector(sel);
  const ui = {
    host: host, root: root, launcher: $(".tw-launcher"), panel: $(".tw-panel"), list: $(".tw-messages"), input: $(".tw-input"),
    status: $(".tw-status"), error: $(".tw-error"), queue: $(".tandem-queue"), back: $("#tandem-back"),
    typing: $(".tandem-typing"), rating: $(".tandem-rating"), rateForm: $(".tandem-rating-form"),
    stars: $(".tw-stars"), comment: $(".tw-rate-comment"), rateSend: $(".tw-rate-send"), thanks: $(".tandem-rating-thanks"),
    skip: $(".tandem-rating-skip"), close: $(".tw-close"), form: $(".tw-form"), size: $(".tw-size"), person: $(".tw-person"),
  };
  label(ui, T, $);
  return ui;
}

// label puts the words T into the view.
function label(ui, T, $) {
  ui.launcher.innerHTML = LAUNCHER_ICON;
  ui.launcher.setAttribute("aria-label", T.launcher);
  ui.launcher.title = T.launcher;
  $(".tw-title").textContent = T.title;
  ui.close.setAttribute("aria-label", T.close);
  ui.panel.setAttribute("aria-label", T.title);
  ui.input.placeholder = T.input;
  ui.input.setAttribute("aria-label", T.input);
  $(".tw-send").textContent = T.send;
  ui.back.textContent = T.back;
  $(".tandem-rating-ask").textContent = T.rateAsk;
  ui.stars.setAttribute("aria-label", T.rateAsk);
  for (let i = 1; i <= STARS; i++) {
    const star = document.createElement("button");
    star.type = "button";
    star.dataset.score = String(i);
    star.textContent = "★";
    star.setAttribute("aria-label", T.star(i));
    star.setAttribute("aria-pressed", "false");
    ui.stars.appendChild(star);
  }
  ui.comment.placeholder = T.comment;
  ui.comment.setAttribute("aria-label", T.comment);
  ui.rateSend.textContent = T.rateSend;
  ui.skip.textContent = T.skip;
  ui.thanks.textContent = T.thanks;
  ui.size.setAttribute("aria-label", T.larger);
  ui.size.title = T.larger;
  ui.person.textContent = T.person;
}
