"""Where model outputs and their Jacobians come from (exact simulation or an estimator).

The kernel code only needs ``params -> (ŷ, ∂ŷ/∂θ)``; a :class:`GradientSource` provides exactly
that for the supervised QNN ``ŷ_i = ⟨x_i|U(θ)† M U(θ)|x_i⟩``:

* :class:`DenseSource` — dense ``d × d`` adjoint over all input states at once (fastest for the
  few-qubit models of the training-dynamics experiments);
* :class:`ExactEngineSource` — one :class:`~qsympass.gradients.exact.ExactEngine` over all input
  states (one forward and one backward pass);
* :class:`ParameterShiftSource` — parameter shift through any ``EstimatorV2``: one PUB per input
  state (holding all shifted parameter sets), all PUBs in one job.

For ground-state losses the kernel code takes any :class:`EnergyGradientSource`
(``params -> (ℓ, ∂ℓ/∂θ)``): an ``ExactEngine`` is one, :class:`ParameterShiftEnergy` adapts the
estimator path.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.circuit.library import StatePreparation
from qiskit.primitives import BaseEstimatorV2
from qiskit.quantum_info import SparsePauliOp

from qsympass.validation import (
    as_parameter_vector,
    as_sparse_pauli_op,
    require_hermitian,
    require_width,
)

__all__ = [
    "DenseSource",
    "EnergyGradientSource",
    "ExactEngineSource",
    "GradientSource",
    "ParameterShiftEnergy",
    "ParameterShiftSource",
    "as_state_matrix",
]


@runtime_checkable
class GradientSource(Protocol):
    """Outputs of a model over a fixed data set and their Jacobian."""

    @property
    def num_parameters(self) -> int:
        """Number of trainable parameters p."""
        ...

    def outputs_and_jacobian(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ŷ, J)`` with ``ŷ`` of shape (m,) and ``J_il = ∂ŷ_i/∂θ_l`` of shape (m, p)."""
        ...


@runtime_checkable
class EnergyGradientSource(Protocol):
    """A scalar loss and its gradient (``ExactEngine`` satisfies this)."""

    def energy_and_gradient(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ℓ, ∂ℓ/∂θ)`` of shapes ``(...)`` and ``(..., p)`` for values ``(..., p)``."""
        ...


def as_state_matrix(states: np.ndarray, num_qubits: int) -> np.ndarray:
    """Validate pure input states and return them as the columns of a (d, m) matrix.

    Args:
        states: Shape (m, d): one normalised state vector per row.
        num_qubits: Width n of the circuit (d = 2^n).

    Returns:
        Complex array of shape (d, m).

    Raises:
        ValueError: If there are no states, the dimension is wrong or a state is not normalised.
    """
    array = np.atleast_2d(np.asarray(states, dtype=complex))
    dim = 2**num_qubits
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"states must be a non-empty (m, {dim}) array, got shape {array.shape}")
    if array.shape[1] != dim:
        raise ValueError(
            f"states have {array.shape[1]} amplitudes but the circuit needs {dim} ({num_qubits} "
            "qubits)"
        )
    norms = np.linalg.norm(array, axis=1)
    if not np.allclose(norms, 1.0, atol=1e-8):
        worst = int(np.argmax(np.abs(norms - 1.0)))
        raise ValueError(f"input state {worst} is not normalised (norm {norms[worst]:.6g})")
    return np.ascontiguousarray(array.T)


def _observable(observable: SparsePauliOp, num_qubits: int) -> SparsePauliOp:
    op = as_sparse_pauli_op(observable, "observable")
    require_width(op, num_qubits, "observable")
    require_hermitian(op, "observable")
    return op


class DenseSource:
    """Dense adjoint Jacobian of ``ŷ_i = ⟨x_i|U† M U|x_i⟩`` over all input states at once.

    Args:
        circuit: The ansatz (rotation gates from :mod:`qsympass.circuits`, fixed gates).
        observable: Hermitian measurement M on the circuit's width.
        states: Input states, shape (m, 2^n), one per row.

    Raises:
        ValueError: For an invalid ansatz, observable or states.
    """

    def __init__(
        self, circuit: QuantumCircuit, observable: SparsePauliOp, states: np.ndarray
    ) -> None:
        from qsympass.dynamics.dense import dense_rotation_circuit

        self.circuit = circuit
        self.observable = _observable(observable, circuit.num_qubits)
        self.states = as_state_matrix(states, circuit.num_qubits)
        self.model = dense_rotation_circuit(circuit)
        self._observable_matrix = self.observable.to_matrix()

    @property
    def num_parameters(self) -> int:
        """Number of trainable parameters p."""
        return self.model.num_parameters

    @property
    def observable_matrix(self) -> np.ndarray:
        """Dense M, shape (d, d)."""
        return self._observable_matrix

    def heisenberg_observable(self, params: np.ndarray) -> np.ndarray:
        """``U(θ)† M U(θ)`` as a dense (d, d) matrix."""
        unitary = self.model.unitary(np.asarray(params, dtype=float))
        return unitary.conj().T @ self._observable_matrix @ unitary

    def input_frame_generators(self, params: np.ndarray) -> np.ndarray:
        """Generators ``Ĥ_j`` with ``∂_j(U†MU) = i[Ĥ_j, U†MU]``, shape (p, d, d).

        See :meth:`~qsympass.dynamics.dense.DenseRotationCircuit.input_frame_generators`.
        """
        return self.model.input_frame_generators(np.asarray(params, dtype=float))

    def outputs_and_jacobian(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ŷ, J)`` of shapes (m,) and (m, p) (see :class:`GradientSource`)."""
        return self.model.outputs_and_jacobian(params, self._observable_matrix, self.states)


