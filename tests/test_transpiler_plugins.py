"""Tests for the ``qsympass`` init stage plugin."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.quantum_info import Statevector
from qiskit.transpiler import PassManager, TranspilerError
from qiskit.transpiler.preset_passmanagers import generate_preset_pass_manager
from qiskit.transpiler.preset_passmanagers.plugin import list_stage_plugins
from qiskit_ibm_runtime.fake_provider import FakeSherbrooke

from qsympass.annotation import annotate
from qsympass.ansatz import layered_ansatz
from qsympass.models import lattice, tfim
from qsympass.transpiler_plugins.init_stage import AnnotatedSymmetricPruning

OPTIONS = {"score": False, "seed": 3}


def problem(n: int = 4) -> tuple[QuantumCircuit, object]:
    graph = lattice("ring", n)
    ansatz = layered_ansatz(graph, 1, initial_state="plus")
    return ansatz, tfim(graph)


def test_plugin_is_registered() -> None:
    assert "qsympass" in list_stage_plugins("init")


def test_unannotated_circuit_passes_through_with_a_note(caplog: pytest.LogCaptureFixture) -> None:
    ansatz, _ = problem()
    with caplog.at_level(logging.WARNING, logger="qsympass.transpiler_plugins.init_stage"):
        out = PassManager([AnnotatedSymmetricPruning()]).run(ansatz)
    assert out == ansatz
    assert "no metadata['qsympass'] annotation" in caplog.text
    with caplog.at_level(logging.WARNING):
        isa = transpile(ansatz, basis_gates=["rz", "sx", "x", "cx"], init_method="qsympass")
    assert set(isa.parameters) == set(ansatz.parameters)


def test_annotated_circuit_is_pruned_and_equivalent() -> None:
    ansatz, hamiltonian = problem()
    manager = PassManager([AnnotatedSymmetricPruning()])
    pruned = manager.run(annotate(ansatz, hamiltonian, **OPTIONS))
    report = manager.property_set["symmetric_pruning"]
    assert pruned.num_parameters == report.num_parameters_after < ansatz.num_parameters
    # Pruned circuit at φ equals the original at θ = B φ.
    phi = np.random.default_rng(0).uniform(0, 2 * np.pi, pruned.num_parameters)
    theta = report.basis @ phi  # rows in ansatz.parameters order
    np.testing.assert_allclose(
        Statevector(pruned.assign_parameters(phi)).data,
        Statevector(ansatz.assign_parameters(theta)).data,
        atol=1e-9,
    )


@pytest.mark.parametrize("level", [1, 3])
def test_preset_pass_manager_keeps_pruned_parameters(level: int) -> None:
    ansatz, hamiltonian = problem()
    annotated = annotate(ansatz, hamiltonian, **OPTIONS)
    manager = generate_preset_pass_manager(
        optimization_level=level,
        backend=FakeSherbrooke(),
        init_method="qsympass",
        seed_transpiler=1,
    )
    isa = manager.run(annotated)
    report = manager.property_set["symmetric_pruning"]
    assert isa.num_parameters == report.num_parameters_after < ansatz.num_parameters
    assert {p.name for p in isa.parameters} <= {f"φ[{i}]" for i in range(isa.num_parameters)}
    assert isa.layout is not None
    assert set(isa.count_ops()) <= set(FakeSherbrooke().target.operation_names) | {"barrier"}


def test_transpile_with_init_method() -> None:
    ansatz, hamiltonian = problem()
    isa = transpile(annotate(ansatz, hamiltonian, **OPTIONS), backend=FakeSherbrooke(),
                    init_method="qsympass", seed_transpiler=1)
    reference = PassManager([AnnotatedSymmetricPruning()])
    pruned = reference.run(annotate(ansatz, hamiltonian, **OPTIONS))
    assert isa.num_parameters == pruned.num_parameters < ansatz.num_parameters


def test_malformed_annotation_is_a_transpiler_error() -> None:
    ansatz, hamiltonian = problem()
    annotated = annotate(ansatz, hamiltonian)
    annotated.metadata["qsympass"]["options"] = {"bogus": 1}
    with pytest.raises(TranspilerError, match="bogus"):
        PassManager([AnnotatedSymmetricPruning()]).run(annotated)
