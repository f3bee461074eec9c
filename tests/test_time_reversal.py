"""Tests for qsympass.symmetry.time_reversal."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import SparsePauliOp, random_pauli_list

from qsympass.models import heisenberg, lattice, tfim
from qsympass.symmetry.time_reversal import is_real_operator


def test_spin_models_are_real() -> None:
    assert is_real_operator(tfim(lattice("ring", 6)))
    assert is_real_operator(heisenberg(lattice("ring", 6)))  # YY terms have two Ys


def test_a_single_y_with_a_real_coefficient_breaks_time_reversal() -> None:
    assert not is_real_operator(SparsePauliOp(["ZY", "XX"], [0.3, 1.0]))
    assert is_real_operator(SparsePauliOp(["ZY", "XX"], [0.3j, 1.0]))  # i Y is real


@settings(max_examples=30, deadline=None)
@given(num_qubits=st.integers(1, 4), seed=st.integers(0, 10**6))
def test_agrees_with_the_dense_matrix(num_qubits: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    terms = random_pauli_list(num_qubits, 4, seed=seed, phase=False)
    coeffs = rng.normal(size=4) * rng.choice([1.0, 1j], size=4)
    op = SparsePauliOp(terms, coeffs)
    assert is_real_operator(op) == np.allclose(op.to_matrix().imag, 0.0)
