/* The queue and the agent's own conversations, with j/k selection.
     GET /api/console/conversations?view=queue|mine   {conversations:[Summary]}
   A click asks for the conversation to open (hook "open"), the Accept button to accept it ("accept"). */
import { $, el, clip, validTime } from "/shared/tandem.js";
import { state, events, t, tOr, api, report, mmss, customerName, channelBadge, priorityBadge, reasonText } from "./core.js";

export function scheduleRefresh() {
  clearTimeout(state.timers.refresh);
  state.timers.refresh = setTimeout(refreshLists, 100);
}

export async function refreshLists() {
  if (!state.me) return;
  const mine = ++state.seq.lists;
  try {
    const [queue, own] = await Promise.all([
      api("GET", "/api/console/conversations?view=queue"),
      api("GET", "/api/console/conversations?view=mine"),
    ]);
    if (mine !== state.seq.lists || !state.me) return;
    state.lists.queue = (queue && queue.conversations) || [];
    state.lists.mine = (own && own.conversations) || [];
    renderLists();
  } catch (err) {
    if (mine === state.seq.lists) report(err);
  }
}

export function renderLists() {
  const hadFocus = document.activeElement && document.activeElement.closest && document.activeElement.closest(".convs");
  renderList("queue", state.lists.queue);
  renderList("mine", state.lists.mine);
  if (state.selectedId && !findItem(state.selectedId)) state.selectedId = null;
  markSelection();
  if (hadFocus && state.selectedId) { const li = findItem(state.selectedId); if (li) li.focus(); }
}

function renderList(view, convs) {
  const ul = $(view);
  ul.textContent = "";
  convs.forEach((c) => ul.appendChild(listItem(c, view)));
  $(view + "-empty").hidden = convs.length > 0 || !state.me;
  $(view + "-count").textContent = convs.length ? "(" + convs.length + ")" : "";
}

function listItem(c, view) {
  const li = el("li", "conv");
  li.dataset.conv = c.id;
  li.dataset.view = view;
  li.tabIndex = -1;
  if (c.sla_breached) li.classList.add("breached");

  const top = el("div", "line");
  top.appendChild(el("strong", "name", customerName(c.customer, c.id)));
  top.appendChild(channelBadge(c.channel));
  const pri = priorityBadge(c.priority);
  if (pri) top.appendChild(pri);
  if (c.sla_breached) top.appendChild(el("span", "badge sla", t("slaBreached")));
  li.appendChild(top);

  const meta = el("div", "line meta");
  if (view === "queue" && c.position) meta.appendChild(el("span", "position", t("position", { n: c.position })));
  const since = validTime(c.queued_at);
  if (since) {
    const w = el("span", "wait");
    w.dataset.since = String(since.getTime());
    w.textContent = t("waited", { t: mmss(Date.now() - since.getTime()) });
    meta.appendChild(w);
  }
  if (c.reason) meta.appendChild(el("span", "reason", reasonText(c.reason)));
  li.appendChild(meta);

  const last = c.last_message;
  if (last && last.text) {
    const p = el("p", "preview");
    p.appendChild(el("span", "who", tOr("author_" + last.author, last.author) + ": "));
    p.appendChild(document.createTextNode(clip(last.text, 90)));
    li.appendChild(p);
  }

  if (view === "queue") {
    const b = el("button", "accept", t("accept"));
    b.type = "button";
    b.setAttribute("aria-label", t("acceptItem", { name: customerName(c.customer, c.id) }));
    b.addEventListener("click", (e) => { e.stopPropagation(); events.emit("accept", c.id); });
    li.appendChild(b);
  }
  li.addEventListener("click", () => { select(c.id); events.emit("open", c.id); });
  return li;
}

export function tickWaits() {
  const now = Date.now();
  document.querySelectorAll(".wait[data-since]").forEach((w) => {
    w.textContent = t("waited", { t: mmss(now - Number(w.dataset.since)) });
  });
}

function allItems() { return Array.from(document.querySelectorAll("#queue li[data-conv], #mine li[data-conv]")); }

export function findItem(id) { return allItems().find((li) => li.dataset.conv === id) || null; }

export function select(id) {
  state.selectedId = id;
  markSelection();
}

export function markSelection() {
  const items = allItems();
  items.forEach((li) => {
    const sel = li.dataset.conv === state.selectedId;
    const open = li.dataset.conv === state.openId;
    li.classList.toggle("selected", sel);
    li.classList.toggle("open", open);
    li.tabIndex = sel || (!state.selectedId && li === items[0]) ? 0 : -1;
    if (open) li.setAttribute("aria-current", "true"); else li.removeAttribute("aria-current");
  });
}

export function moveSelection(step) {
  const items = allItems();
  if (!items.length) return;
  let i = items.findIndex((li) => li.dataset.conv === state.selectedId);
  i = i < 0 ? (step > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, i + step));
  select(items[i].dataset.conv);
  items[i].focus();
}

events.on("lang", renderLists);
events.on("end", () => {
  state.lists = { queue: [], mine: [] };
  state.selectedId = null;
  renderLists();
});
