"""SymmetryGuidedEstimator drops into qiskit-machine-learning's EstimatorQNN and trains there."""

from __future__ import annotations

import numpy as np
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit_machine_learning.gradients import ParamShiftEstimatorGradient
from qiskit_machine_learning.neural_networks import EstimatorQNN
from spies import SpyEstimator

from qsympass.sggd import SymmetryGuidedEstimator
from qsympass.symmetry import SymmetryGroup


def _qnn(symmetry_guided: bool = True) -> EstimatorQNN:
    inputs, weights = ParameterVector("x", 2), ParameterVector("w", 4)
    circuit = QuantumCircuit(2)
    circuit.ry(inputs[0], 0)
    circuit.ry(inputs[1], 1)
    circuit.ry(weights[0], 0)
    circuit.ry(weights[1], 1)
    circuit.cx(0, 1)
    circuit.ry(weights[2], 0)
    circuit.ry(weights[3], 1)
    swap = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    estimator = StatevectorEstimator()
    if symmetry_guided:
        estimator = SymmetryGuidedEstimator(estimator, swap, mode="penalty")
    return EstimatorQNN(
        circuit=circuit,
        observables=SparsePauliOp("ZZ"),
        input_params=list(inputs),
        weight_params=list(weights),
        estimator=estimator,
        gradient=ParamShiftEstimatorGradient(estimator),
        default_precision=0.0,  # EstimatorQNN's default adds simulated shot noise
    )


def test_wrapper_answers_the_qnn_pubs_like_the_inner_estimator():
    qnn = _qnn()
    spy = SpyEstimator(qnn.estimator)
    qnn.estimator = spy
    inputs = np.array([[0.3, -0.7], [1.1, 0.2]])
    outputs = qnn.forward(inputs, np.array([0.1, 0.2, 0.3, 0.4]))[:, 0]
    assert spy.calls == [1]  # one PUB, one job
    plain = StatevectorEstimator().run(spy.pubs, precision=0.0).result()[0].data.evs
    np.testing.assert_allclose(outputs, plain, atol=1e-10)


def test_gradient_descent_through_the_qnn_lowers_the_loss():
    qnn = _qnn()
    spy = SpyEstimator(qnn.estimator)
    qnn.estimator = spy
    rng = np.random.default_rng(0)
    inputs = rng.uniform(-1, 1, (8, 2))
    labels = np.sign(inputs[:, 0] * inputs[:, 1])
    weights = rng.uniform(0, 1, 4)
    losses = []
    for _ in range(15):
        outputs = qnn.forward(inputs, weights)[:, 0]
        _, weight_gradients = qnn.backward(inputs, weights)
        assert weight_gradients is not None
        residual = outputs - labels
        losses.append(float(np.mean(residual**2)))
        gradient = np.mean(2 * residual[:, None] * weight_gradients[:, 0, :], axis=0)
        assert np.linalg.norm(gradient) > 0
        weights = weights - 0.3 * gradient
    assert losses[-1] < 0.5 * losses[0]
    # every forward pass went through the wrapper, which measured the SWAP penalty alongside
    assert len(spy.calls) == 15
    penalties = [job.result()[0].data.penalty for job in spy.jobs]
    assert all(np.all(np.isfinite(p)) and np.all(p >= -1e-9) for p in penalties)
    assert any(np.any(p > 1e-6) for p in penalties)
