// One conversation on screen: its messages, plan cards, run cards, and the live chat socket.

import { api, LiveSocket } from "./api.js";
import { configRows } from "./configs.js";
import { drawFigure, h } from "./dom.js";
import { forecastValues } from "./forecast.js";
import { openRunDetails, RunCard } from "./runs.js";

// Before a dataset is chosen, nothing about columns can be suggested.
const NO_DATASET = ["list the datasets"];

export class Chat {
  constructor({ list, onConnection }) {
    this.list = list;
    this.onConnection = onConnection;
    this.conversation = null;
    this.rendered = new Map(); // message id -> node
    this.streaming = null;
    this.socket = null;
    this.dataset = null; // the dataset picked: what the empty screen's suggestions are about
    this.examples = null;
  }

  /** Show conversation `id`, following it live. */
  async open(id) {
    this.opening = id;
    if (this.socket) this.socket.close();
    this.socket = null;
    this.onConnection("connecting");
    const conversation = await api(`/conversations/${id}`);
    // Another conversation asked for meanwhile (the address changed twice) is the one shown.
    if (this.opening !== id) return conversation;
    this.conversation = conversation;
    this.rendered.clear();
    this.list.replaceChildren();
    this.streaming = null;
    this.renderAll(this.conversation.messages);
    this.socket = new LiveSocket(() => `/ws/chat/${id}`, {
      onMessage: (event) => this.handle(event),
      onState: (state) => {
        this.onConnection(state);
        // Whatever was said between the last fetch and this subscription (a first connect
        // or a reconnect) is only in the database: fetch it.
        if (state === "open") this.resync();
      },
    });
    return this.conversation;
  }

  /** Fetch the conversation again and add what this page has not shown yet. */
  async resync() {
    if (!this.conversation) return;
    const fresh = await api(`/conversations/${this.conversation.id}`);
    this.conversation = fresh;
    this.renderAll(fresh.messages);
  }

  renderAll(messages) {
    if (!messages.length && !this.list.children.length) this.list.append(this.welcome());
    for (const message of messages) this.add(message);
    this.refreshPlanButtons();
  }

  welcome() {
    this.examples = h("ul", { class: "examples", "aria-label": "Suggestions" });
    this.welcomeNote = h("p", {});
    const node = h("div", { class: "welcome" },
      h("h2", {}, "What would you like to find out?"), this.welcomeNote, this.examples);
    this.suggestFor(this.dataset);
    return node;
  }

  /** Suggest what to ask about `dataset` (the one picked), from its own columns. */
  async suggestFor(dataset) {
    this.dataset = dataset;
    if (!this.examples) return; // no empty screen shown yet
    const asked = (this.suggesting = Symbol("suggesting")); // a later pick wins over this one
    let texts = NO_DATASET;
    let note = "Pick a dataset above (or drop a file anywhere), then say what you want in plain words.";
    if (dataset) {
      try {
        texts = (await api(`/datasets/${dataset.id}/suggestions`)).suggestions.map((s) => s.text);
      } catch {
        texts = ["what columns are there?"];
      }
      note = `About ${dataset.name}: try one of these, or say what you want in plain words.`;
    }
    if (asked !== this.suggesting) return;
    this.welcomeNote.textContent = note;
    this.examples.dataset.datasetId = dataset ? String(dataset.id) : "";
    this.examples.replaceChildren(...texts.map((text) => h("li", {},
      h("button", { type: "button", onclick: () => this.suggest(text) }, text))));
  }

  suggest(text) {
    const box = document.getElementById("composer-text");
    box.value = text;
    box.focus();
  }

  handle(event) {
    if (event.type === "delta") return this.delta(event.text);
    if (event.type === "message") {
      this.add(event.message);
      if (event.message.role === "assistant") this.endStreaming();
      this.refreshPlanButtons();
      return;
    }
    if (event.type === "error") {
      this.endStreaming();
      this.list.append(h("div", { class: "message assistant error", role: "alert" }, event.detail));
      this.scroll();
    }
    // Run events also arrive here; the run cards follow their runs on sockets of their own.
  }

  delta(text) {
    if (!this.streaming) {
      this.streaming = h("div", { class: "message assistant streaming", "aria-busy": "true" }, h("div", { class: "body" }));
      this.list.append(this.streaming);
    }
    this.streaming.firstChild.textContent += text;
    this.scroll();
  }

  endStreaming() {
    if (this.streaming) this.streaming.remove();
    this.streaming = null;
  }

