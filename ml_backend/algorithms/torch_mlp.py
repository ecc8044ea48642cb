"""A multilayer perceptron in PyTorch for tabular data, as scikit-learn style estimators."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import Any, Literal, Self, TypeAlias

import numpy as np
import torch
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn
from torch.nn import functional

from ml_backend.algorithms.base import EvalPart, Labels, Matrix, threads
from ml_backend.algorithms.mlp_options import Activation, EpochHook
from ml_backend.errors import ConfigValidationError

_Gain: TypeAlias = Literal["relu", "tanh", "linear"]

_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": functional.relu,
    "tanh": torch.tanh,
    "gelu": functional.gelu,
}
# Rows pushed through the network at once outside training: bounds memory on large inputs.
_CHUNK_ROWS = 8192
# Training rows the input sensitivity (the feature-weight proxy) is averaged over.
_SENSITIVITY_ROWS = 2048


class MLPNetwork(nn.Module):
    """Fully connected layers, `sizes[0]` inputs to `sizes[-1]` outputs, initialised from a seed."""

    def __init__(
        self, sizes: list[int], activation: str, dropout: float, generator: torch.Generator
    ) -> None:
        super().__init__()
        # Built on the meta device, so construction draws nothing from torch's global generator:
        # every random number comes from `generator`.
        linears = [nn.Linear(n_in, n_out, device="meta") for n_in, n_out in pairwise(sizes)]
        self.layers = nn.ModuleList(linears)
        self.to_empty(device="cpu")
        self.activation = activation
        self.dropout = dropout
        gain: _Gain = "tanh" if activation == "tanh" else "relu"
        for index, layer in enumerate(linears):
            kind: _Gain = "linear" if index == len(linears) - 1 else gain
            nn.init.kaiming_uniform_(layer.weight, nonlinearity=kind, generator=generator)
            nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor, noise: torch.Generator | None = None) -> torch.Tensor:
        """Outputs for `x`; dropout acts only when given `noise`, the training generator."""
        *hidden, last = self.layers
        activate = _ACTIVATIONS[self.activation]
        for layer in hidden:
            x = activate(layer(x))
            if noise is not None and self.dropout > 0:
                keep = torch.empty_like(x).bernoulli_(1.0 - self.dropout, generator=noise)
                x = x * keep / (1.0 - self.dropout)
        output: torch.Tensor = last(x)
        return output


@contextmanager
def torch_threads(n_jobs: int | None) -> Iterator[None]:
    """Let torch use `threads(n_jobs)` threads inside the block, restoring the count after."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads(n_jobs))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _floats(x: NDArray[Any]) -> torch.Tensor:
    # A fresh writable copy: torch warns on read-only arrays (memory maps) it would share.
    return torch.from_numpy(np.array(x, dtype=np.float32))


def _doubles(x: NDArray[Any]) -> torch.Tensor:
    return torch.from_numpy(np.array(x, dtype=np.float64))


def _outputs(network: MLPNetwork, x: torch.Tensor) -> torch.Tensor:
    network.eval()
    with torch.no_grad():
        return torch.cat([network(chunk) for chunk in torch.split(x, _CHUNK_ROWS)])


