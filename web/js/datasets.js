// Datasets: the picker, the profile view with the first rows, and uploads with progress.

import { api, apiList, uploadDataset } from "./api.js";
import { $, formatBytes, h } from "./dom.js";
import { lineageHref } from "./lineage.js";

export class Datasets {
  constructor({ picker, onPick, onError }) {
    this.picker = picker;
    this.onPick = onPick;
    this.onError = onError;
    this.items = [];
    picker.addEventListener("change", () => this.onPick(this.current()));
  }

  async load(selectId = null) {
    this.items = await apiList("/datasets");
    const keep = selectId ?? Number(this.picker.value || 0);
    this.picker.replaceChildren(
      h("option", { value: "" }, "— choose a dataset —"),
      ...this.items.map((d) => h("option", { value: d.id, selected: d.id === keep },
        `${d.name} (${d.row_count.toLocaleString()} rows${d.is_sample ? ", sample" : ""})`)));
  }

  current() {
    const id = Number(this.picker.value || 0);
    return this.items.find((d) => d.id === id) || null;
  }

  select(id) {
    this.picker.value = id ? String(id) : "";
  }

  async show() {
    const chosen = this.current();
    const dialog = $("#dataset-dialog");
    const body = $("#dataset-body");
    if (!chosen) {
      this.onError("Choose a dataset first.");
      return;
    }
    $("#dataset-title").textContent = chosen.name;
    body.replaceChildren(h("p", {}, "Loading…"));
    dialog.showModal();
    try {
      const dataset = await api(`/datasets/${chosen.id}`);
      const rows = h("div", { class: "dataset-rows" });
      // Each part is a node or left out: replaceChildren would print a null as the text "null".
      body.replaceChildren(...[
        dataset.description ? h("p", {}, dataset.description) : null,
        h("p", {}, `Version ${dataset.version ?? 1} · ${dataset.row_count.toLocaleString()} rows · ${dataset.column_count} columns · ${formatBytes(dataset.size_bytes)} · `,
          h("a", { href: lineageHref("dataset", dataset.id), class: "to-lineage", onclick: () => dialog.close() }, "Lineage")),
        h("div", { class: "scroll" }, profileTable(dataset.profile)),
        h("h3", {}, "Rows"),
        rows,
      ].filter(Boolean));
      await showRows(rows, dataset, 0);
    } catch (error) {
      body.replaceChildren(h("p", { class: "error", role: "alert" }, error.message));
    }
  }

  /** Upload `file`, showing a progress bar; resolves to the new dataset or null on failure. */
  async upload(file) {
    const status = $("#upload-status");
    const bar = $("#upload-progress");
    const label = $("#upload-label");
    status.hidden = false;
    status.classList.remove("failed");
    bar.value = 0;
    label.textContent = `Uploading ${file.name} (${formatBytes(file.size)})…`;
    try {
      const dataset = await uploadDataset(file, (fraction) => {
        bar.value = fraction;
        if (fraction >= 1) label.textContent = `Profiling ${file.name}…`;
      });
      label.textContent = `Uploaded ${dataset.name}: ${dataset.row_count.toLocaleString()} rows, ${dataset.column_count} columns`;
      await this.load(dataset.id);
      this.onPick(this.current());
      setTimeout(() => { status.hidden = true; }, 4000);
      return dataset;
    } catch (error) {
      status.classList.add("failed");
      label.textContent = `Upload of ${file.name} failed: ${error.message}`;
      return null;
    }
  }
}

const ROWS_PER_PAGE = 20;

/** A stored value exactly as stored (207.08 stays 207.08): a preview is for checking the data. */
function cellText(value) {
  if (value === null || value === undefined) return "—";
  return String(value);
}

function range(column) {
  if (column.min !== null && column.min !== undefined) return `${cellText(column.min)} – ${cellText(column.max)}`;
  if (column.top_values && column.top_values.length) {
    return column.top_values.slice(0, 3).map(([value, count]) => `${cellText(value)} (${count.toLocaleString()})`).join(", ");
  }
  return (column.samples || []).slice(0, 3).map(cellText).join(", ");
}

function profileTable(profile) {
  return h("table", { class: "profile" },
    h("caption", {}, "Columns"),
    h("thead", {}, h("tr", {}, ["column", "type", "kind", "missing", "distinct", "range or top values"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, profile.columns.map((column) => h("tr", {},
      h("th", { scope: "row" }, column.name), h("td", {}, column.dtype), h("td", {}, column.kind),
      h("td", {}, column.missing.toLocaleString()), h("td", {}, column.distinct.toLocaleString()), h("td", {}, range(column))))));
}

/** Rows `offset` onwards into `holder`, with buttons to the pages before and after. */
async function showRows(holder, dataset, offset) {
  const page = await api(`/datasets/${dataset.id}/rows?offset=${offset}&limit=${ROWS_PER_PAGE}`);
  const last = page.offset + page.rows.length;
  const move = (to) => async () => {
    for (const button of holder.querySelectorAll("button")) button.disabled = true;
    try {
      await showRows(holder, dataset, to);
    } catch (error) {
      holder.append(h("p", { class: "error", role: "alert" }, error.message));
    }
  };
  const pager = h("div", { class: "row-pager" },
    h("button", { type: "button", disabled: page.offset === 0, onclick: move(Math.max(0, page.offset - ROWS_PER_PAGE)) }, "← Previous rows"),
    h("span", { class: "row-range", role: "status" },
      page.total ? `rows ${(page.offset + 1).toLocaleString()}–${last.toLocaleString()} of ${page.total.toLocaleString()}` : "no rows"),
    h("button", { type: "button", disabled: last >= page.total, onclick: move(page.offset + ROWS_PER_PAGE) }, "Next rows →"));
  holder.replaceChildren(pager, h("div", { class: "scroll" }, h("table", { class: "rows" },
    h("thead", {}, h("tr", {}, page.columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, page.rows.map((row) => h("tr", {}, page.columns.map((c) => h("td", {}, cellText(row[c])))))))));
}

/** Drag a file anywhere onto the page to upload it. */
export function enableDrop(zone, onFile) {
  let depth = 0;
  const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
  window.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    zone.hidden = false;
  });
  window.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) zone.hidden = true;
  });
  window.addEventListener("dragover", (event) => { if (hasFiles(event)) event.preventDefault(); });
  window.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    zone.hidden = true;
    const [file] = event.dataTransfer.files;
    if (file) onFile(file);
  });
}
