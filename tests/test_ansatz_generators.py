"""Tests for qsympass.ansatz_generators: local gate actions on statevectors."""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator

from qsympass.ansatz_generators import apply_local


def test_apply_local_matches_operator() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    states = rng.normal(size=(8, 5)) + 1j * rng.normal(size=(8, 5))
    unitary = np.linalg.qr(matrix)[0]
    circuit = QuantumCircuit(3)
    circuit.unitary(unitary, [2, 0])  # local qubit 0 -> circuit qubit 2
    full = Operator(circuit).data
    np.testing.assert_allclose(apply_local(unitary, (2, 0), states, 3), full @ states, atol=1e-12)
