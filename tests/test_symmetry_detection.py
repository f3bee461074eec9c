"""Tests for qsympass.symmetry.detection (find_symmetries and Symmetries)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import SparsePauliOp, random_pauli_list

import qsympass
from qsympass.models import heisenberg, lattice, tfim, xxz
from qsympass.symmetry import Symmetries, SymmetryGroup, find_symmetries
from qsympass.symmetry.charges import total_charge
from qsympass.symmetry.spatial import permute_operator


def _zero(op: SparsePauliOp) -> bool:
    return bool(np.allclose(op.simplify(atol=1e-10).coeffs, 0.0))


def _assert_every_generator_preserves(symmetries: Symmetries, hamiltonian: SparsePauliOp) -> None:
    if symmetries.spatial is not None:
        for perm in symmetries.spatial.permutation_generators or ():
            assert _zero(permute_operator(hamiltonian, perm) - hamiltonian)
    if symmetries.pauli is not None:
        for pauli in symmetries.pauli.pauli_generators or ():
            flip = SparsePauliOp(pauli)
            assert _zero(flip @ hamiltonian @ flip - hamiltonian)
    for family in (symmetries.u1, symmetries.su2):
        for charge in family.lie_generators if family is not None else ():
            assert _zero(hamiltonian @ charge - charge @ hamiltonian)
    if symmetries.time_reversal is not None:
        assert _zero(hamiltonian.conjugate() - hamiltonian)
    for group in symmetries.families().values():
        group.check_invariant(hamiltonian, "hamiltonian")  # the group's own check agrees


def test_public_names_are_exported() -> None:
    assert qsympass.find_symmetries is find_symmetries
    assert qsympass.SymmetryGroup is SymmetryGroup
    assert qsympass.Symmetries is Symmetries


def test_tfim_ring() -> None:
    hamiltonian = tfim(lattice("ring", 8))
    found = find_symmetries(hamiltonian)
    assert found.spatial is not None and found.spatial.order == 16
    assert found.pauli is not None
    assert [p.to_label() for p in found.pauli.pauli_generators or ()] == ["X" * 8]
    assert found.u1 is None and found.su2 is None
    assert found.time_reversal is not None
    assert list(found.families()) == ["spatial", "pauli", "time_reversal"]
    _assert_every_generator_preserves(found, hamiltonian)


def test_xxz_has_u1_but_not_su2() -> None:
    hamiltonian = xxz(lattice("ring", 6), jxy=1.0, jz=0.5)
    found = find_symmetries(hamiltonian)
    assert found.u1 is not None and found.su2 is None
    assert found.u1.lie_generators[0].simplify().equiv(total_charge("Z", 6))
    assert math.isinf(found.u1.order)
    _assert_every_generator_preserves(found, hamiltonian)


def test_heisenberg_has_su2_and_reports_total_z_as_u1() -> None:
    hamiltonian = heisenberg(lattice("square", 2, 3))
    found = find_symmetries(hamiltonian)
    assert found.su2 is not None and found.su2.kind == "su2"
    assert found.u1 is not None
    assert found.u1.lie_generators[0].simplify().equiv(total_charge("Z", 6))
    _assert_every_generator_preserves(found, hamiltonian)


def test_transverse_x_charge_is_found_when_z_is_not_conserved() -> None:
    # A rotated XXZ model: the conserved charge is Σ X_i.
    hamiltonian = SparsePauliOp.from_sparse_list(
        [(p, [i, i + 1], c) for i in range(4) for p, c in (("YY", 1.0), ("ZZ", 1.0), ("XX", 0.3))],
        5,
    )
    found = find_symmetries(hamiltonian)
    assert found.u1 is not None and found.su2 is None
    assert found.u1.lie_generators[0].simplify().equiv(total_charge("X", 5))


def test_time_reversal_detection() -> None:
    assert find_symmetries(SparsePauliOp(["YY", "ZI"], [1.0, 0.5])).time_reversal is not None
    broken = find_symmetries(SparsePauliOp(["YZ", "ZI"], [1.0, 0.5]))
    assert broken.time_reversal is None
    assert "time_reversal" not in broken.families()


def test_asymmetric_hamiltonian_has_no_spatial_group() -> None:
    hamiltonian = SparsePauliOp.from_sparse_list(
        [("Z", [0], 1.0), ("Z", [1], 2.0), ("X", [2], 3.0), ("XZ", [0, 2], 1.0)], 3
    )
    assert find_symmetries(hamiltonian).spatial is None


def test_summary_lists_every_family() -> None:
    text = find_symmetries(tfim(lattice("ring", 4))).summary()
    lines = text.splitlines()
    assert len(lines) == 6
    names = ("spatial", "pauli", "u1", "su2", "time_reversal")
    for name, line in zip(names, lines[1:], strict=True):
        assert line.startswith(name)
    assert "8" in lines[1] and "none" in lines[3]


def test_input_conversion_and_validation() -> None:
    assert find_symmetries("ZZ").spatial is not None  # a label is converted
    assert find_symmetries([("XX", 1.0), ("ZI", 1.0)]).pauli is not None
    with pytest.raises(ValueError, match="hamiltonian is not Hermitian"):
        find_symmetries(SparsePauliOp(["XY"], [1j]))
    with pytest.raises(ValueError, match="hamiltonian is empty"):
        find_symmetries(SparsePauliOp(["XY", "ZZ"], [0.0, 0.0]))
    with pytest.raises(TypeError, match="hamiltonian must be a SparsePauliOp"):
        find_symmetries(object())


@settings(max_examples=25, deadline=None)
@given(num_qubits=st.integers(1, 4), num_terms=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_every_family_is_a_true_symmetry_of_random_hamiltonians(
    num_qubits: int, num_terms: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    terms = random_pauli_list(num_qubits, num_terms, seed=seed, phase=False)
    coeffs = rng.choice([1.0, -1.0, 0.5], size=num_terms)
    hamiltonian = SparsePauliOp(terms, coeffs).simplify()
    if np.allclose(hamiltonian.coeffs, 0.0):
        return
    found = find_symmetries(hamiltonian)
    _assert_every_generator_preserves(found, hamiltonian)
    matrix = hamiltonian.to_matrix()
    assert (found.time_reversal is not None) == np.allclose(matrix.imag, 0.0)
    conserved = [
        letter
        for letter in "XYZ"
        if np.allclose(
            matrix @ (charge := total_charge(letter, num_qubits).to_matrix()) - charge @ matrix,
            0.0,
        )
    ]
    expected_u1 = len(conserved) >= 1
    assert (found.u1 is not None) == expected_u1
    assert (found.su2 is not None) == (len(conserved) == 3)
    assert len(conserved) in (0, 1, 3)  # two conserved components force the third
