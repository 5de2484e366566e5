"""mcdl.neuron: the paper's neuron (§5–6) — every gradient against finite differences, the corrected loss
gradient against a per-sample loop and the vector engine, folding, training, and every bad input."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import mcdl
from mcdl.neuron import (
    DivergenceWarning, activation, activation_gradients, affine, affine_gradients, fold_bias,
    folded_loss_gradient, loss_gradient, mse_loss, relu, relu_derivative, train, training_steps,
)
from mcdl.shapes import ShapeError
from mcdl.vector_derivation import vector_chain_rule_steps


def data(seed=0, N=40, n=3, inactive=True):
    """A learnable problem: y = max(0, w*·x + b*) + a little noise; with ``inactive`` the start w, b leave
    some samples below the kink."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, n))
    w_true, b_true = rng.normal(size=n), 0.3
    y = np.maximum(0, X @ w_true + b_true) + 0.01 * rng.normal(size=N)
    w = rng.normal(size=n)
    return X, y, w, 0.1


def away_from_kink(w, b, X, margin=1e-3):
    z = np.atleast_1d(np.asarray(X) @ w + b)
    return np.min(np.abs(z)) > margin


# ------------------------------------------------------------------------------------------------
# §5: affine, relu, activation and their gradients
def test_affine_and_its_gradients_paper_example_27():
    w, b, x = np.array([1.0, -2.0, 0.5]), 0.25, np.array([0.4, 0.1, -1.0])
    assert affine(w, b, x) == pytest.approx(0.4 - 0.2 - 0.5 + 0.25)
    g = affine_gradients(w, b, x)
    np.testing.assert_allclose(g.w, x)                       # ∂z/∂w = xᵀ
    assert g.b == 1.0                                        # ∂z/∂b = 1
    np.testing.assert_allclose(g.x, w)                       # ∂z/∂x = wᵀ
    np.testing.assert_allclose(g.w, mcdl.gradient(lambda v: affine(v, b, x), w), rtol=1e-8)
    np.testing.assert_allclose(g.x, mcdl.gradient(lambda v: affine(w, b, v), x), rtol=1e-8)


def test_relu_and_its_derivative_paper_example_28():
    z = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    np.testing.assert_array_equal(relu(z), [0, 0, 0, 1e-9, 3])
    np.testing.assert_array_equal(relu_derivative(z), [0, 0, 0, 1, 1])     # 0 at the kink
    assert relu(-1.0) == 0.0 and relu_derivative(0.0) == 0.0 and relu_derivative(2.0) == 1.0


@pytest.mark.parametrize("side", [+1, -1])
def test_activation_gradients_on_both_sides_of_the_kink_paper_example_29(side):
    rng = np.random.default_rng(29 + side)
    for _ in range(20):
        w, x = rng.normal(size=4), rng.normal(size=4)
        b = side * 0.5 - float(w @ x) + 0.3 * side * rng.random()  # z = w·x + b on the chosen side
        assert np.sign(affine(w, b, x)) == side
        g = activation_gradients(w, b, x)
        on = 1.0 if side > 0 else 0.0
        np.testing.assert_allclose(g.w, on * x)                   # xᵀ or 0ᵀ
        assert g.b == on
        np.testing.assert_allclose(g.x, on * w)
        np.testing.assert_allclose(g.w, mcdl.gradient(lambda v: activation(v, b, x), w), atol=1e-8)
        np.testing.assert_allclose(g.x, mcdl.gradient(lambda v: activation(w, b, v), x), atol=1e-8)
        assert g.b == pytest.approx(mcdl.derivative(lambda t: activation(w, t, x), b), abs=1e-8)


def test_batched_gradients_are_the_jacobians_of_the_batch():
    X, y, w, b = data(1, N=6)
    assume_rows = X @ w + b
    assert (assume_rows > 0).any() and (assume_rows <= 0).any()
    g = activation_gradients(w, b, X)
    assert g.w.shape == (6, 3) and g.b.shape == (6, 1) and g.x.shape == (6, 3)
    np.testing.assert_allclose(g.w, mcdl.jacobian(lambda v: activation(v, b, X), w), atol=1e-8)
    np.testing.assert_allclose(g.b, mcdl.jacobian(lambda t: activation(w, t, X), b), atol=1e-8)
    for i in range(6):                                        # row i: sample i's own gradient
        np.testing.assert_allclose(g.x[i], activation_gradients(w, b, X[i]).x)
    np.testing.assert_allclose(affine_gradients(w, b, X).w, X)


