"""Linear symmetry constraints on the circuit's parameters, in Pauli coordinates (DESIGN §3.3).

Block ``b`` is ``exp(-i A_b(θ)/2)`` with ``A_b = Σ_s a_{b,s}(θ) P_s``; the coordinates
``a_{b,s}`` are linear in the parameters: ``a = M θ`` with a sparse ``M`` (coordinates ×
parameters). A symmetry action ``L`` (a linear map on operators) is imposed by ``L(A_b) = 0``
for every block, which in coordinates is ``(L M) θ = 0``:

* a finite generator ``V``: ``L(A) = V A V† − A`` (permutations relabel qubits, Pauli strings
  flip the sign of anticommuting terms, other Cliffords go through their tableau);
* a Lie generator ``Q``: ``L(A) = [Q, A]``, whose coordinates are the imaginary parts of
  ``2 c_q (P_q P_s)`` over anticommuting pairs;
* time reversal: ``L(A) = A* + A``, i.e. ``a_s = 0`` for strings with an even number of ``Y``.

Everything is vectorized over all coordinates of all blocks at once (no ``2^n`` object and no
per-gate full-width tableau), so a 127-qubit circuit with thousands of gates takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from qiskit.quantum_info import Clifford, PauliList, SparsePauliOp

from qsympass.pruning.blocks import BlockStructure, cut_blocks
from qsympass.pruning.gates import GateItem
from qsympass.symmetry.group import SymmetryGroup


@dataclass(frozen=True)
class CoordinateSpace:
    """The Pauli coordinates of all blocks.

    Attributes:
        num_qubits: Circuit width.
        num_parameters: Number of circuit parameters (columns of ``matrix``).
        block: Block (level) of each coordinate, shape ``(U,)``.
        z: Z bits of each coordinate's Pauli string, shape ``(U, n)``.
        x: X bits, shape ``(U, n)``.
        matrix: ``M`` with ``a = M θ``, sparse ``(U, p)``.
        offsets: The coordinates of the angles' constant parts, shape ``(U,)``.
    """

    num_qubits: int
    num_parameters: int
    block: np.ndarray
    z: np.ndarray
    x: np.ndarray
    matrix: sp.csr_matrix
    offsets: np.ndarray

    @property
    def size(self) -> int:
        """The number of coordinates ``U``."""
        return int(self.block.size)


def coordinate_space(
    items: list[GateItem], structure: BlockStructure, num_qubits: int, num_parameters: int
) -> CoordinateSpace:
    """Collect the Pauli coordinates of every block and the map from parameters to them.

    Args:
        items: The ansatz's gates.
        structure: Their block structure.
        num_qubits: Circuit width.
        num_parameters: Number of circuit parameters.

    Returns:
        The :class:`CoordinateSpace`.
    """
    term_block: list[int] = []
    term_offset: list[float] = []
    bit_rows: list[int] = []
    bit_qubits: list[int] = []
    bit_codes: list[int] = []
    entry_terms: list[int] = []
    entry_cols: list[int] = []
    entry_vals: list[float] = []
    for level, members in structure.blocks.items():
        for index in members:
            item = items[index]
            for key, coeff in item.terms:
                term = len(term_block)
                term_block.append(level)
                term_offset.append(coeff * item.offset)
                for qubit, code in key:
                    bit_rows.append(term)
                    bit_qubits.append(qubit)
                    bit_codes.append(code)
                for parameter, c in item.coefficients:
                    entry_terms.append(term)
                    entry_cols.append(parameter)
                    entry_vals.append(coeff * c)
    z = np.zeros((len(term_block), num_qubits), dtype=bool)
    x = np.zeros((len(term_block), num_qubits), dtype=bool)
    codes = np.asarray(bit_codes, dtype=np.int64)
    x[bit_rows, bit_qubits] = (codes & 1).astype(bool)
    z[bit_rows, bit_qubits] = (codes & 2).astype(bool)
    block = np.asarray(term_block, dtype=np.int64)
    # equal strings in one block are one coordinate
    _, first, inverse = np.unique(string_keys(block, z, x), return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    offsets = np.bincount(inverse, weights=np.asarray(term_offset), minlength=first.size)
    matrix = sp.csr_matrix(
        (entry_vals, (inverse[np.asarray(entry_terms, dtype=np.int64)], entry_cols)),
        shape=(first.size, num_parameters),
    )
    matrix.sum_duplicates()
    return CoordinateSpace(
        num_qubits, num_parameters, block[first], z[first], x[first], matrix, offsets
    )


def string_keys(block: np.ndarray, z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Hashable, sortable keys of ``(block, Pauli string)`` rows.

    Args:
        block: Block of each row, shape ``(U,)``.
        z: Z bits, shape ``(U, n)``.
        x: X bits, shape ``(U, n)``.

    Returns:
        A 1-D array of fixed-size byte strings, one per row.
    """
    packed = np.packbits(np.concatenate([z, x], axis=1), axis=1)
    head = block.astype(">i8").view(np.uint8).reshape(-1, 8)
    raw = np.ascontiguousarray(np.concatenate([head, packed], axis=1))
    return raw.view(np.dtype((np.void, raw.shape[1]))).ravel()


