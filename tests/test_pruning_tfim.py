"""End-to-end symmetric pruning on the paper's TFIM workload (DESIGN §3, §4)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
from qiskit import QuantumCircuit
from qiskit.transpiler import PassManager

from qsympass.ansatz import layered_ansatz
from qsympass.models import lattice, tfim
from qsympass.pruning import PruningReport, SymmetricPruning


def tfim_ansatz(n: int = 8, layers: int = 6) -> QuantumCircuit:
    circuit = layered_ansatz(lattice("ring", n), layers, initial_state="plus")
    circuit.metadata = {"qsympass": {"hamiltonian": "kept"}, "user": 1}
    return circuit


@pytest.fixture(scope="module")
def pruned_tfim8():
    hamiltonian = tfim(lattice("ring", 8), j=1.0, h=1.0)
    manager = PassManager([SymmetricPruning(hamiltonian, eqntk_samples=16)])
    circuit = tfim_ansatz()
    out = manager.run(circuit)
    return circuit, out, manager.property_set["symmetric_pruning"]


@pytest.mark.slow
def test_tfim8_keeps_pauli_and_dihedral_and_removes_ry_rz(pruned_tfim8):
    circuit, out, report = pruned_tfim8
    assert isinstance(report, PruningReport)
    assert circuit.num_parameters == 192
    assert set(report.selected) == {"spatial", "pauli"}
    assert "16" in report.kept["spatial"]
    assert report.num_parameters_after == out.num_parameters == 12
    assert set(out.count_ops()) == {"h", "rx", "rzz"}
    assert len(report.removed_gates) == 96
    assert report.effective_dimension_before == 256
    assert report.effective_dimension_after == 16
    assert report.eqntk_after is not None and report.eqntk_before is not None
    assert report.eqntk_after >= 5 * report.eqntk_before
    assert "time_reversal" in report.dropped


@pytest.mark.slow
def test_tfim8_metadata_and_report_are_serializable(pruned_tfim8):
    _, out, report = pruned_tfim8
    assert out.metadata["user"] == 1
    assert out.metadata["qsympass"]["hamiltonian"] == "kept"
    summary = out.metadata["qsympass"]["pruning"]
    assert json.loads(json.dumps(summary)) == report.to_dict()
    assert "EQNTK" in report.table()
    assert [p.name for p in out.parameters] == [f"φ[{i}]" for i in range(12)]


@pytest.mark.slow
def test_tfim8_pruned_parameters_inherit_the_layers(pruned_tfim8):
    circuit, _, report = pruned_tfim8
    layers = np.arange(circuit.num_parameters) // (circuit.num_parameters // 6)
    assert report.pruned_layers(layers).tolist() == [k for k in range(6) for _ in range(2)]
    with pytest.raises(ValueError, match="layer of each of the 192"):
        report.pruned_layers(layers[:-1])


def test_pruned_layers_refuses_a_parameter_tied_across_layers():
    report = PruningReport(
        num_qubits=1, found={}, kept={}, dropped={}, selected=(), candidates=[],
        num_parameters_before=2, num_parameters_after=1, parameter_map={}, removed_gates=[],
        basis=sp.csc_matrix(np.ones((2, 1))),
    )
    with pytest.raises(ValueError, match="feeds parameters of layers"):
        report.pruned_layers([0, 1])
