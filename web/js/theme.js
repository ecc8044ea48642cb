// Charts in the page's colours. Plotly draws in its own light ones unless told otherwise, so
// in dark mode a chart would be a white slab; the colours come from the CSS variables, which
// follow the system setting.

const dark = window.matchMedia("(prefers-color-scheme: dark)");

function cssColour(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const axisNames = (layout) => ["xaxis", "yaxis", ...Object.keys(layout).filter((key) => /^[xy]axis\d+$/.test(key))];

/** Layout attributes, as Plotly.relayout takes them ("xaxis.gridcolor"), that put a chart in
 * the page's current colours. */
export function chartColours(layout = {}) {
  const grid = cssColour("--plot-grid");
  const colours = {
    paper_bgcolor: "rgba(0, 0, 0, 0)", // the message or card behind it shows through
    plot_bgcolor: cssColour("--plot-bg"),
    "font.color": cssColour("--plot-ink"),
    "legend.bgcolor": "rgba(0, 0, 0, 0)",
  };
  for (const axis of axisNames(layout)) {
    colours[`${axis}.gridcolor`] = grid;
    colours[`${axis}.zerolinecolor`] = grid;
    colours[`${axis}.linecolor`] = grid;
  }
  return colours;
}

/** `layout` with the page's colours set in it, for Plotly.newPlot or Plotly.react. */
export function themed(layout) {
  const out = structuredClone(layout);
  for (const [path, value] of Object.entries(chartColours(layout))) {
    const keys = path.split(".");
    let node = out;
    for (const key of keys.slice(0, -1)) node = node[key] = { ...(node[key] || {}) };
    node[keys.at(-1)] = value;
  }
  return out;
}

// A scheme changed while the page is open (the system went dark at dusk): recolour every chart.
dark.addEventListener("change", () => {
  if (!window.Plotly) return;
  for (const chart of document.querySelectorAll(".js-plotly-plot")) {
    window.Plotly.relayout(chart, chartColours(chart.layout || {}));
  }
});