def _image_operator(
    space: CoordinateSpace, z: np.ndarray, x: np.ndarray, signs: np.ndarray
) -> sp.csr_matrix:
    """``L`` for ``A -> V A V† − A`` when ``V P_u V† = signs[u] · P(z[u], x[u])``."""
    keys = np.concatenate(
        [string_keys(space.block, space.z, space.x), string_keys(space.block, z, x)]
    )
    _, rows = np.unique(keys, return_inverse=True)
    size = space.size
    columns = np.arange(size)
    operator = sp.csr_matrix(
        (
            np.concatenate([-np.ones(size), signs.astype(float)]),
            (rows.ravel(), np.concatenate([columns, columns])),
        ),
        shape=(int(rows.max(initial=-1)) + 1, size),
    )
    operator.sum_duplicates()
    operator.eliminate_zeros()
    return operator


def permutation_operator(space: CoordinateSpace, permutation: tuple[int, ...]) -> sp.csr_matrix:
    """``L`` of a qubit permutation (``perm[i] = j`` sends qubit ``i`` to ``j``).

    Args:
        space: The coordinates.
        permutation: The permutation.

    Returns:
        Sparse ``L`` (rows × coordinates).
    """
    perm = np.asarray(permutation, dtype=np.int64)
    z = np.empty_like(space.z)
    x = np.empty_like(space.x)
    z[:, perm] = space.z
    x[:, perm] = space.x
    return _image_operator(space, z, x, np.ones(space.size))


def pauli_operator(space: CoordinateSpace, z: np.ndarray, x: np.ndarray) -> sp.csr_matrix:
    """``L`` of conjugation by one Pauli string: the anticommuting coordinates must vanish.

    Args:
        space: The coordinates.
        z: Z bits of the Pauli string, shape ``(n,)``.
        x: X bits, shape ``(n,)``.

    Returns:
        Sparse ``L`` (one row per anticommuting coordinate).
    """
    anticommuting = np.flatnonzero(_symplectic(space, z[None, :], x[None, :])[0])
    return _selection(anticommuting, space.size)


def clifford_operator(space: CoordinateSpace, clifford: Clifford) -> sp.csr_matrix:
    """``L`` of conjugation by a general Clifford (through its tableau, all strings at once).

    Args:
        space: The coordinates.
        clifford: The Clifford ``V``.

    Returns:
        Sparse ``L``.
    """
    images = PauliList.from_symplectic(space.z, space.x).evolve(clifford, frame="s")
    signs = np.real((-1j) ** images.phase)
    return _image_operator(space, images.z, images.x, signs)


def lie_operator(space: CoordinateSpace, charge: SparsePauliOp) -> sp.csr_matrix:
    """``L`` of the commutator with a Hermitian Lie generator ``Q``.

    Args:
        space: The coordinates.
        charge: ``Q`` with real coefficients.

    Returns:
        Sparse ``L`` whose rows are the (real) coordinates of ``[Q, A] / i``.
    """
    qz = charge.paulis.z
    qx = charge.paulis.x
    coeffs = np.real(charge.coeffs)
    anticommuting = _symplectic(space, qz, qx)
    q_index, u_index = np.nonzero(anticommuting)
    if q_index.size == 0:
        return sp.csr_matrix((0, space.size))
    left = PauliList.from_symplectic(qz[q_index], qx[q_index])
    right = PauliList.from_symplectic(space.z[u_index], space.x[u_index])
    product = left.dot(right)
    # [P_q, P_u] = 2 P_q P_u = 2 (-i)^phase P_r for anticommuting pairs: purely imaginary.
    values = np.imag(2.0 * coeffs[q_index] * (-1j) ** product.phase)
    keys = string_keys(space.block[u_index], product.z, product.x)
    _, rows = np.unique(keys, return_inverse=True)
    operator = sp.csr_matrix(
        (values, (rows.ravel(), u_index)), shape=(int(rows.max()) + 1, space.size)
    )
    operator.sum_duplicates()
    operator.eliminate_zeros()
    return operator


def time_reversal_operator(space: CoordinateSpace) -> sp.csr_matrix:
    """``L`` of time reversal: coordinates of strings with an even number of ``Y`` vanish.

    Args:
        space: The coordinates.

    Returns:
        Sparse ``L``.
    """
    num_y = np.count_nonzero(space.z & space.x, axis=1)
    return _selection(np.flatnonzero(num_y % 2 == 0), space.size)


def _selection(indices: np.ndarray, size: int) -> sp.csr_matrix:
    return sp.csr_matrix(
        (np.ones(indices.size), (np.arange(indices.size), indices)), shape=(indices.size, size)
    )


