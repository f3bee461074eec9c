"""TrainingMonitor and SupervisedObjective inside qsympass.training.train."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qiskit.quantum_info import SparsePauliOp

from qsympass.dynamics import (
    DenseSource,
    SupervisedObjective,
    TrainingMonitor,
    frozen_kernel_prediction,
    pauli_rotation_ansatz,
    random_orthonormal_states,
    tangent_kernel,
)
from qsympass.training import Callback, GradientDescent, train

LABELS = np.array([1.0, -1.0, 1.0])


class _CountingSource:
    def __init__(self, source: DenseSource) -> None:
        self.source = source
        self.calls = 0

    @property
    def num_parameters(self) -> int:
        return self.source.num_parameters

    def outputs_and_jacobian(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.calls += 1
        return self.source.outputs_and_jacobian(params)


@pytest.fixture(scope="module")
def source() -> DenseSource:
    return DenseSource(
        pauli_rotation_ansatz(2, 40, seed=1), SparsePauliOp("IZ"),
        random_orthonormal_states(2, 3, seed=2),
    )


def test_objective_loss_and_gradient(source: DenseSource) -> None:
    objective = SupervisedObjective(source, LABELS)
    params = np.random.default_rng(0).uniform(0, 2 * np.pi, source.num_parameters)
    loss, grad, extras = objective(params)
    outputs, jacobian = source.outputs_and_jacobian(params)
    assert loss == pytest.approx(0.5 * np.sum((outputs - LABELS) ** 2))
    np.testing.assert_allclose(grad, (outputs - LABELS) @ jacobian)
    assert extras["max_abs_residual"] == pytest.approx(np.abs(outputs - LABELS).max())


def test_monitor_records_kernels_without_extra_evaluations(source: DenseSource) -> None:
    counting = _CountingSource(source)
    objective = SupervisedObjective(counting, LABELS)
    monitor = TrainingMonitor(objective, learning_rate=0.05, kernel_every=5)
    assert isinstance(monitor, Callback)
    params = np.random.default_rng(0).uniform(0, 2 * np.pi, source.num_parameters)
    result = train(objective, params, GradientDescent(0.05), 21, callbacks=[monitor],
                   progress=False)
    assert counting.calls == 21  # the kernels reuse the objective's Jacobians
    np.testing.assert_array_equal(monitor.steps, np.arange(21))
    np.testing.assert_allclose(monitor.losses, result.history.loss)
    np.testing.assert_array_equal(monitor.kernel_steps, [0, 5, 10, 15, 20])
    _, jacobian = source.outputs_and_jacobian(params)
    np.testing.assert_allclose(monitor.kernels[0], tangent_kernel(jacobian))
    drift = monitor.drift()
    assert drift[0] == 0.0 and drift.shape == (5,)
    frozen = monitor.frozen_prediction()
    expected = frozen_kernel_prediction(monitor.kernels[0], monitor.residuals[0], 0.05, 20)
    np.testing.assert_allclose(frozen.losses, expected.losses)
    assert frozen.losses[0] == pytest.approx(monitor.losses[0])


def test_monitor_state_round_trip(source: DenseSource) -> None:
    monitor = TrainingMonitor(source, labels=LABELS, learning_rate=0.05, kernel_every=2)
    params = np.random.default_rng(1).uniform(0, 2 * np.pi, source.num_parameters)
    objective = SupervisedObjective(source, LABELS)
    train(objective, params, GradientDescent(0.05), 5, callbacks=[monitor], progress=False)
    restored = TrainingMonitor(source, labels=LABELS, learning_rate=0.05, kernel_every=2)
    restored.load_state_dict(monitor.state_dict())
    np.testing.assert_allclose(restored.kernels, monitor.kernels)
    np.testing.assert_allclose(restored.losses, monitor.losses)
    np.testing.assert_allclose(restored.drift(), monitor.drift())


def test_monitor_resumes_from_a_checkpoint(source: DenseSource, tmp_path: Path) -> None:
    params = np.random.default_rng(2).uniform(0, 2 * np.pi, source.num_parameters)
    full = TrainingMonitor(source, labels=LABELS, learning_rate=0.05, kernel_every=3)
    train(SupervisedObjective(source, LABELS), params, GradientDescent(0.05), 10,
          callbacks=[full], progress=False)
    path = tmp_path / "run.json"
    first = TrainingMonitor(source, labels=LABELS, learning_rate=0.05, kernel_every=3)
    train(SupervisedObjective(source, LABELS), params, GradientDescent(0.05), 10,
          callbacks=[first], progress=False, checkpoint=path)
    resumed = TrainingMonitor(source, labels=LABELS, learning_rate=0.05, kernel_every=3)
    train(SupervisedObjective(source, LABELS), params, GradientDescent(0.05), 10,
          callbacks=[resumed], progress=False, checkpoint=path)
    np.testing.assert_allclose(resumed.losses, full.losses)
    np.testing.assert_allclose(resumed.kernels, full.kernels)


def test_bad_input_is_rejected(source: DenseSource) -> None:
    with pytest.raises(ValueError, match="kernel_every"):
        TrainingMonitor(source, labels=LABELS, kernel_every=0)
    with pytest.raises(ValueError, match="labels are required"):
        TrainingMonitor(source)
    with pytest.raises(ValueError, match="learning_rate"):
        TrainingMonitor(source, labels=LABELS, learning_rate=-1.0)
    monitor = TrainingMonitor(source, labels=LABELS)
    with pytest.raises(ValueError, match="no kernel"):
        monitor.drift()
    with pytest.raises(ValueError, match="malformed"):
        monitor.load_state_dict({"steps": [1]})
    with pytest.raises(ValueError, match="labels"):
        SupervisedObjective(source, np.array([]))
