"""Tests for :class:`qsympass.dynamics.GroundStateMonitor` (``K/ε`` along ground-state runs)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qsympass.ansatz import layered_ansatz
from qsympass.dynamics import GroundStateMonitor, ground_state_kernel, normalized_kernel
from qsympass.gradients.exact import ExactEngine
from qsympass.ground_state import ground_energy, initial_parameters, train_ground_state
from qsympass.models import lattice, tfim

finite = st.floats(-10, 10, allow_nan=False)


@settings(max_examples=30, deadline=None)
@given(
    gradient=st.lists(finite, min_size=1, max_size=6),
    e0=finite,
    residual=st.floats(1e-6, 10),
)
def test_records_squared_gradient_norm_over_residual(gradient, e0, residual):
    monitor = GroundStateMonitor(e0)
    grad = np.array(gradient)
    monitor.on_step(0, np.zeros_like(grad), e0 + residual, grad, {})
    kernel = float(np.sum(grad**2))
    assert monitor.kernels[0] == pytest.approx(kernel)
    assert monitor.residuals[0] == pytest.approx(residual, abs=1e-9)
    assert monitor.normalized[0] * monitor.residuals[0] == pytest.approx(kernel, abs=1e-9)


def test_records_every_kth_step_only():
    monitor = GroundStateMonitor(-1.0, every=3)
    for step in range(10):
        assert monitor.on_step(step, np.zeros(2), 0.0, np.ones(2), {}) is None
    np.testing.assert_array_equal(monitor.steps, [0, 3, 6, 9])
    np.testing.assert_allclose(monitor.normalized, 2.0)


def test_zero_residual_gives_inf_or_nan():
    assert normalized_kernel(1.0, 0.0) == math.inf
    assert math.isnan(normalized_kernel(0.0, 0.0))
    monitor = GroundStateMonitor(-2.0)
    monitor.on_step(0, np.zeros(1), -2.0 - 1e-12, np.zeros(1), {})  # rounding below E0
    assert monitor.residuals[0] == 0.0


def test_matches_ground_state_kernel_along_a_real_run():
    graph = lattice("ring", 3)
    circuit, hamiltonian = layered_ansatz(graph, 1, initial_state="plus"), tfim(graph)
    e0 = ground_energy(hamiltonian)
    monitor = GroundStateMonitor(e0, every=5)
    run = train_ground_state(
        circuit, hamiltonian, steps=12, seed=4, callbacks=[monitor], progress=False
    )
    np.testing.assert_array_equal(monitor.steps, [0, 5, 10])
    np.testing.assert_allclose(monitor.residuals, run.energies[[0, 5, 10]] - e0, atol=1e-12)
    start = initial_parameters(circuit.num_parameters, "small", np.random.default_rng(4))
    reference = ground_state_kernel(ExactEngine(circuit, hamiltonian), start, e0)
    assert monitor.normalized[0] == pytest.approx(reference.normalized, rel=1e-10)


def test_state_round_trips_through_json():
    monitor = GroundStateMonitor(0.0, every=2)
    for step in range(5):
        monitor.on_step(step, np.zeros(2), 1.0 + step, np.full(2, step), {})
    restored = GroundStateMonitor(0.0, every=2)
    restored.load_state_dict(json.loads(json.dumps(monitor.state_dict())))
    np.testing.assert_array_equal(restored.steps, monitor.steps)
    np.testing.assert_array_equal(restored.normalized, monitor.normalized)


@pytest.mark.parametrize(
    "state",
    [{"steps": [0]}, {"steps": [0, 1], "kernels": [1.0], "residuals": [1.0]}, {"steps": "x"}],
)
def test_malformed_state_is_rejected(state):
    with pytest.raises(ValueError, match="malformed GroundStateMonitor state"):
        GroundStateMonitor(0.0).load_state_dict(state)


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="every must be >= 1"):
        GroundStateMonitor(0.0, every=0)
    with pytest.raises(ValueError, match="ground_energy must be finite"):
        GroundStateMonitor(math.nan)
    with pytest.raises(ValueError, match="below the ground energy"):
        GroundStateMonitor(0.0).on_step(0, np.zeros(1), -0.5, np.zeros(1), {})
