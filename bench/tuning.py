"""Optuna tuning at a fixed budget against the untuned defaults, on three built-in datasets.

Run: `.venv/bin/python bench/tuning.py [--trials 30]` (a few minutes on two cores).

For each dataset the same split serves both: the default xgboost is trained once; tuning
searches xgboost's space for `--trials` trials, scoring each on the validation part, and the
best settings are refit. Both are then scored on the same untouched test part, so the gain
is what tuning buys on data it never saw. Prints one line per dataset and the mean gain.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ml_backend.configs import TrainingConfig, TuningConfig
from ml_backend.datasets import read_frame, write_sample
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.jobs.train.run import train
from ml_backend.jobs.tune.resolve import resolve_tuning
from ml_backend.jobs.tune.run import tune
from ml_backend.metrics import METRICS
from ml_backend.reporting import NullReporter

CASES = [  # dataset, target, goal metric
    ("breast_cancer", "diagnosis", "log_loss"),
    ("wine", "cultivar", "log_loss"),
    ("diabetes", "disease_progression", "rmse"),
]
SPLIT = {"test_size": 0.25, "validation_size": 0.2, "random_state": 7}


def run_case(dataset: str, target: str, goal: str, trials: int, folder: Path) -> dict[str, float]:
    """Test-part goal metric of the default and of the tuned model, and the seconds each took."""
    stored = write_sample(dataset, folder)
    frame = read_frame(stored.path)
    base = {"algorithm": "xgboost", "dataset": {"name": dataset}, "target_column": target,
            "split": SPLIT, "metrics": [goal]}  # fmt: skip
    started = time.perf_counter()
    default = train(resolve_training(TrainingConfig.model_validate(base), stored.profile), frame,
                    reporter=NullReporter(), explanations=False)  # fmt: skip
    default_s = time.perf_counter() - started
    config = TuningConfig.model_validate({**base, "n_trials": trials, "goal_metric": goal})
    started = time.perf_counter()
    outcome = tune(resolve_tuning(config, stored.profile), frame, reporter=NullReporter())
    tuned_s = time.perf_counter() - started
    return {
        "default": default.metrics["test"][goal] or float("nan"),
        "tuned": outcome.result.training.metrics["test"][goal] or float("nan"),
        "default_s": default_s,
        "tuned_s": tuned_s,
        "pruned": float(outcome.result.n_pruned),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    args = parser.parse_args()
    gains = []
    with tempfile.TemporaryDirectory() as folder:
        for dataset, target, goal in CASES:
            figures = run_case(dataset, target, goal, args.trials, Path(folder))
            better_high = METRICS[goal].greater_is_better
            change = figures["tuned"] - figures["default"]
            gain = (change if better_high else -change) / abs(figures["default"])
            gains.append(gain)
            print(f"{dataset:14s} test {goal}: default {figures['default']:.4f} "
                  f"({figures['default_s']:.1f} s), tuned {figures['tuned']:.4f} "
                  f"({figures['tuned_s']:.1f} s, {args.trials} trials, "
                  f"{figures['pruned']:.0f} pruned): gain {100 * gain:+.1f}%")  # fmt: skip
    print(f"mean gain {100 * statistics.mean(gains):+.1f}% over the defaults")


if __name__ == "__main__":
    main()
