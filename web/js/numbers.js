// Numbers as a person reads them: the rules of ml_backend/numbers.py, case for case (a browser
// test holds the two to one table), so a metric reads the same in the agent's summary, the
// metrics table, the runs panel and the comparison. Each metric's kind comes from the server,
// declared once beside the metrics (ml_backend/metrics.py), never from a table kept here.

import METRIC_KINDS from "./metric-kinds.json" with { type: "json" };

const MISSING_METRIC = "n/a"; // a metric that could not be computed
const MISSING_NUMBER = "—";
const SIGNIFICANT = 4;
const METRIC_DECIMALS = 3;
const PERCENT_SIGNIFICANT = 3;
const SMALLEST_FIXED_EXPONENT = -4; // below 0.0001, 1.2e-5: a row of zeros hides the size
const LARGEST_FIXED_EXPONENT = 14; // from 1e15 on, past the digits a float holds exactly

// toFixed and toExponential round half away from zero on the float's exact value; the Python
// side does the same through Decimal.

function exponentOf(value) {
  return Number(Math.abs(value).toExponential().split("e")[1]);
}

function grouped(text) {
  const sign = text.startsWith("-") ? "-" : "";
  const [whole, fraction] = text.replace(/^-/, "").split(".");
  const withCommas = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  return fraction ? `${sign}${withCommas}.${fraction}` : `${sign}${withCommas}`;
}

function unsignedZero(text) {
  // -0.0004 to 3 decimals is "-0.000": a sign on a zero says nothing true.
  return /^-[0.,]*$/.test(text) ? text.slice(1) : text;
}

function trimmed(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

function scientific(value, digits) {
  const [mantissa, exponent] = value.toExponential(digits - 1).split("e");
  return `${trimmed(mantissa)}e${exponent}`;
}

/** `value` to `digits` significant digits, but whole-number digits are never dropped. */
function significant(value, digits, group) {
  if (value === 0) return "0";
  const exponent = exponentOf(value);
  if (exponent < SMALLEST_FIXED_EXPONENT || exponent > LARGEST_FIXED_EXPONENT) return scientific(value, digits);
  const text = unsignedZero(trimmed(value.toFixed(Math.max(0, digits - 1 - exponent))));
  return group ? grouped(text) : text;
}

function fixed(value, decimals) {
  if (Math.abs(value) >= 10 ** LARGEST_FIXED_EXPONENT) return scientific(value, SIGNIFICANT);
  return grouped(unsignedZero(value.toFixed(decimals)));
}

function isWhole(value) {
  return Math.abs(value) < 1e15 && Number.isInteger(value);
}

/** The kind of metric `name` ("share", "ratio", "percent", "error", "loss"), prefix or not. */
export function metricKind(name) {
  return METRIC_KINDS[String(name).split("/").at(-1)] ?? null;
}

/** Any number as a person reads it: 12,345 · 0.2481 · 1,235 · 1.2e-5; "—" for none. */
export function formatNumber(value) {
  if (value === null || value === undefined) return MISSING_NUMBER;
  if (typeof value === "boolean") return String(value);
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return MISSING_NUMBER;
  if (isWhole(value)) return grouped(String(value));
  return significant(value, SIGNIFICANT, true);
}

/** A metric by its kind: accuracy 0.986, r2 -0.004, mape 12.3%, rmse 1,235; "n/a" if none. */
export function formatMetric(name, value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return MISSING_METRIC;
  const kind = metricKind(name);
  if (kind === "share" || kind === "ratio") return fixed(value, METRIC_DECIMALS);
  if (kind === "percent") return `${significant(value * 100, PERCENT_SIGNIFICANT, true)}%`;
  if (kind === "error" || kind === "loss") return significant(value, SIGNIFICANT, true);
  return formatNumber(value);
}

/** A hyperparameter: 3000 · 0.2481 · 1e-5 · true · gini, as it would be typed back. */
export function formatParam(value) {
  if (value === null || value === undefined) return "none";
  if (typeof value === "boolean" || typeof value === "string") return String(value);
  if (typeof value !== "number") return JSON.stringify(value);
  if (!Number.isFinite(value)) return String(value);
  if (isWhole(value)) return String(value);
  return significant(value, SIGNIFICANT, false);
}
