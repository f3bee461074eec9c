"""Sparse Pauli strings and fast conjugation actions of Clifford generators.

A Pauli string on many qubits is stored as a ``SparsePauli``: a tuple of ``(qubit, letter)``
pairs sorted by qubit, letters in ``"XYZ"`` (identities omitted). Symmetry generators act on such
strings by conjugation ``P -> V P V†`` and return the image and its sign. Permutations, Pauli
strings and, more generally, qubit permutations combined with one-qubit Cliffords ("monomial"
Cliffords) act letter by letter without touching an ``n``-qubit tableau; any other Clifford
falls back to :meth:`qiskit.quantum_info.Pauli.evolve`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from qiskit.quantum_info import Clifford, Pauli, PauliList, SparsePauliOp
from qiskit.quantum_info.operators.symplectic.base_pauli import BasePauli

SparsePauli = tuple[tuple[int, str], ...]
PauliDict = dict[SparsePauli, complex]

_LETTERS = "XYZ"
_LETTER_CODES = {"X": 0, "Y": 1, "Z": 2}
_CODE_LETTERS = ("", "X", "Z", "Y")  # indexed by x + 2 z
_PHASE_FACTORS = np.array([1, -1j, -1, 1j])


def pauli_dict(op: SparsePauliOp) -> PauliDict:
    """Converts a ``SparsePauliOp`` to a dictionary of sparse Pauli strings.

    Args:
        op: the operator; equal Pauli strings are summed.

    Returns:
        A dictionary from sparse Pauli strings to complex coefficients.
    """
    paulis = op.paulis
    x, z = paulis.x, paulis.z
    coeffs = np.asarray(op.coeffs, dtype=complex) * _PHASE_FACTORS[paulis.phase % 4]
    rows, cols = np.nonzero(x | z)
    letters = [_CODE_LETTERS[code] for code in (x[rows, cols] + 2 * z[rows, cols]).tolist()]
    qubits = cols.tolist()
    bounds = np.searchsorted(rows, np.arange(len(paulis) + 1)).tolist()
    terms: PauliDict = {}
    for row in range(len(paulis)):
        lo, hi = bounds[row], bounds[row + 1]
        key = tuple(zip(qubits[lo:hi], letters[lo:hi], strict=True))
        terms[key] = terms.get(key, 0j) + complex(coeffs[row])
    return terms


def to_sparse_pauli_op(terms: Mapping[SparsePauli, complex], num_qubits: int,
                       atol: float = 1e-12) -> SparsePauliOp:
    """Builds a ``SparsePauliOp`` from sparse Pauli terms, dropping negligible coefficients.

    Args:
        terms: sparse Pauli strings and their coefficients (distinct keys).
        num_qubits: width of the operator.
        atol: coefficients with modulus at most ``atol`` are dropped.

    Returns:
        The operator; the zero operator is returned as ``0 * I``.
    """
    kept = [(key, coeff) for key, coeff in terms.items() if abs(coeff) > atol]
    if not kept:
        return SparsePauliOp("I" * num_qubits, coeffs=[0.0])
    lengths = np.fromiter((len(key) for key, _ in kept), dtype=np.int64, count=len(kept))
    rows = np.repeat(np.arange(len(kept)), lengths)
    cols = np.fromiter((q for key, _ in kept for q, _ in key), dtype=np.int64, count=len(rows))
    codes = np.fromiter(
        (_LETTER_CODES[letter] for key, _ in kept for _, letter in key),
        dtype=np.int64,
        count=len(rows),
    )
    x = np.zeros((len(kept), num_qubits), dtype=bool)
    z = np.zeros((len(kept), num_qubits), dtype=bool)
    x[rows, cols] = codes != 2
    z[rows, cols] = codes != 0
    coeffs = np.fromiter((coeff for _, coeff in kept), dtype=complex, count=len(kept))
    # Qiskit's internal ZX-convention phase of a phase-free string is its number of Ys (mod 4);
    # setting it directly skips repeated Y counting over the whole n-qubit arrays.
    num_y = np.bincount(rows, weights=codes == 1, minlength=len(kept)).astype(int) % 4
    paulis = PauliList(BasePauli(z, x, num_y))
    return SparsePauliOp(paulis, coeffs=coeffs, ignore_pauli_phase=True, copy=False)


def sparse_from_pauli(pauli: Pauli) -> tuple[SparsePauli, complex]:
    """Splits a ``Pauli`` into its sparse string and its phase factor."""
    support = np.flatnonzero(pauli.x | pauli.z)
    key = tuple((int(q), _letter(bool(pauli.x[q]), bool(pauli.z[q]))) for q in support)
    return key, complex(_PHASE_FACTORS[pauli.phase % 4])


def pauli_from_sparse(key: SparsePauli, num_qubits: int) -> Pauli:
    """Builds a phase-free ``Pauli`` from a sparse string."""
    x = np.zeros(num_qubits, dtype=bool)
    z = np.zeros(num_qubits, dtype=bool)
    for qubit, letter in key:
        x[qubit] = letter != "Z"
        z[qubit] = letter != "X"
    return Pauli((z, x))


def _letter(x: bool, z: bool) -> str:
    if x and z:
        return "Y"
    return "X" if x else "Z"


def anticommutes(key: SparsePauli, other: Mapping[int, str]) -> bool:
    """Whether a sparse Pauli anticommutes with another given as ``{qubit: letter}``."""
    count = 0
    for qubit, letter in key:
        other_letter = other.get(qubit)
        if other_letter is not None and other_letter != letter:
            count += 1
    return count % 2 == 1


class PauliAction:
    """Conjugation ``P -> V P V†`` of sparse Pauli strings by one fixed Clifford ``V``."""

    def apply(self, key: SparsePauli) -> tuple[SparsePauli, int]:  # pragma: no cover - abstract
        """Returns the image of ``key`` and its sign (+1 or -1)."""
        raise NotImplementedError


@dataclass(frozen=True)
class MonomialAction(PauliAction):
    """A qubit permutation followed by one-qubit Cliffords: letters move and may flip sign.

    Attributes:
        targets: ``targets[i]`` is the qubit that qubit ``i`` is sent to; ``None`` = identity.
        letter_maps: for qubits whose letters change, ``{letter: (image_letter, sign)}``.
    """

    targets: tuple[int, ...] | None
    letter_maps: Mapping[int, Mapping[str, tuple[str, int]]] = field(default_factory=dict)

    def apply(self, key: SparsePauli) -> tuple[SparsePauli, int]:
        """Returns the image of ``key`` and its sign (+1 or -1)."""
        sign = 1
        targets = self.targets
        maps = self.letter_maps
        image: list[tuple[int, str]] = []
        for qubit, letter in key:
            local = maps.get(qubit)
            if local is not None:
                letter, local_sign = local[letter]
                sign *= local_sign
            image.append((qubit if targets is None else targets[qubit], letter))
        if targets is not None:
            image.sort()
        return tuple(image), sign


@dataclass(frozen=True)
class PermutationAction(PauliAction):
    """A qubit permutation: letters move, signs stay +1 (the hot path of spatial twirls).

    Attributes:
        targets: ``targets[i]`` is the qubit that qubit ``i`` is sent to.
    """

    targets: tuple[int, ...]

    def apply(self, key: SparsePauli) -> tuple[SparsePauli, int]:
        """Returns the image of ``key`` and its sign (always +1)."""
        targets = self.targets
        return tuple(sorted([(targets[qubit], letter) for qubit, letter in key])), 1


@dataclass(frozen=True)
class GeneralCliffordAction(PauliAction):
    """Conjugation by an arbitrary Clifford through its tableau (slow for wide circuits)."""

    clifford: Clifford

    def apply(self, key: SparsePauli) -> tuple[SparsePauli, int]:
        """Returns the image of ``key`` and its sign (+1 or -1)."""
        pauli = pauli_from_sparse(key, self.clifford.num_qubits)
        image, phase = sparse_from_pauli(pauli.evolve(self.clifford, frame="s"))
        return image, round(phase.real)


def permutation_action(perm: Sequence[int]) -> PermutationAction:
    """The action of the qubit permutation sending qubit ``i`` to ``perm[i]``."""
    return PermutationAction(targets=tuple(int(p) for p in perm))


def pauli_string_action(generator: Mapping[int, str]) -> MonomialAction:
    """The action of conjugation by a Pauli string given as ``{qubit: letter}``."""
    maps = {
        qubit: {other: (other, 1 if other == letter else -1) for other in _LETTERS}
        for qubit, letter in generator.items()
    }
    return MonomialAction(targets=None, letter_maps=maps)


def clifford_action(clifford: Clifford) -> PauliAction:
    """The fastest exact action of a Clifford: monomial when possible, tableau otherwise."""
    num_qubits = clifford.num_qubits
    images: dict[int, dict[str, tuple[int, str, int]]] = {}
    for qubit in range(num_qubits):
        images[qubit] = {}
        for letter in _LETTERS:
            image, phase = sparse_from_pauli(
                pauli_from_sparse(((qubit, letter),), num_qubits).evolve(clifford, frame="s")
            )
            if len(image) != 1:
                return GeneralCliffordAction(clifford)
            images[qubit][letter] = (image[0][0], image[0][1], round(phase.real))
    targets = tuple(images[q]["X"][0] for q in range(num_qubits))
    maps: dict[int, dict[str, tuple[str, int]]] = {}
    for qubit, local in images.items():
        if any(target != targets[qubit] for target, _, _ in local.values()):
            return GeneralCliffordAction(clifford)
        if any(image != letter or sign != 1 for letter, (_, image, sign) in local.items()):
            maps[qubit] = {letter: (image, sign) for letter, (_, image, sign) in local.items()}
    identity = targets == tuple(range(num_qubits))
    if not maps and not identity:
        return PermutationAction(targets)
    return MonomialAction(targets=None if identity else targets, letter_maps=maps)


def apply_action(terms: PauliDict, action: PauliAction) -> PauliDict:
    """Conjugates a Pauli sum by the Clifford of ``action``, string by string.

    Args:
        terms: sparse Pauli strings and their coefficients.
        action: the conjugation action of one Clifford.

    Returns:
        The image ``V (Σ c_P P) V†``; strings that land on the same image are summed.
    """
    image: PauliDict = {}
    for key, coeff in terms.items():
        new_key, sign = action.apply(key)
        image[new_key] = image.get(new_key, 0j) + sign * coeff
    return image


def coefficient_distance(left: Mapping[SparsePauli, complex],
                         right: Mapping[SparsePauli, complex]) -> float:
    """The Euclidean distance between the coefficient vectors of two Pauli sums.

    Args:
        left: sparse Pauli strings and their coefficients.
        right: the same for the other sum; a string missing from one side counts as zero.

    Returns:
        ``sqrt(Σ_P |left_P − right_P|²)``.
    """
    keys = set(left) | set(right)
    return math.sqrt(sum(abs(left.get(k, 0j) - right.get(k, 0j)) ** 2 for k in keys))


def permutation_clifford(perm: Sequence[int]) -> Clifford:
    """The Clifford ``V`` with ``V X_i V† = X_perm[i]`` and ``V Z_i V† = Z_perm[i]``."""
    num_qubits = len(perm)
    tableau = np.zeros((2 * num_qubits, 2 * num_qubits + 1), dtype=bool)
    for qubit, target in enumerate(perm):
        tableau[qubit, target] = True
        tableau[num_qubits + qubit, num_qubits + target] = True
    return Clifford(tableau, validate=False)


def pauli_clifford(generator: Mapping[int, str], num_qubits: int) -> Clifford:
    """The Clifford of conjugation by a Pauli string given as ``{qubit: letter}``."""
    key = tuple(sorted(generator.items()))
    return Clifford(pauli_from_sparse(key, num_qubits).to_instruction())
