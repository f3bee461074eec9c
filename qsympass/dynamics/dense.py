"""Dense adjoint model of a small rotation circuit, batched over input states.

A supervised QNN on a few qubits (d = 2^n ≤ 64 or so) is cheapest to differentiate with dense
``d × d`` matrices: the circuit is stored as ``U(θ) = F_q R_q(θ) ⋯ F_1 R_1(θ) F_0`` with rotations
``R_k = exp(−i a_k G_k / 2)`` (``a_k = c_k θ_{j(k)} + b_k``: a parameter may be tied across
gates and scaled and shifted, but each angle holds one parameter, so ``θ_a + θ_b`` and gates
outside the rotation table such as ``U`` need ``ExactEngineSource``) and the fixed gates between
them merged into the ``F_k``. One forward
and one backward sweep over all input states at once give every output ``ŷ_i = ⟨x_i|U† M U|x_i⟩``
and the full Jacobian ``∂ŷ_i/∂θ_j``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qiskit.circuit import CircuitInstruction, Parameter, ParameterExpression, QuantumCircuit
from qiskit.quantum_info import Operator, SparsePauliOp

from qsympass.validation import as_parameter_vector

#: Tolerance used to decide whether a generator squares to the identity.
_INVOLUTION_ATOL = 1e-12


@dataclass(frozen=True)
class DenseRotationCircuit:
    """``U(θ) = F_q R_q(θ) ⋯ F_1 R_1(θ) F_0`` as dense matrices (see the module docstring).

    Attributes:
        generators: Shape (q, d, d), Hermitian ``G_k`` of each rotation ``exp(−i a_k G_k / 2)``.
        parameter_index: Shape (q,), the parameter ``j(k)`` each rotation angle depends on.
        coefficients: Shape (q,), ``c_k`` in ``a_k = c_k θ_{j(k)} + b_k``.
        offsets: Shape (q,), ``b_k``.
        fixed: ``q + 1`` fixed unitaries ``F_0 … F_q`` (``None`` for the identity).
        num_parameters: Number of free parameters θ.
    """

    generators: np.ndarray
    parameter_index: np.ndarray
    coefficients: np.ndarray
    offsets: np.ndarray
    fixed: tuple[np.ndarray | None, ...]
    num_parameters: int

    def __post_init__(self) -> None:
        q = self.generators.shape[0]
        if self.generators.ndim != 3 or self.generators.shape[1] != self.generators.shape[2]:
            raise ValueError(f"generators must have shape (q, d, d), got {self.generators.shape}")
        for name in ("parameter_index", "coefficients", "offsets"):
            if getattr(self, name).shape != (q,):
                raise ValueError(f"{name} must have shape ({q},), got {getattr(self, name).shape}")
        if len(self.fixed) != q + 1:
            raise ValueError(f"fixed must hold {q + 1} unitaries (or None), got {len(self.fixed)}")
        index = self.parameter_index
        if q and (index.min() < 0 or index.max() >= self.num_parameters):
            raise ValueError("parameter_index points outside the parameter vector")
        # Generators with G² = s² I (scaled Pauli strings) give R = cos(as/2) I − i sin(as/2) G/s,
        # much cheaper than the eigendecomposition used for the others.
        squares = np.einsum("kij,kjl->kil", self.generators, self.generators)
        scale_sq = np.real(np.trace(squares, axis1=1, axis2=2)) / self.dim
        identity = np.eye(self.dim)
        involutory = np.all(
            np.abs(squares - scale_sq[:, None, None] * identity) < _INVOLUTION_ATOL, axis=(1, 2)
        ) & (scale_sq > _INVOLUTION_ATOL)
        eigvals, eigvecs = np.linalg.eigh(self.generators) if q else (None, None)
        object.__setattr__(self, "_involutory", involutory)
        object.__setattr__(self, "_all_involutory", bool(np.all(involutory)))
        object.__setattr__(self, "_scale", np.sqrt(scale_sq[involutory]))
        object.__setattr__(
            self, "_unit_generators",
            -1j * self.generators[involutory] / np.sqrt(scale_sq[involutory])[:, None, None],
        )
        object.__setattr__(self, "_eigvals", eigvals)
        object.__setattr__(self, "_eigvecs", eigvecs)

    @property
    def dim(self) -> int:
        """Hilbert-space dimension d."""
        return int(self.generators.shape[1])

    @property
    def num_rotations(self) -> int:
        """Number of rotation gates q (occurrences of parameters)."""
        return int(self.generators.shape[0])

    def angles(self, params: np.ndarray) -> np.ndarray:
        """Rotation angles ``a_k = c_k θ_{j(k)} + b_k`` for a parameter vector of shape (p,)."""
        return self.coefficients * params[self.parameter_index] + self.offsets

    def rotations(self, params: np.ndarray) -> np.ndarray:
        """All rotation unitaries ``exp(−i a_k G_k / 2)``, shape (q, d, d)."""
        half = 0.5 * self.angles(params)
        inv = self._involutory  # type: ignore[attr-defined]
        if self._all_involutory:  # type: ignore[attr-defined]
            return self._involutory_rotations(half)
        out = np.empty(self.generators.shape, dtype=complex)
        if np.any(inv):
            out[inv] = self._involutory_rotations(half[inv])
        gen = ~inv
        vecs = self._eigvecs[gen]  # type: ignore[attr-defined]
        phases = np.exp(-1j * half[gen][:, None] * self._eigvals[gen])  # type: ignore[attr-defined]
        out[gen] = np.einsum("kij,kj,klj->kil", vecs, phases, vecs.conj())
        return out

    def _involutory_rotations(self, half: np.ndarray) -> np.ndarray:
        """``cos(a s/2) I − i sin(a s/2) G/s`` for the generators with ``G² = s² I``."""
        scaled = half * self._scale  # type: ignore[attr-defined]
        out = self._unit_generators * np.sin(scaled)[:, None, None]  # type: ignore[attr-defined]
        diagonal = np.arange(self.dim)
        out[:, diagonal, diagonal] += np.cos(scaled)[:, None]
        return out

    def unitary(self, params: np.ndarray) -> np.ndarray:
        """The full circuit unitary U(θ), shape (d, d)."""
        return self.evolve(params, np.eye(self.dim, dtype=complex))

    def evolve(self, params: np.ndarray, states: np.ndarray) -> np.ndarray:
        """Apply U(θ) to the columns of ``states`` (shape (d, m))."""
        params = self._check_params(params)
        rotations = self.rotations(params)
        psi = np.asarray(states, dtype=complex)
        for k in range(self.num_rotations):
            if self.fixed[k] is not None:
                psi = self.fixed[k] @ psi
            psi = rotations[k] @ psi
        if self.fixed[-1] is not None:
            psi = self.fixed[-1] @ psi
        return psi

    def outputs_and_jacobian(
        self, params: np.ndarray, observable: np.ndarray, states: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Outputs ``ŷ_i = ⟨x_i|U† M U|x_i⟩`` and the Jacobian ``∂ŷ_i/∂θ_j`` (adjoint method).

        Args:
            params: Parameter vector, shape (p,).
            observable: Dense Hermitian M, shape (d, d).
            states: Input states as columns, shape (d, m).

        Returns:
            ``(outputs, jacobian)`` of shapes (m,) and (m, p).
        """
        params = self._check_params(params)
        states = np.asarray(states, dtype=complex)
        rotations = self.rotations(params)
        num_rot = self.num_rotations
        # Forward: keep |φ_k⟩ right after rotation k; backward: |λ_k⟩ = (later gates)† M |ψ⟩ at
        # the same point. Then ∂ŷ/∂a_k = Im⟨λ_k|G_k|φ_k⟩ in one batched product.
        phis = np.empty((num_rot, *states.shape), dtype=complex)
        psi = states
        for k in range(num_rot):
            if self.fixed[k] is not None:
                psi = self.fixed[k] @ psi
            psi = rotations[k] @ psi
            phis[k] = psi
        if self.fixed[-1] is not None:
            psi = self.fixed[-1] @ psi
        lam = observable @ psi
        outputs = np.real(np.einsum("im,im->m", psi.conj(), lam))
        lams = np.empty_like(phis)
        adjoints = rotations.conj().transpose(0, 2, 1)
        for k in range(num_rot - 1, -1, -1):
            fixed = self.fixed[k + 1]
            if fixed is not None:
                lam = fixed.conj().T @ lam
            lams[k] = lam
            lam = adjoints[k] @ lam
        occurrence_grads = np.imag(np.sum(lams.conj() * (self.generators @ phis), axis=1))
        jacobian = np.zeros((self.num_parameters, states.shape[1]))
        np.add.at(jacobian, self.parameter_index, self.coefficients[:, None] * occurrence_grads)
        return outputs, jacobian.T

    def input_frame_generators(self, params: np.ndarray) -> np.ndarray:
        """Generators ``Ĥ_j`` of the parameters seen from the input, ``∂_j(U†MU) = i[Ĥ_j, U†MU]``.

        ``Ĥ_j = Σ_{k: j(k) = j} c_k V_k† (G_k / 2) V_k`` with ``V_k`` the circuit up to and
        including rotation k; they do not depend on M.

        Args:
            params: Parameter vector, shape (p,).

        Returns:
            Hermitian generators, shape (p, d, d).
        """
        params = self._check_params(params)
        rotations = self.rotations(params)
        frames = np.empty(self.generators.shape, dtype=complex)
        frame = np.eye(self.dim, dtype=complex)
        for k in range(self.num_rotations):
            if self.fixed[k] is not None:
                frame = self.fixed[k] @ frame
            frame = rotations[k] @ frame
            frames[k] = frame
        half = 0.5 * self.coefficients[:, None, None] * self.generators
        per_rotation = frames.conj().transpose(0, 2, 1) @ half @ frames
        out = np.zeros((self.num_parameters, self.dim, self.dim), dtype=complex)
        np.add.at(out, self.parameter_index, per_rotation)
        return out

    def _check_params(self, params: np.ndarray) -> np.ndarray:
        return as_parameter_vector(params, self.num_parameters)


