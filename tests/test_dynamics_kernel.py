"""Tangent kernels, drift and the frozen-kernel prediction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qsympass.dynamics import frozen_kernel_prediction, kernel_drift, tangent_kernel


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6), st.integers(1, 12))
def test_tangent_kernel_is_gram_matrix(seed: int, m: int, p: int) -> None:
    jacobian = np.random.default_rng(seed).normal(size=(m, p))
    kernel = tangent_kernel(jacobian)
    np.testing.assert_allclose(kernel, kernel.T)
    assert np.linalg.eigvalsh(kernel).min() > -1e-10
    np.testing.assert_allclose(np.diag(kernel), np.sum(jacobian**2, axis=1))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.integers(0, 40))
def test_frozen_prediction_is_gradient_descent_on_a_linear_model(
    seed: int, m: int, steps: int
) -> None:
    # For a linear model ŷ = A θ the kernel never moves, so the prediction is exact.
    rng = np.random.default_rng(seed)
    design = rng.normal(size=(m, 3 * m))
    labels = rng.normal(size=m)
    kernel = design @ design.T
    lr = 0.5 / np.linalg.eigvalsh(kernel).max()
    theta = rng.normal(size=3 * m)
    residuals = [design @ theta - labels]
    for _ in range(steps):
        theta = theta - lr * design.T @ residuals[-1]
        residuals.append(design @ theta - labels)
    prediction = frozen_kernel_prediction(kernel, residuals[0], lr, steps)
    np.testing.assert_allclose(prediction.residuals, np.array(residuals), atol=1e-10)
    np.testing.assert_allclose(
        prediction.losses, 0.5 * np.sum(np.array(residuals) ** 2, axis=1), atol=1e-10
    )
    np.testing.assert_array_equal(prediction.steps, np.arange(steps + 1))


def test_kernel_drift_is_relative_frobenius_distance() -> None:
    reference = np.array([[2.0, 0.0], [0.0, 2.0]])
    assert kernel_drift(reference, reference) == 0.0
    assert kernel_drift(0.5 * reference, reference) == pytest.approx(0.5)
    assert kernel_drift(np.zeros((2, 2)), reference) == pytest.approx(1.0)


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="reference kernel is zero"):
        kernel_drift(np.eye(2), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="shapes differ"):
        kernel_drift(np.eye(2), np.eye(3))
    with pytest.raises(ValueError, match="learning_rate"):
        frozen_kernel_prediction(np.eye(2), np.ones(2), 0.0, 3)
    with pytest.raises(ValueError, match="kernel must be"):
        frozen_kernel_prediction(np.eye(2), np.ones(3), 0.1, 3)
    with pytest.raises(ValueError, match="jacobian"):
        tangent_kernel(np.ones(3))
