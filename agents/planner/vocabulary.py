"""What people call mlchat's components: algorithms, metrics and hyperparameters.

Names of registered components, and the aliases of algorithms and forecasters, are read from
the registries at run time (a new algorithm is understood by its own names at once); the
tables here add the other words people use.
"""

from __future__ import annotations

from functools import lru_cache

from agents.planner.phrases import PhraseTable, table
from agents.planner.text import name_words, phrases

ALGORITHM_PHRASES: dict[str, tuple[str, ...]] = {
    "xgboost": phrases(
        "gradient boosting, gradient boosted trees, gradient boosted tree, gradient boosted, "
        "boosted trees, boosted tree, boosting, gbm, gbdt, gbt"
    ),
    "lightgbm": phrases("lightgbm model"),
}
"""Phrases the planner reads as one registered algorithm that are not that algorithm's own
names: a family ("boosting") read as its default member, a name with a word it takes along.
An algorithm's own names are its spec's `aliases`."""

UNAVAILABLE_ALGORITHMS: dict[str, tuple[str, ...]] = {
    "support vector machine": phrases("svm, svc, svr, support vector machine, support vector"),
    "k-nearest neighbours": phrases(
        "knn, k nearest neighbors, k nearest neighbours, nearest neighbor"
    ),
    "naive Bayes": phrases("naive bayes, bayes classifier"),
    "single decision tree": phrases("decision tree, cart"),
    "CatBoost": phrases("catboost"),
    "lasso or elastic net": phrases("lasso, elastic net, elasticnet"),
    "AdaBoost": phrases("adaboost"),
    "recurrent network or transformer": phrases("lstm, rnn, recurrent network, transformer"),
    "clustering": phrases("kmeans, k means, clustering, cluster"),
}
"""Algorithms people ask for that mlchat does not have, by a readable name."""

CROSS_VALIDATION = frozenset({"cross-validation"})
"""Settings of UNSUPPORTED_SETTINGS that a training, tuning or leaderboard plan does take (as
`split.folds`): found by the same words, unsupported only where no model is trained."""
ENSEMBLES = frozenset({"ensembles"})
"""Settings of UNSUPPORTED_SETTINGS that an AutoML plan has: it ensembles the best models."""
DEFAULT_FOLDS = 5

UNSUPPORTED_SETTINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "cross-validation": (
        phrases(
            "cross validation, cross validated, cross validate, crossvalidation, cv, k fold, "
            "kfold, fold, folds"
        ),
        "cross-validation scores models, and this request trains none",
    ),
    "bootstrapping": (
        phrases("bootstrap, bootstrapping, bootstrapped, bootstraps"),
        "bootstrap resampling is not supported; each model trains on its training split once",
    ),
    "GPU": (
        phrases("gpu, gpus, cuda, graphics card"),
        "models train on the CPU, and there is no GPU setting",
    ),
    "ensembles": (
        phrases("ensemble, ensembles, ensembling, stack, stacking, stacked, blend, blending"),
        "a run trains one algorithm; a leaderboard compares several side by side, and an "
        "AutoML ensembles the best",
    ),
    "resampling": (
        phrases(
            "smote, smote oversampling, oversample, oversampling, oversampled, undersample, "
            "undersampling, undersampled"
        ),
        "resampling the classes is not supported; a stratified split keeps their proportions",
    ),
    "class weights": (
        phrases("class weight, class weights, class weighting, sample weight, sample weights"),
        "class and sample weights are not supported yet",
    ),
    "chart types": (
        phrases(
            "pie, pie chart, pies, donut, doughnut, violin, violin plot, treemap, sankey, radar, "
            "radar chart, 3d, map, choropleth, word cloud, wordcloud"
        ),
        "that kind of chart is not available; the charts are scatter, histogram, box, bar, "
        "line, correlation, scatter matrix, missing values and summary statistics",
    ),
}
"""Settings people ask for that mlchat does not have: the words that ask for each, and why a
plan leaves them out (a plan that ignores them says so, quoting the words)."""

METRIC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "accuracy": phrases("accuracy, acc, accurate, error rate, misclassification"),
    "precision": phrases("precision"),
    "recall": phrases("recall, sensitivity, true positive rate"),
    "f1": phrases("f1, f1 score, f score, fscore, f measure, f1 measure, macro f1"),
    "auc_roc": phrases("auc, roc auc, auroc, roc, auc roc, area under the curve"),
    "log_loss": phrases("log loss, logloss, cross entropy, logarithmic loss"),
    "rmse": phrases(
        "rmse, root mean squared error, root mean square error, rms error, mse, mean squared error"
    ),
    "mae": phrases("mae, mean absolute error, absolute error"),
    "r2": phrases("r2, r 2, r squared, rsquared, coefficient of determination, explained variance"),
    "mape": phrases("mape, mean absolute percentage error, percentage error, percent error"),
    "smape": phrases("smape, symmetric mape, symmetric mean absolute percentage error"),
}

GENERIC_ERROR_WORDS = ("error", "loss", "errors")
"""Words that name the task's main error metric: rmse for numbers, log loss for classes."""

