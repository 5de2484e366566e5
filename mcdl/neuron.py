"""The paper's neuron (§5–6): the affine function, ReLU, the activation, the MSE loss, their gradients, training.

Each forward computation sits next to its derivative, in numerator layout (a gradient is a row, stored as a
1-D array as :func:`mcdl.gradient` returns it):

* **affine** z = w·x + b: ∂z/∂w = xᵀ, ∂z/∂b = 1, ∂z/∂x = wᵀ (§5, no chain rule needed);
* **relu** max(0, z): slope 0 for z ≤ 0 and 1 for z > 0 — 0 *at* the kink, the paper's convention;
* **activation** max(0, w·x + b): the chain of the two, so each gradient of z is kept where z > 0 and is 0
  (0ᵀ for a row) where z ≤ 0;
* **mse_loss** C = (1/N) Σᵢ (yᵢ − activation(xᵢ))² and **loss_gradient**, the corrected §6.1 / §6.2 result:
  ∂C/∂w = (2/N) Σᵢ eᵢ xᵢᵀ and ∂C/∂b = (2/N) Σᵢ eᵢ, with eᵢ = w·xᵢ + b − yᵢ on the *active* samples
  (w·xᵢ + b > 0) and 0 on the others — the case split sits inside the sum, per sample (paper-map §6);
* **train**: gradient descent (or mini-batch SGD) with that gradient; the bias-folding trick ŵ = [w, b],
  x̂ = [x, 1] gives the same gradients (:func:`fold_bias`, :func:`folded_loss_gradient`).

Every function takes one sample x of shape (n,) or a batch X of shape (N, n), one sample per row (the paper's
X = [x₁, …, x_N]ᵀ), and checks what it gets: a wrong shape is a :class:`~mcdl.shapes.ShapeError` naming both
shapes, NaN or inf a ``ValueError`` saying where.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Iterator, NamedTuple

import numpy as np

from .shapes import ShapeError, as_array, as_scalar, fmt_shape, require_finite

__all__ = ["affine", "affine_gradients", "relu", "relu_derivative", "activation", "activation_gradients",
           "mse_loss", "loss_gradient", "LossGradient", "NeuronGradients", "fold_bias", "folded_loss_gradient",
           "train", "training_steps", "TrainingHistory", "TrainingEpoch", "DivergenceWarning"]


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss grew without bound (the learning rate is too large for the data)."""


# --------------------------------------------------------------------------------------------------
# Checking inputs once, with messages that name the shapes.
def _weights(w) -> np.ndarray:
    w = require_finite(as_array(w, "w"), "w")
    if w.ndim != 1 or w.size == 0:
        hint = " Pass w.ravel()." if w.ndim == 2 and 1 in w.shape else ""
        raise ShapeError(f"w should be a vector of weights of shape (n,), got {fmt_shape(w.shape)}.{hint}")
    return w


def _inputs(x, n: int, name: str = "x", check_finite: bool = True) -> np.ndarray:
    """One sample (n,) or a batch (N, n) with one sample per row. ``check_finite=False`` leaves the scan for NaN
    and inf to the caller (a NaN or inf in X always reaches the gradient: see :func:`_explain_not_finite`)."""
    x = as_array(x, name)
    if check_finite:
        require_finite(x, name)
    if x.ndim == 1:
        if x.size != n:
            raise ShapeError(f"{name} has {x.size} entries but w has {n}: one weight per input, so both need "
                             f"length {n}.")
        return x
    if x.ndim == 2:
        if x.shape[0] == 0:
            raise ShapeError(f"{name} has no samples (shape {fmt_shape(x.shape)}): the loss is an average over "
                             "samples and needs at least one.")
        if x.shape[1] != n:
            hint = (f" {name} transposed ({x.shape[1]}, {x.shape[0]}) would fit: one sample per row, the paper's "
                    f"X = [x₁, …, x_N]ᵀ." if x.shape[0] == n else "")
            raise ShapeError(f"{name} has shape {fmt_shape(x.shape)}: each row is a sample and needs {n} entries, "
                             f"one per weight.{hint}")
        return x
    raise ShapeError(f"{name} should be one sample of shape ({n},) or a batch of shape (N, {n}), got "
                     f"{fmt_shape(x.shape)}.")


