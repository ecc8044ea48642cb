"""Neural network: a PyTorch multilayer perceptron with per-epoch progress and early stopping."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
from numpy.typing import NDArray
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ml_backend.algorithms.base import (
    AlgorithmSpec,
    Estimator,
    EvalPart,
    Labels,
    Matrix,
    ProgressHook,
    Threads,
)
from ml_backend.algorithms.mlp_options import Activation
from ml_backend.configs import TaskType

# torch is imported where a network is built or saved, not here: the web process checks
# configs against this module and should not pay torch's import (seconds, 400 MB).

NATIVE_FILE = "model.pt"
MAX_LAYERS, MAX_WIDTH = 5, 2048


def _layer_widths(value: Any) -> Any:
    """'128,64' as [128, 64] (tuning's categorical choices hold text, not lists); count checked.

    The count is checked here as well as by the field's bounds, which stay for the JSON
    Schema, so that the error says what to give rather than pydantic's generic words.
    """
    if isinstance(value, str):
        try:
            value = [int(part) for part in value.split(",")]
        except ValueError:
            raise ValueError(
                "must be a list of layer widths such as [64, 32] (or the text '64,32')"
            ) from None
    if isinstance(value, list) and not 1 <= len(value) <= MAX_LAYERS:
        raise ValueError(f"needs 1 to {MAX_LAYERS} layer widths, such as [64, 32]")
    return value


Width = Annotated[int, Field(ge=1, le=MAX_WIDTH)]


class NeuralNetworkParams(BaseModel):
    """Multilayer perceptron hyperparameters."""

    model_config = ConfigDict(extra="forbid")

    hidden_layers: Annotated[
        list[Width],
        BeforeValidator(_layer_widths),
        Field(
            min_length=1,
            max_length=MAX_LAYERS,
            description=f"Units in each hidden layer, input side first: 1 to {MAX_LAYERS} "
            f"layers of 1 to {MAX_WIDTH} units, e.g. [64, 32].",
        ),
    ] = [64, 32]  # pydantic copies a mutable default for each instance
    epochs: Annotated[
        int, Field(ge=1, le=1000, description="Most passes over the training rows.")
    ] = 100
    batch_size: Annotated[int, Field(ge=1, le=65_536, description="Rows per gradient step.")] = 64
    learning_rate: Annotated[float, Field(gt=0.0, le=1.0, description="Adam's step size.")] = 1e-3
    weight_decay: Annotated[
        float, Field(ge=0.0, le=1.0, description="L2 penalty on the weights (Adam's weight decay).")
    ] = 0.0
    dropout: Annotated[
        float,
        Field(ge=0.0, lt=1.0, description="Share of hidden units dropped in each training step."),
    ] = 0.1
    early_stopping_patience: Annotated[
        int | None,
        Field(
            ge=1,
            le=1000,
            description="Stop after this many epochs without a lower validation loss and keep "
            "the best epoch's weights (needs validation_size > 0); null to train every epoch.",
        ),
    ] = 10
    activation: Annotated[
        Activation, Field(description="Non-linearity between layers: relu, tanh or gelu.")
    ] = "relu"
    n_jobs: Threads = None


class NeuralNetworkSpec(AlgorithmSpec[NeuralNetworkParams]):
    """A PyTorch MLP for classification and regression, on the GPU when there is one."""

    name = "neural_network"
    progress_unit = "epoch"
    description = (
        "Neural network (PyTorch multilayer perceptron) on standardised features; "
        "early stopping on the validation part."
    )
    hyperparameters = NeuralNetworkParams
    aliases = (
        "neural network", "neural net", "neural", "nn", "mlp", "multilayer perceptron",
        "multi layer perceptron", "perceptron", "deep learning", "deep net", "deep network",
        "pytorch", "torch", "ann", "dnn", "feedforward network", "feed forward network",
    )  # fmt: skip
    needs_scaling = True

    def build(
        self,
        task: TaskType,
        params: NeuralNetworkParams,
        *,
        n_classes: int | None,
        random_state: int,
    ) -> Estimator:
        """An MLPClassifierTorch or MLPRegressorTorch seeded with `random_state`."""
        from ml_backend.algorithms.torch_mlp import MLPClassifierTorch, MLPRegressorTorch

        model_class = MLPClassifierTorch if task is TaskType.CLASSIFICATION else MLPRegressorTorch
        return model_class(
            hidden_layers=tuple(params.hidden_layers),
            epochs=params.epochs,
            batch_size=params.batch_size,
            learning_rate=params.learning_rate,
            weight_decay=params.weight_decay,
            dropout=params.dropout,
            early_stopping_patience=params.early_stopping_patience,
            activation=params.activation,
            n_jobs=params.n_jobs,
            random_state=random_state,
        )

    def fit(
        self,
        estimator: Estimator,
        x_train: Matrix,
        y_train: Labels,
        *,
        validation: EvalPart | None,
        progress: ProgressHook,
    ) -> Estimator:
        """Fit, reporting each epoch's losses; an early stop reports the last step as done."""
        total = int(estimator.epochs)

        def on_epoch(epoch: int, losses: dict[str, float]) -> None:
            progress(epoch, total, losses)

        estimator.fit(x_train, y_train, validation=validation, on_epoch=on_epoch)
        if estimator.n_iter_ < total:
            progress(total, total, {})
        return estimator

    def feature_weights(self, estimator: Estimator) -> NDArray[np.float64]:
        """Mean absolute slope of the output (class probabilities) per standardised input.

        A network has no built-in importance; this local sensitivity, measured on training
        rows, is a rough proxy. Permutation importance on held-out rows is the better measure.
        """
        return np.asarray(estimator.feature_importances_, dtype=np.float64)

    def save_native(self, estimator: Estimator, directory: Path) -> Path:
        """The network's `state_dict` as `model.pt`; its layer sizes are in `layer_sizes_`."""
        import torch

        path = directory / NATIVE_FILE
        torch.save(estimator.network_.state_dict(), path)
        return path

    def search_space(self, task: TaskType) -> dict[str, BaseDistribution]:
        """Step size, regularisation, epochs, batch size and a few layer shapes."""
        return {
            "learning_rate": FloatDistribution(1e-4, 1e-2, log=True),
            "weight_decay": FloatDistribution(1e-6, 1e-2, log=True),
            "dropout": FloatDistribution(0.0, 0.5),
            "epochs": IntDistribution(20, 200, log=True),
            "batch_size": CategoricalDistribution([32, 64, 128, 256]),
            "hidden_layers": CategoricalDistribution(
                ["32", "64", "128", "64,32", "128,64", "256,128", "128,64,32"]
            ),
        }
