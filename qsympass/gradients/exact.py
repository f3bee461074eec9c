"""Exact energies and gradients of ``⟨ψ0|U(θ)† H U(θ)|ψ0⟩`` by adjoint differentiation.

The circuit is compiled once into a short list of state-vector kernels:

* **window blocks** — the qubits are cut into windows of a few neighbouring qubits (the whole
  register when it is small). Consecutive gates that stay inside one window (single-qubit
  rotations and gates, in-window rotations) are fused into one ``2^k × 2^k`` unitary per window,
  applied with one matrix product over the state. Gates on other windows commute with them, so
  a layer of single-qubit rotations becomes one product per window;
* **monomial maps** — runs of fixed gates that map basis states to basis states up to a phase
  (CX, CZ, SWAP, X, ... — a CX ring is a classical reversible map) are fused into one index
  permutation and phase vector, applied with one ``np.take``;
* **cross-window rotations** — ``exp(-i a G / 2)`` with commuting Pauli terms, applied term by
  term as ``cos(a c/2) ψ - i sin(a c/2) P ψ`` (``P ψ`` is an axis flip times a phase); generators
  with non-commuting terms use the eigendecomposition of ``G``;
* other fixed gates use their matrix, entry by entry on strided views.

The gradient is the adjoint method: one forward pass, then one backward pass that un-applies the
kernels to the stacked pair ``(φ, λ)`` (``λ = H ψ`` propagated backwards). A rotation reads
``∂E/∂a_g = Im⟨λ_g| G_g |φ_g⟩``. Inside a window block this is ``Im Tr(S_g G_g S_g† ρ)`` with
``S_g`` the product of the block's later gates and ``ρ = Tr_rest |φ⟩⟨λ|`` the window's
``2^k × 2^k`` cross matrix at the block's output, read once per block. Angles
``a_g = c_g + Σ_j A_gj φ_j`` give ``∂E/∂φ = (∂E/∂a) A`` (tied parameters and linear
expressions). Every kernel is batched over parameter sets and over input states (the rows of
``initial_state``), which share the parameters.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import scipy.sparse
from qiskit.circuit import CircuitInstruction, Gate, QuantumCircuit
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

from qsympass.circuits import (
    IGNORED_INSTRUCTIONS,
    RotationGenerator,
    affine_coefficients,
    fixed_rotation_generator,
    generators_commute,
    rotation_generator,
    to_rotation_basis,
    validate_ansatz,
)

__all__ = ["ExactEngine"]

_PHASES = {"I": (1.0, 1.0), "X": (1.0, 1.0), "Y": (-1j, 1j), "Z": (1.0, -1.0)}
#: Width of a window block on registers wider than it (2^4 × 2^4 products are BLAS-efficient).
_WINDOW_WIDTH = 4
#: Registers up to this width are one window: the whole circuit becomes one block.
_SINGLE_WINDOW_MAX = 4
_ATOL = 1e-12
#: Window-block element matrices up to this size are kept from the forward to the backward pass.
_MEMO_BYTES = 1 << 25


@dataclass(frozen=True)
class _View:
    """A reshape of the state ``(B, 2**n)`` that exposes the gate's qubits as axes of size 2."""

    shape: tuple[int, ...]  # without the batch axis
    axes: dict[int, int]  # circuit qubit -> axis in the view (batch axis is 0)

    @classmethod
    def for_qubits(cls, qubits: tuple[int, ...], num_qubits: int) -> _View:
        support = set(qubits)
        shape: list[int] = []
        axes: dict[int, int] = {}
        run = 1
        for qubit in range(num_qubits - 1, -1, -1):  # most significant qubit first
            if qubit in support:
                if run > 1:
                    shape.append(run)
                    run = 1
                axes[qubit] = len(shape) + 1
                shape.append(2)
            else:
                run *= 2
        if run > 1:
            shape.append(run)
        return cls(tuple(shape), axes)

    def of(self, state: np.ndarray) -> np.ndarray:
        return state.reshape((state.shape[0], *self.shape))

    def basis_index(self, qubits: tuple[int, ...], local: int) -> tuple[slice | int, ...]:
        """Index of the sub-tensor where local basis state ``local`` sits on ``qubits``."""
        index: list[slice | int] = [slice(None)] * (len(self.shape) + 1)
        for position, qubit in enumerate(qubits):
            index[self.axes[qubit]] = (local >> position) & 1
        return tuple(index)

    def broadcast(self, values: np.ndarray) -> np.ndarray:
        """Shape a per-batch vector ``(B,)`` to broadcast against the view."""
        return values.reshape((-1,) + (1,) * len(self.shape))