class _TorchMLP(BaseEstimator, ABC):  # type: ignore[misc]
    """Shared fitting for the classifier and the regressor: Adam, minibatches, early stopping."""

    def __init__(
        self,
        *,
        hidden_layers: tuple[int, ...] = (64, 32),
        epochs: int = 100,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        dropout: float = 0.1,
        early_stopping_patience: int | None = 10,
        activation: Activation = "relu",
        n_jobs: int | None = None,
        random_state: int | None = None,
    ) -> None:
        self.hidden_layers = hidden_layers
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.early_stopping_patience = early_stopping_patience
        self.activation = activation
        self.n_jobs = n_jobs
        self.random_state = random_state

    @abstractmethod
    def _fit_targets(self, y: Labels) -> torch.Tensor:
        """`y` as the loss wants it; learns the encoding (classes, target scale)."""

    @abstractmethod
    def _targets(self, y: Labels) -> torch.Tensor:
        """`y` encoded as learned by `_fit_targets`."""

    @abstractmethod
    def _n_outputs(self) -> int:
        """Units in the output layer."""

    @abstractmethod
    def _loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """The mean loss of a batch."""

    def fit(
        self,
        X: Matrix,
        y: Labels,
        *,
        validation: EvalPart | None = None,
        on_epoch: EpochHook | None = None,
    ) -> Self:
        """Train for up to `epochs`; with `validation`, stop early and keep the best epoch."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        targets = self._fit_targets(y)
        device = _device()
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        # Two private generators: init on the CPU, shuffling and dropout where training runs.
        init_generator = torch.Generator().manual_seed(seed)
        noise = torch.Generator(device=device).manual_seed(seed)
        self.layer_sizes_ = [X.shape[1], *self.hidden_layers, self._n_outputs()]
        with torch_threads(self.n_jobs):
            network = MLPNetwork(self.layer_sizes_, self.activation, self.dropout, init_generator)
            network.to(device)
            scored = None
            if validation is not None:
                x_validation = validate_data(self, validation[0], reset=False, dtype=np.float64)
                scored = (_floats(x_validation).to(device), self._targets(validation[1]).to(device))
            self._train(network, _floats(X).to(device), targets.to(device), scored, noise, on_epoch)
            # Kept in float64 on the CPU: predictions then neither depend on how rows are
            # batched (float32 sums do) nor need a GPU, and the model pickles anywhere.
            self.network_ = network.to("cpu", torch.float64).eval()
            self.feature_importances_ = self._sensitivity(_doubles(X), init_generator)
        return self

    def _train(
        self,
        network: MLPNetwork,
        x: torch.Tensor,
        targets: torch.Tensor,
        validation: tuple[torch.Tensor, torch.Tensor] | None,
        noise: torch.Generator,
        on_epoch: EpochHook | None,
    ) -> None:
        optimiser = torch.optim.Adam(
            network.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        stopping = validation is not None and self.early_stopping_patience is not None
        best_loss, best_state, waited = math.inf, None, 0
        self.loss_curve_: list[float] = []
        self.validation_loss_curve_: list[float] = []
        self.best_epoch_ = self.epochs
        for epoch in range(1, self.epochs + 1):
            self.n_iter_ = epoch
            losses = {"train/loss": self._epoch(network, optimiser, x, targets, noise)}
            self.loss_curve_.append(losses["train/loss"])
            if validation is not None:
                loss = float(self._loss(_outputs(network, validation[0]), validation[1]))
                losses["validation/loss"] = loss
                self.validation_loss_curve_.append(loss)
            if not all(math.isfinite(value) for value in losses.values()):
                shown = ", ".join(f"{name} {value}" for name, value in losses.items())
                raise ConfigValidationError(
                    f"the neural network diverged in epoch {epoch} ({shown}); lower "
                    "learning_rate, raise batch_size or check the features for extreme values",
                    field="hyperparameters.learning_rate",
                )
            if on_epoch is not None:
                on_epoch(epoch, losses)
            if not stopping:
                continue
            if losses["validation/loss"] < best_loss:
                best_loss, waited, self.best_epoch_ = losses["validation/loss"], 0, epoch
                best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
                continue
            waited += 1
            if waited >= int(self.early_stopping_patience or 0):
                break
        if best_state is not None:
            network.load_state_dict(best_state)

    def _epoch(
        self,
        network: MLPNetwork,
        optimiser: torch.optim.Optimizer,
        x: torch.Tensor,
        targets: torch.Tensor,
        noise: torch.Generator,
    ) -> float:
        """One pass over shuffled minibatches; the mean training loss per row."""
        network.train()
        order = torch.randperm(len(x), generator=noise, device=noise.device)
        # Summed on the device: reading each batch's loss back would stall a GPU.
        total = torch.zeros((), device=x.device)
        for rows in torch.split(order, self.batch_size):
            loss = self._loss(network(x[rows], noise), targets[rows])
            optimiser.zero_grad(set_to_none=True)
            torch.autograd.backward(loss)
            optimiser.step()
            total += loss.detach() * len(rows)
        return float(total) / len(x)

    def _sensitivity(self, x: torch.Tensor, generator: torch.Generator) -> NDArray[np.float64]:
        """Mean absolute gradient of each output (probabilities for classes) per input."""
        rows = x[torch.randperm(len(x), generator=generator)[:_SENSITIVITY_ROWS]]
        rows.requires_grad_(True)
        self.network_.eval()
        with torch.enable_grad():
            outputs = self._scale_outputs(self.network_(rows))
            slopes = [
                torch.autograd.grad(outputs[:, k].sum(), rows, retain_graph=True)[0].abs()
                for k in range(outputs.shape[1])
            ]
        mean_slope = torch.stack(slopes).mean(dim=(0, 1))
        return np.asarray(mean_slope.detach().numpy(), dtype=np.float64)

    def _scale_outputs(self, outputs: torch.Tensor) -> torch.Tensor:
        return outputs

    def _raw_outputs(self, X: Matrix) -> torch.Tensor:
        """The network's outputs for `X` in float64, computed on the CPU."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        with torch_threads(self.n_jobs):
            return _outputs(self.network_, _doubles(X))


