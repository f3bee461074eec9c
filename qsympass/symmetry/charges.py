"""Conserved one-body charges: U(1) charges ``Q = Σ_i P_i`` and collective SU(2).

``[T, P_i]`` vanishes unless the term ``T`` anticommutes with ``P`` on qubit ``i``, and then it
is ``2 T P_i``. So ``[H, Q]`` is a sum over (term, anticommuting site) pairs only: linear in the
size of ``H`` and never the dense ``|H| x |Q|`` product, which keeps a 1000-qubit check in the
millisecond range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from qiskit.quantum_info import PauliList, SparsePauliOp

from qsympass.symmetry.pauli_actions import pauli_dict

#: One term ``(qubit, letter, coefficient)`` of a one-body charge ``Q = Σ_i c_i P_i``.
ChargeTerm = tuple[int, str, float]

#: Letters of the total-spin components, in the order of ``collective_charges``.
SPIN_LETTERS = ("X", "Y", "Z")

# Phase of the single-qubit product a * b, indexed by the symplectic codes x + 2 z
# (1 = X, 2 = Z, 3 = Y): X Y = i Z, Y Z = i X, Z X = i Y; commuting pairs are never used.
_PHASE_TABLE = np.ones((4, 4), dtype=complex)
for _a, _b, _phase in ((1, 3, 1j), (3, 2, 1j), (2, 1, 1j), (3, 1, -1j), (2, 3, -1j), (1, 2, -1j)):
    _PHASE_TABLE[_a, _b] = _phase
_LETTER_CODE = {"X": 1, "Z": 2, "Y": 3}


def total_charge(letter: str, num_qubits: int) -> SparsePauliOp:
    """The uniform one-body charge ``Σ_i P_i``.

    Args:
        letter: ``"X"``, ``"Y"`` or ``"Z"``.
        num_qubits: Width of the operator.

    Returns:
        ``Σ_i P_i`` as a ``SparsePauliOp`` with unit coefficients.

    Raises:
        ValueError: If ``letter`` is not one of X, Y, Z or ``num_qubits < 1``.
    """
    if letter not in _LETTER_CODE:
        raise ValueError(f"charge letter must be one of X, Y, Z, got {letter!r}")
    if num_qubits < 1:
        raise ValueError(f"num_qubits must be positive, got {num_qubits}")
    terms = [(letter, [qubit], 1.0) for qubit in range(num_qubits)]
    return SparsePauliOp.from_sparse_list(terms, num_qubits)


def one_body_commutator(hamiltonian: SparsePauliOp, charge: SparsePauliOp) -> SparsePauliOp:
    """``[H, Q]`` for a one-body charge ``Q = Σ_i Σ_P q_{i,P} P_i``, simplified.

    Args:
        hamiltonian: Any Pauli-sum operator.
        charge: A sum of single-qubit Pauli terms (identity terms are allowed and ignored) on the
            same qubits.

    Returns:
        The commutator ``H Q - Q H`` (simplified; an empty sum is the single term ``0 * I``).

    Raises:
        ValueError: If the widths differ or ``charge`` has a term of weight two or more.
    """
    pairs = _anticommuting_pairs(_TermTable.of(hamiltonian), _charge_weights(hamiltonian, charge))
    if pairs.terms.size == 0:
        return SparsePauliOp("I" * hamiltonian.num_qubits, 0.0)
    paulis = hamiltonian.paulis
    rows = np.arange(pairs.terms.size)
    x = paulis.x[pairs.terms].copy()
    z = paulis.z[pairs.terms].copy()
    x[rows, pairs.sites] ^= (pairs.flips & 1).astype(bool)
    z[rows, pairs.sites] ^= (pairs.flips & 2).astype(bool)
    return SparsePauliOp(PauliList.from_symplectic(z, x), pairs.coeffs).simplify()


def commutes_with_charge(
    hamiltonian: SparsePauliOp, charge: SparsePauliOp, atol: float = 1e-10
) -> bool:
    """Whether ``[H, Q] = 0`` for a one-body charge ``Q``.

    Args:
        hamiltonian: Any Pauli-sum operator.
        charge: A sum of single-qubit Pauli terms on the same qubits.
        atol: Tolerance on the commutator's coefficients, relative to the largest coefficient of
            ``H`` times that of ``Q``.

    Returns:
        True iff every coefficient of the commutator is below the tolerance.

    Raises:
        ValueError: If the widths differ or ``charge`` has a term of weight two or more.
    """
    weights = _charge_weights(hamiltonian, charge)
    return _commutator_vanishes(_TermTable.of(hamiltonian), weights, atol)


def conserved_letters(
    hamiltonian: SparsePauliOp, letters: Sequence[str] = SPIN_LETTERS, atol: float = 1e-10
) -> tuple[str, ...]:
    """The letters ``P`` among ``letters`` for which ``Σ_i P_i`` commutes with ``H``.

    Args:
        hamiltonian: Any Pauli-sum operator.
        letters: Letters to test.
        atol: Tolerance on the commutator's coefficients, relative to the largest coefficient
            of ``H``.

    Returns:
        The conserved letters, in the order given.
    """
    table = _TermTable.of(hamiltonian)
    ones = np.ones(hamiltonian.num_qubits)
    return tuple(
        letter
        for letter in letters
        if _commutator_vanishes(table, {_LETTER_CODE[letter]: ones}, atol)
    )


def collective_charges(num_qubits: int) -> tuple[SparsePauliOp, SparsePauliOp, SparsePauliOp]:
    """The total-spin components ``(Σ X_i, Σ Y_i, Σ Z_i) / 2``.

    Args:
        num_qubits: Width of the operators.

    Returns:
        ``(S_x, S_y, S_z)``.
    """
    x, y, z = (0.5 * total_charge(letter, num_qubits) for letter in SPIN_LETTERS)
    return x, y, z


def one_body_terms(charge: SparsePauliOp) -> tuple[ChargeTerm, ...]:
    """The ``(qubit, letter, coefficient)`` terms of a U(1) charge, sorted by qubit.

    Args:
        charge: ``Q = Σ_i c_i P_i`` with one single-qubit Pauli ``P_i`` per qubit and real
            ``c_i``; identity terms and negligible coefficients are dropped.

    Returns:
        One term per qubit the charge acts on.

    Raises:
        ValueError: If ``charge`` is not a ``SparsePauliOp``, has a complex coefficient, a
            multi-qubit term or two letters on one qubit, or acts trivially.
    """
    if not isinstance(charge, SparsePauliOp):
        raise ValueError(f"a U(1) charge must be a SparsePauliOp, got {type(charge).__name__}")
    terms: dict[int, tuple[str, float]] = {}
    for key, coeff in pauli_dict(charge.simplify()).items():
        if abs(coeff.imag) > 1e-12:
            raise ValueError(f"the U(1) charge has a complex coefficient {coeff} on {key}")
        if len(key) == 0 or abs(coeff) <= 1e-12:
            continue
        if len(key) > 1:
            raise ValueError(
                f"the U(1) charge must be a sum of single-qubit Paulis; term {key} acts on "
                f"{len(key)} qubits"
            )
        (qubit, letter), = key
        if qubit in terms:
            raise ValueError(f"the U(1) charge has two Pauli letters on qubit {qubit}")
        terms[qubit] = (letter, coeff.real)
    if not terms:
        raise ValueError("the U(1) charge acts trivially (no single-qubit Pauli terms)")
    return tuple((q, letter, c) for q, (letter, c) in sorted(terms.items()))


@dataclass(frozen=True)
class _TermTable:
    """The non-identity sites of every term, and the terms' bit-packed x and z rows."""

    terms: np.ndarray  # term index of each (term, site) entry
    sites: np.ndarray
    codes: np.ndarray  # 1 = X, 2 = Z, 3 = Y
    coeffs: np.ndarray
    packed_x: np.ndarray
    packed_z: np.ndarray

    @classmethod
    def of(cls, op: SparsePauliOp) -> _TermTable:
        x, z = op.paulis.x, op.paulis.z
        terms, sites = np.nonzero(x | z)
        codes = x[terms, sites].astype(np.int8) + 2 * z[terms, sites].astype(np.int8)
        return cls(
            terms, sites, codes, np.asarray(op.coeffs), np.packbits(x, axis=1),
            np.packbits(z, axis=1),
        )