def _batch(X, y, n: int, check_finite: bool = True) -> tuple[np.ndarray, np.ndarray]:
    X = _inputs(X, n, "X", check_finite)
    if X.ndim == 1:
        raise ShapeError(f"X should be a batch of samples of shape (N, {n}), one per row; got one sample "
                         f"{fmt_shape(X.shape)}. For one sample write X[None, :].")
    y = as_array(y, "y")
    if check_finite:
        require_finite(y, "y")
    if y.ndim != 1 or y.size != X.shape[0]:
        raise ShapeError(f"y should hold one target per sample, shape ({X.shape[0]},); got {fmt_shape(y.shape)}.")
    return X, y


# --------------------------------------------------------------------------------------------------
# §5: the affine function, ReLU and the activation, each beside its derivative.
class NeuronGradients(NamedTuple):
    """The gradients of z or of the activation with respect to w, b and x (numerator layout).

    One sample: ``w`` and ``x`` are rows of shape (n,), ``b`` a number. A batch of N samples: ``w`` is the
    (N, n) Jacobian of the N outputs (row i is sample i's gradient), ``b`` the (N, 1) column, and ``x`` the
    (N, n) per-sample gradients ∂zᵢ/∂xᵢ (row i; the Jacobian with respect to the whole X would be a 3-D array).
    """
    w: np.ndarray
    b: object
    x: np.ndarray


def affine(w, b, x):
    """z = w·x + b: a number for one sample x (n,), a vector (N,) for a batch X (N, n)."""
    w = _weights(w)
    x = _inputs(x, w.size)
    z = x @ w + as_scalar(b, "b")
    return float(z) if x.ndim == 1 else z


def affine_gradients(w, b, x) -> NeuronGradients:
    """∂z/∂w = xᵀ, ∂z/∂b = 1, ∂z/∂x = wᵀ (§5): the affine function needs no chain rule."""
    w = _weights(w)
    x = _inputs(x, w.size)
    as_scalar(b, "b")
    if x.ndim == 1:
        return NeuronGradients(x.copy(), 1.0, w.copy())
    N = x.shape[0]
    return NeuronGradients(x.copy(), np.ones((N, 1)), np.tile(w, (N, 1)))


def relu(z):
    """max(0, z), entry by entry (a number stays a number)."""
    z = require_finite(as_array(z, "z"), "z")
    out = np.maximum(0.0, z)
    return float(out) if out.ndim == 0 else out


def relu_derivative(z):
    """d/dz max(0, z): 1 where z > 0, and 0 where z ≤ 0 — including z = 0, the paper's convention."""
    z = require_finite(as_array(z, "z"), "z")
    out = (z > 0).astype(float)
    return float(out) if out.ndim == 0 else out


def activation(w, b, x):
    """max(0, w·x + b) (§5): one number per sample."""
    return relu(affine(w, b, x))


def activation_gradients(w, b, x) -> NeuronGradients:
    """The gradients of max(0, w·x + b) with respect to w, b and x (§5): the chain rule through z,
    ∂activation/∂w = (dmax/dz)·∂z/∂w — so xᵀ where z > 0 and 0ᵀ where z ≤ 0; likewise 1 or 0 for b and wᵀ
    or 0ᵀ for x. Shapes as in :class:`NeuronGradients`."""
    w = _weights(w)
    x = _inputs(x, w.size)
    b = as_scalar(b, "b")
    on = relu_derivative(x @ w + b)
    dz = affine_gradients(w, b, x)
    if x.ndim == 1:
        return NeuronGradients(on * dz.w, on * dz.b, on * dz.x)
    return NeuronGradients(on[:, None] * dz.w, on[:, None] * dz.b, on[:, None] * dz.x)


