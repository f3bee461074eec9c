"""Over-parameterized limit of supervised QNN training (DESIGN §7, our derivation).

Gradient descent with learning rate η on ``L = ½ Σ_i (Tr(ρ_i M(θ)) − y_i)²``, where
``M(θ) = U(θ)† M U(θ)`` and ``U`` is a product of ``p`` rotations ``exp(−iθ_l H_l)``, moves the
Heisenberg observable by ``ΔM = Σ_l i[H̃_l, M] Δθ_l`` (``H̃_l`` the generator conjugated back to the
input frame). One step (time unit) is therefore, to first order in η,

    dM/dt = −η [M, F([M, X(t)])],   X = Σ_i r_i ρ_i,   F(A) = Σ_l H̃_l Tr(H̃_l A),

with the circuit's *frame operator* F. In the over-parameterized regime the ``H̃_l`` barely move
(each angle changes by O(η)), so F can be frozen at θ_0. If the ``H̃_l`` are spread like
Haar-random conjugates of a traceless ``H``, then ``E[F(A)] = κ A`` for traceless ``A`` and, as
p → ∞, F → κ·1:

    dM/dt = −η' [M, [M, X(t)]],   η' = η κ,   κ = p Tr(H²) / (d² − 1)   (the kernel scale),

equivalently ``dr/dt = −η' K̃(M) r`` with ``K̃_ij = Tr([M, ρ_i]† [M, ρ_j])``, and the empirical
tangent kernel is ``K ≈ κ K̃``. For generators ``G`` with ``Tr(G²) = d`` used as ``exp(−iθG)``
this is DESIGN's ``η' = η p d / (d² − 1)``; Qiskit's rotation gates ``exp(−iθP/2)`` have
``H = P/2``, hence ``Tr(H²) = d/4`` and an extra factor 1/4 (the default here).

Finite p: F is a sum of p rank-one terms on the (d² − 1)-dimensional space of traceless
Hermitian matrices, and how close it is to κ·1 depends on how the generators are spread.

- Independent Haar-like generators (random Pauli strings at random angles) make F a Wishart
  matrix whose spectrum is spread like Marchenko–Pastur's, ``κ(1 ± √λ)²`` with
  ``λ = (d² − 1)/p`` (0.08κ … 2.9κ for d = 16, p = 500). The kernel at t = 0 is still unbiased,
  but as training removes the residual along F's strong directions the late phase runs along its
  weak ones, and finite-p training is *slower* than the limit by a factor that grows with λ
  (γ = 1, d = 16, 8 seeds: late-phase loss 1.30–1.70× the limit's at p = 1000, 1.49–2.39× at
  p = 500; a scalar η' fitted to K(0) does not remove it).
- Generators that form a tight frame make F = κ·1 at finite p (up to a last, partial round):
  rotations about every Pauli string once per round, started at θ = 0, where ``H̃_l = P_l/2``
  (:func:`~qsympass.dynamics.experiment.pauli_rotation_ansatz` with an identity start). F then
  stays close to κ·1 along training, and the limit tracks it within 1.14× at p = 500.

Passing the circuit's generators ``H̃_l(θ_0)`` integrates the same flow with the frozen F of the
actual circuit instead of its average; its kernel at t = 0 is the empirical kernel exactly, and
it tracks training within 1.21× at p = 500 in both cases.

Either flow is a double-bracket-type (isospectral) flow, integrated with exponential steps
``M ← e^{−hΩ} M e^{hΩ}``, ``Ω = −η F([M, X])`` (anti-Hermitian), which keep M's spectrum exactly.
Two discretizations:

- ``"steps"`` (default): one Lie–Euler step with h = 1 per gradient-descent step. This is the
  p → ∞ limit of discrete gradient descent itself: one step moves θ by ``Δθ = −η Jᵀ r``, i.e.
  conjugates M by ``Π_l e^{−iΔθ_l H̃_l} = e^{Ω} + O(p η²)``, and
  ``p η² = η'² (d² − 1)² / (p Tr(H²)²)`` vanishes as p → ∞ at fixed η'. It follows training
  even where one step changes the loss by a large factor (γ > 1).
- ``"flow"``: the continuous gradient flow ``dM/dt``, exponential-midpoint steps with
  ``substeps`` per unit of time; it agrees with ``"steps"`` while ``η' ‖K̃‖ ≪ 1`` (the sublinear
  late phase) and not when single steps shrink the residual by a large factor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

Discretization = Literal["steps", "flow"]


@dataclass(frozen=True)
class AsymptoticPrediction:
    """Trajectory of the over-parameterized dynamics, in units of gradient-descent steps.

    Attributes:
        steps: Shape (T + 1,), the steps 0 … T.
        residuals: Shape (T + 1, m), predicted ``r_i(t) = Tr(ρ_i M(t)) − y_i``.
        losses: Shape (T + 1,), ``½ ‖r(t)‖²``.
        kernel_steps: The steps at which kernels were recorded.
        kernels: Shape (len(kernel_steps), m, m), the tangent kernel of M(t) under the flow's
            frame: ``κ K̃(M(t))`` in the p → ∞ limit, ``Σ_l ∂_l ŷ_i ∂_l ŷ_j`` with the frozen
            generators otherwise (empirical-kernel units either way).
        kernel_scale: κ = p Tr(H²) / (d² − 1).
        effective_rate: η' = η κ.
        final_observable: M(T), shape (d, d).
        circuit_frame: Whether the flow used the circuit's frozen frame operator (finite p)
            rather than its p → ∞ average κ·1.
        discretization: ``"steps"`` (the limit of discrete gradient descent) or ``"flow"``.
    """

    steps: np.ndarray
    residuals: np.ndarray
    losses: np.ndarray
    kernel_steps: np.ndarray
    kernels: np.ndarray
    kernel_scale: float
    effective_rate: float
    final_observable: np.ndarray
    circuit_frame: bool = False
    discretization: Discretization = "steps"


def asymptotic_kernel_scale(
    num_parameters: int, dim: int, generator_square_trace: float | None = None
) -> float:
    """κ = p Tr(H²) / (d² − 1), the factor between the empirical and the commutator kernel.

    Args:
        num_parameters: Number of trainable rotations p.
        dim: Hilbert-space dimension d.
        generator_square_trace: ``Tr(H²)`` of one gate generator in the convention
            ``exp(−iθH)``; default ``d / 4`` (Qiskit's Pauli rotations, ``H = P/2``).

    Returns:
        κ.

    Raises:
        ValueError: If p < 1, d < 2 or the trace is not positive.
    """
    if num_parameters < 1:
        raise ValueError(f"num_parameters must be >= 1, got {num_parameters}")
    if dim < 2:
        raise ValueError(f"dim must be >= 2, got {dim}")
    trace = dim / 4.0 if generator_square_trace is None else float(generator_square_trace)
    if not trace > 0:
        raise ValueError(f"generator_square_trace must be > 0, got {trace}")
    return num_parameters * trace / (dim**2 - 1)


def commutator_kernel(observable: np.ndarray, states: np.ndarray) -> np.ndarray:
    """``K̃_ij = Tr([M, ρ_i]† [M, ρ_j])`` for pure states ``ρ_i = |x_i⟩⟨x_i|``.

    For pure states this is ``2 Re(⟨x_i|M²|x_j⟩⟨x_j|x_i⟩ − ⟨x_i|M|x_j⟩⟨x_j|M|x_i⟩)``, computed
    without forming the commutators.

    Args:
        observable: Hermitian M, shape (d, d).
        states: States as columns, shape (d, m).

    Returns:
        Shape (m, m), real symmetric positive semidefinite.
    """
    m_states = observable @ states
    overlap = states.conj().T @ states
    m_elements = states.conj().T @ m_states
    m2_elements = m_states.conj().T @ m_states
    return 2.0 * np.real(m2_elements * overlap.T - m_elements * m_elements.T)


def integrate_asymptotic_dynamics(
    observable: np.ndarray,
    states: np.ndarray,
    labels: np.ndarray,
    *,
    learning_rate: float,
    num_parameters: int,
    steps: int,
    generator_square_trace: float | None = None,
    generators: np.ndarray | None = None,
    discretization: Discretization = "steps",
    substeps: int | None = None,
    kernel_every: int = 1,
) -> AsymptoticPrediction:
    """Integrate ``dM/dt = −η[M, F([M, X(t)])]`` from the initial Heisenberg observable.

    Without ``generators`` F is its p → ∞ average κ·1 (the over-parameterized limit
    ``dM/dt = −η'[M, [M, X]]``); with them, F is the frame operator of the actual circuit, frozen
    at θ_0, which carries its finite-p anisotropy (see the module docstring).

    Args:
        observable: ``M(0) = U(θ_0)† M U(θ_0)``, Hermitian, shape (d, d).
        states: Input states as columns, shape (d, m), normalised.
        labels: Targets y, shape (m,).
        learning_rate: Gradient-descent step η.
        num_parameters: Number of trainable rotations p.
        steps: Number of gradient-descent steps T to predict.
        generator_square_trace: ``Tr(H²)`` per gate (see :func:`asymptotic_kernel_scale`).
        generators: Optional input-frame generators ``H̃_l(θ_0)`` of the circuit, shape
            (p, d, d), e.g. from :meth:`DenseSource.input_frame_generators
            <qsympass.dynamics.sources.DenseSource.input_frame_generators>`.
        discretization: ``"steps"``, one exponential step per gradient-descent step (the p → ∞
            limit of gradient descent), or ``"flow"``, the continuous flow (see the module
            docstring).
        substeps: Exponential-midpoint steps per unit of time (``"flow"`` only; default 4).
        kernel_every: Record the kernel every this many steps (and at the last one).

    Returns:
        The predicted trajectory.

    Raises:
        ValueError: On non-Hermitian or mis-shaped input, non-positive rates/step counts, an
            unknown discretization, or ``substeps`` given with ``"steps"``.
    """
    observable, states, labels = _check_inputs(observable, states, labels)
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    if steps < 0 or kernel_every < 1:
        raise ValueError("steps must be >= 0 and kernel_every >= 1")
    substeps = _check_substeps(discretization, substeps)
    dim = observable.shape[0]
    scale = asymptotic_kernel_scale(num_parameters, dim, generator_square_trace)
    frame = _Frame(scale, _check_generators(generators, num_parameters, dim))

    def omega(current: np.ndarray) -> np.ndarray:
        return _omega(current, states, labels, learning_rate, frame)

    def advance(current: np.ndarray) -> np.ndarray:
        if discretization == "steps":
            return _conjugate(current, omega(current), 1.0)
        return _flow_step(current, omega, substeps)

    current = observable
    residuals = np.empty((steps + 1, labels.size))
    kernel_steps = [t for t in range(steps + 1) if t % kernel_every == 0 or t == steps]
    recorded = set(kernel_steps)
    kernels = []
    for t in range(steps + 1):
        residuals[t] = _outputs(current, states) - labels
        if t in recorded:
            kernels.append(frame.kernel(current, states))
        if t == steps:
            break
        current = advance(current)
    return AsymptoticPrediction(
        steps=np.arange(steps + 1),
        residuals=residuals,
        losses=0.5 * np.sum(residuals**2, axis=1),
        kernel_steps=np.array(kernel_steps, dtype=int),
        kernels=np.array(kernels),
        kernel_scale=scale,
        effective_rate=learning_rate * scale,
        final_observable=current,
        circuit_frame=generators is not None,
        discretization=discretization,
    )


class _Frame:
    """``F(A) = Σ_l H̃_l Tr(H̃_l A)`` of given generators, or its p → ∞ average ``κ A``."""

    def __init__(self, scale: float, generators: np.ndarray | None) -> None:
        self.scale = scale
        self.generators = generators
        self.flat = None if generators is None else generators.reshape(generators.shape[0], -1)

    def apply(self, operator: np.ndarray) -> np.ndarray:
        """F(A) for a traceless A."""
        if self.flat is None:
            return self.scale * operator
        # Tr(H̃_l A) = Σ_ab H̃_l[a, b] A[b, a]
        coefficients = self.flat @ operator.T.reshape(-1)
        return (coefficients @ self.flat).reshape(operator.shape)

    def kernel(self, observable: np.ndarray, states: np.ndarray) -> np.ndarray:
        """Tangent kernel of the outputs ``Tr(ρ_i M)`` when M moves by ``i[H̃_l, M] dθ_l``."""
        if self.generators is None:
            return self.scale * commutator_kernel(observable, states)
        # ∂_l ŷ_i = ⟨x_i|i[H̃_l, M]|x_i⟩ = −2 Im⟨H̃_l x_i|M x_i⟩
        jacobian = -2.0 * np.imag(
            np.einsum("ldi,di->il", (self.generators @ states).conj(), observable @ states)
        )
        return jacobian @ jacobian.T


def _outputs(observable: np.ndarray, states: np.ndarray) -> np.ndarray:
    return np.real(np.einsum("im,ij,jm->m", states.conj(), observable, states))


def _omega(observable: np.ndarray, states: np.ndarray, labels: np.ndarray,
           learning_rate: float, frame: _Frame) -> np.ndarray:
    """Ω = −η F([M, X]), X = Σ_i r_i |x_i⟩⟨x_i| (anti-Hermitian)."""
    residuals = _outputs(observable, states) - labels
    x_op = (states * residuals) @ states.conj().T
    return -learning_rate * frame.apply(observable @ x_op - x_op @ observable)


def _conjugate(observable: np.ndarray, omega: np.ndarray, h: float) -> np.ndarray:
    """``e^{−hΩ} M e^{hΩ}`` via the eigendecomposition of the Hermitian ``iΩ``."""
    eigvals, eigvecs = np.linalg.eigh(1j * omega)
    # e^{hΩ} = e^{−i h (iΩ)} = V diag(e^{−i h λ}) V†
    right = (eigvecs * np.exp(-1j * h * eigvals)) @ eigvecs.conj().T
    rotated = right.conj().T @ observable @ right
    return 0.5 * (rotated + rotated.conj().T)


def _flow_step(observable: np.ndarray, omega: Callable[[np.ndarray], np.ndarray],
               substeps: int) -> np.ndarray:
    """One unit of time of the continuous flow by exponential-midpoint steps."""
    h = 1.0 / substeps
    for _ in range(substeps):
        half = _conjugate(observable, omega(observable), 0.5 * h)
        observable = _conjugate(observable, omega(half), h)
    return observable


def _check_substeps(discretization: str, substeps: int | None) -> int:
    if discretization == "steps":
        if substeps is not None:
            raise ValueError("substeps applies to discretization='flow' only")
        return 1
    if discretization == "flow":
        substeps = 4 if substeps is None else substeps
        if substeps < 1:
            raise ValueError(f"substeps must be >= 1, got {substeps}")
        return substeps
    raise ValueError(f"discretization must be 'steps' or 'flow', got {discretization!r}")


def _check_generators(generators: np.ndarray | None, num_parameters: int,
                      dim: int) -> np.ndarray | None:
    if generators is None:
        return None
    array = np.asarray(generators, dtype=complex)
    if array.shape != (num_parameters, dim, dim):
        raise ValueError(
            f"generators must have shape ({num_parameters}, {dim}, {dim}), got {array.shape}"
        )
    if not np.allclose(array, array.conj().transpose(0, 2, 1), atol=1e-10):
        raise ValueError("generators are not Hermitian")
    return array


def _check_inputs(observable: np.ndarray, states: np.ndarray,
                  labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    observable = np.asarray(observable, dtype=complex)
    states = np.asarray(states, dtype=complex)
    labels = np.asarray(labels, dtype=float)
    if observable.ndim != 2 or observable.shape[0] != observable.shape[1]:
        raise ValueError(f"observable must be a square matrix, got shape {observable.shape}")
    if not np.allclose(observable, observable.conj().T, atol=1e-10):
        raise ValueError("observable is not Hermitian")
    if states.ndim != 2 or states.shape[0] != observable.shape[0]:
        raise ValueError(
            f"states must have shape (d, m) with d = {observable.shape[0]}, got {states.shape}"
        )
    if labels.shape != (states.shape[1],):
        raise ValueError(f"labels must have shape ({states.shape[1]},), got {labels.shape}")
    if states.shape[1] == 0:
        raise ValueError("no input states given")
    if not np.allclose(np.linalg.norm(states, axis=0), 1.0, atol=1e-8):
        raise ValueError("input states must be normalised")
    return observable, states, labels