@dataclass(frozen=True)
class _Pairs:
    """(term, site) pairs where the term anticommutes with the charge; ``[T, P_i] = 2 T P_i``."""

    terms: np.ndarray
    sites: np.ndarray
    flips: np.ndarray  # the charge letter's code: XOR-ing it into the site gives T P_i
    coeffs: np.ndarray  # 2 c_T q_i times the phase of the single-site product


def _charge_weights(hamiltonian: SparsePauliOp, charge: SparsePauliOp) -> dict[int, np.ndarray]:
    """Per letter code, the charge's coefficient on each qubit."""
    if charge.num_qubits != hamiltonian.num_qubits:
        raise ValueError(
            f"charge acts on {charge.num_qubits} qubits, hamiltonian on {hamiltonian.num_qubits}"
        )
    codes = charge.paulis.x.astype(np.int8) + 2 * charge.paulis.z.astype(np.int8)
    if np.any(np.count_nonzero(codes, axis=1) > 1):
        raise ValueError("charge must be a sum of single-qubit Pauli terms")
    weights = {}
    for code in (1, 2, 3):
        per_site = np.zeros(charge.num_qubits, dtype=complex)
        terms, sites = np.nonzero(codes == code)
        np.add.at(per_site, sites, charge.coeffs[terms])
        if np.any(per_site != 0):
            weights[code] = per_site
    return weights


