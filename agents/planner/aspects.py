"""What a question about a run asks of it (`agents.run_answers.RunAspect`): how it did
overall, what mattered most, its settings, why it failed, or how far along it is.

A scored decision like the action's: the same kind of classifier (`IntentModel`) over the
masked words and the readers' signals, fitted on the corpus's questions about runs, each
labelled with its `about`. The answer leads with what was asked and says the rest after.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from agents.planner.intent_model import IntentModel, corpus, featurize

_lock = threading.Lock()
_model: IntentModel | None = None


def aspect_model() -> IntentModel:
    """The model, trained on first use and kept for the process."""
    global _model
    with _lock:
        if _model is None:
            _model = train_aspects(corpus())
        return _model


def train_aspects(records: Sequence[dict[str, Any]]) -> IntentModel:
    """A model fitted on the `about` of the corpus lines that have one."""
    labelled = [{**r, "intent": r["about"]} for r in records if r.get("about")]
    examples = [example for example in map(featurize, labelled) if example is not None]
    model = IntentModel()
    model.fit([e[0] for e in examples], [e[1] for e in examples], [e[2] for e in examples])
    return model


def run_aspect(text: str, facts: Sequence[str]) -> str:
    """The aspect a question (its masked words and signals) asks about."""
    return aspect_model().scores(text, facts).best
