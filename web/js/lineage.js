// The lineage page (#/lineage/{kind}/{id}): where a node's data came from and where it went,
// drawn as plain SVG in layers, sources on the left. A node opens its own page (a run, a
// conversation) or, for a dataset or a connection, becomes the graph's centre.

import { api } from "./api.js";
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const BOX = { width: 190, height: 46, gapX: 70, gapY: 18, pad: 16 };
const DEPTH = 4;
const KIND_WORDS = { dataset: "dataset", run: "run", model: "model", notebook: "notebook", script: "reproduce script", conversation: "conversation", connection: "SQL connection" };

const key = (kind, id) => `${kind}:${id}`;

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const clip = (text, length) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/** Each node's column: one past its furthest predecessor (a cycle, never recorded, stops the
 * walk after as many passes as there are nodes). */
export function layers(nodes, edges) {
  const layer = new Map(nodes.map((node) => [key(node.kind, node.id), 0]));
  for (let pass = 0; pass < nodes.length; pass += 1) {
    let moved = false;
    for (const edge of edges) {
      const from = layer.get(key(edge.from_kind, edge.from_id));
      const to = key(edge.to_kind, edge.to_id);
      if (from !== undefined && layer.has(to) && layer.get(to) < from + 1) {
        layer.set(to, from + 1);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return layer;
}

export function lineageHref(kind, id) {
  return `#/lineage/${kind}/${id}`;
}

function drawGraph(graph) {
  const layer = layers(graph.nodes, graph.edges);
  const columns = [];
  for (const node of graph.nodes) {
    const column = layer.get(key(node.kind, node.id));
    (columns[column] ||= []).push(node);
  }
  const place = new Map();
  columns.forEach((column = [], x) => column
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)) || a.id - b.id)
    .forEach((node, y) => place.set(key(node.kind, node.id), {
      x: BOX.pad + x * (BOX.width + BOX.gapX), y: BOX.pad + y * (BOX.height + BOX.gapY) })));
  const tallest = Math.max(1, ...columns.map((column = []) => column.length));
  const width = BOX.pad * 2 + columns.length * BOX.width + (columns.length - 1) * BOX.gapX;
  const height = BOX.pad * 2 + tallest * BOX.height + (tallest - 1) * BOX.gapY;
  const canvas = svg("svg", { class: "lineage-graph", width, height, viewBox: `0 0 ${width} ${height}`,
    role: "group", "aria-label": `Lineage of ${graph.center.label}` });
  // Shrunk to the column's width down to 70%; a larger graph scrolls instead.
  canvas.style.minWidth = `${Math.round(width * 0.7)}px`;
  canvas.append(svg("defs", {}, svg("marker", { id: "lineage-arrow", viewBox: "0 0 10 10", refX: 10, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "lineage-arrow" }))));
  for (const edge of graph.edges) {
    const from = place.get(key(edge.from_kind, edge.from_id));
    const to = place.get(key(edge.to_kind, edge.to_id));
    if (!from || !to) continue;
    const [x1, y1] = [from.x + BOX.width, from.y + BOX.height / 2];
    const [x2, y2] = [to.x, to.y + BOX.height / 2];
    const bend = Math.max(30, (x2 - x1) / 2);
    canvas.append(svg("path", { class: "lineage-edge", "data-relation": edge.relation, "marker-end": "url(#lineage-arrow)",
      d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}` }, svg("title", {}, edge.relation.replace("_", " "))));
  }
  const centre = key(graph.center.kind, graph.center.id);
  for (const node of graph.nodes) {
    const { x, y } = place.get(key(node.kind, node.id));
    const link = svg("a", { href: node.link, class: "lineage-node", "data-kind": node.kind, "data-id": node.id,
      "aria-label": `${KIND_WORDS[node.kind] || node.kind}: ${node.label}` });
    if (key(node.kind, node.id) === centre) link.setAttribute("aria-current", "true");
    link.append(
      svg("title", {}, `${node.label}${node.created_at ? ` · ${new Date(node.created_at).toLocaleString()}` : ""}`),
      svg("rect", { x, y, width: BOX.width, height: BOX.height, rx: 8 }),
      svg("text", { x: x + 10, y: y + 19, class: "lineage-label" }, clip(node.label, 24)),
      svg("text", { x: x + 10, y: y + 36, class: "lineage-kind" }, KIND_WORDS[node.kind] || node.kind));
    canvas.append(link);
  }
  return canvas;
}

export class LineagePage {
  constructor(node) {
    this.node = node;
    this.shown = 0;
  }

  async show(kind, id) {
    const token = ++this.shown;
    this.node.replaceChildren(h("div", { class: "page-body" }, h("p", { role: "status" }, `Loading the lineage of ${kind} ${id}…`)));
    let graph;
    try {
      graph = await api(`/lineage/${encodeURIComponent(kind)}/${id}?direction=both&depth=${DEPTH}`);
    } catch (error) {
      if (token !== this.shown) return;
      this.node.replaceChildren(h("div", { class: "page-body" }, h("p", { class: "error", role: "alert" }, error.message)));
      return;
    }
    if (token !== this.shown) return;
    document.title = `Lineage of ${graph.center.label} — mlchat`;
    const opens = graph.center.link.startsWith("#/lineage/") ? null : graph.center.link;
    this.node.replaceChildren(h("div", { class: "page-body lineage-page" },
      h("nav", { class: "crumbs", "aria-label": "Around this graph" }, h("a", { href: "#/runs" }, "← Run history"),
        opens ? [" · ", h("a", { href: opens }, `Open ${graph.center.label}`)] : null),
      h("header", { class: "page-head" }, h("h2", {}, `Lineage of ${graph.center.label}`)),
      h("p", { class: "muted" }, `${graph.nodes.length} nodes, ${graph.edges.length} edges within ${DEPTH} steps: where the data came from (left) and where it went (right). `
        + "A dataset re-centres the graph; a run, a model or a conversation opens its page."),
      h("div", { class: "lineage-scroll" }, drawGraph(graph))));
  }
}
