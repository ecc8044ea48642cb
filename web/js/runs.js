// Runs: a live card per run (progress, ETA, live metrics, cancel), details, and comparison.

import { api, ApiError, LiveSocket } from "./api.js";
import { configRows, configTitle, kindLabel, modelLabel } from "./configs.js";
import { $, drawFigure, formatDuration, h } from "./dom.js";
import { runDownloads as downloads } from "./downloads.js";
import { formatMetric } from "./numbers.js";
import { chartStep, coarseUnitsDone, EtaEstimator, stepText } from "./progress.js";
import { runHref } from "./router.js";
import { selectionTable } from "./selection.js";
import { themed } from "./theme.js";

const FINAL = new Set(["finished", "failed", "cancelled"]);
const CHART_EVERY_MS = 300;
const live = new Map(); // run_id -> RunCard, so a card re-rendered keeps one socket

/** Cancel through the run's jobs route: the API shows each run's kind as its route. */
export async function cancelRun(kind, jobId) {
  return api(`/ml/${kind}/${jobId}`, { method: "DELETE" });
}

export function metricsTable(metrics) {
  const splits = Object.keys(metrics || {}).filter((split) => metrics[split] && Object.keys(metrics[split]).length);
  if (!splits.length) return null;
  const names = [];
  for (const split of splits) for (const name of Object.keys(metrics[split])) if (!names.includes(name)) names.push(name);
  return h("table", { class: "metrics" },
    h("caption", {}, "Metrics per split"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "metric"), splits.map((s) => h("th", { scope: "col" }, s)))),
    h("tbody", {}, names.map((name) => h("tr", {},
      h("th", { scope: "row" }, name),
      splits.map((split) => h("td", {}, formatMetric(name, metrics[split][name])))))));
}

/** One run, followed live over /ws/runs/{id}, resuming after the last event seen. */
export class RunCard {
  static for(part) {
    let card = live.get(part.run_id);
    if (!card) {
      card = new RunCard(part);
      live.set(part.run_id, card);
    }
    return card;
  }