@dataclass(frozen=True)
class _PauliTerm:
    """``P ψ = phase ⊙ ψ[flip]`` on a view."""

    flip: tuple[slice, ...] | None  # None when P is diagonal
    phase: np.ndarray | None  # broadcastable, None when all ones

    @classmethod
    def build(cls, label: str, qubits: tuple[int, ...], view: _View) -> _PauliTerm:
        ndim = len(view.shape) + 1
        flip = [slice(None)] * ndim
        phase_shape = [1] * ndim
        phase = np.ones(1, dtype=complex).reshape(phase_shape)
        flipped = False
        for position, letter in enumerate(reversed(label)):
            axis = view.axes[qubits[position]]
            if letter in "XY":
                flip[axis] = slice(None, None, -1)
                flipped = True
            if letter in "YZ":
                shape = [1] * ndim
                shape[axis] = 2
                phase = phase * np.array(_PHASES[letter], dtype=complex).reshape(shape)
        trivial = np.all(phase == 1)
        return cls(tuple(flip) if flipped else None, None if trivial else phase)

    def apply(self, tensor: np.ndarray) -> np.ndarray:
        moved = tensor if self.flip is None else tensor[self.flip]
        return moved.copy() if self.phase is None else moved * self.phase


@dataclass(frozen=True)
class _PauliRotation:
    """``Π_j exp(-i a c_j P_j / 2)`` for commuting ``P_j``; ``a`` is column ``angle`` of angles."""

    view: _View
    terms: tuple[_PauliTerm, ...]
    coefficients: np.ndarray  # c_j
    angle: int  # column in the angle matrix

    def apply(self, state: np.ndarray, angles: np.ndarray) -> np.ndarray:
        tensor = self.view.of(state)
        for term, coefficient in zip(self.terms, self.coefficients, strict=True):
            half = 0.5 * coefficient * angles[:, self.angle]
            cos = self.view.broadcast(np.cos(half))
            sin = self.view.broadcast(np.sin(half))
            if term.flip is None:
                phase = 1.0 if term.phase is None else term.phase
                tensor = tensor * (cos - 1j * sin * phase)
                continue
            kick = -1j * sin if term.phase is None else -1j * sin * term.phase
            out = tensor * cos
            out += tensor[term.flip] * kick
            tensor = out
        return tensor.reshape(state.shape)

    def apply_generator(self, state: np.ndarray) -> np.ndarray:
        tensor = self.view.of(state)
        total: np.ndarray | None = None
        for term, coefficient in zip(self.terms, self.coefficients, strict=True):
            image = term.apply(tensor)
            if coefficient != 1.0:
                image *= coefficient
            total = image if total is None else total + image
        assert total is not None
        return total.reshape(state.shape)


def _apply_matrix(
    state: np.ndarray, matrix: np.ndarray, qubits: tuple[int, ...], view: _View
) -> np.ndarray:
    """Apply ``matrix`` (``(d, d)`` or batched ``(B, d, d)``) on ``qubits`` entry by entry."""
    tensor = view.of(state)
    out = np.empty_like(tensor)
    batched = matrix.ndim == 3
    dim = matrix.shape[-1]
    indices = [view.basis_index(qubits, local) for local in range(dim)]
    for row in range(dim):
        target = out[indices[row]]
        written = False
        for column in range(dim):
            entry = matrix[:, row, column] if batched else matrix[row, column]
            if not batched and entry == 0:
                continue
            source = tensor[indices[column]]
            if batched:
                entry = entry.reshape((-1,) + (1,) * (source.ndim - 1))
            if not written:
                if not batched and entry == 1:
                    np.copyto(target, source)
                else:
                    np.multiply(source, entry, out=target)
                written = True
            else:
                target += source * entry
        if not written:
            target[...] = 0
    return out.reshape(state.shape)


@dataclass(frozen=True)
class _FixedGate:
    view: _View
    qubits: tuple[int, ...]
    matrix: np.ndarray
    adjoint: np.ndarray

    def apply(self, state: np.ndarray, inverse: bool = False) -> np.ndarray:
        matrix = self.adjoint if inverse else self.matrix
        return _apply_matrix(state, matrix, self.qubits, self.view)


@dataclass(frozen=True)
class _DenseRotation:
    """``exp(-i a G / 2)`` for a generator with non-commuting terms, via ``G = V Λ V†``."""

    view: _View
    qubits: tuple[int, ...]
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    generator: np.ndarray
    angle: int

    def apply(self, state: np.ndarray, angles: np.ndarray) -> np.ndarray:
        phases = np.exp(-0.5j * np.outer(angles[:, self.angle], self.eigenvalues))
        vectors = self.eigenvectors
        unitaries = np.einsum("ij,bj,kj->bik", vectors, phases, vectors.conj())
        return _apply_matrix(state, unitaries, self.qubits, self.view)

    def apply_generator(self, state: np.ndarray) -> np.ndarray:
        return _apply_matrix(state, self.generator, self.qubits, self.view)




@cache
def _blas_controller() -> object | None:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional: without it BLAS keeps its own thread setting
        return None
    return ThreadpoolController()


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """Run BLAS on one thread: the products here are skinny (inner size ≤ 2^4), and BLAS
    threads gain nothing on them but stall for whole time slices on a busy machine."""
    controller = _blas_controller()
    if controller is None:
        yield
        return
    with controller.limit(limits=1, user_api="blas"):  # type: ignore[attr-defined]
        yield


