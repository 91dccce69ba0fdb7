/* Tandem chat widget: one <script src="https://YOUR-HOST/widget.js" data-lang="en" async></script>
   tag on any site. This classic script reads its own tag while it runs (document.currentScript is
   gone once it returns), then loads the widget's ES modules, served beside it at widget/, with
   import(): from another site they are fetched with CORS, without credentials. The widget talks
   to the server that served this file. */
(function () {
  "use strict";
  if (window.TandemWidget) return;
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var src = new URL(script ? script.src : location.href, location.href);
  var data = script ? script.dataset : {};
  var lang = data.lang || new URLSearchParams(location.search).get("lang") || navigator.language || "en";
  lang = /^zh/i.test(lang) ? "zh" : "en";
  // The site sets its own title, greeting and suggested questions on the tag: data-title,
  // data-greeting, data-greeting-zh, data-suggestions="First question|Second question",
  // data-suggestions-zh.
  var sfx = lang === "zh" ? "Zh" : "";
  var tag = {
    origin: src.origin,
    lang: lang,
    title: data.title,
    greeting: data["greeting" + sfx],
    suggestions: data["suggestions" + sfx],
    // identity is the site's signed token for its signed-in customer, if it gives one: the tag's
    // data-identity, or window.TandemIdentity, read when a session starts.
    identity: function () {
      var t = (script && script.dataset.identity) || window.TandemIdentity || "";
      return typeof t === "string" ? t : "";
    }
  };
  // All the modules are fetched at once (the browser would find them one level of imports at a
  // time, a round trip each); the first, main.js, mounts the widget. TestWidgetModules checks
  // that this list is the whole module graph.
  var modules = ["main.js", "strings.js", "view.js", "messages.js", "session.js", "../shared/tandem.js"];
  Promise.all(modules.map(function (m) { return import(new URL("widget/" + m, src).href); })).then(function (loaded) {
    loaded[0].mount(tag);
  }, function (err) {
    console.error("Tandem widget: could not load its modules from " + src.origin + ":", err);
  });
})();