class ExactEngineSource:
    """One :class:`~qsympass.gradients.exact.ExactEngine` over all input states at once.

    Args:
        circuit: The ansatz.
        observable: Hermitian measurement M on the circuit's width.
        states: Input states, shape (m, 2^n), one per row.

    Raises:
        ValueError: For an invalid ansatz, observable or states.
    """

    def __init__(
        self, circuit: QuantumCircuit, observable: SparsePauliOp, states: np.ndarray
    ) -> None:
        from qsympass.gradients.exact import ExactEngine

        self.observable = _observable(observable, circuit.num_qubits)
        rows = as_state_matrix(states, circuit.num_qubits).T
        self.engine = ExactEngine(circuit, self.observable, initial_state=rows)
        self._num_parameters = circuit.num_parameters

    @property
    def num_parameters(self) -> int:
        """Number of trainable parameters p."""
        return self._num_parameters

    def outputs_and_jacobian(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ŷ, J)`` of shapes (m,) and (m, p) (see :class:`GradientSource`)."""
        values = as_parameter_vector(params, self._num_parameters)
        outputs, jacobian = self.engine.energy_and_gradient(values)
        return outputs, jacobian


class ParameterShiftSource:
    """Parameter-shift Jacobian through an estimator: one PUB per input state, one job.

    Each input state is prepared by a ``StatePreparation`` gate in front of the ansatz; the
    shift plan of :class:`~qsympass.gradients.parameter_shift.ParameterShiftGradient` puts all
    shifted parameter sets of that circuit into one PUB.

    Args:
        circuit: The ansatz.
        observable: Hermitian measurement M on the circuit's width.
        states: Input states, shape (m, 2^n), one per row.
        estimator: Any ``BaseEstimatorV2``, or a ``ParameterShiftGradient`` (to reuse its pass
            manager and precision).

    Raises:
        ValueError: For an invalid ansatz, observable or states.
    """

    def __init__(
        self,
        circuit: QuantumCircuit,
        observable: SparsePauliOp,
        states: np.ndarray,
        estimator: BaseEstimatorV2 | object,
    ) -> None:
        from qsympass.gradients.parameter_shift import ParameterShiftGradient

        self.observable = _observable(observable, circuit.num_qubits)
        columns = as_state_matrix(states, circuit.num_qubits)
        self.gradient = (
            estimator if isinstance(estimator, ParameterShiftGradient)
            else ParameterShiftGradient(estimator)
        )
        self._num_parameters = circuit.num_parameters
        self.plans = [
            self.gradient.plan(_prepared(circuit, columns[:, i])) for i in range(columns.shape[1])
        ]

    @property
    def num_parameters(self) -> int:
        """Number of trainable parameters p."""
        return self._num_parameters

    def outputs_and_jacobian(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ŷ, J)`` of shapes (m,) and (m, p), from one estimator job."""
        values = as_parameter_vector(params, self._num_parameters)
        pubs = []
        for plan in self.plans:
            observables = self.gradient.observables_for(self.observable, plan)
            pubs.append(plan.pub(observables, values, self.gradient.precision))
        result = self.gradient.estimator.run(pubs).result()
        outputs, rows = [], []
        for plan, pub_result in zip(self.plans, result, strict=True):
            value, gradient, _, _ = plan.combine(pub_result.data.evs, pub_result.data.stds)
            outputs.append(float(value))
            rows.append(gradient)
        return np.array(outputs), np.array(rows)


class ParameterShiftEnergy:
    """``energy_and_gradient`` of ``⟨ψ0|U† H U|ψ0⟩`` by parameter shift (an estimator job).

    Args:
        circuit: The ansatz, including any state preparation.
        observable: The Hamiltonian.
        estimator: Any ``BaseEstimatorV2`` or a ``ParameterShiftGradient``.
    """

    def __init__(
        self,
        circuit: QuantumCircuit,
        observable: SparsePauliOp,
        estimator: BaseEstimatorV2 | object,
    ) -> None:
        from qsympass.gradients.parameter_shift import ParameterShiftGradient

        self.circuit = circuit
        self.observable = _observable(observable, circuit.num_qubits)
        self.gradient = (
            estimator if isinstance(estimator, ParameterShiftGradient)
            else ParameterShiftGradient(estimator)
        )

    def energy_and_gradient(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ℓ, ∂ℓ/∂θ)`` for values of shape ``(..., p)``."""
        result = self.gradient.run(self.circuit, self.observable, np.asarray(values, dtype=float))
        return np.asarray(result.values), np.asarray(result.gradients)


def _prepared(circuit: QuantumCircuit, state: np.ndarray) -> QuantumCircuit:
    prepared = circuit.copy_empty_like()
    prepared.append(StatePreparation(state), range(circuit.num_qubits))
    prepared.compose(circuit, inplace=True)
    return prepared
