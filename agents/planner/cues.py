"""Words that say what is wanted: actions, charts, chart roles, splits, aggregates."""

from __future__ import annotations

from agents.planner.phrases import PhraseTable, table, words_table
from agents.planner.text import name_words, phrases, stem, words
from agents.planner.vocabulary import METRIC_SYNONYMS

EXPLORER_CUES: dict[str, tuple[str, ...]] = {
    "scatter": phrases(
        "scatter, scatter plot, scatterplot, scatter chart, relationship between, relation "
        "between, relationship of, xy plot"
    ),
    "histogram": phrases(
        "histogram, hist, histo, distribution, distributed, distributions, frequency "
        "distribution, density"
    ),
    "box": phrases("box plot, boxplot, box, box and whisker, whisker, whiskers, quartile"),
    "bar": phrases(
        "bar chart, bar plot, barplot, bar graph, bar, bars, how many, count of, counts, "
        "count, number of, value counts, frequency of, frequencies, breakdown, tally"
    ),
    "line": phrases(
        "line chart, line plot, line graph, lineplot, line, over time, time series plot, "
        "evolution, trend over time, across time, through time"
    ),
    "correlation": phrases(
        "correlation, correlations, correlated, correlate, correlation matrix, heatmap, heat "
        "map, corr, correlogram"
    ),
    "scatter_matrix": phrases(
        "scatter matrix, scatterplot matrix, scatter plot matrix, pair plot, pairplot, pairs "
        "plot, pairwise, splom, pair grid"
    ),
    "describe": phrases(
        "summary statistics, summary statistic, summary stats, summary stat, descriptive "
        "statistics, descriptive stats, statistics, stats, summary, summarize, summarise, "
        "describe"
    ),
    "missing": phrases(
        "missing, missing values, missingness, nulls, null, nan, nans, empty values, blank, "
        "blanks, incomplete, na values"
    ),
}

CHART_HINTS = frozenset(
    phrases(
        "distribution, distributed, distributions, density, frequency distribution, "
        "relationship between, relation between, relationship of, how many, count of, counts, "
        "count, number of, value counts, frequency of, frequencies, breakdown, tally, over time, "
        "evolution, trend over time, across time, through time, correlated, correlate, "
        "statistics, stats, summary, summarize, summarise, describe, missing, nulls, null, "
        "incomplete, blank, blanks"
    )
)
"""Words that hint at a chart without naming it: a chart named outright wins over them."""

PLOT_WORDS = phrases(
    "plot, chart, graph, visualize, visualise, visualization, visualisation, draw, show, "
    "display, figure, diagram, picture, see, look at, compare, relate, related, relates, vs, "
    "versus, against, as a function of, function of, depending on, in relation to, relative to"
)

DESCRIBE_CUES = phrases(
    "what is in, what s in, whats in, what does the data look like, what columns, which "
    "columns, what fields, which fields, what variables, which variables, what features, list "
    "the columns, list columns, column names, column types, schema, overview, tell me about, "
    "describe the data, describe the dataset, describe the columns, describe the table, "
    "describe this, describe it, dtypes, data types, info about, what kind of data, what "
    "data, explain the data, show the columns, show me the data, show the data, preview, peek "
    "at the data, first rows, what is this data, what is this dataset, show me the columns"
)

TRAIN_CUES = phrases(
    "train, training, fit, build, create, make, model, classifier, regressor, predict, "
    "predicting, prediction, predictions, classify, classification, regression, regress, "
    "estimate, learn, run, try, use"
)

TUNE_CUES = phrases(
    "tune, tuning, tuned, hyperparameter, hyperparameters, hyper parameter, hyper parameters, "
    "hyperparam, hyperparams, hpo, optuna, grid search, random search, bayesian optimization, "
    "bayesian optimisation, sweep, search over, search for the best, best hyperparameters, "
    "best parameters, best params, best settings, best configuration, optimize the "
    "parameters, optimise the parameters, optimize its parameters, trials, trial, optimize, "
    "optimise, optimizing, optimising, optimization, optimisation"
)