class MLPClassifierTorch(ClassifierMixin, _TorchMLP):  # type: ignore[misc]
    """A multilayer perceptron classifier: softmax outputs, cross-entropy loss."""

    def _fit_targets(self, y: Labels) -> torch.Tensor:
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        return torch.from_numpy(encoded.astype(np.int64))

    def _targets(self, y: Labels) -> torch.Tensor:
        labels = np.asarray(y)
        positions = np.searchsorted(self.classes_, labels).clip(0, len(self.classes_) - 1)
        unseen = self.classes_[positions] != labels
        if unseen.any():
            raise ValueError(f"validation labels {sorted(set(labels[unseen]))} are not in y")
        return torch.from_numpy(positions.astype(np.int64))

    def _n_outputs(self) -> int:
        return len(self.classes_)

    def _loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return functional.cross_entropy(outputs, targets)

    def _scale_outputs(self, outputs: torch.Tensor) -> torch.Tensor:
        return torch.softmax(outputs, dim=1)

    def predict_proba(self, X: Matrix) -> NDArray[np.float64]:
        """Class probabilities, one column per entry of `classes_`."""
        return np.asarray(torch.softmax(self._raw_outputs(X), dim=1).numpy(), dtype=np.float64)

    def predict(self, X: Matrix) -> NDArray[Any]:
        """The most probable class of each row."""
        best = self._raw_outputs(X).argmax(dim=1).numpy()
        return np.asarray(self.classes_[best])


class MLPRegressorTorch(RegressorMixin, _TorchMLP):  # type: ignore[misc]
    """A multilayer perceptron regressor: learns the standardised target with squared error."""

    def _fit_targets(self, y: Labels) -> torch.Tensor:
        values = np.asarray(y, dtype=np.float64)
        self.target_mean_ = float(values.mean())
        spread = float(values.std())
        self.target_scale_ = spread if spread > 0 else 1.0
        return self._targets(values)

    def _targets(self, y: Labels) -> torch.Tensor:
        scaled = (np.asarray(y, dtype=np.float64) - self.target_mean_) / self.target_scale_
        return torch.from_numpy(scaled.astype(np.float32))

    def _n_outputs(self) -> int:
        return 1

    def _loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return functional.mse_loss(outputs.squeeze(1), targets)

    def predict(self, X: Matrix) -> NDArray[np.float64]:
        """Predicted values in the target's own units."""
        scaled = self._raw_outputs(X).squeeze(1).numpy()
        return np.asarray(scaled * self.target_scale_ + self.target_mean_, dtype=np.float64)