def dense_rotation_circuit(circuit: QuantumCircuit) -> DenseRotationCircuit:
    """Build the dense model of a parameterized rotation circuit.

    Every parameterized gate must be one of the rotations in :mod:`qsympass.circuits` and depend
    on one parameter linearly; parameters are ordered as ``circuit.parameters``.

    Args:
        circuit: The ansatz (no measurements, resets or control flow).

    Returns:
        Its dense model.

    Raises:
        ValueError: If a gate angle is not linear in a single parameter, or the circuit is not a
            valid ansatz.
    """
    from qsympass.circuits import rotation_generator, validate_ansatz

    validate_ansatz(circuit)
    num_qubits = circuit.num_qubits
    dim = 2**num_qubits
    index_of = {param: j for j, param in enumerate(circuit.parameters)}
    generators: list[np.ndarray] = []
    parameter_index: list[int] = []
    coefficients: list[float] = []
    offsets: list[float] = []
    fixed: list[np.ndarray | None] = []
    pending: np.ndarray | None = None
    matrices: dict[tuple[tuple[str, ...], bytes], np.ndarray] = {}
    for instruction in circuit.data:
        rotation = rotation_generator(instruction, circuit)
        if rotation is None:
            if instruction.operation.name == "barrier":
                continue
            pending = _compose(pending, _instruction_matrix(instruction, circuit))
            continue
        param, coefficient, offset = _linear_angle(rotation.angle)
        fixed.append(pending)
        pending = None
        generators.append(_generator_matrix(rotation.on(num_qubits), matrices))
        parameter_index.append(index_of[param])
        coefficients.append(coefficient)
        offsets.append(offset)
    fixed.append(pending)
    return DenseRotationCircuit(
        generators=np.array(generators, dtype=complex).reshape(-1, dim, dim),
        parameter_index=np.array(parameter_index, dtype=int),
        coefficients=np.array(coefficients, dtype=float),
        offsets=np.array(offsets, dtype=float),
        fixed=tuple(fixed),
        num_parameters=circuit.num_parameters,
    )