LEADERBOARD_CUES = phrases(
    "compare all, compare every, compare the models, compare models, compare algorithms, "
    "compare the algorithms, compare different, compare several, all models, all algorithms, "
    "all the models, all the algorithms, every model, every algorithm, each algorithm, each "
    "model, which algorithm, which model, best algorithm, best model, leaderboard, benchmark, "
    "bake off, shootout, model selection, several models, several "
    "algorithms, multiple models, multiple algorithms, different models, different "
    "algorithms, many models, rank algorithms, rank the algorithms, rank models, rank the "
    "models, rank all, ranking of the models, ranking of algorithms, best performing, top "
    "performing, try every, try each, model comparison, algorithm comparison, head to head, "
    "side by side, which method, which approach, which technique, best method, best approach"
)

AUTOML_CUES = phrases(
    "automl, auto ml, automated ml, automated machine learning, automatic machine learning, "
    "best model you can, best you can, best you can do, best possible, best possible model, "
    "as good as possible, as good as you can, as accurate as possible, as well as possible, "
    "as good a model as, as good a model as you can, best model possible"
)
"""Words for 'the best model there is, found within a time': an AutoML rather than a ranking
of algorithms ('compare all models') or the search of one algorithm's settings ('tune')."""

FORECAST_CUES = phrases(
    "forecast, forecasting, forecasts, ahead, future, horizon, extrapolate, projection, "
    "project forward, next"
)

SERIES_CUES: dict[str, tuple[str, ...]] = {
    # Words for "every series on its own" that need the key column right after them
    # ('for each store'), and words that say so alone ('separately').
    "each_before_key": phrases(
        "for each, each, every, for every, per, by, of each, for the different, for "
        "different, for each individual, for every single, each individual, each single, "
        "every single, split by, broken down by, grouped by"
    ),
    "each": phrases(
        "separately, individually, one by one, each series, every series, per series, by "
        "series, separate models, separate forecasts, a model each, own model, own forecast, "
        "on its own, on their own"
    ),
    "sum": phrases(
        "total, totals, sum, summed, sum of, overall, combined, altogether, all together, "
        "aggregate, aggregated, grand total, in total, add up, added up"
    ),
    "mean": phrases("average, averaged, averages, mean, mean of, on average"),
}
"""How a person says which series of a table of several (one per store) to forecast."""

SERIES_ANSWER_CUES: dict[str, tuple[str, ...]] = {
    # Said alone, in answer to 'one store, each store, or the total?': all of them, each.
    "each": phrases(
        "all, all of them, all of those, all the series, every one, every one of them, everyone, "
        "each one, each of them, one each, every, both, both of them, the lot"
    ),
}
"""Words that choose every series only when they answer the question which series."""

FOLLOWUP_CUES = phrases(
    "now, instead, same, again, too, also, as well, this time, what about, how about, then, "
    "switch to, change, make it, same but, same thing, rather, but with, but use, and with, "
    "retry, redo, rerun, re run, it"
)

CLASSIFICATION_WORDS = phrases("classifier, classification, classify, classifying, categorize")
REGRESSION_WORDS = phrases("regressor, regression, regress, regressing")

CHART_ROLE_PHRASES: dict[str, tuple[str, ...]] = {
    "color": phrases(
        "color by, colour by, colored by, coloured by, color coded by, colour coded by, "
        "colored according to, coloured according to, color, colour, hue, colors by, colours "
        "by, color it by, colour it by, color them by, colour them by, color the points by, "
        "colour the points by"
    ),
    "size": phrases("size by, sized by, bubble size, point size, marker size, sizes by"),
    "group": phrases(
        "by, per, for each, for every, of each, on each, each, every, across, grouped by, "
        "group by, split by, broken down by, break down by, separated by, within each, in "
        "each, among, between the, for the different, for different"
    ),
    "trendline": phrases(
        "trend line, trendline, regression line, best fit line, line of best fit, fit line, "
        "fitted line, ols line, linear fit, line of fit, best fit"
    ),
    # "by week" is along time only where no column is called week (such cues are dropped)
    "over_time": phrases(
        "over time, over the years, through time, across time, by date, by day, by week, by "
        "month, by quarter, by year, by hour, per day, per week, per month, per quarter, per "
        "year, over the months, over the weeks, week by week, month by month, year by year"
    ),
}

