"""Over-parameterized limit of supervised QNN training (DESIGN §7, our derivation).

Gradient descent with learning rate η on ``L = ½ Σ_i (Tr(ρ_i M(θ)) − y_i)²``, where
``M(θ) = U(θ)† M U(θ)`` and ``U`` is a product of ``p`` rotations ``exp(−iθ_l H_l)``, moves the
Heisenberg observable by ``ΔM = Σ_l i[H̃_l, M] Δθ_l`` (``H̃_l`` the generator conjugated back to the
input frame). If the ``H̃_l`` are spread like Haar-random conjugates of a traceless ``H``, then
``E[H̃ Tr(H̃ A)] = Tr(H²)/(d² − 1) · A`` for traceless ``A`` and one step (time unit) becomes

    dM/dt = −η' [M, [M, X(t)]],   X = Σ_i r_i ρ_i,   η' = η κ,
    κ = p Tr(H²) / (d² − 1)      (the kernel scale),

equivalently ``dr/dt = −η' K̃(M) r`` with ``K̃_ij = Tr([M, ρ_i]† [M, ρ_j])``, and the empirical
tangent kernel is ``K ≈ κ K̃``. For generators ``G`` with ``Tr(G²) = d`` used as ``exp(−iθG)``
this is DESIGN's ``η' = η p d / (d² − 1)``; Qiskit's rotation gates ``exp(−iθP/2)`` have
``H = P/2``, hence ``Tr(H²) = d/4`` and an extra factor 1/4 (the default here).

The flow is a double-bracket (isospectral) flow; it is integrated with exponential-midpoint steps
``M ← e^{−hΩ} M e^{hΩ}``, ``Ω = −η'[M, X]`` (anti-Hermitian), which keep M's spectrum exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AsymptoticPrediction:
    """Trajectory of the over-parameterized limit, in units of gradient-descent steps.

    Attributes:
        steps: Shape (T + 1,), the steps 0 … T.
        residuals: Shape (T + 1, m), predicted ``r_i(t) = Tr(ρ_i M(t)) − y_i``.
        losses: Shape (T + 1,), ``½ ‖r(t)‖²``.
        kernel_steps: The steps at which kernels were recorded.
        kernels: Shape (len(kernel_steps), m, m), ``κ K̃(M(t))`` (empirical-kernel units).
        kernel_scale: κ = p Tr(H²) / (d² − 1).
        effective_rate: η' = η κ.
        final_observable: M(T), shape (d, d).
    """

    steps: np.ndarray
    residuals: np.ndarray
    losses: np.ndarray
    kernel_steps: np.ndarray
    kernels: np.ndarray
    kernel_scale: float
    effective_rate: float
    final_observable: np.ndarray


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
    substeps: int = 4,
    kernel_every: int = 1,
) -> AsymptoticPrediction:
    """Integrate ``dM/dt = −η'[M, [M, X(t)]]`` from the initial Heisenberg observable.

    Args:
        observable: ``M(0) = U(θ_0)† M U(θ_0)``, Hermitian, shape (d, d).
        states: Input states as columns, shape (d, m), normalised.
        labels: Targets y, shape (m,).
        learning_rate: Gradient-descent step η.
        num_parameters: Number of trainable rotations p.
        steps: Number of gradient-descent steps T to predict.
        generator_square_trace: ``Tr(H²)`` per gate (see :func:`asymptotic_kernel_scale`).
        substeps: Exponential-midpoint steps per gradient-descent step.
        kernel_every: Record ``κ K̃`` every this many steps (and at the last one).

    Returns:
        The predicted trajectory.

    Raises:
        ValueError: On non-Hermitian or mis-shaped input, or non-positive rates/step counts.
    """
    observable, states, labels = _check_inputs(observable, states, labels)
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    if steps < 0 or substeps < 1 or kernel_every < 1:
        raise ValueError("steps must be >= 0 and substeps, kernel_every >= 1")
    dim = observable.shape[0]
    scale = asymptotic_kernel_scale(num_parameters, dim, generator_square_trace)
    rate = learning_rate * scale
    h = 1.0 / substeps
    current = observable
    residuals = np.empty((steps + 1, labels.size))
    kernel_steps = [t for t in range(steps + 1) if t % kernel_every == 0 or t == steps]
    kernels = []
    for t in range(steps + 1):
        residuals[t] = _outputs(current, states) - labels
        if t % kernel_every == 0 or t == steps:
            kernels.append(scale * commutator_kernel(current, states))
        if t == steps:
            break
        for _ in range(substeps):
            current = _midpoint_step(current, states, labels, rate, h)
    return AsymptoticPrediction(
        steps=np.arange(steps + 1),
        residuals=residuals,
        losses=0.5 * np.sum(residuals**2, axis=1),
        kernel_steps=np.array(kernel_steps, dtype=int),
        kernels=np.array(kernels),
        kernel_scale=scale,
        effective_rate=rate,
        final_observable=current,
    )


def _outputs(observable: np.ndarray, states: np.ndarray) -> np.ndarray:
    return np.real(np.einsum("im,ij,jm->m", states.conj(), observable, states))


def _generator(observable: np.ndarray, states: np.ndarray, labels: np.ndarray,
               rate: float) -> np.ndarray:
    """Ω = −η'[M, X], X = Σ_i r_i |x_i⟩⟨x_i| (anti-Hermitian)."""
    residuals = _outputs(observable, states) - labels
    x_op = (states * residuals) @ states.conj().T
    return -rate * (observable @ x_op - x_op @ observable)


def _conjugate(observable: np.ndarray, omega: np.ndarray, h: float) -> np.ndarray:
    """``e^{−hΩ} M e^{hΩ}`` via the eigendecomposition of the Hermitian ``iΩ``."""
    eigvals, eigvecs = np.linalg.eigh(1j * omega)
    # e^{hΩ} = e^{−i h (iΩ)} = V diag(e^{−i h λ}) V†
    right = (eigvecs * np.exp(-1j * h * eigvals)) @ eigvecs.conj().T
    rotated = right.conj().T @ observable @ right
    return 0.5 * (rotated + rotated.conj().T)


def _midpoint_step(observable: np.ndarray, states: np.ndarray, labels: np.ndarray,
                   rate: float, h: float) -> np.ndarray:
    half = _conjugate(observable, _generator(observable, states, labels, rate), 0.5 * h)
    return _conjugate(observable, _generator(half, states, labels, rate), h)


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
