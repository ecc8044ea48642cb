"""How well the intent classifier chooses the action, against the former rule chain.

    .venv/bin/python bench/intent_eval.py            # corpus cross-validation and dev set
    .venv/bin/python bench/intent_eval.py --set test # the held-apart requests (report only)

No server: each evaluation request is read against its table's profile in-process and the
action is compared with what the case expects, for the actions the decision itself makes
(an error found later, while checking a draft, is not the decision's to make).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agents.planner.intent_model import PLAN_INTENTS, IntentModel, Situation, corpus, featurize
from agents.planner.intents import decide_action
from agents.planner.plan import read_message
from bench.eval.run import load
from bench.eval.tables import profiles
from bench.rule_chain import rule_action

EVAL = Path(__file__).parent / "eval"
_DECIDED = PLAN_INTENTS - {"continue"}


def cross_validate(records: list[dict[str, Any]], folds: int = 5) -> float:
    """Accuracy on each fold of the corpus by a model trained on the other folds."""
    examples = [e for e in map(featurize, records) if e is not None]
    labels = [e[2] for e in examples]
    right = 0
    splits = StratifiedKFold(folds, shuffle=True, random_state=0).split(examples, labels)
    for train_rows, test_rows in splits:
        model = IntentModel()
        model.fit(*zip(*(examples[i] for i in train_rows), strict=True))
        for i in test_rows:
            text, facts, label = examples[i]
            right += model.scores(text, facts.split()).best == label
    return right / len(examples)


def decisions(cases: list[dict[str, Any]]) -> None:
    tables = profiles()
    counts: Counter[str] = Counter()
    for case in cases:
        expected = case["expect"].get("action")
        if expected not in _DECIDED:
            continue
        reading = read_message(case["message"], tables[case["dataset"]], {"name": case["dataset"]})
        if reading.request is None or reading.roles is None:
            continue
        request, roles = reading.request, reading.roles
        scored = decide_action(request, reading.scores(Situation()), None)
        ruled = rule_action(request, roles, None, reading.profile, reading.registry)
        language = case.get("language", "en")
        counts["all"] += 1
        counts[f"n_{language}"] += 1
        counts["scored"] += scored == expected
        counts["ruled"] += ruled == expected
        counts[f"scored_{language}"] += scored == expected
        counts[f"ruled_{language}"] += ruled == expected
        if scored != expected and args.failures:
            print(f"  {case['id']}: scored {scored}, rules {ruled}, expected {expected}: "
                  f"{case['message']!r}")  # fmt: skip
    print(f"actions decided: classifier {counts['scored']}/{counts['all']}, "
          f"rule chain {counts['ruled']}/{counts['all']}")  # fmt: skip
    for language in ("en", "es", "fr", "de", "pt"):
        n = counts[f"n_{language}"]
        print(f"  {language}: classifier {counts[f'scored_{language}']}/{n}, "
              f"rules {counts[f'ruled_{language}']}/{n}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=("dev", "test"), default="dev")
    parser.add_argument("--failures", action="store_true")
    parser.add_argument("--no-cv", action="store_true")
    args = parser.parse_args()
    if not args.no_cv:
        print(f"corpus 5-fold accuracy: {cross_validate(corpus()):.1%}")
    pattern = "dev_cases_*.jsonl" if args.set == "dev" else "test_cases.jsonl"
    decisions([case for path in sorted(EVAL.glob(pattern)) for case in load(path)])