def _generator_matrix(
    generator: SparsePauliOp, cache: dict[tuple[tuple[str, ...], bytes], np.ndarray]
) -> np.ndarray:
    # Deep ansatzes repeat the same few generators; their dense matrices are built once.
    key = (tuple(generator.paulis.to_labels()), np.asarray(generator.coeffs).tobytes())
    if key not in cache:
        cache[key] = generator.to_matrix()
    return cache[key]


def _compose(first: np.ndarray | None, then: np.ndarray) -> np.ndarray:
    return then if first is None else then @ first


def _instruction_matrix(instruction: CircuitInstruction, circuit: QuantumCircuit) -> np.ndarray:
    sub = QuantumCircuit(circuit.num_qubits)
    sub.append(instruction.operation, [circuit.find_bit(q).index for q in instruction.qubits])
    return Operator(sub).data


def _linear_angle(angle: ParameterExpression | float) -> tuple[Parameter, float, float]:
    if not isinstance(angle, ParameterExpression) or len(angle.parameters) != 1:
        raise ValueError(
            f"rotation angle {angle} must depend linearly on exactly one parameter"
        )
    (param,) = angle.parameters
    slope = angle.gradient(param)
    if isinstance(slope, ParameterExpression):
        if slope.parameters:
            raise ValueError(f"rotation angle {angle} is not linear in {param.name}")
        slope = complex(slope)
    offset = complex(angle.bind({param: 0.0}))
    if abs(complex(slope).imag) > 0 or abs(offset.imag) > 0:
        raise ValueError(f"rotation angle {angle} is not real")
    return param, float(complex(slope).real), float(offset.real)
