"""Tests of the SGGD data sets: Werner states, their purification circuit, the circle data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import SparsePauliOp, Statevector, partial_trace

from qsympass.datasets import (
    CIRCLE_RADIUS,
    ENTANGLED,
    SEPARABLE,
    WERNER_THRESHOLD,
    Dataset,
    circle_dataset,
    circle_labels,
    circle_split,
    werner_dataset,
    werner_labels,
    werner_purification_circuit,
    werner_split,
    werner_state,
)

SWAP = SparsePauliOp(["II", "XX", "YY", "ZZ"], [0.5, 0.5, 0.5, 0.5]).to_matrix()


def _partial_transpose_min_eigenvalue(rho: np.ndarray) -> float:
    tensor = rho.reshape(2, 2, 2, 2)  # (q1, q0, q1', q0')
    transposed = tensor.transpose(0, 3, 2, 1).reshape(4, 4)  # transpose qubit 0
    return float(np.linalg.eigvalsh(transposed).min())


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 1.0))
def test_purification_reduces_to_the_werner_state(p: float) -> None:
    state = Statevector(werner_purification_circuit(p))
    reduced = partial_trace(state, [2, 3]).data
    np.testing.assert_allclose(reduced, werner_state(p).data, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 1.0))
def test_werner_state_is_a_state_with_the_paper_swap_value(p: float) -> None:
    rho = werner_state(p).data
    assert np.isclose(np.trace(rho), 1.0)
    assert np.linalg.eigvalsh(rho).min() > -1e-12
    # Identity circuit + SWAP observable: (1 - 3p)/2, negative exactly for entangled states.
    assert np.isclose(np.trace(SWAP @ rho).real, (1 - 3 * p) / 2)
    # U ⊗ U invariance, and SWAP invariance.
    np.testing.assert_allclose(SWAP @ rho @ SWAP, rho, atol=1e-12)


@pytest.mark.parametrize("p", [0.0, 0.2, WERNER_THRESHOLD, 0.34, 0.7, 1.0])
def test_werner_labels_match_the_ppt_criterion(p: float) -> None:
    entangled = _partial_transpose_min_eigenvalue(werner_state(p).data) < -1e-12
    assert werner_labels(np.array([p]))[0] == (ENTANGLED if entangled else SEPARABLE)


def test_werner_split_is_biased_seeded_and_labelled() -> None:
    split = werner_split(50, 200, seed=3)
    assert np.all(split.train.features <= WERNER_THRESHOLD)
    assert np.all(split.train.labels == SEPARABLE)
    assert 0.2 < split.test.balance() < 0.5  # a third of [0, 1] is separable
    again = werner_split(50, 200, seed=3)
    np.testing.assert_array_equal(split.test.features, again.test.features)
    unbiased = werner_split(200, 10, seed=1, biased=False)
    assert unbiased.train.features.max() > WERNER_THRESHOLD


def test_circle_radius_balances_the_classes() -> None:
    assert np.isclose(np.pi * CIRCLE_RADIUS**2, 2.0)
    data = circle_dataset(20_000, seed=0)
    assert abs(data.balance() - 0.5) < 0.02
    np.testing.assert_array_equal(
        data.labels, np.where(np.hypot(*data.features.T) < CIRCLE_RADIUS, 1.0, -1.0)
    )


def test_right_half_sampling_and_split() -> None:
    split = circle_split(500, 1000, seed=7)
    assert np.all(split.train.features[:, 0] > 0)
    assert np.all(np.abs(split.train.features) <= 1)
    assert split.test.features[:, 0].min() < 0
    assert abs(split.train.balance() - 0.5) < 0.1
    other = circle_split(500, 1000, seed=8)
    assert not np.array_equal(split.train.features, other.train.features)


def test_bad_input_raises() -> None:
    with pytest.raises(ValueError, match="p must lie in"):
        werner_state(1.5)
    with pytest.raises(ValueError, match="num_samples"):
        circle_dataset(0)
    with pytest.raises(ValueError, match="shape"):
        circle_labels(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="interval"):
        werner_dataset(3, p_range=(0.5, 0.2))
    with pytest.raises(ValueError, match="labels must be"):
        Dataset(np.zeros((2, 1)), np.array([1.0, 0.0]))
    for count in (float("inf"), None, True, 2.5, "5"):
        with pytest.raises(ValueError, match="num_samples must be an integer >= 1"):
            circle_dataset(count)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="num_samples must be an integer >= 1"):
            werner_dataset(count)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="num_test must be an integer"):
        circle_split(5, "x")  # type: ignore[arg-type]
    for radius in (float("inf"), "a", 0.0):
        with pytest.raises(ValueError, match="radius must be a finite positive number"):
            circle_dataset(4, radius=radius)  # type: ignore[arg-type]


def test_subset_keeps_rows_aligned() -> None:
    data = circle_dataset(40, seed=2)
    part = data.subset(data.features[:, 1] > 0)
    assert len(part) == int(np.sum(data.features[:, 1] > 0))
    np.testing.assert_array_equal(part.labels, circle_labels(part.features))
