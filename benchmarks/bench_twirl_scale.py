"""Twirl scaling: a 1000-qubit ring's dihedral group (order 2000) on a 100-term local observable.

Run: ``python benchmarks/bench_twirl_scale.py [--qubits 1000] [--terms 100] [--seed 0]``.
Prints the time of ``twirl`` (target: under 2 s) and of ``symmetry_violation``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from qsympass.symmetry.group import SymmetryGroup
from qsympass.twirling import symmetry_violation, twirl


def ring_dihedral_group(num_qubits: int) -> SymmetryGroup:
    """The dihedral group of a ring, from the translation and one reflection."""
    translation = [(i + 1) % num_qubits for i in range(num_qubits)]
    reflection = [(-i) % num_qubits for i in range(num_qubits)]
    return SymmetryGroup.permutations(
        [translation, reflection], num_qubits, name=f"dihedral D{num_qubits}"
    )


def random_local_observable(num_qubits: int, num_terms: int, seed: int) -> SparsePauliOp:
    """A sum of random 1- and 2-local Pauli strings on random sites."""
    rng = np.random.default_rng(seed)
    terms = []
    for _ in range(num_terms):
        weight = int(rng.integers(1, 3))
        sites = rng.choice(num_qubits, size=weight, replace=False).tolist()
        letters = "".join(rng.choice(list("XYZ"), size=weight))
        terms.append((letters, sites, float(rng.normal())))
    return SparsePauliOp.from_sparse_list(terms, num_qubits).simplify()


def main() -> None:
    """Times the twirl and the symmetry violation."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--qubits", type=int, default=1000)
    parser.add_argument("--terms", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    start = time.perf_counter()
    group = ring_dihedral_group(args.qubits)
    build = time.perf_counter() - start
    observable = random_local_observable(args.qubits, args.terms, args.seed)

    start = time.perf_counter()
    twirled = twirl(observable, group)
    twirl_time = time.perf_counter() - start

    start = time.perf_counter()
    violation = symmetry_violation(observable, group)
    warm_violation_time = time.perf_counter() - start

    fresh_group = ring_dihedral_group(args.qubits)  # empty orbit cache
    start = time.perf_counter()
    symmetry_violation(observable, fresh_group)
    violation_time = time.perf_counter() - start

    start = time.perf_counter()
    residual = symmetry_violation(twirled, group)
    residual_time = time.perf_counter() - start

    print(f"group: {group.name}, order {group.order} (built in {build:.3f} s)")
    print(f"observable: {observable.size} terms on {args.qubits} qubits")
    print(f"twirl: {twirl_time:.3f} s -> {twirled.size} terms (target < 2 s)")
    print(f"symmetry_violation: {violation_time:.3f} s cold, {warm_violation_time:.3f} s with "
          f"the orbits cached by twirl -> {violation:.6g}")
    print(f"symmetry_violation of the twirled observable: {residual_time:.3f} s -> "
          f"{residual:.3g} (should be 0)")


if __name__ == "__main__":
    main()