# --------------------------------------------------------------------------------------------------
# §6: the loss over a batch, and its gradient with the case split inside the sum.
class LossGradient(NamedTuple):
    """∂C/∂w (a row, shape (n,)) and ∂C/∂b (a number)."""
    w: np.ndarray
    b: float


def mse_loss(w, b, X, y) -> float:
    """C(w, b, X, y) = (1/N) Σᵢ (yᵢ − max(0, w·xᵢ + b))² (§6), X of shape (N, n), y of shape (N,)."""
    w = _weights(w)
    X, y = _batch(X, y, w.size)
    r = y - np.maximum(0.0, X @ w + as_scalar(b, "b"))
    return float(r @ r / y.size)


def _explain_not_finite(X: np.ndarray, y: np.ndarray):
    """The gradient came out NaN or infinite: say why. A NaN or inf anywhere in X or y reaches the gradient
    (an inactive sample multiplies it by 0, and 0·inf and 0·NaN are NaN), so one look at the n + 1 numbers of
    the result replaces a scan of the N×n matrix up front; only now is X searched, to say where."""
    require_finite(X, "X")
    require_finite(y, "y")
    raise ValueError("the loss gradient overflows although X, y, w and b are finite: the inputs or weights are "
                     "too large; scale the data")


def _errors(w, b, X, y) -> np.ndarray:
    """eᵢ = w·xᵢ + b − yᵢ on the active samples (w·xᵢ + b > 0), 0 on the others."""
    z = X @ w
    z += b
    return _masked_errors(z, y)


