"""Tests for qsympass.annotation: Hamiltonian and options in circuit metadata."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.quantum_info import SparsePauliOp

from qsympass.annotation import ALLOWED_OPTIONS, annotate, read_annotation
from qsympass.models import lattice, tfim

pauli_labels = st.text(alphabet="IXYZ", min_size=3, max_size=3)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(pauli_labels, st.floats(-5, 5, allow_nan=False)), min_size=1,
             max_size=6),
    st.integers(0, 100),
)
def test_round_trip_preserves_operator_and_options(
    terms: list[tuple[str, float]], seed: int
) -> None:
    hamiltonian = SparsePauliOp.from_list(terms).simplify()
    if not np.any(np.abs(hamiltonian.coeffs) > 1e-9):
        hamiltonian = SparsePauliOp("ZZZ")
    circuit = QuantumCircuit(3, metadata={"keep": 1})
    annotated = annotate(circuit, hamiltonian, seed=seed, forbid=("time_reversal",))
    json.dumps(annotated.metadata)  # JSON-serializable
    assert annotated.metadata["keep"] == 1
    assert circuit.metadata == {"keep": 1}  # the input is not modified
    read = read_annotation(annotated)
    assert read is not None
    operator, options = read
    np.testing.assert_allclose(operator.to_matrix(), hamiltonian.to_matrix(), atol=1e-12)
    assert options == {"seed": seed, "forbid": ["time_reversal"]}
    # The annotation survives the DAG round trip the transpiler does.
    again = read_annotation(dag_to_circuit(circuit_to_dag(annotated)))
    assert again is not None and again[1] == options
    assert read_annotation(circuit_to_dag(annotated).metadata) is not None


def test_unannotated_circuit_reads_none() -> None:
    assert read_annotation(QuantumCircuit(2)) is None
    assert read_annotation(QuantumCircuit(2, metadata={"qsympass": {"pruning": {}}})) is None
    assert read_annotation(None) is None


def test_bad_input() -> None:
    circuit = QuantumCircuit(3)
    hamiltonian = tfim(lattice("chain", 3))
    with pytest.raises(ValueError, match="acts on 4 qubits, expected 3"):
        annotate(circuit, tfim(lattice("chain", 4)))
    with pytest.raises(ValueError) as info:
        annotate(circuit, hamiltonian, sed=1)
    assert "sed" in str(info.value)
    assert all(name in str(info.value) for name in ALLOWED_OPTIONS)
    with pytest.raises(ValueError, match="JSON"):
        annotate(circuit, hamiltonian, seed=object())
    with pytest.raises(ValueError, match="Hermitian"):
        annotate(circuit, SparsePauliOp("XYZ", 1j))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hamiltonian", [["XX", 1.0, 0.0]], "qubits"),
        ("hamiltonian", [["AB", 1.0, 0.0]], "malformed qsympass hamiltonian annotation"),
        ("hamiltonian", [], "malformed qsympass hamiltonian annotation"),
        ("hamiltonian", [["ZZZ", 1.0, 0.0], ["XX", 1.0, 0.0]], "different lengths"),
        ("num_qubits", 4, "4 qubits"),
        ("num_qubits", True, "integer 'num_qubits'"),
        ("options", 5, "'options' must be a dict, got int"),
    ],
)
def test_tampered_annotations_are_refused(field, value, message) -> None:
    tampered = annotate(QuantumCircuit(3), tfim(lattice("chain", 3)))
    tampered.metadata["qsympass"][field] = value
    with pytest.raises(ValueError, match=message):
        read_annotation(tampered)