def _inner(bra: np.ndarray, ket: np.ndarray) -> np.ndarray:
    """Row-wise ``⟨bra|ket⟩`` in one pass, without BLAS (its threads stall on busy machines)."""
    return np.vecdot(bra, ket)


@dataclass(frozen=True)
class _Angles:
    """Rotation angles of one call: per parameter set and per state row.

    Attributes:
        sets: ``(B, A)``, one row per parameter set.
        rows: ``(B m, A)``, one row per state row (parameter set major, input state minor).
        inverse_pairs: ``(2 B m, A)``, minus ``rows`` twice: un-applies gates to ``(φ, λ)``.
        memo: Per-call cache of window-block element matrices (forward pass -> backward pass).
    """

    sets: np.ndarray
    rows: np.ndarray
    inverse_pairs: np.ndarray
    memo: dict[int, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, sets: np.ndarray, num_states: int) -> _Angles:
        rows = np.repeat(sets, num_states, axis=0) if num_states > 1 else sets
        return cls(sets, rows, -np.concatenate([rows, rows]))


@dataclass(frozen=True)
class _RotationKernel:
    """A rotation across windows: ``∂E/∂a = Im⟨λ|G|φ⟩`` read before un-applying it."""

    rotation: _PauliRotation | _DenseRotation

    def forward(self, state: np.ndarray, angles: _Angles) -> np.ndarray:
        return self.rotation.apply(state, angles.rows)

    def backward(
        self, pair: np.ndarray, angles: _Angles, gradient: np.ndarray, unapply: bool
    ) -> np.ndarray:
        rows = pair.shape[0] // 2
        image = self.rotation.apply_generator(pair[:rows])
        gradient[:, self.rotation.angle] += _inner(pair[rows:], image).imag
        return self.rotation.apply(pair, angles.inverse_pairs) if unapply else pair


@dataclass(frozen=True)
class _FixedKernel:
    """A fixed gate across windows that is not monomial (applied by its matrix)."""

    gate: _FixedGate

    def forward(self, state: np.ndarray, angles: _Angles) -> np.ndarray:
        return self.gate.apply(state)

    def backward(
        self, pair: np.ndarray, angles: _Angles, gradient: np.ndarray, unapply: bool
    ) -> np.ndarray:
        return self.gate.apply(pair, inverse=True) if unapply else pair


@dataclass(frozen=True)
class _MonomialMap:
    """``ψ'[i] = phase[i] ψ[source[i]]``: a fused run of fixed gates that permute basis states.

    Attributes:
        source: Index permutation, ``intp`` so that ``np.take`` uses it without conversion.
        phase: Unit-modulus phases, ``None`` when all ones (CX, SWAP, X chains).
    """

    source: np.ndarray
    phase: np.ndarray | None
    inverse_source: np.ndarray = field(init=False)
    inverse_phase: np.ndarray | None = field(init=False)

    def __post_init__(self) -> None:
        inverse = np.empty_like(self.source)
        inverse[self.source] = np.arange(self.source.size, dtype=np.intp)
        object.__setattr__(self, "inverse_source", inverse)
        inverse_phase = None if self.phase is None else self.phase.conj()[inverse]
        object.__setattr__(self, "inverse_phase", inverse_phase)

    @classmethod
    def identity(cls, num_qubits: int) -> _MonomialMap:
        return cls(np.arange(2**num_qubits, dtype=np.intp), None)

    def then(self, matrix: np.ndarray, qubits: tuple[int, ...]) -> _MonomialMap:
        """This map followed by the monomial ``matrix`` on ``qubits``."""
        index = np.arange(self.source.size, dtype=np.intp)
        local = np.zeros_like(index)
        mask = 0
        for position, qubit in enumerate(qubits):
            local |= ((index >> qubit) & 1) << position
            mask |= 1 << qubit
        column_of = np.abs(matrix).argmax(axis=1)
        columns = column_of[local]
        gate_source = index & ~mask
        for position, qubit in enumerate(qubits):
            gate_source |= ((columns >> position) & 1) << qubit
        factors = matrix[local, columns]
        phase = factors if self.phase is None else factors * self.phase[gate_source]
        trivial = bool(np.all(np.abs(phase - 1) < _ATOL))
        return _MonomialMap(self.source[gate_source], None if trivial else phase)

    def forward(self, state: np.ndarray, angles: _Angles) -> np.ndarray:
        out = np.take(state, self.source, axis=1)
        if self.phase is not None:
            out *= self.phase
        return out

    def backward(
        self, pair: np.ndarray, angles: _Angles, gradient: np.ndarray, unapply: bool
    ) -> np.ndarray:
        if not unapply:
            return pair
        out = np.take(pair, self.inverse_source, axis=1)
        if self.inverse_phase is not None:
            out *= self.inverse_phase
        return out


def _is_monomial(matrix: np.ndarray) -> bool:
    """One unit-modulus entry per row and per column (a permutation times phases)."""
    nonzero = np.abs(matrix) > 1e-10
    return bool(
        np.all(nonzero.sum(axis=0) == 1)
        and np.all(nonzero.sum(axis=1) == 1)
        and np.allclose(np.abs(matrix[nonzero]), 1.0)
    )