def _masked_errors(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """z − y where z > 0 and 0 elsewhere, computed in z's own memory (no temporaries: at N = 100,000 the
    np.where form cost a sixth of the whole gradient)."""
    active = z > 0
    z -= y
    z *= active
    return z


def loss_gradient(w, b, X, y) -> LossGradient:
    """The gradient of the MSE loss (§6.1, §6.2), corrected: ∂C/∂w = (2/N) Σᵢ eᵢ xᵢᵀ, ∂C/∂b = (2/N) Σᵢ eᵢ,
    where eᵢ = w·xᵢ + b − yᵢ for an active sample and 0 for an inactive one — the case split is made for each
    sample inside the sum (paper-map §6: the paper's §6.1 puts it outside).

    Vectorised: the two matrix–vector products X w and eᵀX, and O(N) work besides. Returns a
    :class:`LossGradient` (``grad.w`` of shape (n,), ``grad.b`` a number), which unpacks as ``dw, db``.
    """
    w = _weights(w)
    X, y = _batch(X, y, w.size, check_finite=False)
    b = as_scalar(b, "b")
    z = X @ w                                              # product 1
    z += b
    e = _masked_errors(z, y)
    scale = 2.0 / y.size
    grad_w, grad_b = scale * (e @ X), float(scale * e.sum())          # product 2
    if not (np.all(np.isfinite(grad_w)) and math.isfinite(grad_b)):
        _explain_not_finite(X, y)
    return LossGradient(grad_w, grad_b)


def fold_bias(w, b, X) -> tuple[np.ndarray, np.ndarray]:
    """The bias-folding trick (§6.2): ŵ = [w, b] and x̂ = [x, 1] (a column of ones appended to X), so that
    ŵ·x̂ = w·x + b and one gradient covers both parameters."""
    w = _weights(w)
    X = _inputs(X, w.size, "X")
    ones = np.ones(X.shape[:-1] + (1,)) if X.ndim == 2 else np.ones(1)
    return np.append(w, as_scalar(b, "b")), np.concatenate([X, ones], axis=-1)


def folded_loss_gradient(w_hat, X_hat, y) -> np.ndarray:
    """∂C/∂ŵ for the folded neuron max(0, ŵ·x̂): (2/N) Σᵢ eᵢ x̂ᵢᵀ over the active samples — the last entry is
    ∂C/∂b, since x̂ ends in 1."""
    w_hat = _weights(w_hat)
    X_hat, y = _batch(X_hat, y, w_hat.size)
    e = _errors(w_hat, 0.0, X_hat, y)
    return (2.0 / y.size) * (e @ X_hat)


# --------------------------------------------------------------------------------------------------
# Training: gradient descent and mini-batch SGD, with the update the numerator layout implies.
@dataclass(frozen=True)
class TrainingEpoch:
    """The state after one epoch: its number (0 = before training), the loss on all the data, w, b, and the
    share of samples where the neuron is active."""
    epoch: int
    loss: float
    w: np.ndarray
    b: float
    active: float


@dataclass(frozen=True)
class TrainingHistory:
    """What :func:`train` returns: per epoch (row 0 = the start) the loss, w (epochs+1, n), b and the active
    share; ``diverged`` and ``message`` say whether and why training stopped early."""
    loss: np.ndarray
    w: np.ndarray
    b: np.ndarray
    active: np.ndarray
    diverged: bool = False
    message: str = ""

    @property
    def epochs(self) -> int:
        return len(self.loss) - 1

    @property
    def final(self) -> tuple[np.ndarray, float]:
        return self.w[-1], float(self.b[-1])


DIVERGENCE_FACTOR = 1e4        # a loss this many times its starting value (or not finite) has diverged


def _check_training(X, y, lr, epochs, batch_size, w0, b0, seed):
    X = require_finite(as_array(X, "X"), "X")
    if X.ndim != 2:
        raise ShapeError(f"X should be a batch of samples of shape (N, n), one per row; got {fmt_shape(X.shape)}.")
    n = X.shape[1]
    if n == 0:
        raise ShapeError(f"X has no inputs (shape {fmt_shape(X.shape)}): a neuron needs at least one.")
    X, y = _batch(X, y, n)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating, np.integer)):
        raise TypeError(f"lr (the learning rate η) must be a number, got {type(lr).__name__}")
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr (the learning rate η) must be a positive number, got {lr}: each step moves "
                         "against the gradient by η times its size.")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)):
        raise TypeError(f"epochs must be a whole number, got {type(epochs).__name__}")
    if epochs < 0:
        raise ValueError(f"epochs must be 0 or more, got {epochs}")
    if batch_size is not None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"batch_size must be a whole number or None (full batch), got {type(batch_size).__name__}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 1.0 / math.sqrt(n), size=n) if w0 is None else _weights(w0).copy()
    if w.size != n:
        raise ShapeError(f"w0 has {w.size} entries but each sample has {n}")
    return X, y, float(lr), int(epochs), batch_size, w, as_scalar(b0, "b0"), rng


def training_steps(X, y, lr: float = 0.1, epochs: int = 100, seed: int = 0, batch_size: int | None = None,
                   w0=None, b0: float = 0.0, fold: bool = False) -> Iterator[TrainingEpoch]:
    """The epochs of :func:`train` one at a time (epoch 0 first, the start): a generator, so a widget can
    draw between epochs. It stops early, with a :class:`DivergenceWarning`, when the loss stops being finite
    or grows past :data:`DIVERGENCE_FACTOR` times its start."""
    X, y, lr, epochs, batch_size, w, b, rng = _check_training(X, y, lr, epochs, batch_size, w0, b0, seed)
    N = len(y)
    size = N if batch_size is None else min(batch_size, N)
    if fold:
        w_hat, X_hat = fold_bias(w, b, X)

    def snapshot(epoch):
        ww, bb = (w_hat[:-1], w_hat[-1]) if fold else (w, b)
        z = X @ ww + bb
        r = y - np.maximum(0.0, z)
        return TrainingEpoch(epoch, float(r @ r / N), ww.copy(), float(bb), float(np.mean(z > 0)))

    start = snapshot(0)
    yield start
    for epoch in range(1, epochs + 1):
        order = rng.permutation(N) if size < N else None
        for first in range(0, N, size):
            rows = slice(None) if order is None else order[first:first + size]
            with np.errstate(over="ignore", invalid="ignore"):
                if fold:
                    w_hat = w_hat - lr * _folded_step_gradient(w_hat, X_hat[rows], y[rows])
                else:
                    e = _errors(w, b, X[rows], y[rows])
                    scale = 2.0 / len(e)
                    w = w - lr * scale * (e @ X[rows])     # w is a column; ∂C/∂w is a row: w − η (∂C/∂w)ᵀ
                    b = b - lr * scale * e.sum()
        with np.errstate(over="ignore", invalid="ignore"):
            state = snapshot(epoch)
        if not math.isfinite(state.loss) or state.loss > DIVERGENCE_FACTOR * max(start.loss, 1e-12):
            warnings.warn(f"training diverged at epoch {epoch}: the loss grew from {start.loss:.4g} to "
                          f"{state.loss:.4g}, so training stopped. The learning rate η = {lr:g} is too large for "
                          f"these data: each step overshoots the minimum by more than it corrects. Try η = "
                          f"{lr / 10:g} or smaller.", DivergenceWarning, stacklevel=3)
            return
        yield state


