"""bench/automl.py: the AMLB measures on hand-made cases, and the harness end to end on two
tiny datasets with a tiny budget (FLAML's part only where the automl-bench extra is in)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from bench.automl import (
    DATASETS,
    END,
    START,
    Contender,
    DatasetResult,
    Outcome,
    Predicted,
    fit_predict_flaml,
    fit_predict_xgboost,
    loss,
    markdown,
    relative_loss_reduction,
    run_automl_bench,
    run_dataset,
    splice,
    split_of,
    summary,
    verdict,
)


def test_binary_loss_is_one_minus_auc_whatever_the_column_order() -> None:
    truth = np.array(["no", "no", "yes", "yes"], dtype=object)
    # columns given as (yes, no): the measure must read "yes" from the first
    ranked = Predicted(np.array([[0.1, 0.9], [0.3, 0.7], [0.2, 0.8], [0.8, 0.2]]), ["yes", "no"])
    # P(yes) = 0.1, 0.3, 0.2, 0.8: of the four (yes, no) pairs, 3 are ordered right
    assert loss("binary", truth, ranked) == pytest.approx(1 - 0.75)
    perfect = Predicted(np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]]), ["no", "yes"])
    assert loss("binary", truth, perfect) == pytest.approx(0.0)


def test_multiclass_loss_is_log_loss_with_an_unseen_class_at_zero() -> None:
    truth = np.array(["a", "b", "c"], dtype=object)
    # The contender never saw class "c"; its columns come as (b, a); rows need renormalising.
    predicted = Predicted(np.array([[0.2, 0.6], [0.5, 0.5], [0.5, 0.5]]), ["b", "a"])
    expected = -(math.log(0.75) + math.log(0.5) + math.log(np.finfo(np.float64).eps)) / 3
    assert loss("multiclass", truth, predicted) == pytest.approx(expected, rel=1e-6)


def test_regression_loss_is_rmse() -> None:
    truth = np.array([1.0, 2.0, 3.0])
    assert loss("regression", truth, Predicted(np.array([1.0, 2.0, 5.0]))) == pytest.approx(
        math.sqrt(4 / 3)
    )


def test_relative_loss_reduction_is_positive_when_the_loss_is_lower() -> None:
    assert relative_loss_reduction(0.2, 0.1) == pytest.approx(0.5)
    assert relative_loss_reduction(0.2, 0.3) == pytest.approx(-0.5)
    assert relative_loss_reduction(0.2, 0.2) == 0.0
    assert relative_loss_reduction(0.0, 0.1) is None


def test_verdicts_tie_within_half_a_percent_or_near_zero() -> None:
    assert verdict(0.1000, 0.1004) == "tie"  # 0.4% apart
    assert verdict(0.1004, 0.1000) == "tie"
    assert verdict(0.1000, 0.1010) == "win"  # 1% apart: mlchat's loss is lower
    assert verdict(0.1010, 0.1000) == "loss"
    assert verdict(0.00040, 0.00048) == "tie"  # two near-perfect AUCs
    assert verdict(0.00040, 0.00060) == "win"
    assert verdict(0.0, 0.0) == "tie"
    assert verdict(50.0, 50.2) == "tie" and verdict(50.0, 51.0) == "win"


def _result(name: str, xgboost: float, flaml: float, mlchat: float) -> DatasetResult:
    result = DatasetResult(name, 100, 3, "regression", "hand-made")
    for contender, value in (("xgboost", xgboost), ("flaml", flaml), ("mlchat", mlchat)):
        result.outcomes[contender] = Outcome(loss=value, seconds=1.0)
    return result


def test_summary_counts_verdicts_and_the_bar() -> None:
    results = [_result(f"d{i}", 1.0, 0.9, 0.8) for i in range(8)]
    results += [_result("d8", 1.0, 0.9, 0.9), _result("d9", 1.0, 0.5, 1.2)]
    figures = summary(results)
    assert (figures["win"], figures["tie"], figures["loss"]) == (8, 1, 1)
    # mlchat: 8 x 0.2, 0.1, -0.2 -> 1.5 / 10; FLAML: 9 x 0.1, 0.5 -> 1.4 / 10
    assert figures["mean_rlr_mlchat"] == pytest.approx(0.15)
    assert figures["mean_rlr_flaml"] == pytest.approx(0.14)
    assert figures["bar_met"]
    results[0].outcomes["mlchat"] = Outcome(loss=1.0)  # now a loss, and a lower mean
    assert not summary(results)["bar_met"]
    failed = [*results[1:], _result("d10", 1.0, 0.9, 0.8)]
    failed[-1].outcomes["mlchat"] = Outcome(error="RuntimeError: boom")
    assert not summary(failed)["bar_met"]  # a dataset without a verdict fails the bar


def test_the_table_goes_between_its_markers_and_nowhere_else() -> None:
    readme = f"# Benchmarks\n\nprose\n\n{START}\nold table\n{END}\n\nmore prose\n"
    spliced = splice(readme, "| new | table |")
    assert spliced == f"# Benchmarks\n\nprose\n\n{START}\n| new | table |\n{END}\n\nmore prose\n"
    assert splice("# Benchmarks\n", "t").endswith(f"\n\n{START}\nt\n{END}\n")


def test_every_contender_is_scored_on_mlchats_own_test_rows() -> None:
    dataset = DATASETS["cat_churn"](True, 3)
    split = split_of(dataset, 3)
    assert len(split.test) == round(0.2 * dataset.rows)
    assert not set(split.train) & set(split.test)
    assert len(split.train) + len(split.test) == dataset.rows
    shares = dataset.frame[dataset.target].iloc[split.test].value_counts(normalize=True)
    overall = dataset.frame[dataset.target].value_counts(normalize=True)
    assert shares.to_dict() == pytest.approx(overall.to_dict(), abs=0.01)  # stratified


def test_the_harness_runs_on_two_tiny_datasets() -> None:
    figures = run_automl_bench(
        budget_s=1, only=["iris", "diabetes"], quick=True, mlchat="leaderboard", with_flaml=False
    )
    assert [d["name"] for d in figures["datasets"]] == ["iris", "diabetes"]
    for dataset in figures["datasets"]:
        for name in ("xgboost", "mlchat"):
            outcome = dataset["outcomes"][name]
            assert outcome["error"] == "" and outcome["loss"] > 0, (name, outcome)
        assert dataset["rlr"]["mlchat"] is not None and dataset["verdict"] is None
    mlchat = figures["datasets"][0]["outcomes"]["mlchat"]
    # picked on the training rows' own holdout, then refit
    assert set(mlchat["details"]["pick"]) == {"linear", "lightgbm"}
    assert mlchat["note"] in {"linear", "lightgbm"}
    table = markdown(figures)
    assert "| iris | 150 | 4 | multiclass (logloss) |" in table
    assert "0 wins, 0 ties, 0 losses of 0" in table


def test_flaml_is_scored_like_the_others(tmp_path: Path) -> None:
    pytest.importorskip("flaml")
    # XGBoost stands in for mlchat: this is about FLAML's part, and the leaderboard's is above
    contenders: dict[str, Contender] = {
        "xgboost": fit_predict_xgboost,
        "flaml": fit_predict_flaml,
        "mlchat": fit_predict_xgboost,
    }
    result = run_dataset(DATASETS["breast_cancer"](True, 0), contenders, 1.0, 0, tmp_path)
    flaml = result.outcomes["flaml"]
    assert flaml.error == "" and flaml.loss is not None and 0 <= flaml.loss < 0.2, flaml
    assert result.verdict in {"win", "tie", "loss"} and result.rlr("flaml") is not None
