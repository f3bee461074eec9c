"""Circuits shared by several test modules."""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector


def tfim_pruned(num_qubits: int, layers: int) -> QuantumCircuit:
    phi = ParameterVector("φ", 2 * layers)
    circuit = QuantumCircuit(num_qubits)
    circuit.h(range(num_qubits))
    for layer in range(layers):
        for q in range(num_qubits):
            circuit.rzz(phi[2 * layer], q, (q + 1) % num_qubits)
        for q in range(num_qubits):
            circuit.rx(phi[2 * layer + 1], q)
    return circuit
