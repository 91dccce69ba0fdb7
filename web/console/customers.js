/* Customers' data, for admins: data-access and erasure requests.
     GET    /api/admin/customers?id=&channel=   the customer {id,channel,external_id,name?,created_at}
     GET    /api/admin/customers/:id/export     everything stored about them (the read is audited)
     DELETE /api/admin/customers/:id            {customer_id,erased_at,rows:{table:count}}
   Customers' data is dropped from the page as soon as its dialog closes. */
import { $, el } from "/shared/tandem.js";
import { state, events, t, api, isAdmin, adminPath, setText, stamp, shortId, channelTitle, showAdmin, closeDialog } from "./core.js";
import { scheduleRefresh } from "./lists.js";

// EXPORT_URL_MS is how long a customer export's object URL lives: long enough for the browser
// to start the download, after which the Blob (personal data) is released.
const EXPORT_URL_MS = 60000;

export function openCustomers() {
  if (!isAdmin()) return;
  showAdmin("customers");
  ($("find-channel").value ? $("find-external") : $("find-channel")).focus();
}

function foundName(c) { return (c && c.name) || t("unnamedCustomer", { id: c.external_id || shortId(c.id) }); }

// clearCustomers drops the customer and the erasure report from the page.
export function clearCustomers() {
  state.seq.customers++;
  state.admin.customer = null;
  $("find-external").value = "";
  $("customers-error").textContent = "";
  setText($("customers-status"), null);
  showCustomer(null);
  showErased(null);
}

export async function findCustomer(e) {
  e.preventDefault();
  const ch = $("find-channel"), ext = $("find-external");
  const channel = ch.value.trim(), external = ext.value.trim();
  const seq = ++state.seq.customers, status = $("customers-status");
  state.admin.customer = null;
  showCustomer(null);
  showErased(null);
  $("customers-error").textContent = "";
  if (!external) {
    const missing = ext;
    missing.setAttribute("aria-invalid", "true");
    $("customers-error").textContent = t("findMissing");
    setText(status, null);
    missing.focus();
    return;
  }
  setText(status, "finding");
  $("find-submit").disabled = true;
  try {
    // The id the console shows, or (with a channel) the id that channel knows them by.
    const q = { id: external.replace(/^#/, "") };
    if (channel) q.channel = channel;
    const c = await api("GET", "/api/admin/customers?" + new URLSearchParams(q));
    if (seq !== state.seq.customers) return;
    state.admin.customer = c;
    showCustomer(c);
    setText(status, "customerFound", { name: foundName(c) });
    $("customer-export").focus();
  } catch (err) {
    if (seq !== state.seq.customers) return;
    setText(status, null);
    if (err.unauthorized) return;
    $("customers-error").textContent = err.message;
    ext.select();
    ext.focus();
  } finally {
    $("find-submit").disabled = false;
  }
}

// showCustomer shows the customer found (or hides the card for null).
function showCustomer(c) {
  setCustomerBusy(false);
  $("customer-found").hidden = !c;
  $("customer-found").dataset.customer = c ? c.id : "";
  $("found-title").textContent = c ? foundName(c) : "";
  $("found-id").textContent = c ? c.id : "";
  $("found-channel").textContent = c ? channelTitle(c.channel) : "";
  $("found-external").textContent = c ? c.external_id : "";
  $("found-created").textContent = c ? stamp(c.created_at) : "";
}

function setCustomerBusy(busy) {
  $("customer-export").disabled = busy;
  $("customer-erase").disabled = busy;
  $("customer-found").setAttribute("aria-busy", busy ? "true" : "false");
}

export async function exportCustomer() {
  const c = state.admin.customer;
  if (!c) return;
  const seq = state.seq.customers, status = $("customers-status");
  $("customers-error").textContent = "";
  setText(status, "exporting");
  setCustomerBusy(true);
  try {
    const data = await api("GET", adminPath("customers", c.id, "export"));
    if (seq !== state.seq.customers) return;
    const file = "customer-" + String(c.id).replace(/[^A-Za-z0-9_-]/g, "_") + ".json";
    download(file, JSON.stringify(data, null, 2) + "\n");
    setText(status, "exported", { file: file, n: ((data && data.conversations) || []).length });
  } catch (err) {
    if (seq !== state.seq.customers) return;
    setText(status, null);
    if (!err.unauthorized) $("customers-error").textContent = err.message;
  } finally {
    if (seq === state.seq.customers) setCustomerBusy(false);
  }
}

// download offers text as a JSON file through a Blob's object URL. The link goes inside the
// open dialog because the rest of the page is inert while a modal dialog is open.
function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const a = el("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  (document.querySelector("dialog[open]") || document.body).appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), EXPORT_URL_MS);
}

export async function eraseCustomer() {
  const c = state.admin.customer;
  if (!c) return;
  const name = foundName(c);
  if (!window.confirm(t("confirmErase", { name: name, channel: channelTitle(c.channel), external: c.external_id }))) return;
  const seq = state.seq.customers, status = $("customers-status");
  $("customers-error").textContent = "";
  setText(status, "erasing");
  setCustomerBusy(true);
  try {
    const report = await api("DELETE", adminPath("customers", c.id));
    if (seq !== state.seq.customers) return;
    state.admin.customer = null;
    showCustomer(null);
    const total = showErased(report, name);
    setText(status, "erased", { name: name, n: total });
    $("erase-report").focus();
    scheduleRefresh(); // the customer's conversations leave the lists
  } catch (err) {
    if (seq !== state.seq.customers) return;
    setText(status, null);
    if (!err.unauthorized) $("customers-error").textContent = err.message;
  } finally {
    if (seq === state.seq.customers) setCustomerBusy(false);
  }
}

// showErased shows the rows deleted per table (tr[data-table]), most first, and returns the
// total; null hides the report.
function showErased(report, name) {
  const box = $("erase-report"), body = $("erase-table").tBodies[0];
  body.textContent = "";
  box.hidden = !report;
  if (!report) {
    setText($("erase-title"), null);
    $("erase-total").textContent = "";
    return 0;
  }
  const rows = Object.entries(report.rows || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  let total = 0;
  rows.forEach(([table, n]) => {
    total += Number(n) || 0;
    const tr = el("tr");
    tr.dataset.table = table;
    const th = el("th", "mono", table);
    th.scope = "row";
    tr.appendChild(th);
    tr.appendChild(el("td", "num", n));
    body.appendChild(tr);
  });
  setText($("erase-title"), "erasedTitle", { name: name });
  $("erase-total").textContent = String(total);
  return total;
}

events.on("end", () => {
  closeDialog("customers");
  clearCustomers();
});