def _folded_step_gradient(w_hat, X_hat, y):
    e = _errors(w_hat, 0.0, X_hat, y)
    return (2.0 / len(e)) * (e @ X_hat)


def _dead_message(rows) -> str:
    """Say so when no sample is active (from the start, or from some epoch on): the gradient is 0 there."""
    if not rows or rows[-1].active > 0:
        return ""
    first = next(r.epoch for r in rows if all(later.active == 0 for later in rows[r.epoch:]))
    when = "from the start" if first == 0 else f"from epoch {first} on"
    return (f"the neuron is dead {when}: w·x + b ≤ 0 for every sample, so every gradient is 0 and training "
            "cannot move it. Start with a larger bias b0, or a smaller learning rate if it died during training.")


def train(X, y, lr: float = 0.1, epochs: int = 100, seed: int = 0, batch_size: int | None = None,
          w0=None, b0: float = 0.0, fold: bool = False) -> TrainingHistory:
    """Train the neuron max(0, w·x + b) on X (N, n) and y (N,) by gradient descent (§6):
    w ← w − η (∂C/∂w)ᵀ, b ← b − η ∂C/∂b, with the corrected :func:`loss_gradient`.

    ``batch_size=None`` uses all N samples per step (gradient descent, one step per epoch); a number k gives
    mini-batch SGD, ⌈N/k⌉ steps per epoch over a shuffled order drawn from ``seed``. ``w0`` defaults to
    normal weights of size 1/√n drawn from ``seed``; ``b0`` to 0. ``fold=True`` trains the folded neuron
    ŵ = [w, b], x̂ = [x, 1] instead, which takes exactly the same steps.

    Returns a :class:`TrainingHistory`; its ``message`` says when the neuron ends dead (no active sample, so
    a zero gradient). A loss that diverges stops training with a :class:`DivergenceWarning`
    naming the epoch and the learning rate (the history ends there, ``diverged=True``); bad input (no samples,
    mismatched shapes, NaN or inf, η ≤ 0) is an error naming it.
    """
    rows = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DivergenceWarning)
        for state in training_steps(X, y, lr, epochs, seed, batch_size, w0, b0, fold):
            rows.append(state)
    diverged = [w for w in caught if issubclass(w.category, DivergenceWarning)]
    for w in caught:
        if not issubclass(w.category, DivergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    message = str(diverged[0].message) if diverged else ""
    if diverged:
        warnings.warn(message, DivergenceWarning, stacklevel=2)
    else:
        message = _dead_message(rows)
    return TrainingHistory(loss=np.array([r.loss for r in rows]), w=np.array([r.w for r in rows]),
                           b=np.array([r.b for r in rows]), active=np.array([r.active for r in rows]),
                           diverged=bool(diverged), message=message)
