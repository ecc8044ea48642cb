// A forecast's future values in its chat message: a table (per series for a forecast of each)
// and the CSV download of the same values.

import { api } from "./api.js";
import { formatNumber, h } from "./dom.js";

// Every number this module shows passes here, so the page's one formatter is a one-line switch.
const shownNumber = (value) => formatNumber(value);

/** A date as people read it: the day alone when the time is midnight. */
function shownTime(time) {
  if (typeof time !== "string") return shownNumber(time);
  return time.endsWith("T00:00:00") ? time.slice(0, 10) : time.replace("T", " ");
}

/** Rows of [series, time, forecast, lower, upper]; series is null for a single forecast. */
function futureRows(result) {
  if (result.groups && result.groups.length) {
    return result.groups.flatMap((group) => group.future_forecast.map((p) => [group.group, p.time, p.value, p.lower, p.upper]));
  }
  return (result.future_forecast || []).map((p) => [null, p.time, p.value, p.lower, p.upper]);
}

function valuesTable(result, rows) {
  const key = rows.some(([series]) => series !== null) ? result.series.column : null;
  const headers = [key, result.time_column, "forecast", "lower", "upper"].filter((name) => name !== null);
  const body = rows.map(([series, time, value, lower, upper], index) => {
    // A series' name opens its block of rows; the rows after it belong to it.
    const opens = key !== null && (index === 0 || rows[index - 1][0] !== series);
    return h("tr", { class: opens ? "opens" : null },
      key !== null ? h("th", { scope: "row" }, opens ? series : "") : null,
      h("td", {}, shownTime(time)),
      ...[value, lower, upper].map((number) => h("td", { class: "number" }, shownNumber(number))));
  });
  return h("table", { class: "forecast-values" },
    h("thead", {}, h("tr", {}, headers.map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, body));
}

/** The section under a forecast's chart; it fills in once the run's result arrives. */
export function forecastValues(runId) {
  const link = h("a", { class: "download", href: `/api/v1/runs/${runId}/forecast.csv`, download: `forecast-run-${runId}.csv` },
    "Download CSV");
  const holder = h("div", { class: "table-scroll" }, h("p", { class: "hint" }, "Loading the future values…"));
  const title = h("span", {}, "Future values");
  const section = h("section", { class: "forecast-table", "data-run-id": runId, "aria-label": `Future values of run ${runId}` },
    h("h4", {}, title, link), holder);
  api(`/runs/${runId}`).then((run) => {
    const result = run.result || {};
    const rows = futureRows(result);
    const series = result.groups?.length || 0;
    holder.replaceChildren(rows.length ? valuesTable(result, rows) : h("p", { class: "hint" }, "No future values."));
    const steps = series ? rows.length / series : rows.length;
    title.textContent = series ? `Future values: ${steps} steps of ${series} series` : `Future values: ${steps} steps`;
    section.dataset.rows = String(rows.length);
  }).catch((error) => holder.replaceChildren(h("p", { class: "error", role: "alert" }, error.message)));
  return section;
}