def _symplectic(space: CoordinateSpace, z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Anticommutation of each given string (rows) with each coordinate (columns)."""
    # float32 matmul uses BLAS; counts are exact far beyond any qubit number we meet.
    counts = z.astype(np.float32) @ space.x.T.astype(np.float32)
    counts += x.astype(np.float32) @ space.z.T.astype(np.float32)
    return (counts.astype(np.int64) % 2).astype(bool)


def parameter_constraints(space: CoordinateSpace, operator: sp.csr_matrix) -> sp.csr_matrix:
    """The constraint rows ``L M`` on the parameters, without empty rows.

    Args:
        space: The coordinates.
        operator: ``L`` from one of the ``*_operator`` functions.

    Returns:
        Sparse ``C`` (rows × parameters).
    """
    constraints = (operator @ space.matrix).tocsr()
    constraints.eliminate_zeros()
    nonempty = np.flatnonzero(np.diff(constraints.indptr))
    return constraints[nonempty]


def offset_violation(space: CoordinateSpace, operator: sp.csr_matrix) -> float:
    """How much the angles' constant parts break the action (0 when they respect it).

    Args:
        space: The coordinates.
        operator: ``L`` from one of the ``*_operator`` functions.

    Returns:
        ``max |L a_offset|``.
    """
    if not np.any(space.offsets):
        return 0.0
    return float(np.max(np.abs(operator @ space.offsets), initial=0.0))


def group_operators(space: CoordinateSpace, group: SymmetryGroup) -> list[sp.csr_matrix]:
    """The operators ``L`` of every generator of a group (products: of every factor).

    Args:
        space: The coordinates.
        group: The symmetry group.

    Returns:
        One sparse ``L`` per generator.
    """
    operators: list[sp.csr_matrix] = []
    for factor in group.factors:
        kind = factor.kind
        if kind == "permutation" and factor.permutation_generators is not None:
            operators.extend(
                permutation_operator(space, perm) for perm in factor.permutation_generators
            )
        elif kind == "pauli" and factor.pauli_generators is not None:
            operators.extend(
                pauli_operator(space, pauli.z, pauli.x) for pauli in factor.pauli_generators
            )
        elif kind == "time_reversal":
            operators.append(time_reversal_operator(space))
        elif kind in ("u1", "su2"):
            operators.extend(lie_operator(space, q) for q in factor.lie_generators)
        else:
            operators.extend(clifford_operator(space, c) for c in factor.clifford_generators)
    return operators


def group_constraints(space: CoordinateSpace, group: SymmetryGroup) -> sp.csr_matrix:
    """The stacked parameter constraints ``C θ = 0`` that make every block symmetric.

    Args:
        space: The coordinates.
        group: The symmetry group.

    Returns:
        Sparse ``C`` (rows × parameters).
    """
    blocks = [parameter_constraints(space, op) for op in group_operators(space, group)]
    if not blocks:
        return sp.csr_matrix((0, space.num_parameters))
    return sp.vstack(blocks, format="csr")


@dataclass
class ConstraintSystem:
    """The constraints of every family on the blocks of the gates that survive a removal.

    Removing the gates a symmetry forbids can change how the remaining gates fall into blocks
    (a chain of non-commuting gates staggers the levels of everything around it); the blocks of
    the survivors are cut again and their constraints computed once per removed set.

    Attributes:
        items: The ansatz's gates.
        num_qubits: Circuit width.
        num_parameters: Number of circuit parameters.
        groups: Family name -> the group imposed for it.
        whole_circuit: :func:`coordinate_space` of all the items (no gate removed).
    """

    items: list[GateItem]
    num_qubits: int
    num_parameters: int
    groups: Mapping[str, SymmetryGroup]
    whole_circuit: CoordinateSpace
    _cache: dict[frozenset[int], tuple[CoordinateSpace, dict[str, sp.csr_matrix]]] = field(
        init=False, default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self._cache[frozenset()] = (
            self.whole_circuit, self._family_constraints(self.whole_circuit)
        )

    def survivors(
        self, removed: frozenset[int]
    ) -> tuple[CoordinateSpace, dict[str, sp.csr_matrix]]:
        """The coordinates of the surviving gates' blocks and every family's constraints there.

        Args:
            removed: Indices of the removed items.

        Returns:
            The coordinate space and ``family -> C_f`` (rows × parameters).
        """
        cached = self._cache.get(removed)
        if cached is None:
            kept = [item for index, item in enumerate(self.items) if index not in removed]
            structure = cut_blocks(kept, self.num_qubits)
            space = coordinate_space(kept, structure, self.num_qubits, self.num_parameters)
            cached = self._cache[removed] = (space, self._family_constraints(space))
        return cached

    def _family_constraints(self, space: CoordinateSpace) -> dict[str, sp.csr_matrix]:
        return {name: group_constraints(space, group) for name, group in self.groups.items()}
