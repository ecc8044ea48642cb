// How a model was chosen: the scores from the training data that ranked or tuned it, each fold's
// and their mean ± spread, kept apart from the test part that judged it afterwards.

import { h } from "./dom.js";
import { formatMetric } from "./numbers.js";

function meanSpread(name, scores) {
  if (!scores || typeof scores.mean !== "number") return "–";
  const spread = typeof scores.std === "number" ? ` ± ${formatMetric(name, scores.std)}` : "";
  return `${formatMetric(name, scores.mean)}${spread}`;
}

function scoredOn(scores) {
  return scores.method === "kfold"
    ? `${scores.folds}-fold cross-validation of ${scores.rows} training rows`
    : `a validation part of ${scores.rows} training rows`;
}

/** A leaderboard's ranking: the score that ranked each algorithm, and its test score beside. */
function rankingTable(result) {
  const goal = result.goal_metric;
  const ranked = result.entries.filter((entry) => entry.rank);
  if (!ranked.length) return null;
  return h("table", { class: "metrics selection" },
    h("caption", {}, `Ranked by ${goal} on ${result.selected_on || "the training data"}; the test part judged after`),
    h("thead", {}, h("tr", {}, ["rank", "algorithm", `${goal} (ranks)`, `test ${goal}`].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ranked.map((entry) => h("tr", { class: entry.rank === 1 ? "best" : "" },
      h("td", {}, String(entry.rank)),
      h("th", { scope: "row" }, entry.algorithm),
      h("td", {}, meanSpread(goal, entry.validation && entry.validation.metrics[goal])),
      h("td", {}, formatMetric(goal, ((entry.metrics || {}).test || {})[goal]))))));
}

/** An AutoML's models: what each scored on the training data, and its share of the ensemble. */
function automlTable(result) {
  const goal = result.goal_metric;
  const models = result.models.filter((model) => model.rank);
  if (!models.length) return null;
  return h("table", { class: "metrics selection" },
    h("caption", {}, `Chosen by ${goal} on ${result.selected_on || "the training data"}; the test part judged the chosen model after`),
    h("thead", {}, h("tr", {}, ["rank", "model", `${goal} (chooses)`, "share of the ensemble"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, models.map((model) => h("tr", { class: model.weight > 0 ? "best" : "" },
      h("td", {}, String(model.rank)),
      h("th", { scope: "row" }, model.name),
      h("td", {}, meanSpread(goal, model.validation && model.validation.metrics[goal])),
      h("td", {}, model.weight > 0 ? `${Math.round(model.weight * 100)}%` : "–")))));
}

/** Each metric fold by fold, with the mean ± spread the choice read. */
function foldsTable(scores) {
  const names = Object.keys(scores.metrics || {});
  if (!names.length) return null;
  const folds = scores.metrics[names[0]].folds.length;
  const heads = folds > 1 ? Array.from({ length: folds }, (_, i) => `fold ${i + 1}`) : [];
  return h("table", { class: "metrics selection" },
    h("caption", {}, `Scored on ${scoredOn(scores)}, before the test part`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "metric"), heads.map((t) => h("th", { scope: "col" }, t)),
      h("th", { scope: "col" }, folds > 1 ? "mean ± spread" : "validation"))),
    h("tbody", {}, names.map((name) => h("tr", {},
      h("th", { scope: "row" }, name),
      folds > 1 ? scores.metrics[name].folds.map((value) => h("td", {}, formatMetric(name, value))) : [],
      h("td", {}, meanSpread(name, scores.metrics[name]))))));
}

/** The table of how a run's model was chosen, or null for a run that chose nothing. */
export function selectionTable(result) {
  if (!result) return null;
  if (Array.isArray(result.entries) && result.goal_metric) return rankingTable(result);
  if (Array.isArray(result.models) && result.goal_metric) return automlTable(result);
  const scores = result.cross_validation || result.validation;
  return scores && scores.metrics ? foldsTable(scores) : null;
}
