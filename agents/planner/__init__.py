"""The builtin planner: a schema-grounded reading of one message into a validated config.

It needs no network and answers in milliseconds: `plan_message` finds the dataset's columns,
the algorithms, settings and charts a message names (by their many names), scores what is
asked with a classifier trained on `intent_corpus.jsonl`, and checks the resulting config
with ml_backend's own validators.
"""

from __future__ import annotations

from agents.planner.plan import PlannedAction, plan_message

__all__ = ["PlannedAction", "plan_message"]
