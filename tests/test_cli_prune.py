"""Tests for ``qsympass prune`` (symmetric pruning from the command line)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit import QuantumCircuit, qasm3, qpy
from qiskit.circuit import Gate, Parameter, ParameterVector
from qiskit.circuit.library import RZZGate
from qiskit.quantum_info import Operator, Statevector
from qiskit.transpiler import PassManager

from qsympass.ansatz import layered_ansatz
from qsympass.cli import main
from qsympass.cli.prune import read_circuit, restore_standard_gates
from qsympass.models import lattice, tfim
from qsympass.pruning import SymmetricPruning

RING4 = ["--size", "4"]


def _json(capsys, argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _error(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    return err


def _write_qpy(circuit, path):
    with path.open("wb") as handle:
        qpy.dump(circuit, handle)


def _statevector(circuit, values):
    return Statevector(circuit.assign_parameters(values)).data


def test_builds_the_default_ansatz_and_reports(capsys):
    payload = _json(capsys, ["prune", "--ansatz-layers", "2", *RING4])
    assert payload["num_parameters_in"] == 32
    assert payload["num_parameters_out"] == payload["pruning"]["num_parameters_after"]
    assert payload["num_parameters_out"] < payload["num_parameters_in"]
    assert payload["pruning"]["num_parameters_before"] == 32
    assert "spatial" in payload["pruning"]["selected"]
    assert payload["output"] is None


def test_table_output_is_the_report(capsys):
    assert main(["prune", "--ansatz-layers", "1", *RING4, "--no-score"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("symmetric pruning on 4 qubits")
    assert "candidates:" in out and "parameters      16 ->" in out


def test_qpy_round_trip_matches_the_pass(tmp_path, capsys):
    graph = lattice("ring", 4)
    ansatz = layered_ansatz(graph, 2, initial_state="plus")
    source, target = tmp_path / "ansatz.qpy", tmp_path / "pruned.qpy"
    _write_qpy(ansatz, source)
    payload = _json(capsys, ["prune", "--circuit", str(source), *RING4, "--output", str(target)])
    assert payload["output"] == str(target)
    written = read_circuit(target)
    expected = PassManager([SymmetricPruning(tfim(graph))]).run(ansatz)
    assert written.num_parameters == expected.num_parameters == payload["num_parameters_out"]
    assert written.metadata["qsympass"]["pruning"]["selected"] == payload["pruning"]["selected"]
    values = np.random.default_rng(1).uniform(0, 2 * np.pi, written.num_parameters)
    np.testing.assert_allclose(_statevector(written, values), _statevector(expected, values))


def test_qasm_output_reads_back_as_standard_gates_and_prunes_to_itself(tmp_path, capsys):
    target = tmp_path / "pruned.qasm"
    first = _json(capsys, ["prune", "--ansatz-layers", "2", *RING4, "--output", str(target)])
    circuit = read_circuit(target)
    assert {type(i.operation) for i in circuit.data if i.operation.name == "rzz"} == {RZZGate}
    again = _json(capsys, ["prune", "--circuit", str(target), *RING4])
    assert again["num_parameters_in"] == again["num_parameters_out"]
    assert again["num_parameters_out"] == first["num_parameters_out"]


@pytest.mark.parametrize("unused", [None, 5])
def test_qasm_input_gets_its_parameter_vectors_back_in_order(tmp_path, unused):
    theta = ParameterVector("φ", 13)
    circuit = QuantumCircuit(2)
    used = [k for k in range(13) if k != unused][:12]
    for k in used:
        circuit.rx(theta[k], k % 2)
    circuit.ry(Parameter("alpha"), 0)
    path = tmp_path / "twelve.qasm"
    path.write_text(qasm3.dumps(circuit))
    read = read_circuit(path)
    assert [p.name for p in read.parameters] == ["alpha", *(f"φ[{k}]" for k in used)]
    values = np.linspace(0.1, 1.3, 13)
    np.testing.assert_allclose(
        Operator(read.assign_parameters(values)).data,
        Operator(circuit.assign_parameters(values)).data,
        atol=1e-12,
    )


def test_forbid_and_force_reach_the_pass(capsys):
    forbidden = _json(capsys, ["prune", "--ansatz-layers", "1", *RING4, "--forbid", "spatial"])
    assert "spatial" not in forbidden["pruning"]["selected"]
    argv = ["prune", "--ansatz-layers", "1", *RING4, "--no-score", "--force", "pauli"]
    forced = _json(capsys, argv)
    assert "pauli" in forced["pruning"]["selected"]
    assert all(c["eqntk"] is None for c in forced["pruning"]["candidates"])


def test_hamiltonian_file_with_circuit(tmp_path, capsys):
    circuit = QuantumCircuit(2)
    theta = Parameter("t")
    circuit.rx(theta, 0)
    circuit.rx(theta, 1)
    circuit.ry(Parameter("u"), 0)
    source, hamiltonian = tmp_path / "c.qpy", tmp_path / "h.json"
    _write_qpy(circuit, source)
    hamiltonian.write_text(json.dumps([["XX", 1.0], ["ZI", 0.5], ["IZ", 0.5]]))
    argv = ["prune", "--circuit", str(source), "--hamiltonian-file", str(hamiltonian)]
    payload = _json(capsys, argv)
    assert payload["num_parameters_in"] == 2
    assert payload["pruning"]["num_qubits"] == 2


def test_restore_keeps_a_custom_gate_that_only_shares_a_name():
    theta = Parameter("a")
    definition = QuantumCircuit(2)
    definition.rx(theta, 0)
    impostor = Gate("rzz", 2, [theta])
    impostor.definition = definition
    circuit = QuantumCircuit(2)
    circuit.append(impostor, [0, 1])
    circuit.rzz(theta, 0, 1)
    restored = restore_standard_gates(circuit)
    assert [type(i.operation) for i in restored.data] == [Gate, RZZGate]
    exported = restore_standard_gates(qasm3.loads(qasm3.dumps(circuit)))
    assert exported.data[0].operation.name == "rzz"
    assert type(exported.data[0].operation) is Gate


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--circuit", "missing.qpy"], "no such circuit file"),
        (["--circuit", "ansatz.txt"], "unknown circuit format"),
        (["--ansatz-layers", "1", "--output", "out.json"], "unknown circuit format"),
        (["--ansatz-layers", "0"], "layers must be an integer >= 1"),
        (["--ansatz-layers", "1", "--size", "5", "--forbid", "spatial", "--force", "spatial"],
         "both forced and forbidden"),
    ],
)
def test_bad_input_is_one_line(capsys, argv, message):
    assert message in _error(capsys, ["prune", *argv])


def test_unreadable_files_are_one_line(tmp_path, capsys):
    for name in ("broken.qpy", "broken.qasm"):
        path = tmp_path / name
        path.write_text("this is not a circuit {")
        assert "cannot read" in _error(capsys, ["prune", "--circuit", str(path), *RING4])
    assert "not a QPY file" in _error(
        capsys, ["prune", "--circuit", str(tmp_path / "broken.qpy"), *RING4]
    )


def test_width_mismatch_is_one_line(tmp_path, capsys):
    source = tmp_path / "a.qpy"
    _write_qpy(layered_ansatz(lattice("ring", 3), 1), source)
    err = _error(capsys, ["prune", "--circuit", str(source), *RING4])
    assert "3 qubits" in err and "acts on 4" in err


def test_ansatz_layers_with_hamiltonian_file_is_rejected(tmp_path, capsys):
    path = tmp_path / "h.json"
    path.write_text(json.dumps([["ZZ", 1.0]]))
    err = _error(capsys, ["prune", "--ansatz-layers", "1", "--hamiltonian-file", str(path)])
    assert "--circuit" in err


def test_an_ansatz_source_is_required(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["prune", *RING4])
    assert exited.value.code == 2
    assert "--circuit" in capsys.readouterr().err


def test_pass_rejection_is_one_line_without_quotes(tmp_path, capsys):
    circuit = QuantumCircuit(4, 1)
    circuit.rx(Parameter("a"), 0)
    circuit.measure(0, 0)
    source = tmp_path / "measured.qpy"
    _write_qpy(circuit, source)
    err = _error(capsys, ["prune", "--circuit", str(source), *RING4])
    assert "measurement" in err and "'" not in err