  add(message) {
    if (this.rendered.has(message.id)) return;
    this.list.querySelector(".welcome")?.remove();
    const kinds = (message.parts || []).map((part) => part.type);
    const body = h("div", { class: "body" });
    if (message.role === "assistant" && message.html) body.innerHTML = message.html; // rendered with raw HTML escaped
    else body.textContent = message.content;
    const ended = (message.parts || []).find((part) => part.type === "result");
    const node = h("div", { class: `message ${message.role} ${kinds.join(" ")}`, "data-message-id": message.id,
      "data-run-status": ended?.status },
      h("span", { class: "sr" }, message.role === "user" ? "You said:" : "mlchat:"), body);
    const plots = h("div", { class: "plots" });
    for (const part of message.parts || []) {
      const extra = this.part(part, message);
      if (extra) (part.type === "plot" ? plots : node).append(extra);
    }
    if (plots.children.length) node.append(plots);
    const forecast = (message.parts || []).find((part) => part.type === "plot" && part.name === "forecast");
    if (forecast) node.append(forecastValues(forecast.run_id));
    this.rendered.set(message.id, node);
    // Keep the order by id: a message published while this page fetched may arrive late.
    const laterIds = [...this.rendered.keys()].filter((id) => id > message.id);
    const later = laterIds.length ? this.rendered.get(Math.min(...laterIds)) : null;
    if (later && later.isConnected) this.list.insertBefore(node, later);
    else this.list.insertBefore(node, this.streaming);
    for (const plot of node.querySelectorAll(".plot[data-pending]")) this.drawPart(plot);
    this.scroll();
  }

  part(part, message) {
    if (part.type === "plan") return this.planCard(part, message);
    if (part.type === "run") return RunCard.for(part).node;
    if (part.type === "dataset") {
      // A dataset the agent just loaded: the page's picker turns to it, as the conversation did.
      window.dispatchEvent(new CustomEvent("mlchat:dataset-loaded", { detail: part.dataset_id }));
      return null;
    }
    if (part.type === "result") {
      return h("button", { type: "button", class: "link", onclick: () => openRunDetails(part.run_id, message.html) },
        `Open run ${part.run_id}`);
    }
    if (part.type === "plot") {
      const holder = h("figure", { class: "plot", "data-plot": part.name, "data-pending": "" },
        h("figcaption", {}, `${part.name.replaceAll("_", " ")} (run ${part.run_id})`), h("div", { class: "chart" }));
      holder.partData = part;
      return holder;
    }
    return null;
  }

  async drawPart(holder) {
    delete holder.dataset.pending;
    const part = holder.partData;
    let figure = part.figure;
    if (!figure) {
      try { figure = await fetch(part.url).then((r) => r.json()); } catch { return; }
    }
    const follow = this.nearBottom();
    drawFigure(holder.querySelector(".chart"), figure, { height: 300 });
    if (follow) this.scroll();
  }

  planCard(part, message) {
    const rows = configRows(part.action, part.config);
    const button = (label, cls, text) => h("button", { type: "button", class: cls, "data-plan-action": label.toLowerCase(),
      onclick: () => (text ? this.send(text) : this.editPlan()) }, label);
    return h("section", { class: "plan-card", "data-message-id": message.id, "aria-label": `Plan: ${part.action}` },
      h("h3", {}, `Plan: ${part.action}`),
      h("dl", { class: "config" }, rows.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)])),
      h("div", { class: "card-actions" }, button("Run", "primary", "yes"), button("Edit", "", null), button("Cancel", "", "no")));
  }

  editPlan() {
    const box = document.getElementById("composer-text");
    box.placeholder = "Say what to change — “make it 300 trees”, “use lightgbm”, “stratified”";
    box.focus();
  }

  /** Only the newest plan card has live buttons, while nothing has been said after it. */
  refreshPlanButtons() {
    const cards = [...this.list.querySelectorAll(".plan-card")];
    const last = this.rendered.get(Math.max(...this.rendered.keys()));
    for (const card of cards) {
      const active = card === cards.at(-1) && Boolean(last?.contains(card));
      card.classList.toggle("done", !active);
      for (const b of card.querySelectorAll("button")) b.disabled = !active;
    }
  }

  async send(text) {
    if (!this.conversation || !text.trim()) return;
    if (this.socket && this.socket.send({ type: "message", text })) {
      this.delta(""); // a blinking cursor until the first words of the reply arrive
      return;
    }
    // Offline socket: say it over HTTP instead, so nothing typed is lost.
    const exchange = await api(`/conversations/${this.conversation.id}/messages`, { method: "POST", body: { text } });
    this.add(exchange.message);
    this.add(exchange.reply);
    this.refreshPlanButtons();
  }

  nearBottom() {
    return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 120;
  }

  scroll() {
    this.list.scrollTop = this.list.scrollHeight;
  }
}
