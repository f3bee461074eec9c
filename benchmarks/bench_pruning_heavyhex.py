"""Time SymmetricPruning on a 127-qubit heavy-hex TFIM ansatz against Qiskit's level-1 preset.

The ansatz has ten layers of RX, RY, RZ on every qubit and RZZ on every coupling edge of
FakeSherbrooke (about 5000 parameterized gates). SP runs without EQNTK scoring (the circuit is
far above ``max_exact_qubits``). The reference is ``generate_preset_pass_manager(
optimization_level=1, backend=FakeSherbrooke())`` on the same circuit. Target ratio: <= 0.25.

For context the script also times the I/O floor of any Python pass that rewrites every
parameter: a pass that only reads each gate's name, qubits and angle from the DAG and writes a
circuit with fresh parameters (no analysis at all), and the pass manager's own circuit-to-DAG
round trip around a pass that returns its DAG untouched.

Run: ``python benchmarks/bench_pruning_heavyhex.py [--repeats 3] [--layers 10]``
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction, ParameterVector
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.converters import circuit_to_dag
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import PassManager, generate_preset_pass_manager
from qiskit.transpiler.basepasses import TransformationPass
from qiskit_ibm_runtime.fake_provider import FakeSherbrooke

from qsympass.ansatz import layered_ansatz
from qsympass.models import lattice, tfim
from qsympass.pruning import SymmetricPruning


def best_of(repeats: int, action: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


_STANDARD = {
    name: gate._standard_gate for name, gate in get_standard_gate_name_mapping().items()
    if getattr(gate, "_standard_gate", None) is not None
}


class Untouched(TransformationPass):
    """Return the DAG as it came: what the pass manager costs around any pass."""

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        return dag


class ReadWriteFloor(TransformationPass):
    """Read every gate, write the same gates with fresh parameters: no analysis."""

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        gates = [(node.name, node.qargs, node.params) for node in dag.topological_op_nodes()]
        fresh = ParameterVector("φ", len(gates))
        out = QuantumCircuit(dag.qubits)
        out._data.extend([
            CircuitInstruction.from_standard(_STANDARD[name], qubits, (fresh[k],))
            for k, (name, qubits, _) in enumerate(gates)
        ])
        return circuit_to_dag(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--layers", type=int, default=10)
    args = parser.parse_args()

    backend = FakeSherbrooke()
    graph = lattice("coupling_map", backend)
    hamiltonian = tfim(graph, j=1.0, h=1.0)
    circuit = layered_ansatz(graph, args.layers)
    print(f"circuit: {circuit.num_qubits} qubits, {circuit.size()} gates, "
          f"{circuit.num_parameters} parameters")

    # Both pass managers are built once, outside the timed runs.
    manager = PassManager([SymmetricPruning(hamiltonian)])

    def prune():
        out = manager.run(circuit)
        return out, manager.property_set["symmetric_pruning"]

    sp_time, (pruned, report) = best_of(args.repeats, prune)
    preset = generate_preset_pass_manager(optimization_level=1, backend=backend)
    qiskit_time, _ = best_of(args.repeats, lambda: preset.run(circuit))
    floor_time, _ = best_of(args.repeats, lambda: PassManager([ReadWriteFloor()]).run(circuit))
    round_trip, _ = best_of(args.repeats, lambda: PassManager([Untouched()]).run(circuit))
    print(report.table())
    print(f"SymmetricPruning      {sp_time:8.3f} s  ({circuit.num_parameters} -> "
          f"{pruned.num_parameters} parameters)")
    print(f"preset level 1        {qiskit_time:8.3f} s")
    print(f"read/write floor      {floor_time:8.3f} s  (no analysis)")
    print(f"pass manager alone    {round_trip:8.3f} s  (a pass that returns its DAG)")
    print(f"ratio SP / preset     {sp_time / qiskit_time:8.3f}  (target <= 0.25)")
    print(f"ratio floor / preset  {floor_time / qiskit_time:8.3f}")


if __name__ == "__main__":
    main()