  constructor(part) {
    this.runId = part.run_id;
    this.jobId = part.job_id;
    this.kind = part.kind;
    this.config = part.config;
    this.lastSeq = 0;
    this.status = "queued";
    this.startedAt = null;
    this.endedAt = null;
    this.progress = 0;
    this.eta = new EtaEstimator();
    this.clockOffset = Infinity; // ms the page's clock is ahead of the server's, at least
    this.series = new Map();
    this.chartDue = 0;
    this.chartTimer = null;
    this.revision = 0;
    this.build();
    this.socket = new LiveSocket(() => `/ws/runs/${this.runId}?last_seq=${this.lastSeq}`, {
      onMessage: (event) => this.handle(event),
      onState: (state) => this.node.classList.toggle("offline", state === "offline"),
      reconnect: () => !FINAL.has(this.status),
    });
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  build() {
    this.statusNode = h("span", { class: "status", "data-status": "queued" }, "queued");
    this.bar = h("progress", { max: "1", value: "0", "aria-label": `Progress of run ${this.runId}` });
    this.stepNode = h("span", { class: "step" }, "waiting for a worker");
    this.timeNode = h("span", { class: "elapsed" });
    this.chartNode = h("div", { class: "live-chart", hidden: true, "aria-label": "Live metrics" });
    this.logNode = h("p", { class: "log" });
    this.cancelButton = h("button", { type: "button", class: "danger", onclick: () => this.cancel() }, "Cancel");
    this.resultNode = h("div", { class: "result" });
    this.node = h("article", { class: "run-card", "data-run-id": this.runId, "aria-label": `Run ${this.runId}` },
      h("header", {},
        h("h3", {}, `Run ${this.runId} · ${kindLabel({ kind: this.kind, config: this.config })} · ${configTitle(this.kind, this.config)}`),
        this.statusNode),
      h("div", { class: "progress-row" }, this.bar, this.stepNode, this.timeNode),
      this.chartNode, this.logNode,
      h("div", { class: "card-actions" }, this.cancelButton,
        h("button", { type: "button", onclick: () => openRunDetails(this.runId) }, "Details"),
        h("a", { class: "button", href: runHref(this.runId) }, "Run page")),
      this.resultNode);
  }

  handle(event) {
    if (event.seq !== null && event.seq !== undefined) {
      if (event.seq <= this.lastSeq) return; // already shown before a reconnect
      this.lastSeq = event.seq;
    }
    if (event.type === "started" && event.ts) this.startedAt = Date.parse(event.ts);
    // The run's lifecycle as the database names it (and the runs panel shows it): a model is
    // preprocessing until its first round reports, then training.
    if (event.type === "started") this.setStatus(this.kind === "explore" ? "running" : "preprocessing");
    if (event.type === "progress" && this.kind !== "explore") this.setStatus("training");
    if (typeof event.progress === "number") this.setProgress(event.progress);
    const counted = stepText(event);
    if (counted) this.stepNode.textContent = counted;
    if (event.type === "progress" && typeof event.progress === "number") this.track(event);
    // The chart follows training as it goes; the final scores are the metrics table's.
    if (event.metrics && event.type === "progress") this.addMetrics(chartStep(event), event.metrics);
    if (event.message && event.type !== "progress") this.logNode.textContent = event.message;
    if (FINAL.has(event.type)) this.finish(event);
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.statusNode.textContent = status;
    this.statusNode.dataset.status = status;
    this.node.dataset.status = status;
  }

  setProgress(fraction) {
    this.progress = Math.max(this.progress, Math.min(1, fraction));
    this.bar.value = this.progress;
    this.bar.setAttribute("aria-valuetext", `${Math.round(this.progress * 100)}%`);
  }

  addMetrics(x, metrics) {
    for (const [name, value] of Object.entries(metrics)) {
      if (typeof value !== "number") continue;
      if (!this.series.has(name)) this.series.set(name, { x: [], y: [] });
      const line = this.series.get(name);
      line.x.push(x);
      line.y.push(value);
    }
    // At most one draw per CHART_EVERY_MS, and always one after the last point: points that
    // came within the pause are drawn when it ends, even if no event follows them.
    if (!this.chartTimer) {
      this.chartTimer = setTimeout(() => this.drawChart(), Math.max(0, this.chartDue - Date.now()));
    }
  }

  drawChart() {
    clearTimeout(this.chartTimer);
    this.chartTimer = null;
    this.chartDue = Date.now() + CHART_EVERY_MS;
    if (!window.Plotly || !this.series.size) return;
    this.chartNode.hidden = false;
    // Plotly.react compares arrays by identity: handed the arrays it drew last time, grown in
    // place, it redraws nothing. Copies (and a new datarevision) make it draw the new points.
    const data = [...this.series].map(([name, line]) => ({ x: [...line.x], y: [...line.y], name, mode: "lines", type: "scatter" }));
    this.revision += 1;
    const layout = { height: 180, margin: { l: 45, r: 10, t: 28, b: 32 }, showlegend: true, datarevision: this.revision,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" }, xaxis: { title: { text: "step" } } };
    window.Plotly.react(this.chartNode, data, themed(layout), { displayModeBar: false, responsive: true });
  }

  /** Feed the ETA with the server's time of each report, so a replay after a reload counts. */
  track(event) {
    const at = event.ts ? Date.parse(event.ts) : Date.now();
    this.clockOffset = Math.min(this.clockOffset, Date.now() - at);
    this.eta.add(at / 1000, event.progress, coarseUnitsDone(event));
  }

  timeLeftText() {
    const left = this.eta.remaining((Date.now() - this.clockOffset) / 1000);
    if (left === null) return "estimating…";
    return left < 1 ? "finishing…" : `about ${formatDuration(left)} left`;
  }

  tick() {
    if (!this.startedAt) return;
    const elapsed = ((this.endedAt || Date.now()) - this.startedAt) / 1000;
    let text = `elapsed ${formatDuration(elapsed)}`;
    if (!FINAL.has(this.status) && this.progress < 1) text += ` · ${this.timeLeftText()}`;
    this.timeNode.textContent = text;
  }

  async cancel() {
    this.cancelButton.disabled = true;
    try {
      await cancelRun(this.kind, this.jobId);
    } catch (error) {
      this.logNode.textContent = error instanceof ApiError ? error.detail : String(error);
      this.cancelButton.disabled = false;
    }
  }

  async finish(event) {
    this.setStatus(event.type);
    this.endedAt = event.ts ? Date.parse(event.ts) : Date.now();
    clearInterval(this.ticker);
    this.tick();
    this.cancelButton.hidden = true;
    if (event.type === "finished") this.setProgress(1);
    this.drawChart();
    if (event.type !== "finished") {
      this.logNode.textContent = event.message || event.type;
    } else {
      try {
        const run = await api(`/runs/${this.runId}`);
        const table = metricsTable(run.result && run.result.metrics);
        const took = run.started_at && run.finished_at
          ? formatDuration((Date.parse(run.finished_at) - Date.parse(run.started_at)) / 1000) : null;
        this.logNode.textContent = took ? `finished in ${took}` : "finished";
        this.resultNode.replaceChildren(...[selectionTable(run.result), table, downloads(run)].filter(Boolean));
      } catch (error) {
        this.logNode.textContent = `finished; its result could not be read: ${error.message}`;
      }
    }
  }
}

/** Stop following runs whose cards left the page (another conversation opened). */
export function dropCards() {
  for (const card of live.values()) {
    card.socket.close();
    clearInterval(card.ticker);
    clearTimeout(card.chartTimer);
  }
  live.clear();
}

function splitSizes(summary) {
  const parts = [`${summary.train_samples} train`];
  if (summary.validation_samples) parts.push(`${summary.validation_samples} validation`);
  parts.push(`${summary.test_samples} test`);
  return `${summary.total_samples} rows: ${parts.join(", ")}`;
}

export async function openRunDetails(runId, summaryHtml = null) {
  const dialog = $("#run-dialog");
  const body = $("#run-body");
  $("#run-title").textContent = `Run ${runId}`;
  body.replaceChildren(h("p", {}, "Loading…"));
  if (!dialog.open) dialog.showModal();
  let run;
  try {
    run = await api(`/runs/${runId}`);
  } catch (error) {
    body.replaceChildren(h("p", { class: "error", role: "alert" }, error.message));
    return;
  }
  $("#run-title").textContent = `Run ${runId} · ${kindLabel(run)} · ${configTitle(run.kind, run.config)} · ${run.status}`;
  const result = run.result || {};
  const config = h("dl", { class: "config" }, configRows(run.kind, run.config).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  const summary = result.data_summary
    ? h("p", {}, splitSizes(result.data_summary))
    : null;
  const plots = h("div", { class: "plots" });
  body.replaceChildren(...[
    summaryHtml ? h("section", { class: "summary", "aria-label": "Summary" }) : null,
    run.error ? h("p", { class: "error" }, run.error) : null,
    h("p", {}, h("a", { href: runHref(runId), onclick: () => dialog.close() }, "Open this run's page")),
    config, summary, selectionTable(result), metricsTable(result.metrics), downloads(run), plots,
  ].filter(Boolean));
  if (summaryHtml) body.querySelector(".summary").innerHTML = summaryHtml;
  for (const name of result.plots || []) {
    const holder = h("figure", { class: "plot", "data-plot": name }, h("figcaption", {}, name.replaceAll("_", " ")));
    plots.append(holder);
    api(`/runs/${runId}/plots/${encodeURIComponent(name)}`)
      .then((figure) => { const chart = h("div"); holder.append(chart); drawFigure(chart, figure, { height: 360 }); })
      .catch((error) => holder.append(h("p", { class: "error" }, error.message)));
  }
}

const GOAL_DEFAULTS = ["accuracy", "f1", "rmse", "r2", "mae"];

export async function openComparison(runIds) {
  const dialog = $("#compare-dialog");
  const body = $("#compare-body");
  body.replaceChildren(h("p", {}, "Loading…"));
  if (!dialog.open) dialog.showModal();
  const runs = (await Promise.all(runIds.map((id) => api(`/runs/${id}`).catch(() => null)))).filter(Boolean);
  const finished = runs.filter((run) => run.result && run.result.metrics && run.result.metrics.test);
  if (!finished.length) {
    body.replaceChildren(h("p", {}, "None of these runs has test metrics yet: compare finished train or tune runs."));
    return;
  }
  const names = [];
  for (const run of finished) for (const name of Object.keys(run.result.metrics.test)) if (!names.includes(name)) names.push(name);
  const goal = (finished.find((run) => run.config.goal_metric) || {}).config?.goal_metric;
  let chosen = [goal, ...GOAL_DEFAULTS].find((name) => name && names.includes(name)) || names[0];
  const table = h("table", { class: "metrics" },
    h("caption", {}, "Test metrics"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "run"), h("th", { scope: "col" }, "model"), names.map((n) => h("th", { scope: "col" }, n)))),
    h("tbody", {}, finished.map((run) => h("tr", {},
      h("th", { scope: "row" }, `#${run.run_id}`), h("td", {}, modelLabel(run)),
      names.map((n) => h("td", {}, formatMetric(n, run.result.metrics.test[n])))))));
  const picker = h("select", { id: "compare-metric" }, names.map((n) => h("option", { value: n, selected: n === chosen }, n)));
  const chart = h("div", { class: "compare-chart" });
  const draw = () => drawFigure(chart, {
    data: [{ type: "bar", x: finished.map((run) => `#${run.run_id} ${modelLabel(run)}`),
      y: finished.map((run) => run.result.metrics.test[chosen] ?? null) }],
    layout: { title: { text: `test ${chosen}` }, yaxis: { title: { text: chosen } } },
  }, { height: 320 });
  picker.addEventListener("change", () => { chosen = picker.value; draw(); });
  body.replaceChildren(table, h("p", {}, h("label", { for: "compare-metric" }, "Chart of "), picker), chart);
  draw();
}

/** The runs panel: every run of the tenant, kept live by /ws/feed; ticks pick runs to compare. */
export class RunsPanel {
  constructor(list, compareButton) {
    this.list = list;
    this.compareButton = compareButton;
    this.selected = new Set();
    this.online = false;
    compareButton.addEventListener("click", () => openComparison([...this.selected]));
    this.feed = new LiveSocket(() => "/ws/feed", {
      onMessage: (event) => this.handle(event),
      onState: (state) => {
        this.online = state === "open";
        if (this.online) this.refresh(); // catch up on what happened while away
      },
    });
    this.refresh();
  }

