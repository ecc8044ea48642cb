// What a finished run offers to take away: its model, its test predictions, a notebook, the
// reproduce script, and any dataset scored by it, each as a file.

import { apiFile, apiList } from "./api.js";
import { h } from "./dom.js";

let datasetsAsked = null;
let datasetsAskedAt = 0;

/** The tenant's datasets, asked at most every few seconds however many cards are on screen. */
function datasetChoices() {
  if (!datasetsAsked || Date.now() - datasetsAskedAt > 5000) {
    datasetsAskedAt = Date.now();
    datasetsAsked = apiList("/datasets").catch((error) => {
      datasetsAsked = null;
      throw error;
    });
  }
  return datasetsAsked;
}

/** Whether the run's model scores table rows (a forecast predicts time steps instead). */
function scoresRows(run) {
  return run.config?.task_type !== "forecasting";
}

function link(href, text) {
  return h("a", { href, download: "" }, text);
}

function save(blob, filename) {
  const url = URL.createObjectURL(blob);
  const anchor = h("a", { href: url, download: filename, hidden: true });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The browser has the bytes once the download starts; the address can go a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

let formCount = 0;

/** Pick a dataset, get it back as a CSV with the run's predictions beside each row. */
function scoreForm(run) {
  const id = `score-dataset-${run.run_id}-${++formCount}`;
  const picker = h("select", { id, name: "dataset_id", required: true },
    h("option", { value: "" }, "loading datasets…"));
  const note = h("span", { class: "score-status", role: "status" });
  const button = h("button", { type: "submit" }, "Download scores (CSV)");
  datasetChoices().then((datasets) => {
    picker.replaceChildren(h("option", { value: "" }, "— choose a dataset —"),
      ...datasets.map((d) => h("option", { value: d.id, selected: d.id === run.dataset_id }, d.name)));
  }).catch((error) => { note.textContent = error.message; });
  const form = h("form", { class: "score", "aria-label": `Score a dataset with run ${run.run_id}` },
    h("label", { for: id }, "Score a dataset"), picker, button, note);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = picker.selectedOptions[0]?.textContent || "dataset";
    button.disabled = true;
    note.classList.remove("error");
    note.textContent = `Scoring ${name}…`;
    try {
      const { blob, filename } = await apiFile(`/runs/${run.run_id}/predict?format=csv`,
        { method: "POST", body: { dataset_id: Number(picker.value) } });
      const saved = filename || `run-${run.run_id}-${name}-predictions.csv`;
      save(blob, saved);
      note.textContent = `Downloaded ${saved}`;
    } catch (error) {
      note.classList.add("error");
      note.textContent = `Could not score ${name}: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** The downloads of a finished train or tune run; null for runs with nothing to take away. */
export function runDownloads(run) {
  if (run.status !== "finished" || (run.kind !== "train" && run.kind !== "tune")) return null;
  const base = `/api/v1/runs/${run.run_id}`;
  const links = [link(`${base}/model`, "Download model")];
  if (scoresRows(run)) {
    links.push(link(`${base}/predictions.csv`, "Download predictions (CSV)"));
    links.push(link(`${base}/notebook`, "Export notebook"));
  }
  links.push(link(`${base}/reproduce`, "Reproduce script"));
  return h("div", { class: "downloads" },
    h("p", {}, links.flatMap((node, index) => (index ? [" · ", node] : [node]))),
    scoresRows(run) ? scoreForm(run) : null);
}
