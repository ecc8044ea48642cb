// A run's own page (#/runs/{id}): config, metrics, plots, summary, reproduce script, downloads,
// and the conversation it came from.

import { api, apiText } from "./api.js";
import { configRows, configTitle, kindLabel } from "./configs.js";
import { drawFigure, formatDuration, h } from "./dom.js";
import { runDownloads } from "./downloads.js";
import { when } from "./history.js";
import { lineageHref } from "./lineage.js";
import { conversationHref } from "./router.js";
import { metricsTable } from "./runs.js";
import { selectionTable } from "./selection.js";

const MODEL_KINDS = new Set(["train", "tune", "leaderboard", "automl"]); // their models reproduce

const FINAL = new Set(["finished", "failed", "cancelled"]);
const MAX_EXCHANGE = 8;

const hasPart = (message, type, runId) =>
  (message.parts || []).some((part) => part.type === type && (runId === undefined || part.run_id === runId));

/** The messages that started run `runId`: the request, any plan and its edits, the go-ahead. */
export function startingExchange(messages, runId) {
  const at = messages.findIndex((message) => hasPart(message, "run", runId));
  if (at < 0) return [];
  const userBefore = (index) => {
    let i = index;
    while (i > 0 && messages[i].role !== "user") i -= 1;
    return i;
  };
  let start = userBefore(at);
  // A plan answered the message before the go-ahead: walk back through it and its edits.
  while (start > 0 && hasPart(messages[start - 1], "plan") && at - start < MAX_EXCHANGE) start = userBefore(start - 1);
  return messages.slice(Math.max(start, at - MAX_EXCHANGE + 1), at + 1);
}

function section(title, ...children) {
  const body = children.flat().filter(Boolean);
  if (!body.length) return null;
  return h("section", { class: "run-section", "aria-label": title }, h("h3", {}, title), ...body);
}

function messageNode(message) {
  const body = h("div", { class: "body" });
  if (message.role === "assistant" && message.html) body.innerHTML = message.html; // rendered with raw HTML escaped
  else body.textContent = message.content;
  return h("div", { class: `message ${message.role}` },
    h("span", { class: "who" }, message.role === "user" ? "You" : "mlchat"), body);
}

function splitSizes(summary) {
  const parts = [`${summary.train_samples} train`];
  if (summary.validation_samples) parts.push(`${summary.validation_samples} validation`);
  parts.push(`${summary.test_samples} test`);
  return `${summary.total_samples} rows: ${parts.join(", ")}`;
}

export class RunPage {
  constructor(node) {
    this.node = node;
    this.shown = 0;
  }

  async show(runId) {
    const token = ++this.shown;
    this.node.replaceChildren(h("div", { class: "page-body" }, h("p", { role: "status" }, `Loading run ${runId}…`)));
    let run;
    try {
      run = await api(`/runs/${runId}`);
    } catch (error) {
      if (token !== this.shown) return;
      this.node.replaceChildren(h("div", { class: "page-body" },
        h("p", { class: "error", role: "alert" }, error.message),
        h("p", {}, h("a", { href: "#/runs" }, "← Run history"))));
      return;
    }
    const conversation = run.conversation_id
      ? await api(`/conversations/${run.conversation_id}`).catch(() => null) : null;
    if (token !== this.shown) return;
    this.render(run, conversation);
  }

  render(run, conversation) {
    const result = run.result || {};
    const title = `Run ${run.run_id} · ${kindLabel(run)} · ${configTitle(run.kind, run.config)}`;
    document.title = `${title} — mlchat`;
    const took = run.started_at && run.finished_at
      ? formatDuration((Date.parse(run.finished_at) - Date.parse(run.started_at)) / 1000) : null;
    const facts = [run.dataset_name ? `dataset ${run.dataset_name}` : null, `created ${when(run.created_at)}`,
      took ? `took ${took}` : null, result.data_summary ? splitSizes(result.data_summary) : null].filter(Boolean);
    const messages = conversation ? conversation.messages : [];
    const summary = messages.find((message) => message.role === "assistant" && hasPart(message, "result", run.run_id));
    const exchange = startingExchange(messages, run.run_id);
    const plots = h("div", { class: "plots" });
    const script = h("code", {});
    const reproduce = section("Reproduce", h("p", { class: "muted" }, "A Python script that retrains this run from the dataset file and checks its test metrics."),
      h("pre", { class: "script" }, script));
    reproduce.hidden = true;
    this.node.replaceChildren(h("div", { class: "page-body run-page" },
      h("nav", { class: "crumbs", "aria-label": "Around this run" },
        h("a", { href: "#/runs" }, "← Run history"),
        " · ", h("a", { href: lineageHref("run", run.run_id), class: "to-lineage" }, "Lineage"),
        conversation ? [" · ", h("a", { href: conversationHref(conversation.id), class: "to-conversation" }, `Conversation “${conversation.title}”`)] : null),
      h("header", { class: "page-head" }, h("h2", {}, title),
        h("span", { class: "status", "data-status": run.status }, run.status)),
      h("p", { class: "facts" }, facts.join(" · ")),
      run.error ? h("p", { class: "error" }, run.error) : null,
      FINAL.has(run.status) ? null : h("p", { class: "muted" }, `Still ${run.status}: `,
        h("a", { href: "#", onclick: (event) => { event.preventDefault(); this.show(run.run_id); } }, "refresh"),
        " to see how it ends."),
      runDownloads(run),
      // What people come back for first: how it did; then how it was set up and asked for.
      summary ? section("Summary", h("div", { class: "summary" })) : null,
      section("How it was chosen", selectionTable(result)),
      section("Metrics", metricsTable(result.metrics)),
      section("Config", h("dl", { class: "config" }, configRows(run.kind, run.config).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))),
      (result.plots || []).length ? section("Plots", plots) : null,
      section("Where it came from", conversation
        ? [h("p", {}, "Started in ", h("a", { href: conversationHref(conversation.id) }, `“${conversation.title}”`), ":"),
          h("div", { class: "exchange" }, exchange.map(messageNode))]
        : h("p", { class: "muted" }, "Started through the API, not from a conversation.")),
      reproduce));
    if (summary) this.node.querySelector(".summary").innerHTML = summary.html; // rendered with raw HTML escaped
    for (const name of result.plots || []) {
      const holder = h("figure", { class: "plot", "data-plot": name }, h("figcaption", {}, name.replaceAll("_", " ")));
      plots.append(holder);
      api(`/runs/${run.run_id}/plots/${encodeURIComponent(name)}`)
        .then((figure) => { const chart = h("div"); holder.append(chart); drawFigure(chart, figure, { height: 340 }); })
        .catch((error) => holder.append(h("p", { class: "error" }, error.message)));
    }
    if (run.status === "finished" && MODEL_KINDS.has(run.kind)) {
      apiText(`/runs/${run.run_id}/reproduce`).then((text) => {
        script.textContent = text;
        reproduce.hidden = false;
      }).catch(() => { /* a kind without a script: the section stays hidden */ });
    }
  }
}