def _anticommuting_pairs(table: _TermTable, weights: dict[int, np.ndarray]) -> _Pairs:
    chunks = []
    for code, per_site in weights.items():
        mask = (table.codes != code) & (per_site[table.sites] != 0)
        terms, sites, old = table.terms[mask], table.sites[mask], table.codes[mask]
        coeffs = 2.0 * table.coeffs[terms] * per_site[sites] * _PHASE_TABLE[old, code]
        chunks.append((terms, sites, np.full(terms.size, code, dtype=np.int8), coeffs))
    if not chunks:
        empty = np.zeros(0, dtype=np.intp)
        return _Pairs(empty, empty, empty.astype(np.int8), empty.astype(complex))
    return _Pairs(*(np.concatenate(parts) for parts in zip(*chunks, strict=True)))


def _commutator_vanishes(table: _TermTable, weights: dict[int, np.ndarray], atol: float) -> bool:
    """Sum the pair contributions per resulting Pauli string (bit-packed key) and test for zero."""
    pairs = _anticommuting_pairs(table, weights)
    if pairs.terms.size == 0:
        return True
    rows = np.arange(pairs.terms.size)
    byte, bit = np.divmod(pairs.sites, 8)
    masks = (np.uint8(128) >> bit.astype(np.uint8)).astype(np.uint8)  # packbits is big-endian
    new_x = table.packed_x[pairs.terms]
    new_z = table.packed_z[pairs.terms]
    new_x[rows, byte] ^= np.where(pairs.flips & 1, masks, 0).astype(np.uint8)
    new_z[rows, byte] ^= np.where(pairs.flips & 2, masks, 0).astype(np.uint8)
    keys = np.ascontiguousarray(np.hstack([new_x, new_z]))
    _, inverse = np.unique(keys.view(f"V{keys.shape[1]}").ravel(), return_inverse=True)
    totals = np.bincount(inverse, weights=pairs.coeffs.real) + 1j * np.bincount(
        inverse, weights=pairs.coeffs.imag
    )
    scale = _max_abs(table.coeffs) * max(_max_abs(w) for w in weights.values()) or 1.0
    return bool(np.all(np.abs(totals) <= atol * scale))


def _max_abs(values: np.ndarray) -> float:
    return float(np.max(np.abs(values))) if values.size else 0.0