@dataclass(frozen=True)
class _WindowBlock:
    """Gates inside one window of qubits ``[low, low + width)``, fused into one unitary.

    The elements are applied in order; ``fixed`` holds the fixed ones (identity where a rotation
    sits), the rotations ``exp(-i a G / 2)`` are filled in per call: ``cos·I − i sin·G/s`` when
    ``G² = s² I`` (Pauli strings), ``V e^{-i a Λ/2} V†`` otherwise.
    """

    low: int
    width: int
    num_qubits: int
    fixed: np.ndarray  # (q, K, K)
    positions: np.ndarray  # (r,) positions of the rotations among the elements
    columns: np.ndarray  # (r,) angle columns of the rotations
    generators: np.ndarray  # (r, K, K)
    involutory: np.ndarray  # (r,) bool
    scales: np.ndarray  # (r_inv,) s with G² = s² I
    unit_generators: np.ndarray  # (r_inv, K, K) −i G / s
    eigenvalues: np.ndarray  # (r − r_inv, K)
    eigenvectors: np.ndarray  # (r − r_inv, K, K)

    @classmethod
    def build(
        cls,
        low: int,
        width: int,
        num_qubits: int,
        elements: list[tuple[np.ndarray, int | None]],
    ) -> _WindowBlock:
        """Block of ``elements``: ``(matrix, None)`` for a fixed gate, ``(G, column)`` else."""
        dim = 2**width
        fixed = np.array([np.eye(dim) if column is not None else matrix
                          for matrix, column in elements], dtype=complex)
        positions = np.array([k for k, (_, c) in enumerate(elements) if c is not None], dtype=int)
        columns = np.array([c for _, c in elements if c is not None], dtype=int)
        generators = np.array(
            [matrix for matrix, c in elements if c is not None], dtype=complex
        ).reshape(-1, dim, dim)
        squares = generators @ generators
        scale_sq = np.trace(squares, axis1=1, axis2=2).real / dim
        involutory = (scale_sq > _ATOL) & np.all(
            np.abs(squares - scale_sq[:, None, None] * np.eye(dim)) < 1e-10, axis=(1, 2)
        )
        scales = np.sqrt(scale_sq[involutory])
        unit = -1j * generators[involutory] / scales[:, None, None]
        eigenvalues, eigenvectors = np.linalg.eigh(generators[~involutory])
        return cls(low, width, num_qubits, fixed, positions, columns, generators, involutory,
                   scales, unit, eigenvalues, eigenvectors)

    # -- unitaries -------------------------------------------------------------------------------
    def _elements(self, angles: _Angles) -> np.ndarray:
        """All element matrices for each parameter set, shape ``(B, q, K, K)`` (memoised)."""
        cached = angles.memo.get(id(self))
        if cached is not None:
            return cached
        sets = angles.sets
        batch = sets.shape[0]
        out = np.empty((batch, *self.fixed.shape), dtype=complex)
        only_pauli_rotations = self.positions.size == self.fixed.shape[0] and self.involutory.all()
        if not only_pauli_rotations:
            out[:] = self.fixed
        if self.involutory.any():
            half = 0.5 * sets[:, self.columns[self.involutory]] * self.scales
            diagonal = np.arange(self.fixed.shape[-1])
            if only_pauli_rotations:
                sines = np.sin(half)[..., None, None]
                rotations = np.multiply(sines, self.unit_generators, out=out)
            else:
                rotations = np.sin(half)[..., None, None] * self.unit_generators
            rotations[..., diagonal, diagonal] += np.cos(half)[..., None]
            if not only_pauli_rotations:
                out[:, self.positions[self.involutory]] = rotations
        if not self.involutory.all():
            general = ~self.involutory
            phases = np.exp(-0.5j * sets[:, self.columns[general], None] * self.eigenvalues)
            vectors = self.eigenvectors
            out[:, self.positions[general]] = np.einsum(
                "kij,bkj,klj->bkil", vectors, phases, vectors.conj()
            )
        if out.nbytes <= _MEMO_BYTES:
            angles.memo[id(self)] = out
        return out

    def _unitary(self, elements: np.ndarray) -> np.ndarray:
        """``M_{q-1} ⋯ M_0`` by pairwise products (log-depth, a few batched calls)."""
        matrices = elements
        while matrices.shape[1] > 1:
            tail = matrices[:, -1:] if matrices.shape[1] % 2 else None
            even = matrices[:, : matrices.shape[1] - (tail is not None)]
            matrices = even[:, 1::2] @ even[:, 0::2]
            if tail is not None:
                matrices = np.concatenate([matrices, tail], axis=1)
        return matrices[:, 0]

    # -- state products --------------------------------------------------------------------------
    def _apply(self, state: np.ndarray, unitaries: np.ndarray, groups: int) -> np.ndarray:
        """``U_b`` on the window of every row; rows are ``(groups, B, m)``, ``U`` ``(B, K, K)``."""
        batch, dim = unitaries.shape[0], unitaries.shape[-1]
        if self.low == 0:
            tensor = state.reshape(groups, batch, -1, dim)
            out = np.matmul(tensor, unitaries.swapaxes(-1, -2)[None])
        else:
            tensor = state.reshape(groups, batch, -1, dim, 2**self.low)
            out = np.matmul(unitaries[None, :, None], tensor)
        return out.reshape(state.shape)

    def _cross(self, phi: np.ndarray, lam: np.ndarray, batch: int) -> np.ndarray:
        """``ρ[a, c] = Σ_rest φ[a] conj(λ[c])`` on the window, shape ``(B, m, K, K)``."""
        dim = 2**self.width
        states = phi.shape[0] // batch
        if self.low == 0:
            left = phi.reshape(batch, states, -1, dim)
            right = lam.reshape(batch, states, -1, dim).conj()
            return np.matmul(left.swapaxes(-1, -2), right)
        left = phi.reshape(batch, states, -1, dim, 2**self.low)
        right = lam.reshape(batch, states, -1, dim, 2**self.low).conj()
        return np.matmul(left, right.swapaxes(-1, -2)).sum(axis=2)

    def forward(self, state: np.ndarray, angles: _Angles) -> np.ndarray:
        return self._apply(state, self._unitary(self._elements(angles)), 1)

    def backward(
        self, pair: np.ndarray, angles: _Angles, gradient: np.ndarray, unapply: bool
    ) -> np.ndarray:
        elements = self._elements(angles)
        if self.width == self.num_qubits:
            return self._backward_states(pair, elements, gradient, unapply)
        batch, count, dim = elements.shape[0], elements.shape[1], elements.shape[-1]
        suffixes = np.empty((batch, self.positions.size, dim, dim), dtype=complex)
        suffix = np.broadcast_to(np.eye(dim, dtype=complex), (batch, dim, dim))
        rotation = self.positions.size - 1
        for position in range(count - 1, -1, -1):
            if rotation >= 0 and self.positions[rotation] == position:
                suffixes[:, rotation] = suffix
                rotation -= 1
            suffix = suffix @ elements[:, position]
        if self.positions.size:
            rows = pair.shape[0] // 2
            cross = self._cross(pair[:rows], pair[rows:], batch)
            # ∂E/∂a_g = Im Tr(S_g G_g S_g† ρ): one product over all rotations and input states.
            heisenberg = suffixes @ self.generators @ suffixes.conj().swapaxes(-1, -2)
            flat_cross = cross.swapaxes(-1, -2).reshape(batch, -1, dim * dim)
            flat_heisenberg = heisenberg.reshape(batch, -1, dim * dim).swapaxes(-1, -2)
            gradient[:, self.columns] += np.matmul(flat_cross, flat_heisenberg).imag.reshape(
                rows, -1
            )
        if not unapply:
            return pair
        return self._apply(pair, suffix.conj().swapaxes(-1, -2), 2)

    def _backward_states(
        self, pair: np.ndarray, elements: np.ndarray, gradient: np.ndarray, unapply: bool
    ) -> np.ndarray:
        """Backward sweep of a whole-register block on its (small) states, in chunks.

        A gate-by-gate sweep costs one tiny product per gate, dominated by call overhead. Here
        the ``q`` gates are cut into chunks of ``c ≈ √(q/2)``: the chunk products are batched
        over chunks, the sweep steps chunk by chunk, and the states inside the chunks follow in
        ``c`` batched products. States are row vectors, so ``M†`` acts as ``x @ conj(M)``.
        """
        batch, count, dim = elements.shape[0], elements.shape[1], elements.shape[-1]
        size = max(1, round(np.sqrt(count / 2)))
        chunks = -(-count // size)
        pad = chunks * size - count
        conj = np.empty((batch, chunks * size, dim, dim), dtype=complex)
        conj[:, :pad] = np.eye(dim)
        np.conjugate(elements, out=conj[:, pad:])
        conj = conj.reshape(batch, chunks, size, dim, dim)
        inverse_chunks = conj[:, :, size - 1]
        for offset in range(size - 2, -1, -1):
            inverse_chunks = inverse_chunks @ conj[:, :, offset]
        rows = pair.shape[0] // 2
        states = pair.reshape(2, batch, -1, dim).transpose(1, 0, 2, 3).reshape(batch, -1, dim)
        sweep = np.empty((batch, chunks, size, *states.shape[1:]), dtype=complex)
        for chunk in range(chunks - 1, -1, -1):
            sweep[:, chunk, size - 1] = states
            if chunk or unapply:
                states = states @ inverse_chunks[:, chunk]
        for offset in range(size - 1, 0, -1):
            np.matmul(sweep[:, :, offset], conj[:, :, offset], out=sweep[:, :, offset - 1])
        if self.positions.size:
            saved = sweep.reshape(batch, chunks * size, 2, -1, dim)[:, self.positions + pad]
            images = np.matmul(saved[:, :, 0], self.generators.swapaxes(-1, -2))
            values = np.vecdot(saved[:, :, 1], images).imag  # (B, r, m)
            gradient[:, self.columns] += values.swapaxes(1, 2).reshape(rows, -1)
        if not unapply:
            return pair
        return states.reshape(batch, 2, -1, dim).transpose(1, 0, 2, 3).reshape(pair.shape)


_Kernel = _WindowBlock | _MonomialMap | _RotationKernel | _FixedKernel


def _rotation_kernel(rotation: RotationGenerator, column: int, num_qubits: int) -> _RotationKernel:
    view = _View.for_qubits(rotation.qubits, num_qubits)
    generator = rotation.generator
    if generators_commute(generator):
        terms = tuple(
            _PauliTerm.build(label, rotation.qubits, view) for label in generator.paulis.to_labels()
        )
        return _RotationKernel(_PauliRotation(view, terms, generator.coeffs.real.copy(), column))
    matrix = generator.to_matrix()
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return _RotationKernel(
        _DenseRotation(view, rotation.qubits, eigenvalues, eigenvectors, matrix, column)
    )


def _gate_matrix(gate: Gate) -> np.ndarray:
    matrix = Operator(gate).data
    return np.where(np.abs(matrix) < 1e-15, 0, matrix)


def _embedded(matrix: np.ndarray, qubits: tuple[int, ...], low: int, width: int) -> np.ndarray:
    """``matrix`` on ``qubits`` (little-endian local order) as a ``2^width`` window matrix."""
    arity = len(qubits)
    # Axes of the window tensor are the window qubits, most significant first.
    tensor = matrix.reshape((2,) * (2 * arity))
    out_axes = [width - 1 - (q - low) for q in reversed(qubits)]
    identity = np.eye(2**width, dtype=complex).reshape((2,) * (2 * width))
    rows = [width - 1 - (q - low) for q in reversed(qubits)]
    gate_in = list(range(arity, 2 * arity))
    result = np.tensordot(tensor, identity, axes=(gate_in, rows))
    # tensordot puts the gate's output axes first; move them back to the window positions.
    result = np.moveaxis(result, list(range(arity)), out_axes)
    return result.reshape(2**width, 2**width)


class _Compiler:
    """Schedules a circuit into kernels (see the module docstring).

    An open block per window collects in-window gates; it is emitted before the next gate that
    touches its window. A monomial fixed gate across windows emits all open blocks first, so a
    run of them (a CX ring) stays contiguous and becomes one :class:`_MonomialMap`.
    """

    def __init__(self, num_qubits: int, num_parameters: int, column_of: dict) -> None:
        self.num_qubits = num_qubits
        self.width = num_qubits if num_qubits <= _SINGLE_WINDOW_MAX else _WINDOW_WIDTH
        self.num_parameters = num_parameters
        self.column_of = column_of
        self.kernels: list[_Kernel] = []
        self.open: dict[int, list[tuple[np.ndarray, int | None]]] = {}
        self.pending: _MonomialMap | None = None
        self.rows: list[np.ndarray] = []
        self.offsets: list[float] = []

    def window(self, qubits: tuple[int, ...]) -> int | None:
        windows = {qubit // self.width for qubit in qubits}
        return windows.pop() if len(windows) == 1 else None

    def _window_bounds(self, window: int) -> tuple[int, int]:
        low = window * self.width
        return low, min(self.width, self.num_qubits - low)

    def _emit_pending(self) -> None:
        if self.pending is not None:
            self.kernels.append(self.pending)
            self.pending = None

    def _flush(self, windows: set[int] | None = None) -> None:
        for window in sorted(self.open if windows is None else windows & set(self.open)):
            low, width = self._window_bounds(window)
            elements = self.open.pop(window)
            self.kernels.append(_WindowBlock.build(low, width, self.num_qubits, elements))

    def _column(self, rotation: RotationGenerator) -> int:
        offset, coefficients = affine_coefficients(rotation.angle)
        row = np.zeros(self.num_parameters)
        for parameter, coefficient in coefficients.items():
            row[self.column_of[parameter]] += coefficient
        self.rows.append(row)
        self.offsets.append(offset)
        return len(self.rows) - 1

    def add(self, instruction: CircuitInstruction, circuit: QuantumCircuit) -> None:
        operation = instruction.operation
        if operation.name in IGNORED_INSTRUCTIONS:
            return
        qubits = tuple(circuit.find_bit(q).index for q in instruction.qubits)
        rotation = rotation_generator(instruction, circuit)
        window = self.window(qubits)
        if rotation is not None:
            if window is not None:
                low, width = self._window_bounds(window)
                matrix = _embedded(rotation.generator.to_matrix(), qubits, low, width)
                self._add_to_window(window, (matrix, self._column(rotation)))
                return
            self._emit_pending()
            self._flush({q // self.width for q in qubits})
            self.kernels.append(_rotation_kernel(rotation, self._column(rotation), self.num_qubits))
            return
        matrix = _gate_matrix(operation)
        single_window = self.width == self.num_qubits
        if len(qubits) > 1 and not single_window and _is_monomial(matrix):
            self._flush()
            base = self.pending or _MonomialMap.identity(self.num_qubits)
            self.pending = base.then(matrix, qubits)
            return
        if window is not None:
            low, width = self._window_bounds(window)
            self._add_to_window(window, (_embedded(matrix, qubits, low, width), None))
            return
        self._emit_pending()
        self._flush({q // self.width for q in qubits})
        bound = fixed_rotation_generator(instruction, circuit)
        if bound is not None:
            self.kernels.append(_rotation_kernel(bound, self._column(bound), self.num_qubits))
            return
        view = _View.for_qubits(qubits, self.num_qubits)
        fixed = _FixedGate(view, qubits, matrix, matrix.conj().T.copy())
        self.kernels.append(_FixedKernel(fixed))

    def _add_to_window(self, window: int, element: tuple[np.ndarray, int | None]) -> None:
        self._emit_pending()
        self.open.setdefault(window, []).append(element)

    def finish(self) -> tuple[tuple[_Kernel, ...], np.ndarray, np.ndarray]:
        self._emit_pending()
        self._flush()
        angle_map = np.array(self.rows).reshape(len(self.rows), self.num_parameters)
        return tuple(self.kernels), angle_map, np.array(self.offsets)


def _trainable(kernel: _Kernel, angle_map: np.ndarray) -> bool:
    if isinstance(kernel, _WindowBlock):
        return bool(angle_map[kernel.columns].any())
    if isinstance(kernel, _RotationKernel):
        return bool(angle_map[kernel.rotation.angle].any())
    return False


def _observable_matrix(observable: SparsePauliOp, num_qubits: int) -> scipy.sparse.csr_matrix:
    if not isinstance(observable, SparsePauliOp):
        raise ValueError(f"observable must be a SparsePauliOp, got {type(observable).__name__}")
    if observable.num_qubits != num_qubits:
        raise ValueError(
            f"observable acts on {observable.num_qubits} qubits but the circuit has {num_qubits}"
        )
    if observable.coeffs.dtype == object:
        raise ValueError("observable has parameterized coefficients; bind them first")
    simplified = observable.simplify()
    if np.abs(simplified.coeffs.imag).max(initial=0.0) > 1e-12:
        raise ValueError("observable is not Hermitian (it has complex Pauli coefficients)")
    return scipy.sparse.csr_matrix(simplified.to_matrix(sparse=True))


def _initial_states(
    initial_state: Statevector | np.ndarray | None, num_qubits: int
) -> tuple[np.ndarray, bool]:
    """Initial states as rows ``(m, 2^n)`` and whether they were given as a batch."""
    dimension = 2**num_qubits
    if initial_state is None:
        state = np.zeros((1, dimension), dtype=complex)
        state[0, 0] = 1.0
        return state, False
    data = initial_state.data if isinstance(initial_state, Statevector) else initial_state
    array = np.asarray(data, dtype=complex)
    batched = array.ndim == 2
    if array.ndim not in (1, 2) or array.shape[-1] != dimension or array.size == 0:
        raise ValueError(
            f"initial_state must have {dimension} amplitudes (shape ({dimension},) or "
            f"(m, {dimension})), got shape {array.shape}"
        )
    states = np.ascontiguousarray(array.reshape(-1, dimension))
    norms = np.linalg.norm(states, axis=1)
    off = np.where(np.isfinite(norms), np.abs(norms - 1.0), np.inf)  # NaN amplitudes fail too
    if np.any(off > 1e-8):
        worst = int(np.argmax(off))
        where = f" (row {worst})" if batched else ""
        raise ValueError(f"initial_state is not normalized{where}: norm {norms[worst]:.6g}")
    return states, batched


class ExactEngine:
    """Exact, batched energies and gradients of a parameterized circuit.

    ``E(φ) = ⟨ψ0|U(φ)† H U(φ)|ψ0⟩`` with the parameter order of ``circuit.parameters``. With
    ``m`` initial states (rows of ``initial_state``) every call returns all ``m`` energies
    ``⟨ψ0_i|U† H U|ψ0_i⟩`` and their Jacobian from one forward and one backward pass.

    Args:
        circuit: A unitary ansatz; parameterized gates outside the rotation table are translated
            with :func:`qsympass.circuits.to_rotation_basis`.
        observable: Hermitian ``SparsePauliOp`` on the circuit's width.
        initial_state: State the circuit acts on (default ``|0…0⟩``): a ``Statevector`` or an
            array of shape ``(2^n,)``, or an array of shape ``(m, 2^n)`` holding ``m`` states
            (one per row), which adds an axis of length ``m`` to every output.

    Raises:
        ValueError: For a circuit that is not an ansatz (measurements, resets, control flow,
            non-affine angles), a non-Hermitian or wrong-width observable, or bad initial states.
    """

    def __init__(
        self,
        circuit: QuantumCircuit,
        observable: SparsePauliOp,
        initial_state: Statevector | np.ndarray | None = None,
    ) -> None:
        validate_ansatz(circuit)
        self.num_qubits = circuit.num_qubits
        self.parameters = tuple(circuit.parameters)
        self.num_parameters = len(self.parameters)
        self._observable = _observable_matrix(observable, self.num_qubits)
        self._initial, self._batched_states = _initial_states(initial_state, self.num_qubits)
        self.num_states = self._initial.shape[0]
        self._compile(to_rotation_basis(circuit))

    def _compile(self, circuit: QuantumCircuit) -> None:
        column_of = {parameter: j for j, parameter in enumerate(self.parameters)}
        compiler = _Compiler(self.num_qubits, self.num_parameters, column_of)
        for instruction in circuit.data:
            compiler.add(instruction, circuit)
        kernels, angle_map, self._angle_offset = compiler.finish()
        self._kernels = kernels
        self._trainable = np.array(
            [_trainable(kernel, angle_map) for kernel in kernels], dtype=bool
        )
        # Sparse: each angle depends on a few parameters, and a dense (A, p) product would be a
        # BLAS call whose threads stall on busy machines.
        self._angle_map = scipy.sparse.csr_matrix(angle_map)

    # ----------------------------------------------------------------------------------------
    def _angles(self, values: np.ndarray) -> tuple[_Angles, tuple[int, ...]]:
        values = np.asarray(values, dtype=float)
        if values.shape[-1:] != (self.num_parameters,):
            raise ValueError(
                f"values must have shape (..., {self.num_parameters}), got {values.shape}"
            )
        batch_shape = values.shape[:-1]
        flat = values.reshape(int(np.prod(batch_shape)), self.num_parameters)
        sets = np.asarray((self._angle_map @ flat.T).T) + self._angle_offset
        return _Angles.build(sets, self.num_states), batch_shape

    def _output_shape(self, batch_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (*batch_shape, self.num_states) if self._batched_states else batch_shape

    def _forward(self, angles: _Angles) -> np.ndarray:
        state = np.tile(self._initial, (angles.sets.shape[0], 1))
        for kernel in self._kernels:
            state = kernel.forward(state, angles)
        return state

    def statevector(self, values: np.ndarray) -> np.ndarray:
        """Final states ``U(φ)|ψ0⟩`` (global phases of the rotations are dropped).

        Args:
            values: Parameter values of shape ``(..., num_parameters)``.

        Returns:
            Array of shape ``(..., 2**num_qubits)``, or ``(..., m, 2**num_qubits)`` for ``m``
            initial states.
        """
        angles, batch_shape = self._angles(values)
        shape = (*self._output_shape(batch_shape), self._initial.shape[-1])
        if not angles.sets.shape[0]:
            return np.zeros(shape, dtype=complex)
        with _single_threaded_blas():
            state = self._forward(angles)
        return state.reshape(shape)

    def _apply_observable(self, state: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray((self._observable @ state.T).T)

    def energy(self, values: np.ndarray) -> np.ndarray:
        """Energies ``⟨ψ(φ)|H|ψ(φ)⟩``.

        Args:
            values: Parameter values of shape ``(..., num_parameters)``.

        Returns:
            Array of shape ``(...)``, or ``(..., m)`` for ``m`` initial states.
        """
        angles, batch_shape = self._angles(values)
        if not angles.sets.shape[0]:
            return np.zeros(self._output_shape(batch_shape))
        with _single_threaded_blas():
            state = self._forward(angles)
        energies = _inner(state, self._apply_observable(state)).real
        return energies.reshape(self._output_shape(batch_shape))

    def _adjoint(self, angles: _Angles) -> tuple[np.ndarray, np.ndarray]:
        """Energies per state row and ``∂E/∂a`` per row and angle (forward + backward pass)."""
        state = self._forward(angles)
        costate = self._apply_observable(state)
        energies = _inner(state, costate).real
        angle_gradient = np.zeros_like(angles.rows)
        if self._trainable.any():
            # Un-apply kernels to (φ, λ) at once; stop at the first trainable kernel.
            pair = np.concatenate([state, costate])
            first_needed = int(np.argmax(self._trainable))
            for position in range(len(self._kernels) - 1, first_needed - 1, -1):
                pair = self._kernels[position].backward(
                    pair, angles, angle_gradient, unapply=position > first_needed
                )
        return energies, angle_gradient

    def energy_and_gradient(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Energies and their gradients with respect to ``circuit.parameters``.

        Args:
            values: Parameter values of shape ``(..., num_parameters)``.

        Returns:
            ``(energies, gradients)`` of shapes ``(...)`` and ``(..., num_parameters)``; with
            ``m`` initial states ``(..., m)`` and ``(..., m, num_parameters)`` (the Jacobian of
            the ``m`` energies).
        """
        angles, batch_shape = self._angles(values)
        shape = self._output_shape(batch_shape)
        if not angles.sets.shape[0]:
            return np.zeros(shape), np.zeros((*shape, self.num_parameters))
        with _single_threaded_blas():
            energies, angle_gradient = self._adjoint(angles)
        gradients = np.asarray((self._angle_map.T @ angle_gradient.T).T)
        return energies.reshape(shape), gradients.reshape((*shape, self.num_parameters))