  handle(event) {
    const row = this.list.querySelector(`li[data-run-id="${event.run_id}"]`);
    if (!row || event.type === "queued" || FINAL.has(event.type)) {
      this.refreshSoon();
      return;
    }
    const bar = row.querySelector("progress");
    if (bar && typeof event.progress === "number") bar.value = event.progress;
    const status = row.querySelector(".status");
    const next = { started: "preprocessing", progress: "training" }[event.type];
    if (next && status.dataset.status !== next && row.dataset.kind !== "explore") {
      status.textContent = status.dataset.status = next;
    }
  }

  refreshSoon() {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => this.refresh(), 150);
  }

  async refresh() {
    clearTimeout(this.timer);
    try {
      const page = await api("/runs?limit=40");
      this.list.replaceChildren(...page.items.map((run) => this.row(run)));
    } catch {
      /* the feed's reconnect or the next poll brings it back */
    }
    // The feed keeps the list live; a slow poll covers statuses only the database knows.
    this.timer = setTimeout(() => this.refresh(), this.online ? 15000 : 3000);
  }

  row(run) {
    const id = `pick-run-${run.run_id}`;
    const check = h("input", { type: "checkbox", id, checked: this.selected.has(run.run_id),
      "aria-label": `Select run ${run.run_id} to compare` });
    check.addEventListener("change", () => {
      if (check.checked) this.selected.add(run.run_id); else this.selected.delete(run.run_id);
      this.compareButton.disabled = this.selected.size < 2;
    });
    const test = run.test_metrics; // a list row carries the test metrics, not the result
    const headline = test ? Object.entries(test).find(([name]) => GOAL_DEFAULTS.includes(name)) : null;
    return h("li", { "data-run-id": run.run_id, "data-status": run.status, "data-kind": run.kind },
      run.kind === "explore" ? h("span", { class: "spacer" }) : check,
      h("span", { class: "run-title" },
        h("button", { type: "button", class: "link", onclick: () => openRunDetails(run.run_id) },
          h("strong", {}, `#${run.run_id}`), ` ${kindLabel(run)} · ${configTitle(run.kind, run.config)}`),
        " ", h("a", { class: "permalink", href: runHref(run.run_id), "aria-label": `Run ${run.run_id}'s page`,
          title: "Open the run's page" }, "↗")),
      h("span", { class: "status", "data-status": run.status }, run.status),
      FINAL.has(run.status) ? null : h("progress", { max: "1", value: String(run.progress || 0), "aria-label": `Progress of run ${run.run_id}` }),
      headline ? h("span", { class: "headline" }, `${headline[0]} ${formatMetric(headline[0], headline[1])}`) : null);
  }
}