def test_the_vector_engine_derives_the_same_activation_gradient():
    d = vector_chain_rule_steps("max(0, dot(w, x) + b)", "w", {"w": (3,), "x": (3,), "b": ()})
    rng = np.random.default_rng(5)
    for _ in range(10):
        w, x, b = rng.normal(size=3), rng.normal(size=3), float(rng.normal())
        np.testing.assert_allclose(d.evaluate(w=w, x=x, b=b)[0], activation_gradients(w, b, x).w)


# ------------------------------------------------------------------------------------------------
# §6: the loss and its corrected gradient
def per_sample_loop(w, b, X, y):
    """The gradient written as the paper's sum, one sample at a time, the case split inside the sum."""
    N = len(y)
    gw, gb = np.zeros_like(w), 0.0
    for xi, yi in zip(X, y):
        z = w @ xi + b
        if z > 0:
            gw += 2 / N * (z - yi) * xi
            gb += 2 / N * (z - yi)
    return gw, gb


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), N=st.integers(1, 30), n=st.integers(1, 5))
def test_loss_gradient_against_a_loop_finite_differences_and_the_engine(seed, N, n):
    X, y, w, b = data(seed, N, n)
    if not away_from_kink(w, b, X):
        return
    g = loss_gradient(w, b, X, y)
    dw, db = g                                                # unpacks
    gw, gb = per_sample_loop(w, b, X, y)
    np.testing.assert_allclose(dw, gw, rtol=1e-12, atol=1e-14)
    assert db == pytest.approx(gb, rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(dw, mcdl.gradient(lambda v: mse_loss(v, b, X, y), w), rtol=1e-6, atol=1e-8)
    assert db == pytest.approx(mcdl.derivative(lambda t: mse_loss(w, t, X, y), b), rel=1e-6, abs=1e-8)
    shapes = {"w": (n,), "X": (N, n), "b": (), "y": (N,)}
    loss = "mean((y - max(0, X @ w + b))**2)"
    np.testing.assert_allclose(vector_chain_rule_steps(loss, "w", shapes).evaluate(w=w, X=X, b=b, y=y)[0], dw,
                               rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(vector_chain_rule_steps(loss, "b", shapes).evaluate(w=w, X=X, b=b, y=y)[0, 0], db,
                               rtol=1e-10, atol=1e-13)


def test_the_uncorrected_form_differs_when_samples_are_inactive():
    X, y, w, b = data(3, N=30)
    z = X @ w + b
    assert (z <= 0).sum() >= 5
    uncorrected = 2 / len(y) * (z - y) @ X                    # every sample's error, the case outside the sum
    assert not np.allclose(loss_gradient(w, b, X, y).w, uncorrected, rtol=1e-3)


def test_loss_value_and_an_all_inactive_neuron_has_zero_gradient():
    X, y, w, b = data(4, N=10)
    r = y - np.maximum(0, X @ w + b)
    assert mse_loss(w, b, X, y) == pytest.approx(np.mean(r**2))
    dead = loss_gradient(w, -100.0, X, y)                    # w·x + b < 0 everywhere: a dead neuron
    np.testing.assert_array_equal(dead.w, np.zeros(3))
    assert dead.b == 0.0


def test_folding_the_bias_gives_the_same_gradients():
    X, y, w, b = data(6, N=25)
    w_hat, X_hat = fold_bias(w, b, X)
    assert X_hat.shape == (25, 4) and np.all(X_hat[:, -1] == 1) and w_hat[-1] == b
    np.testing.assert_allclose(X_hat @ w_hat, X @ w + b)
    folded = folded_loss_gradient(w_hat, X_hat, y)
    g = loss_gradient(w, b, X, y)
    np.testing.assert_allclose(folded[:-1], g.w, rtol=1e-12)
    assert folded[-1] == pytest.approx(g.b, rel=1e-12)
    one_w, one_x = fold_bias(w, b, X[0])
    assert one_x.shape == (4,) and one_w @ one_x == pytest.approx(affine(w, b, X[0]))


# ------------------------------------------------------------------------------------------------
# Training
def test_training_reduces_the_loss_on_a_learnable_problem():
    X, y, _, _ = data(7, N=200)
    history = train(X, y, lr=0.1, epochs=200, seed=0, b0=0.5)
    assert history.epochs == 200 and not history.diverged and history.message == ""
    assert history.loss[-1] < 0.05 * history.loss[0]
    assert history.w.shape == (201, 3) and history.b.shape == (201,) and history.active.shape == (201,)
    w, b = history.final
    assert mse_loss(w, b, X, y) == pytest.approx(history.loss[-1])
    again = train(X, y, lr=0.1, epochs=200, seed=0, b0=0.5)              # seeded: the same numbers
    np.testing.assert_array_equal(again.loss, history.loss)


def test_minibatch_sgd_and_the_folded_form():
    X, y, _, _ = data(8, N=120)
    sgd = train(X, y, lr=0.05, epochs=40, seed=1, batch_size=16, b0=0.5)
    assert sgd.loss[-1] < 0.1 * sgd.loss[0]
    full = train(X, y, lr=0.1, epochs=30, seed=2, b0=0.5)
    folded = train(X, y, lr=0.1, epochs=30, seed=2, b0=0.5, fold=True)
    np.testing.assert_allclose(folded.loss, full.loss, rtol=1e-10)
    np.testing.assert_allclose(folded.w, full.w, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(folded.b, full.b, rtol=1e-10, atol=1e-14)
    steps = list(training_steps(X, y, lr=0.1, epochs=3, seed=2, b0=0.5))
    assert [s.epoch for s in steps] == [0, 1, 2, 3] and steps[3].loss == pytest.approx(full.loss[3])


def test_a_dead_neuron_stalls_and_the_initial_bias_revives_it():
    X, y, _, _ = data(9, N=80)
    dead = train(X, y, lr=0.1, epochs=20, seed=0, b0=-50.0)
    assert "dead from the start" in dead.message
    assert dead.active[0] == 0.0 and np.all(dead.loss == dead.loss[0]) and np.all(dead.w == dead.w[0])
    alive = train(X, y, lr=0.1, epochs=20, seed=0, b0=0.5)
    assert alive.active[0] > 0.5 and alive.loss[-1] < alive.loss[0]


def test_too_large_a_learning_rate_diverges_says_so_and_stops():
    X, y, _, _ = data(10, N=50)
    with pytest.warns(DivergenceWarning, match=r"diverged at epoch \d+.*learning rate η = 20 is too large"):
        history = train(X, y, lr=20.0, epochs=500, seed=0, b0=0.5)
    assert history.diverged and history.epochs < 10
    assert np.all(np.isfinite(history.loss)) and "Try η = 2" in history.message
    overshoot = train(X, y, lr=5.0, epochs=50, seed=0, b0=0.5)      # an overshoot that kills the neuron
    assert not overshoot.diverged and overshoot.active[-1] == 0
    assert overshoot.message.startswith("the neuron is dead from epoch")


@pytest.mark.parametrize("call, error, match", [
    (lambda X, y, w: loss_gradient(w, 0.0, X[:0], y[:0]), ShapeError, "no samples"),
    (lambda X, y, w: loss_gradient(w, 0.0, X, y[:-1]), ShapeError, r"one target per sample, shape \(20,\)"),
    (lambda X, y, w: loss_gradient(w[:2], 0.0, X, y), ShapeError, "needs 2 entries"),
    (lambda X, y, w: loss_gradient(w, 0.0, X.T, y), ShapeError, "one sample per row"),
    (lambda X, y, w: loss_gradient(w, 0.0, X[0], y), ShapeError, "one sample"),
    (lambda X, y, w: mse_loss(w, 0.0, np.where(X > 1, np.nan, X), y), ValueError, "(?i)nan"),
    (lambda X, y, w: mse_loss(w, 0.0, X, np.full(20, np.inf)), ValueError, "inf"),
    (lambda X, y, w: activation(w.reshape(-1, 1), 0.0, X[0]), ShapeError, "ravel"),
    (lambda X, y, w: activation(w, np.ones(2), X[0]), ShapeError, "b should be a scalar"),
    (lambda X, y, w: activation(w, 0.0, "x"), TypeError, "text"),
    (lambda X, y, w: train(X, y, lr=0), ValueError, "positive"),
    (lambda X, y, w: train(X, y, lr=-0.1), ValueError, "positive"),
    (lambda X, y, w: train(X, y, lr="fast"), TypeError, "number"),
    (lambda X, y, w: train(X, y, epochs=2.5), TypeError, "whole number"),
    (lambda X, y, w: train(X, y, batch_size=0), ValueError, "at least 1"),
    (lambda X, y, w: train(X[:0], y[:0]), ShapeError, "no samples"),
    (lambda X, y, w: train(X, np.full(20, np.nan)), ValueError, "(?i)nan"),
])
def test_bad_input_names_the_problem(call, error, match):
    X, y, w, _ = data(11, N=20)
    with pytest.raises(error, match=match):
        call(X, y, w)


def test_the_learner_inputs_are_not_changed():
    X, y, w, b = data(12, N=15)
    copies = X.copy(), y.copy(), w.copy()
    loss_gradient(w, b, X, y)
    train(X, y, lr=0.1, epochs=3, w0=w)
    for before, after in zip(copies, (X, y, w)):
        np.testing.assert_array_equal(before, after)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(X, y, lr=0.1, epochs=3)
