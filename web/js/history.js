// Run history (#/runs): every run of the tenant, searched and filtered, a page at a time.

import { api, apiList } from "./api.js";
import { configTitle } from "./configs.js";
import { h } from "./dom.js";
import { formatMetric } from "./numbers.js";
import { historyHref, runHref } from "./router.js";

const PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const FILTERS = ["q", "dataset_id", "algorithm", "kind", "status", "since", "until"];
// The API's job collections and a run's lifecycle, as GET /api/v1/runs filters by them.
const KINDS = ["train", "tune", "leaderboard", "automl", "explore"];
const STATUSES = ["queued", "preprocessing", "training", "finished", "failed", "cancelled"];
const HEADLINE_METRICS = ["accuracy", "f1", "rmse", "r2", "mae"];

/** A metric as shown in the history and on a run's page: read by its kind (numbers.js). */
export function metricText(name, value) {
  return formatMetric(name, value);
}

/** When something happened, as a person reads a date: "3 Dec 2026, 10:42". */
export function when(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The one number that says how a run did, as [label, value, metric], or null. A run (a list
 * row or a whole run) carries its test metrics: a leaderboard's are its winner's. */
export function headline(run) {
  const test = run.test_metrics;
  if (!test) return null;
  if (run.best) { // a leaderboard's or an AutoML's: its winner's goal metric
    const value = test[run.goal_metric];
    return typeof value === "number" ? [`${run.goal_metric} (${run.best})`, value, run.goal_metric] : null;
  }
  const name = [run.goal_metric, ...HEADLINE_METRICS].find((n) => n && typeof test[n] === "number");
  return name ? [name, test[name], name] : null;
}

/** What was trained or drawn: the algorithm, a leaderboard's candidates, or the chart. */
export function whatRan(run) {
  if (run.algorithm) return run.algorithm;
  if (run.config?.algorithms) return `${run.config.algorithms.length} algorithms`;
  return run.config?.explorer || "—";
}

function choice(name, label, values, chosen) {
  const id = `history-${name}`;
  return h("label", { for: id }, label,
    h("select", { id, name },
      h("option", { value: "" }, "any"),
      values.map(([value, text]) => h("option", { value, selected: String(value) === chosen }, text))));
}

export class History {
  constructor(node) {
    this.node = node;
    this.shown = 0;
    this.datasets = null;
    this.algorithms = null;
  }

  /** Show the page of runs that `params` (the hash's query) asks for. */
  async show(params) {
    const token = ++this.shown;
    const chosen = Object.fromEntries(FILTERS.map((key) => [key, params.get(key) || ""]));
    const offset = Math.max(0, Number(params.get("offset")) || 0);
    // A link may ask for another page size (#/runs?limit=50); the filters keep it.
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(params.get("limit")) || PAGE_SIZE));
    if (params.get("limit")) chosen.limit = String(limit);
    await this.loadChoices();
    if (token !== this.shown) return;
    const status = h("p", { class: "count", role: "status" }, "Loading…");
    const results = h("div", { class: "history-results" });
    this.node.replaceChildren(h("div", { class: "page-body" },
      h("nav", { class: "crumbs" }, h("a", { href: "#/" }, "← Back to the chat")),
      h("header", { class: "page-head" }, h("h2", {}, "Run history")),
      this.form(chosen), status, results));
    const query = new URLSearchParams({ limit: String(limit), offset: String(offset) });
    for (const key of FILTERS) if (chosen[key]) query.set(key, chosen[key]);
    let page;
    try {
      page = await api(`/runs?${query}`);
    } catch (error) {
      if (token !== this.shown) return;
      status.textContent = error.message;
      status.classList.add("error");
      return;
    }
    if (token !== this.shown) return;
    status.textContent = page.total
      ? `runs ${page.offset + 1}–${page.offset + page.items.length} of ${page.total.toLocaleString()}`
      : "No runs match these filters.";
    results.replaceChildren(...[page.items.length ? this.table(page.items) : null, this.pager(page, chosen)].filter(Boolean));
  }

  async loadChoices() {
    // Asked once per visit to the history: a new dataset or algorithm shows on the next.
    const [datasets, algorithms] = await Promise.all([
      apiList("/datasets").catch(() => []),
      this.algorithms ? this.algorithms : api("/components?type=algorithm").then((list) => list.map((c) => c.name)).catch(() => []),
    ]);
    this.datasets = datasets;
    this.algorithms = algorithms;
  }

  form(chosen) {
    const search = h("input", { type: "search", id: "history-q", name: "q", value: chosen.q,
      placeholder: "dataset, algorithm, target, id" });
    const form = h("form", { class: "filters", role: "search", "aria-label": "Filter runs" },
      h("label", { for: "history-q" }, "Search", search),
      choice("dataset_id", "Dataset", this.datasets.map((d) => [d.id, d.name]), chosen.dataset_id),
      choice("algorithm", "Algorithm", this.algorithms.map((name) => [name, name]), chosen.algorithm),
      choice("kind", "Kind", KINDS.map((k) => [k, k]), chosen.kind),
      choice("status", "Status", STATUSES.map((s) => [s, s]), chosen.status),
      h("label", { for: "history-since" }, "From", h("input", { type: "date", id: "history-since", name: "since", value: chosen.since })),
      h("label", { for: "history-until" }, "To", h("input", { type: "date", id: "history-until", name: "until", value: chosen.until })),
      h("div", { class: "filter-actions" },
        h("button", { type: "submit", class: "primary" }, "Search"),
        h("a", { class: "button", href: "#/runs" }, "Clear")));
    const apply = () => {
      const values = Object.fromEntries(FILTERS.map((key) => [key, form.elements[key].value.trim()]));
      values.limit = chosen.limit;
      location.hash = historyHref(values); // the hash keeps the filters: back, reload and links work
    };
    form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
    form.addEventListener("change", (event) => { if (event.target.name !== "q") apply(); });
    return form;
  }

  table(runs) {
    const columns = ["run", "dataset", "kind", "algorithm", "status", "result", "created"];
    return h("div", { class: "scroll" }, h("table", { class: "history-table" },
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, runs.map((run) => {
        const best = headline(run);
        return h("tr", { "data-run-id": run.run_id },
          h("th", { scope: "row" }, h("a", { href: runHref(run.run_id), title: configTitle(run.kind, run.config) }, `#${run.run_id}`)),
          h("td", {}, run.dataset_name || (run.dataset_id ? `#${run.dataset_id}` : "—")),
          h("td", {}, run.kind),
          h("td", {}, whatRan(run)),
          h("td", {}, h("span", { class: "status", "data-status": run.status }, run.status)),
          h("td", { class: "headline" }, best ? `${best[0]} ${metricText(best[2], best[1])}` : "—"),
          h("td", {}, h("time", { datetime: run.created_at }, when(run.created_at))));
      }))));
  }

  pager(page, chosen) {
    if (page.total <= page.limit) return null;
    const to = (offset) => historyHref({ ...chosen, offset });
    const previous = page.offset > 0;
    const next = page.offset + page.limit < page.total;
    return h("nav", { class: "pager", "aria-label": "Pages of runs" },
      previous ? h("a", { class: "button", href: to(Math.max(0, page.offset - page.limit)), rel: "prev" }, "← Previous")
        : h("span", { class: "button disabled", "aria-disabled": "true" }, "← Previous"),
      next ? h("a", { class: "button", href: to(page.offset + page.limit), rel: "next" }, "Next →")
        : h("span", { class: "button disabled", "aria-disabled": "true" }, "Next →"));
  }
}
