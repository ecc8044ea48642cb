// Small DOM and formatting helpers shared by the page's modules.

import { themed } from "./theme.js";

/** An element with attributes (on* keys become listeners) and children (strings are text). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      node.className = value;
    } else if (key === "dataset") {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

// Kept importable from here for the modules that always took it from dom.js.
export { formatNumber } from "./numbers.js";

/** Seconds as "42 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** Draw a Plotly figure into `node`, sized to it; quietly does nothing before plotly loads. */
export function drawFigure(node, figure, { height } = {}) {
  if (!window.Plotly || !figure) return;
  // A width fixed where the figure was made (Optuna's slice plot: 300 px per hyperparameter)
  // spills out of the message; the figure takes its holder's width instead.
  // A figure made wider than its column (Optuna's slice plot: one panel per hyperparameter)
  // takes the whole row of plots.
  const { width, ...made } = figure.layout || {};
  const holder = node.closest(".plot");
  if (holder && width > node.clientWidth) holder.classList.add("wide");
  const layout = { ...made, autosize: true };
  if (height) layout.height = height;
  layout.margin = { l: 50, r: 20, t: 40, b: 45, ...(layout.margin || {}) };
  window.Plotly.newPlot(node, figure.data || [], themed(layout), { responsive: true, displaylogo: false });
}
