"""Symmetry detection at scale: a 1000-qubit ring and a 12-qubit complete graph.

Prints the wall time of ``find_symmetries`` (target: under 1 s for the 1000-qubit ring TFIM),
a per-family breakdown, the ratio to Qiskit's ``Z2Symmetries.find_z2_symmetries`` for the Pauli
part (on a smaller ring: Qiskit needs about 75 s at 1000 qubits), and the order nauty reports
for the complete graph (12!, never enumerated).

Run: ``python benchmarks/bench_symmetry_scale.py [--qubits 1000] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
from qiskit.quantum_info import SparsePauliOp, Z2Symmetries

from qsympass.models import heisenberg, lattice, tfim, xxz
from qsympass.symmetry import find_symmetries
from qsympass.symmetry.charges import conserved_letters
from qsympass.symmetry.pauli_symmetry import find_pauli_symmetries
from qsympass.symmetry.spatial import spatial_symmetries
from qsympass.symmetry.time_reversal import is_real_operator


def best_time(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Best wall time of ``repeats`` calls, and the last result."""
    best = math.inf
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def report_model(name: str, hamiltonian: SparsePauliOp, repeats: int) -> float:
    """Time find_symmetries and its parts on one Hamiltonian; return the total time."""
    total, found = best_time(lambda: find_symmetries(hamiltonian), repeats)
    print(f"\n{name}: {hamiltonian.num_qubits} qubits, {hamiltonian.size} terms")
    print(f"  find_symmetries            {total * 1e3:9.1f} ms")
    parts = {
        "spatial (nauty)": lambda: spatial_symmetries(hamiltonian),
        "pauli (GF(2) kernel)": lambda: find_pauli_symmetries(hamiltonian),
        "u1/su2 (commutators)": lambda: conserved_letters(hamiltonian),
        "time reversal": lambda: is_real_operator(hamiltonian),
    }
    for part, function in parts.items():
        seconds, _ = best_time(function, repeats)
        print(f"    {part:<24} {seconds * 1e3:9.1f} ms")
    for family, group in found.families().items():
        print(f"  {family:<14} order {group.order}")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--qiskit-qubits", type=int, default=200,
        help="ring size for the Z2Symmetries comparison (Qiskit's time grows steeply with n)",
    )
    args = parser.parse_args()
    n = args.qubits

    ring_tfim = tfim(lattice("ring", n))
    total = report_model("ring TFIM", ring_tfim, args.repeats)
    verdict = "OK" if total < 1.0 else "OVER BUDGET"
    print(f"  target < 1 s: {verdict} ({total:.3f} s)")

    small = tfim(lattice("ring", args.qiskit_qubits))
    ours, _ = best_time(lambda: find_pauli_symmetries(small), args.repeats)
    qiskit, _ = best_time(lambda: Z2Symmetries.find_z2_symmetries(small), 1)
    print(f"  Pauli part on a {args.qiskit_qubits}-qubit ring: qsympass {ours * 1e3:.1f} ms, "
          f"Qiskit Z2Symmetries {qiskit * 1e3:.1f} ms (ratio {qiskit / ours:.1f}x)")

    report_model("ring XXZ (jz=0.5)", xxz(lattice("ring", n), jxy=1.0, jz=0.5), args.repeats)
    report_model("ring Heisenberg", heisenberg(lattice("ring", n)), args.repeats)

    complete = tfim(nx.complete_graph(12))
    seconds, result = best_time(lambda: spatial_symmetries(complete), args.repeats)
    exact = result.order == math.factorial(12)
    print(f"\ncomplete graph K12 TFIM: order {result.order} (== 12!: {exact}), "
          f"{len(result.permutations)} generators, {seconds * 1e3:.2f} ms")
    seconds, result = best_time(lambda: spatial_symmetries(tfim(nx.complete_graph(40))), 1)
    exact = result.order == math.factorial(40)
    print(f"complete graph K40 TFIM: order 40! exact: {exact}, {seconds * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
