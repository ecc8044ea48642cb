"""A small typed client for mlchat's experiments, by the experiments document's names."""

from mlchat_client.client import Experiment, Experiments, Iteration, MlchatError, Model, Models

__all__ = ["Experiment", "Experiments", "Iteration", "MlchatError", "Model", "Models"]
