"""A tuning whose study other processes share: helpers run its trials, the best is refit once.

The helpers here are threads on Optuna's journal file storage: what the service does with
workers on Redis, with no service (ml_backend knows only a storage and a study name).
"""

from __future__ import annotations

import threading
from pathlib import Path

import optuna
from optuna.storages import BaseStorage, JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import FrozenTrial

from ml_backend.configs import TuningConfig
from ml_backend.jobs.tune.resolve import ResolvedTuning, resolve_tuning
from ml_backend.jobs.tune.run import tune
from ml_backend.jobs.tune.trials import ABANDONED, join_study
from ml_backend.reporting import RecordingReporter
from tests.ml_backend.training_data import penguins, profile_of

FRAME = penguins()
PROFILE = profile_of(FRAME)


def _resolve(n_trials: int) -> ResolvedTuning:
    config = {"dataset": {"name": "penguins"}, "algorithm": "random_forest",
              "target_column": "species", "n_trials": n_trials, "hyperparameters": {"n_jobs": 1},
              "search_space": {"n_estimators": {"low": 20, "high": 60}}}  # fmt: skip
    return resolve_tuning(TuningConfig.model_validate(config), PROFILE)


class ThreadHelpers:
    """Helpers as threads of this process, each with its own handle on the shared storage."""

    def __init__(self, path: Path, resolved: ResolvedTuning, available: int) -> None:
        self.path = path
        self.resolved = resolved
        self.count = available
        self.worker = "leader"
        self.job = "leader-job"
        self.study_name = "shared"
        self.threads: list[threading.Thread] = []
        self.ran: dict[str, int] = {}
        self.reporter = RecordingReporter()

    def available(self) -> int:
        return self.count

    def storage(self) -> BaseStorage:
        return JournalStorage(JournalFileBackend(str(self.path)))

    def invite(self, seeds: list[int]) -> None:
        for number, seed in enumerate(seeds, start=1):
            thread = threading.Thread(target=self._help, args=(f"helper-{number}", seed))
            thread.start()
            self.threads.append(thread)

    def _help(self, name: str, seed: int) -> None:
        self.ran[name] = join_study(self.resolved, FRAME, self.storage(), self.study_name,
                                    seed=seed, reporter=self.reporter, worker=name,
                                    job=f"{name}-job")  # fmt: skip

    def dismiss(self) -> None:
        for thread in self.threads:
            thread.join()

    def abandoned(self, trial: FrozenTrial) -> bool:
        return False


def test_helpers_run_trials_of_the_same_study_and_the_best_is_refit_once(tmp_path: Path) -> None:
    resolved = _resolve(n_trials=12)
    helpers = ThreadHelpers(tmp_path / "journal.log", resolved, available=2)
    reporter = RecordingReporter()

    result = tune(resolved, FRAME, reporter=reporter, helpers=helpers).result

    assert [t.number for t in result.trials] == list(range(12))
    workers = {t.worker for t in result.trials}
    assert "leader" in workers and len(workers) > 1, workers
    assert sum(helpers.ran.values()) == sum(t.worker != "leader" for t in result.trials)
    values = [t.value for t in result.trials if t.value is not None]
    assert result.best_value == max(values)
    assert result.validation is not None
    assert result.validation.mean("accuracy") == result.best_value
    # Each trial is announced once, by the worker that ran it; the refit is logged once.
    messages = [e["message"] for e in reporter.events + helpers.reporter.events
                if e["type"] == "progress" and e["message"]]  # fmt: skip
    assert sorted(m.split(":")[0] for m in messages) == sorted(f"trial {i}" for i in range(1, 13))
    logs = [e["message"] for e in reporter.events if e["type"] == "log"]
    assert sum(line.startswith("refitting") for line in logs) == 1
    assert any("2 more worker(s)" in line for line in logs)


def test_a_helper_that_comes_after_the_search_runs_no_trial(tmp_path: Path) -> None:
    resolved = _resolve(n_trials=3)
    helpers = ThreadHelpers(tmp_path / "journal.log", resolved, available=1)
    tune(resolved, FRAME, reporter=RecordingReporter(), helpers=helpers)
    study = optuna.load_study(study_name=helpers.study_name, storage=helpers.storage())
    before = len(study.trials)

    late = join_study(resolved, FRAME, helpers.storage(), helpers.study_name, seed=5,
                      reporter=RecordingReporter())  # fmt: skip
    gone = join_study(resolved, FRAME, helpers.storage(), "no-such-study", seed=5,
                      reporter=RecordingReporter())  # fmt: skip

    assert (late, gone) == (0, 0)
    assert len(study.trials) == before


class DeadHelper(ThreadHelpers):
    """A helper that took a trial and died with it: its job is gone for good."""

    def invite(self, seeds: list[int]) -> None:
        study = optuna.load_study(study_name=self.study_name, storage=self.storage())
        trial = study.ask()
        trial.set_user_attr("job", "dead-job")

    def dismiss(self) -> None:
        return None

    def abandoned(self, trial: FrozenTrial) -> bool:
        return bool(trial.user_attrs.get("job") == "dead-job")


def test_a_trial_whose_helper_died_fails_and_the_tuning_still_ends(tmp_path: Path) -> None:
    resolved = _resolve(n_trials=4)
    helpers = DeadHelper(tmp_path / "journal.log", resolved, available=1)

    result = tune(resolved, FRAME, reporter=RecordingReporter(), helpers=helpers).result

    assert len(result.trials) == 4
    lost = [t for t in result.trials if t.error == ABANDONED]
    assert [(t.number, t.state) for t in lost] == [(0, "failed")]
    assert result.n_failed == 1 and result.best_value is not None


class NoOtherWorkers(ThreadHelpers):
    def storage(self) -> BaseStorage:
        raise AssertionError("a tuning alone has no use for shared storage")


def test_alone_a_tuning_keeps_its_study_in_memory(tmp_path: Path) -> None:
    resolved = _resolve(n_trials=3)
    helpers = NoOtherWorkers(tmp_path / "journal.log", resolved, available=0)

    result = tune(resolved, FRAME, reporter=RecordingReporter(), helpers=helpers).result

    assert len(result.trials) == 3 and {t.worker for t in result.trials} == {"leader"}


def test_a_search_bounded_by_time_ends_on_every_worker_at_its_deadline(tmp_path: Path) -> None:
    config = {"dataset": {"name": "penguins"}, "algorithm": "linear", "target_column": "species",
              "n_trials": None, "timeout_s": 3.0,
              "search_space": {"C": {"low": 0.01, "high": 10.0}}}  # fmt: skip
    resolved = resolve_tuning(TuningConfig.model_validate(config), PROFILE)
    helpers = ThreadHelpers(tmp_path / "journal.log", resolved, available=1)
    reporter = RecordingReporter()

    result = tune(resolved, FRAME, reporter=reporter, helpers=helpers).result

    # The helper ran trials too, and stopped at the same deadline: every trial finished, or was
    # stopped there (or pruned); none was lost.
    assert helpers.ran["helper-1"] > 0
    assert {t.worker for t in result.trials} == {"leader", "helper-1"}
    assert [t.number for t in result.trials] == list(range(len(result.trials)))
    assert all(t.state in {"complete", "pruned"} for t in result.trials)
    assert any(t.state == "complete" for t in result.trials)
    search = [e for e in reporter.events if e["type"] == "progress" and e["unit"] == "trial"]
    assert search and {e["total"] for e in search} == {0}
    assert all(0 <= e["fraction"] <= 0.9 for e in search)
