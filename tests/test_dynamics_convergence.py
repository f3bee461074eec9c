"""Convergence-type test and spectrum-edge check."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import SparsePauliOp

from qsympass.dynamics import classify_convergence, spectrum_edge_labels


@settings(max_examples=30, deadline=None)
@given(st.floats(0.5, 3.0), st.floats(1e-3, 10.0), st.floats(0.0, 20.0))
def test_power_law_is_sublinear(alpha: float, scale: float, offset: float) -> None:
    t = np.arange(400.0)
    losses = scale * (t + 1.0 + offset) ** (-alpha)
    report = classify_convergence(losses)
    assert report.verdict == "sublinear"
    # The late-phase slope approaches −α as the offset becomes negligible.
    assert -alpha <= report.exponent <= -alpha * 200 / (200 + 1 + offset) + 1e-9
    assert report.r2_power_law > report.r2_exponential
    assert 0.0 <= report.confidence <= 1.0


@settings(max_examples=30, deadline=None)
@given(st.floats(0.02, 2.0), st.floats(1e-3, 10.0))
def test_exponential_is_exponential(rate: float, scale: float) -> None:
    t = np.arange(300.0)
    losses = np.maximum(scale * np.exp(-rate * t), 1e-31)  # round-off floor after convergence
    report = classify_convergence(losses)
    assert report.verdict == "exponential"
    assert report.rate == pytest.approx(rate, rel=1e-6)
    assert report.confidence > 0.9


def test_window_uses_only_values_above_the_floor() -> None:
    t = np.arange(100.0)
    losses = np.where(t < 50, np.exp(-t), 1e-30)
    report = classify_convergence(losses, floor=1e-25)
    assert report.window[1] == 49
    assert report.window[0] >= 24


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="late phase"):
        classify_convergence(np.array([1.0, 0.5, 1e-30]))
    with pytest.raises(ValueError, match="late_fraction"):
        classify_convergence(np.ones(10), late_fraction=0.0)
    with pytest.raises(ValueError, match="strictly increasing"):
        classify_convergence(np.ones(3), np.array([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="NaN"):
        classify_convergence(np.array([1.0, np.nan, 0.1]))


def test_spectrum_edge_pauli_and_scaled_measurements() -> None:
    labels = np.array([1.0, -1.0, 1.0])
    pauli = spectrum_edge_labels(SparsePauliOp("IZ"), labels)
    assert pauli.sublinear_expected
    assert pauli.at_edge.all()
    assert (pauli.min_eigenvalue, pauli.max_eigenvalue) == pytest.approx((-1.0, 1.0))
    scaled = spectrum_edge_labels(SparsePauliOp("IZ", 2.0), labels)
    assert not scaled.sublinear_expected
    assert not scaled.at_edge.any()
    inside = spectrum_edge_labels(np.diag([-1.0, 0.2, 1.0]), np.array([0.2]))
    assert not inside.sublinear_expected
    unreachable = spectrum_edge_labels(SparsePauliOp("Z"), np.array([1.0, 3.0]))
    assert unreachable.outside.tolist() == [False, True]
    assert not unreachable.sublinear_expected


def test_spectrum_edge_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="Hermitian"):
        spectrum_edge_labels(np.array([[0.0, 1.0], [0.0, 0.0]]), np.ones(1))
    with pytest.raises(ValueError, match="labels"):
        spectrum_edge_labels(SparsePauliOp("Z"), np.array([]))
