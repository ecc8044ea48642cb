"""The multilayer perceptron's option types, shared by its spec and its torch estimators.

A module of its own so that `neural_network` (imported by the web process, without torch)
and `torch_mlp` (which imports torch) need not import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeAlias

Activation: TypeAlias = Literal["relu", "tanh", "gelu"]
"""The non-linearity between hidden layers."""

EpochHook: TypeAlias = Callable[[int, dict[str, float]], None]
"""`(epoch, losses)`: after each epoch, "train/loss" and, with a validation part,
"validation/loss" (cross-entropy, or mean squared error on the standardised target)."""
