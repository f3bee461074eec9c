"""Tests for qsympass.symmetry.pauli_symmetry (Z2 symmetries from the symplectic kernel)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import Pauli, PauliList, SparsePauliOp, random_pauli_list

from qsympass.models import heisenberg, lattice, tfim
from qsympass.symmetry.gf2 import row_reduce
from qsympass.symmetry.pauli_symmetry import commutes_with_all_terms, find_pauli_symmetries


def test_tfim_ring_has_only_parity() -> None:
    assert find_pauli_symmetries(tfim(lattice("ring", 7))) == PauliList(["XXXXXXX"])


def test_heisenberg_ring_has_two_independent_flips() -> None:
    assert find_pauli_symmetries(heisenberg(lattice("ring", 5))) == PauliList(["XXXXX", "ZZZZZ"])


def test_symmetries_commute_with_the_hamiltonian_as_operators() -> None:
    hamiltonian = heisenberg(lattice("square", 2, 3))
    for pauli in find_pauli_symmetries(hamiltonian):
        symmetry = SparsePauliOp(pauli)
        commutator = (symmetry @ hamiltonian - hamiltonian @ symmetry).simplify()
        assert np.allclose(commutator.coeffs, 0.0)


@settings(max_examples=30, deadline=None)
@given(num_qubits=st.integers(1, 3), num_terms=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_generators_span_every_commuting_pauli(num_qubits: int, num_terms: int, seed: int) -> None:
    terms = random_pauli_list(num_qubits, num_terms, seed=seed, phase=False)
    hamiltonian = SparsePauliOp(terms)
    generators = find_pauli_symmetries(hamiltonian)
    assert all(np.any(g.x | g.z) for g in generators)  # never the identity
    assert commutes_with_all_terms(generators, hamiltonian).all()
    every = PauliList(["".join(p) for p in itertools.product("IXYZ", repeat=num_qubits)])
    commuting = commutes_with_all_terms(every, hamiltonian)
    rank = len(row_reduce(np.hstack([generators.x, generators.z]))[1])
    assert rank == len(generators)
    assert int(commuting.sum()) == 2**rank  # the kernel holds exactly the group's 2^rank strings


def test_commutes_with_all_terms() -> None:
    hamiltonian = SparsePauliOp(["ZZI", "XII"])
    result = commutes_with_all_terms(PauliList([Pauli("ZZZ"), Pauli("IIX")]), hamiltonian)
    assert result.tolist() == [False, True]
