// A config (train, tune, explore, forecast, leaderboard) as rows a person reads at a glance.

import { formatParam } from "./numbers.js";

const percent = (share) => `${Math.round(share * 100)}%`;

function splitText(split) {
  if (!split) return "20% test, random";
  const parts = [`${percent(split.test_size ?? 0.2)} test`];
  if (split.validation_size) parts.push(`${percent(split.validation_size)} validation`);
  parts.push(split.strategy || "random");
  return parts.join(", ");
}

function datasetText(ref) {
  if (!ref) return "—";
  return ref.name ?? (ref.id !== undefined ? `#${ref.id}` : "SQL query");
}

function settingsText(values) {
  const entries = Object.entries(values || {});
  if (!entries.length) return "defaults";
  return entries.map(([key, value]) => `${key} = ${formatParam(value)}`).join(", ");
}

/** [label, value] pairs for a config, in the order a person asks about them. */
export function configRows(action, config) {
  if (!config) return [];
  if (action === "load_sql") {
    return [
      ["Connection", config.connection],
      ["Query", config.query],
      ["New dataset", config.name || "named after the table"],
    ];
  }
  if (action === "explore" || config.explorer) {
    return [
      ["Chart", config.explorer],
      ["Dataset", datasetText(config.dataset)],
      ["Columns", (config.columns || []).join(", ") || "all"],
      ["Options", settingsText(config.parameters)],
    ];
  }
  const rows = [];
  if (config.algorithm) rows.push(["Algorithm", config.algorithm]);
  if (config.algorithms) rows.push(["Algorithms", config.algorithms.join(", ")]);
  rows.push(["Dataset", datasetText(config.dataset)]);
  if (config.target_column) rows.push(["Target", config.target_column]);
  if (config.task_type) rows.push(["Task", config.task_type]);
  if (config.time_column) rows.push(["Time column", config.time_column]);
  if (config.horizon) rows.push(["Horizon", `${config.horizon} steps`]);
  if (config.series) rows.push(["Series", seriesText(config.series)]);
  rows.push(["Features", config.feature_columns ? config.feature_columns.join(", ") : "all other columns"]);
  if (config.task_type !== "forecasting") rows.push(["Split", splitText(config.split)]);
  if (config.hyperparameters !== undefined) rows.push(["Settings", settingsText(config.hyperparameters)]);
  if (config.n_trials) rows.push(["Trials", String(config.n_trials)]);
  if (config.goal_metric) rows.push(["Goal", `${config.direction || "best"} ${config.goal_metric}`]);
  if (config.search_space && Object.keys(config.search_space).length) rows.push(["Search space", settingsText(config.search_space)]);
  return rows;
}

/** Which series of a table of several a forecast takes: "store S3", "each store", "sum over store". */
function seriesText(series) {
  if (series.value !== undefined && series.value !== null) return `${series.column} ${series.value}`;
  if (series.mode === "each") return `each ${series.column} (a model per series)`;
  return `${series.mode} over every ${series.column}`;
}

/** A short title: "xgboost → species", "scatter of a, b". */
export function configTitle(kind, config) {
  if (!config) return kind;
  if (config.explorer) return `${config.explorer} of ${(config.columns || []).join(", ") || "all columns"}`;
  const what = config.algorithm || (config.time_budget_s ? "automl" : config.algorithms ? "leaderboard" : kind);
  return config.target_column ? `${what} → ${config.target_column}` : what;
}

/** What a run's model is, named as a person would: "xgboost", "tuned xgboost", "arima
 * forecast"; not the job route it went through ("train" for a forecast, "tune"). */
/** What a run is, as people say it: a forecast goes through the train route but is no training. */
export function kindLabel(run) {
  const forecasting = [run.task_type, run.result?.task_type, run.config?.task_type].includes("forecasting");
  return forecasting ? "forecast" : run.kind;
}

export function modelLabel(run) {
  const result = run.result || {};
  const config = run.config || {};
  const algorithm = result.algorithm || result.training?.algorithm || config.algorithm;
  if (result.task_type === "forecasting" || config.task_type === "forecasting") return `${algorithm || "automatic"} forecast`;
  if (config.time_budget_s) return `automl ${result.best === "ensemble" ? "ensemble" : algorithm || "model"}`;
  if (result.trials || config.n_trials || config.timeout_s) return `tuned ${algorithm || "model"}`;
  return algorithm || (config.algorithms ? "leaderboard" : run.kind);
}
