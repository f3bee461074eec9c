"""Exact Heisenberg-picture QNN models for small widths, in the Pauli basis.

A QNN ``f_θ(x) = Tr(O U(θ) ρ(x) U(θ)†) = Tr(O_θ ρ(x))`` is linear in the Pauli coefficients of the
Heisenberg observable ``O_θ = U(θ)† O U(θ) = Σ_P c_P(θ) P``: ``f_θ(x) = Σ_P c_P(θ) r_P(x)`` with
``r_P(x) = Tr(P ρ(x))`` the Pauli expectation values of the input. The data enter once (a matrix
of features), the circuit once per step (``c(θ)`` and its Jacobian), so training on many inputs,
mixed ones included, costs a matrix product per step.

The SGGD penalty (DESIGN §6, C1) is ``P(θ) = ‖T_G[O_θ] − O_θ‖²_HS / d = ‖(1 − Π_G) c(θ)‖²``: in
the normalised Pauli basis the twirl is a linear projector ``Π_G`` (built once with
:func:`qsympass.twirling.twirl`, so every group kind the twirl supports works, continuous ones
exactly) and ``‖A‖²_HS / d = Σ_P |c_P|²``. The gradient is ``2 ((1 − Π_G) c)ᵀ ∂c/∂θ``.

Dense ``2^n × 2^n`` matrices are used: meant for the few-qubit models of the SGGD experiments.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.quantum_info import Operator, SparsePauliOp

from qsympass.circuits import (
    IGNORED_INSTRUCTIONS,
    affine_coefficients,
    rotation_generator,
    to_rotation_basis,
    validate_ansatz,
)
from qsympass.symmetry.group import SymmetryGroup
from qsympass.twirling import twirl
from qsympass.validation import require_hermitian

__all__ = [
    "HeisenbergModel",
    "SymmetryProjector",
    "pauli_basis",
    "pauli_features",
    "pauli_labels",
]

MAX_QUBITS = 6


def pauli_labels(num_qubits: int) -> list[str]:
    """All ``4^n`` Pauli labels of ``n`` qubits, in a fixed order (``"II…I"`` first).

    Args:
        num_qubits: Width ``n``.

    Returns:
        Qiskit labels (little-endian: the last character acts on qubit 0).

    Raises:
        ValueError: If ``n`` is not between 1 and ``MAX_QUBITS``.
    """
    if not 1 <= num_qubits <= MAX_QUBITS:
        raise ValueError(
            f"dense Heisenberg models support 1 to {MAX_QUBITS} qubits, got {num_qubits}"
        )
    return ["".join(letters) for letters in itertools.product("IXYZ", repeat=num_qubits)]


def pauli_basis(num_qubits: int) -> np.ndarray:
    """Matrices of all Pauli strings, shape ``(4^n, 2^n, 2^n)``, in :func:`pauli_labels` order.

    Args:
        num_qubits: Width ``n``.

    Returns:
        The stacked matrices.
    """
    labels = pauli_labels(num_qubits)
    return np.stack([SparsePauliOp(label).to_matrix() for label in labels])


def pauli_features(states: np.ndarray, num_qubits: int) -> np.ndarray:
    """Pauli expectation values ``r_P = Tr(P ρ)`` of input states.

    Args:
        states: Density matrices ``(m, d, d)`` or state vectors ``(m, d)``, ``d = 2^n``.
        num_qubits: Width ``n``.

    Returns:
        Real array ``(m, 4^n)``; ``f(ρ) = features @ c`` for ``O = Σ_P c_P P``.

    Raises:
        ValueError: If the states do not have dimension ``2^n``.
    """
    dim = 2**num_qubits
    array = np.asarray(states, dtype=complex)
    if array.ndim == 2 and array.shape[1] == dim:
        array = np.einsum("mi,mj->mij", array, array.conj())
    if array.ndim != 3 or array.shape[1:] != (dim, dim):
        raise ValueError(
            f"states must have shape (m, {dim}) or (m, {dim}, {dim}), got {np.shape(states)}"
        )
    basis = pauli_basis(num_qubits)
    return np.einsum("pij,mji->mp", basis, array).real


def _pauli_entries(num_qubits: int) -> tuple[np.ndarray, np.ndarray]:
    """Each Pauli string has one non-zero per row: ``P[j, columns[p, j]] = values[p, j]``."""
    basis = pauli_basis(num_qubits)
    columns = np.argmax(np.abs(basis), axis=2)
    values = np.take_along_axis(basis, columns[:, :, None], axis=2)[:, :, 0]
    return columns, values


@dataclass(frozen=True)
class _Gate:
    """One instruction as a full-width matrix, or an eigendecomposed rotation."""

    matrix: np.ndarray | None  # fixed gate
    generator: np.ndarray | None  # full-width G of exp(-i a G / 2)
    eigenvalues: np.ndarray | None
    eigenvectors: np.ndarray | None
    offset: float
    coefficients: dict[Parameter, float]

    def unitary(self, values: dict[Parameter, float]) -> np.ndarray:
        if self.matrix is not None:
            return self.matrix
        assert self.eigenvalues is not None and self.eigenvectors is not None
        angle = self.offset + sum(c * values[p] for p, c in self.coefficients.items())
        phases = np.exp(-0.5j * angle * self.eigenvalues)
        return (self.eigenvectors * phases) @ self.eigenvectors.conj().T


def _compile(circuit: QuantumCircuit) -> list[_Gate]:
    width = circuit.num_qubits
    gates: list[_Gate] = []
    for instruction in circuit.data:
        if instruction.operation.name in IGNORED_INSTRUCTIONS:
            continue
        rotation = rotation_generator(instruction, circuit)
        if rotation is None:
            single = QuantumCircuit(width)
            single.append(instruction.operation, instruction.qubits)
            gates.append(_Gate(Operator(single).data, None, None, None, 0.0, {}))
            continue
        generator = rotation.on(width).to_matrix()
        eigenvalues, eigenvectors = np.linalg.eigh(generator)
        offset, coefficients = affine_coefficients(rotation.angle)
        gates.append(_Gate(None, generator, eigenvalues, eigenvectors, offset, coefficients))
    return gates


class HeisenbergModel:
    """Pauli coefficients of ``O_θ = U(θ)† O U(θ)`` and their exact Jacobian.

    Args:
        ansatz: Parameterized circuit ``U(θ)`` (rotations from :mod:`qsympass.circuits`' table
            and fixed gates; tied parameters and affine angles allowed).
        observable: ``O`` on ``ansatz.num_qubits`` qubits.

    Raises:
        ValueError: If the observable is not Hermitian, the widths differ, the width is out of
            range or the ansatz has measurements, resets or control flow.

    Example:
        >>> model = HeisenbergModel(ansatz, SparsePauliOp("ZI"))
        >>> c, jac = model.coefficients_and_jacobian(theta)
        >>> predictions, pred_jac = features @ c, features @ jac
    """

    def __init__(self, ansatz: QuantumCircuit, observable: SparsePauliOp) -> None:
        require_hermitian(observable, "observable")
        if observable.num_qubits != ansatz.num_qubits:
            raise ValueError(
                f"the observable acts on {observable.num_qubits} qubits but the ansatz on "
                f"{ansatz.num_qubits}"
            )
        self.num_qubits = ansatz.num_qubits
        self.labels = pauli_labels(self.num_qubits)
        validate_ansatz(ansatz)
        self.ansatz = ansatz
        self.parameters: tuple[Parameter, ...] = tuple(ansatz.parameters)
        self._gates = _compile(to_rotation_basis(ansatz))
        self._observable = observable.to_matrix()
        # Tr(P A) = Σ_j P[j, col_j] A[col_j, j]: a gather instead of a dense 4^n·d² product.
        self._columns, self._values = _pauli_entries(self.num_qubits)
        self._rows = np.broadcast_to(np.arange(2**self.num_qubits), self._columns.shape)

    @property
    def num_parameters(self) -> int:
        """Number of free parameters, in ``ansatz.parameters`` order."""
        return len(self.parameters)

    def _check(self, values: np.ndarray) -> dict[Parameter, float]:
        array = np.asarray(values, dtype=float)
        if array.shape != (self.num_parameters,):
            raise ValueError(
                f"expected {self.num_parameters} parameter values, got shape {array.shape}"
            )
        return dict(zip(self.parameters, array.tolist(), strict=True))

    def operator(self, values: np.ndarray) -> np.ndarray:
        """The dense Heisenberg observable ``O_θ``.

        Args:
            values: Parameter values, shape ``(p,)``.

        Returns:
            ``U† O U`` as a ``(d, d)`` matrix.
        """
        bound = self._check(values)
        unitary = np.eye(2**self.num_qubits, dtype=complex)
        for gate in self._gates:
            unitary = gate.unitary(bound) @ unitary
        return unitary.conj().T @ self._observable @ unitary

    def _coefficients(self, operator: np.ndarray) -> np.ndarray:
        """Pauli coefficients ``Tr(P A)/d`` of ``(..., d, d)`` operators, shape ``(..., 4^n)``."""
        entries = operator[..., self._columns, self._rows]  # (..., 4^n, d)
        return np.einsum("pj,...pj->...p", self._values, entries).real / 2**self.num_qubits

    def coefficients(self, values: np.ndarray) -> np.ndarray:
        """Pauli coefficients ``c_P(θ)`` of ``O_θ`` (real, :func:`pauli_labels` order).

        Args:
            values: Parameter values, shape ``(p,)``.

        Returns:
            Shape ``(4^n,)``.
        """
        return self._coefficients(self.operator(values))

    def operator_and_derivatives(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``O_θ`` and ``∂O_θ/∂θ_k`` as dense matrices, by the adjoint rule.

        ``∂O_θ/∂a = (i/2) A† [G, B† O B] A`` for the rotation ``exp(-i a G/2)``, with ``A`` the
        circuit up to and including it and ``B`` the rest; angles ``a = c0 + Σ_j A_j θ_j`` add
        ``A_j ∂O_θ/∂a`` to parameter ``j``.

        Args:
            values: Parameter values, shape ``(p,)``.

        Returns:
            ``O_θ`` of shape ``(d, d)`` and the derivatives of shape ``(p, d, d)``.
        """
        bound = self._check(values)
        dim = 2**self.num_qubits
        unitaries = [gate.unitary(bound) for gate in self._gates]
        prefixes = []
        current = np.eye(dim, dtype=complex)
        for unitary in unitaries:
            current = unitary @ current
            prefixes.append(current)
        heisenberg = current.conj().T @ self._observable @ current
        derivative = np.zeros((self.num_parameters, dim, dim), dtype=complex)
        index = {parameter: k for k, parameter in enumerate(self.parameters)}
        suffix_observable = self._observable  # B† O B for B = gates after the current one
        for gate, unitary, prefix in zip(
            reversed(self._gates), reversed(unitaries), reversed(prefixes), strict=True
        ):
            if gate.generator is not None and gate.coefficients:
                commutator = gate.generator @ suffix_observable - suffix_observable @ gate.generator
                d_angle = 0.5j * prefix.conj().T @ commutator @ prefix
                for parameter, coefficient in gate.coefficients.items():
                    derivative[index[parameter]] += coefficient * d_angle
            suffix_observable = unitary.conj().T @ suffix_observable @ unitary
        return heisenberg, derivative

    def coefficients_and_jacobian(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``c(θ)`` and ``∂c/∂θ`` (from :meth:`operator_and_derivatives`).

        Args:
            values: Parameter values, shape ``(p,)``.

        Returns:
            ``c`` of shape ``(4^n,)`` and the Jacobian of shape ``(4^n, p)``.
        """
        heisenberg, derivative = self.operator_and_derivatives(values)
        return self._coefficients(heisenberg), self._coefficients(derivative).T


class SymmetryProjector:
    """The twirl ``T_G`` as a ``4^n × 4^n`` projector on normalised Pauli coefficients.

    Args:
        group: The symmetry group (any kind :func:`qsympass.twirling.twirl` supports).

    Raises:
        ValueError: If the group is wider than ``MAX_QUBITS``.
    """

    def __init__(self, group: SymmetryGroup) -> None:
        self.group = group
        self.labels = pauli_labels(group.num_qubits)
        position = {label: k for k, label in enumerate(self.labels)}
        size = len(self.labels)
        matrix = np.zeros((size, size))
        for column, label in enumerate(self.labels):
            image = twirl(SparsePauliOp(label), group)
            for pauli, coefficient in zip(image.paulis.to_labels(), image.coeffs, strict=True):
                matrix[position[pauli], column] += float(np.real(coefficient))
        self.matrix = matrix
        self._unitaries: np.ndarray | None = None

    def dense_penalty_and_gradient(
        self, operator: np.ndarray, derivatives: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """The penalty and its gradient from dense ``O_θ`` and ``∂O_θ/∂θ`` (finite groups).

        ``P = ‖O − T_G[O]‖²_F / d`` with ``T_G[O] = E_g V_g O V_g†`` averaged over the group's
        matrices; the gradient is ``(2/d) Re Tr((O − T_G[O]) ∂_k O)`` (``T_G`` is an orthogonal
        projector). Equal to :meth:`penalty_and_gradient` on the Pauli coefficients, without the
        ``4^n``-sized change of basis.

        Args:
            operator: ``O_θ``, shape ``(d, d)``.
            derivatives: ``∂O_θ/∂θ_k``, shape ``(p, d, d)``.

        Returns:
            ``P(θ)`` and its gradient, shape ``(p,)``.

        Raises:
            ValueError: If the group is not finite and unitary (see
                :meth:`~qsympass.symmetry.group.SymmetryGroup.to_matrices`).
        """
        if self._unitaries is None:
            self._unitaries = self.group.to_matrices()
        unitaries = self._unitaries
        twirled = np.einsum("gij,jk,glk->il", unitaries, operator, unitaries.conj()) / len(
            unitaries
        )
        residual = operator - twirled
        dim = operator.shape[0]
        value = float(np.vdot(residual, residual).real) / dim
        gradient = 2.0 * np.einsum("ij,kij->k", residual.conj(), derivatives).real / dim
        return value, gradient

    def apply(self, coefficients: np.ndarray) -> np.ndarray:
        """Pauli coefficients of ``T_G[O]`` from those of ``O``."""
        return self.matrix @ coefficients

    def penalty(self, coefficients: np.ndarray) -> float:
        """``‖T_G[O] − O‖²_HS / d`` from the Pauli coefficients of ``O``."""
        residual = coefficients - self.apply(coefficients)
        return float(residual @ residual)

    def penalty_and_gradient(
        self, coefficients: np.ndarray, jacobian: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """The penalty and its gradient ``2 ((1 − Π) c)ᵀ ∂c/∂θ``.

        Args:
            coefficients: ``c(θ)``, shape ``(4^n,)``.
            jacobian: ``∂c/∂θ``, shape ``(4^n, p)``.

        Returns:
            ``P(θ)`` and its gradient, shape ``(p,)`` (``2 rᵀ (1 − Π) ∂c``, which equals
            ``2 rᵀ ∂c`` because the twirl is an orthogonal projector).
        """
        residual = coefficients - self.apply(coefficients)
        return float(residual @ residual), 2.0 * (residual @ (jacobian - self.matrix @ jacobian))