COLUMN_GROUP_PHRASES: dict[str, tuple[str, ...]] = {
    "numeric": phrases(
        "numeric columns, numeric features, numerical columns, numerical features, numeric "
        "variables, numerical variables, numeric ones, number columns, measurements, "
        "measures, continuous columns, continuous features, continuous variables, all "
        "numbers, numeric, numerical"
    ),
    "categorical": phrases(
        "categorical columns, categorical features, categorical variables, category columns, "
        "categoricals"
    ),
    "all": phrases(
        "all columns, all features, all the columns, all the features, every column, every "
        "feature, all variables, all the variables, everything, all other columns, all "
        "others, the rest"
    ),
}

METHOD_WORDS = {
    "spearman": "spearman",
    "kendall": "kendall",
    "pearson": "pearson",
    "rank": "spearman",
}
AGGREGATE_WORDS = {
    **dict.fromkeys(
        ("average", "mean", "avg", "rate", "proportion", "share", "averaged", "averaging"),
        "mean",
    ),
    **dict.fromkeys(("total", "sum", "totals", "summing", "summed", "sums", "adding"), "sum"),
    "median": "median",
    **dict.fromkeys(("maximum", "max", "highest"), "max"),
    **dict.fromkeys(("minimum", "min", "lowest"), "min"),
}
MAXIMIZE_WORDS = frozenset(
    ["maximize", "maximise", "maximizing", "maximising", "highest", "increase", "improve", "raise"]
)
MINIMIZE_WORDS = frozenset(
    ["minimize", "minimise", "minimizing", "minimising", "lowest", "reduce", "smallest", "decrease"]
)
STRATIFY_WORDS = frozenset(["stratified", "stratify", "stratification", "stratifying", "stratifed"])
TIME_SPLIT_PHRASES = phrases(
    "time based, time split, chronological, chronologically, temporal, by time, split by date, "
    "split on date, split by time, out of time, time ordered, time order, in time order, "
    "time wise, timewise, time series split"
)
RANDOM_SPLIT_PHRASES = phrases("random split, randomly, shuffled, shuffle, not stratified")
BIN_WORDS = frozenset({"bin", "bucket"})
TOP_WORDS = frozenset({"top", "first"})

EXPLORER_TABLE = table(EXPLORER_CUES, typos=True)
PLOT_TABLE = words_table(PLOT_WORDS)
DESCRIBE_TABLE = words_table(DESCRIBE_CUES)
TUNE_TABLE = words_table(TUNE_CUES)
LEADERBOARD_TABLE = words_table(LEADERBOARD_CUES)
AUTOML_TABLE = words_table(AUTOML_CUES)
FORECAST_TABLE = words_table(FORECAST_CUES)
TRAIN_TABLE = words_table(TRAIN_CUES)
FOLLOWUP_TABLE = words_table(FOLLOWUP_CUES)
TASK_TABLE = PhraseTable(
    [
        *((w, "classification") for w in CLASSIFICATION_WORDS),
        *((w, "regression") for w in REGRESSION_WORDS),
    ]
)
CHART_ROLE_TABLE = table(CHART_ROLE_PHRASES, keys=False)
COLUMN_GROUP_TABLE = table(COLUMN_GROUP_PHRASES, keys=False)
TIME_SPLIT_TABLE = words_table(TIME_SPLIT_PHRASES)
SERIES_TABLE = table(SERIES_CUES, keys=False)
SERIES_ANSWER_TABLE = table(SERIES_ANSWER_CUES, keys=False)
RANDOM_SPLIT_TABLE = words_table(RANDOM_SPLIT_PHRASES)


def _vocabulary_stems() -> frozenset[str]:
    single: list[str] = []
    for group in (EXPLORER_CUES, METRIC_SYNONYMS):
        for key, values in group.items():
            single.extend(p for p in (key, *values) if len(name_words(p)) == 1)
    single.extend(
        words(
            "predict train fit tune model classifier regressor forecast plot chart show draw test "
            "split validation holdout stratified drop ignore exclude without except remove target "
            "label feature features column columns using use from color colour size hue trials "
            "best compare versus vs against per data dataset table rows row value values next "
            "automl ahead step steps horizon time seed random how many much number count"
        )
    )
    return frozenset(stem(w) for p in single for w in name_words(p))


VOCABULARY = _vocabulary_stems()
"""Words with a meaning of their own here: they name a column only when they name it in full."""
