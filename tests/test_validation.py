"""Tests for qsympass.validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import Operator, Pauli, PauliList, SparsePauliOp, random_hermitian

from qsympass.validation import (
    as_hamiltonian,
    as_sparse_pauli_op,
    require_equal_label_lengths,
    require_finite,
    require_hermitian,
    require_nonempty,
    require_width,
)


@pytest.mark.parametrize(
    "source",
    ["XZ", Pauli("XZ"), PauliList(["XZ"]), [("XZ", 1.0)], Operator(Pauli("XZ"))],
)
def test_as_sparse_pauli_op_converts_common_inputs(source: object) -> None:
    op = as_sparse_pauli_op(source)
    assert isinstance(op, SparsePauliOp)
    assert op.simplify().equiv(SparsePauliOp("XZ"))


def test_as_sparse_pauli_op_returns_sparse_input_unchanged() -> None:
    op = SparsePauliOp(["XX", "ZI"], [1.0, 2.0])
    assert as_sparse_pauli_op(op) is op


@pytest.mark.parametrize("source", [object(), "not a pauli", 3.5j, None])
def test_as_sparse_pauli_op_rejects_unconvertible_input(source: object) -> None:
    with pytest.raises(TypeError, match="hamiltonian must be a SparsePauliOp"):
        as_sparse_pauli_op(source, "hamiltonian")


def test_require_nonempty_rejects_all_zero_coefficients() -> None:
    with pytest.raises(ValueError, match="observable is empty"):
        require_nonempty(SparsePauliOp(["XX", "ZZ"], [0.0, 0.0]), "observable")


def test_require_nonempty_accepts_a_single_term() -> None:
    require_nonempty(SparsePauliOp("IZ", 1e-3))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # SparsePauliOp(inf)
@pytest.mark.parametrize("bad", [np.nan, np.inf, complex(0, np.nan)])
def test_non_finite_coefficients_are_named(bad: complex) -> None:
    op = SparsePauliOp(["XX", "ZZ"], [1.0, bad])
    with pytest.raises(ValueError, match=r"hamiltonian has a non-finite coefficient \(on ZZ\)"):
        require_finite(op, "hamiltonian")
    with pytest.raises(ValueError, match="non-finite"):
        as_hamiltonian(op)


def test_require_hermitian_names_the_offending_term() -> None:
    op = SparsePauliOp(["XX", "ZY"], [1.0, 0.5j])
    with pytest.raises(ValueError, match=r"hamiltonian is not Hermitian: term ZY"):
        require_hermitian(op, "hamiltonian")


def test_require_hermitian_merges_duplicates_before_judging() -> None:
    # (1 + i) X + (1 - i) X = 2 X is Hermitian although neither term is.
    require_hermitian(SparsePauliOp(["X", "X"], [1 + 1j, 1 - 1j]))


def test_require_width() -> None:
    require_width(SparsePauliOp("XYZ"), 3)
    with pytest.raises(ValueError, match="observable acts on 3 qubits, expected 4"):
        require_width(SparsePauliOp("XYZ"), 4, "observable")


@settings(max_examples=25, deadline=None)
@given(num_qubits=st.integers(1, 3), seed=st.integers(0, 2**31 - 1))
def test_as_hamiltonian_preserves_hermitian_matrices(num_qubits: int, seed: int) -> None:
    matrix = random_hermitian(2**num_qubits, seed=seed).data
    hamiltonian = as_hamiltonian(SparsePauliOp.from_operator(Operator(matrix)))
    assert np.all(hamiltonian.coeffs.imag == 0)
    np.testing.assert_allclose(hamiltonian.to_matrix(), matrix, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(num_qubits=st.integers(1, 3), seed=st.integers(0, 2**31 - 1))
def test_as_hamiltonian_rejects_anti_hermitian_parts(num_qubits: int, seed: int) -> None:
    matrix = random_hermitian(2**num_qubits, seed=seed).data
    shifted = SparsePauliOp.from_operator(Operator(matrix + 0.1j * np.eye(2**num_qubits)))
    with pytest.raises(ValueError, match="not Hermitian"):
        as_hamiltonian(shifted)


@settings(max_examples=30, deadline=None)
@given(st.integers(-12, 12), st.integers(0, 2**31))
def test_as_hamiltonian_does_not_depend_on_the_units(exponent: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    terms = SparsePauliOp(["ZZ", "XI", "IX", "IZ"], [1.0, 0.7, 0.7, 1e-6])
    tiny = SparsePauliOp("YY", 1e-12)  # below the relative tolerance at every scale
    scale = 10.0**exponent * rng.uniform(0.5, 2.0)
    converted = as_hamiltonian(scale * (terms + tiny))
    assert converted.paulis.to_labels() == ["ZZ", "XI", "IX", "IZ"]
    np.testing.assert_allclose(converted.coeffs.real, scale * terms.coeffs.real, rtol=1e-12)
    with pytest.raises(ValueError, match="not Hermitian"):
        as_hamiltonian(scale * SparsePauliOp(["ZZ", "XI"], [1.0, 1e-6j]))


@pytest.mark.parametrize("labels", [["ZZ", "XXX"], ["XXX", "ZZ"]])
def test_labels_of_different_lengths_are_refused(labels: list[str]) -> None:
    with pytest.raises(ValueError, match="Pauli labels of different lengths"):
        as_hamiltonian([(label, 1.0) for label in labels])
    with pytest.raises(ValueError, match="different lengths"):
        require_equal_label_lengths(labels)


def test_an_energy_offset_does_not_hide_small_terms() -> None:
    converted = as_hamiltonian(SparsePauliOp(["II", "ZZ", "XI"], [100.0, 1.0, 5e-9]))
    assert converted.paulis.to_labels() == ["II", "ZZ", "XI"]
