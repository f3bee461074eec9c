"""Tests for qsympass.symmetry.charges (one-body commutators, U(1) and SU(2) charges)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import SparsePauliOp, random_pauli_list

from qsympass.models import heisenberg, lattice, tfim, xxz
from qsympass.symmetry.charges import (
    collective_charges,
    commutes_with_charge,
    conserved_letters,
    one_body_commutator,
    total_charge,
)


@settings(max_examples=30, deadline=None)
@given(num_qubits=st.integers(1, 4), seed=st.integers(0, 10**6))
def test_one_body_commutator_matches_dense_commutator(num_qubits: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    hamiltonian = SparsePauliOp(
        random_pauli_list(num_qubits, 6, seed=seed, phase=False), rng.normal(size=6)
    )
    charge = SparsePauliOp.from_sparse_list(
        [(str(rng.choice(list("XYZ"))), [q], rng.normal()) for q in range(num_qubits)],
        num_qubits,
    )
    fast = one_body_commutator(hamiltonian, charge)
    h_matrix, q_matrix = hamiltonian.to_matrix(), charge.to_matrix()
    dense = h_matrix @ q_matrix - q_matrix @ h_matrix
    np.testing.assert_allclose(fast.to_matrix(), dense, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(num_qubits=st.integers(1, 4), seed=st.integers(0, 10**6))
def test_conserved_letters_agree_with_dense_check(num_qubits: int, seed: int) -> None:
    # Sums of XX+YY / ZZ style terms conserve charges often enough to exercise both branches.
    rng = np.random.default_rng(seed)
    pool = ["XX", "YY", "ZZ", "XY", "Z", "X"]
    terms = []
    for _ in range(int(rng.integers(1, 5))):
        letters = str(rng.choice(pool))
        if len(letters) > num_qubits:
            continue
        qubits = sorted(rng.choice(num_qubits, size=len(letters), replace=False).tolist())
        terms.append((letters, qubits, 1.0))
    if not terms:
        terms = [("Z", [0], 1.0)]
    hamiltonian = SparsePauliOp.from_sparse_list(terms, num_qubits)
    matrix = hamiltonian.to_matrix()
    expected = tuple(
        letter
        for letter in "XYZ"
        if np.allclose(
            matrix @ (q := total_charge(letter, num_qubits).to_matrix()) - q @ matrix, 0.0
        )
    )
    assert conserved_letters(hamiltonian) == expected


def test_xxz_conserves_only_total_z() -> None:
    assert conserved_letters(xxz(lattice("ring", 6), jxy=1.0, jz=0.4)) == ("Z",)


def test_heisenberg_conserves_total_spin() -> None:
    hamiltonian = heisenberg(lattice("square", 2, 3))
    assert conserved_letters(hamiltonian) == ("X", "Y", "Z")
    for component in collective_charges(6):
        assert commutes_with_charge(hamiltonian, component)


def test_tfim_conserves_no_uniform_charge() -> None:
    assert conserved_letters(tfim(lattice("ring", 5))) == ()


def test_staggered_charge_is_supported() -> None:
    # Σ (-1)^i Z_i is conserved by XX - YY hopping on a bipartite chain.
    hamiltonian = SparsePauliOp.from_sparse_list(
        [(p, [i, i + 1], s) for i in range(3) for p, s in (("XX", 1.0), ("YY", -1.0))], 4
    )
    staggered = SparsePauliOp.from_sparse_list([("Z", [i], (-1.0) ** i) for i in range(4)], 4)
    assert commutes_with_charge(hamiltonian, staggered)
    assert not commutes_with_charge(hamiltonian, total_charge("Z", 4))


def test_bad_charges_are_rejected() -> None:
    with pytest.raises(ValueError, match="single-qubit"):
        one_body_commutator(SparsePauliOp("ZZ"), SparsePauliOp("XX"))
    with pytest.raises(ValueError, match="charge acts on 3 qubits"):
        one_body_commutator(SparsePauliOp("ZZ"), total_charge("Z", 3))
    with pytest.raises(ValueError, match="one of X, Y, Z"):
        total_charge("W", 3)


def test_mixed_letter_charge_of_an_su2_model() -> None:
    hamiltonian = heisenberg(lattice("chain", 4))
    tilted = SparsePauliOp.from_sparse_list(
        [(letter, [q], c) for q in range(4) for letter, c in (("X", 0.6), ("Z", 0.8))], 4
    )
    assert commutes_with_charge(hamiltonian, tilted)
    assert not commutes_with_charge(tfim(lattice("chain", 4)), tilted)


@settings(max_examples=30, deadline=None)
@given(num_qubits=st.integers(1, 3), seed=st.integers(0, 10**6))
def test_commutes_with_charge_agrees_with_the_commutator(num_qubits: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    hamiltonian = SparsePauliOp(random_pauli_list(num_qubits, 3, seed=seed, phase=False))
    charge = SparsePauliOp.from_sparse_list(
        [(str(rng.choice(list("XYZ"))), [q], 1.0) for q in range(num_qubits) for _ in range(2)],
        num_qubits,
    )
    commutator = one_body_commutator(hamiltonian, charge)
    assert commutes_with_charge(hamiltonian, charge) == np.allclose(commutator.to_matrix(), 0.0)