HYPERPARAMETER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "n_estimators": phrases(
        "trees, tree, estimators, estimator, rounds, boosting rounds, boosting iterations, "
        "number of trees, num trees, n trees, decision trees, ntrees, n estimators"
    ),
    "max_depth": phrases(
        "depth, max depth, maximum depth, tree depth, deep, levels deep, max tree depth"
    ),
    "learning_rate": phrases("learning rate, lr, eta, step size, shrinkage, learning rates"),
    "epochs": phrases("epochs, epoch, passes, training epochs"),
    "hidden_layers": phrases(
        "layers, layer, hidden layers, hidden layer, units, neurons, hidden units, nodes, "
        "width, architecture"
    ),
    "batch_size": phrases("batch size, batch, batches, minibatch, mini batch, batch of"),
    "dropout": phrases("dropout, drop out, dropout rate"),
    "weight_decay": phrases("weight decay, l2 penalty on the weights"),
    "C": phrases("c, inverse regularization, inverse regularisation"),
    "alpha": phrases("alpha"),
    "regularization": phrases(
        "regularization, regularisation, regularization strength, penalty strength"
    ),
    "max_iter": phrases("max iter, max iterations, maximum iterations, iterations, iters"),
    "subsample": phrases("subsample, row sampling, bagging fraction, row subsample, subsampling"),
    "colsample_bytree": phrases(
        "colsample, colsample bytree, column sampling, feature fraction, column subsample"
    ),
    "min_child_weight": phrases("min child weight, minimum child weight"),
    "reg_lambda": phrases("lambda, reg lambda, l2 regularization, l2 regularisation, l2"),
    "reg_alpha": phrases("reg alpha, l1 regularization, l1 regularisation, l1"),
    "num_leaves": phrases("leaves, num leaves, number of leaves, leaf count, max leaves"),
    "min_samples_leaf": phrases(
        "min samples leaf, min samples per leaf, minimum samples per leaf, leaf size, min "
        "leaf size, minimum leaf size, samples per leaf, rows per leaf, per leaf, in each leaf, "
        "each leaf, in every leaf, in a leaf"
    ),
    "min_samples_split": phrases(
        "min samples split, minimum samples split, min samples to split, samples to split, to "
        "split a node, to split"
    ),
    "max_features": phrases("max features, maximum features, features per split"),
    "early_stopping_rounds": phrases("early stopping rounds, early stopping, stopping rounds"),
    "early_stopping_patience": phrases("patience, early stopping patience, early stopping"),
    "activation": phrases("activation, activation function, activations"),
    "n_jobs": phrases("threads, cores, jobs, cpus, n jobs, workers"),
    "order": phrases("order"),
    "seasonal_order": phrases("seasonal order"),
    "seasonal_periods": phrases(
        "seasonal period, seasonal periods, season length, period, periodicity"
    ),
    "trend": phrases("trend"),
    "seasonal": phrases("seasonal, seasonality"),
    "damped_trend": phrases("damped, damped trend, damping"),
    "seasonality_mode": phrases("seasonality mode, seasonal mode"),
    "changepoint_prior_scale": phrases(
        "changepoint prior scale, changepoint prior, changepoint scale"
    ),
}
"""Canonical concept -> phrases; a concept becomes the field of that name an algorithm has.

`min_samples_leaf` also names LightGBM's `min_child_samples` (see `

FIELD_FALLBACKS`), and
`regularization` becomes `C` (classification) or `alpha` (regression) for linear models.
"""

FIELD_FALLBACKS: dict[str, tuple[str, ...]] = {
    "min_samples_leaf": ("min_samples_leaf", "min_child_samples"),
    "regularization": ("alpha", "reg_lambda", "weight_decay"),
    "early_stopping_rounds": ("early_stopping_rounds", "early_stopping_patience"),
    "early_stopping_patience": ("early_stopping_patience", "early_stopping_rounds"),
    "max_iter": ("max_iter", "n_estimators"),
    "reg_lambda": ("reg_lambda", "weight_decay", "alpha"),
    "reg_alpha": ("reg_alpha",),
}
"""Fields a concept may land on, in order of preference, when the algorithm lacks the first."""


@lru_cache(maxsize=8)
def algorithm_table(registered: tuple[tuple[str, tuple[str, ...]], ...]) -> PhraseTable[str]:
    """Algorithm phrases -> registered names: each name, its spec's aliases, ALGORITHM_PHRASES."""
    entries: list[tuple[str, str]] = []
    for name, aliases in registered:
        entries.append((name, name))
        entries.extend((p, name) for p in (*aliases, *ALGORITHM_PHRASES.get(name, ())))
    return PhraseTable(entries, typos=True)


UNAVAILABLE_TABLE = table(UNAVAILABLE_ALGORITHMS)
UNSUPPORTED_SETTINGS_TABLE = table(
    {name: said for name, (said, _why) in UNSUPPORTED_SETTINGS.items()}, keys=False
)


@lru_cache(maxsize=8)
def metric_table(registered: tuple[str, ...]) -> PhraseTable[str]:
    """Metric phrases -> registered metric names."""
    entries: list[tuple[str, str]] = [(name, name) for name in registered]
    for name, said in METRIC_SYNONYMS.items():
        if name in registered:
            entries.extend((p, name) for p in said)
    return PhraseTable(entries, typos=True)


@lru_cache(maxsize=32)
def hyperparameter_table(fields: tuple[str, ...]) -> PhraseTable[str]:
    """Setting phrases -> concepts (HYPERPARAMETER_SYNONYMS keys or field names themselves)."""
    entries: list[tuple[str, str]] = [(f, f) for f in fields]
    entries.extend((" ".join(name_words(f)), f) for f in fields)
    for concept, said in HYPERPARAMETER_SYNONYMS.items():
        entries.extend((p, concept) for p in said)
    return PhraseTable(entries)
