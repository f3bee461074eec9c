"""Effective quantum neural tangent kernel (EQNTK): how fast an ansatz can lower the energy.

The definitions are the project's (DESIGN §4). For ground-state preparation with loss
``ℓ(θ) = ⟨ψ0|U(θ)† H U(θ)|ψ0⟩``, ground energy ``E0`` and residual ``ε = ℓ − E0``:

* ``K(θ) = Σ_j (∂ℓ/∂φ_j)²`` over the circuit's parameters,
* ``EQNTK λ̄ = E_θ[K] / E_θ[ε]`` with ``θ`` uniform on ``[0, 2π)``, estimated from samples with a
  delta-method standard error for the ratio,
* ``d_eff``: dimension of the smallest subspace that contains ψ0 and is invariant under the
  circuit's dynamical generators (see :func:`effective_subspace`),
* the dimension of the dynamical Lie algebra restricted to that subspace.

The effective dimension and the restricted DLA live in :mod:`qsympass.effective_space`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from qiskit.circuit import QuantumCircuit
from qiskit.converters import dag_to_circuit
from qiskit.dagcircuit import DAGCircuit
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit.transpiler import AnalysisPass, TranspilerError

from qsympass.ansatz_generators import ansatz_dynamics, generator_action
from qsympass.effective_space import (
    effective_subspace,
    restricted_dla,
)
from qsympass.models.spectrum import ground_energy as ground_energy_of
from qsympass.validation import as_hamiltonian, require_width


@dataclass(frozen=True)
class EQNTKReport:
    """Result of :func:`eqntk`.

    Attributes:
        value: The EQNTK estimate ``λ̄ = mean(K) / mean(ε)``.
        stderr: Delta-method standard error of ``value``.
        effective_dimension: ``d_eff`` (an upper bound when ``effective_dimension_exact`` is
            false).
        effective_dimension_exact: Whether ``effective_dimension`` is exact.
        dla_dimension: Dimension of the dynamical Lie algebra restricted to the effective
            subspace (identity dropped), or ``None`` when it was not computed (too large).
        num_parameters: Number of trainable parameters of the circuit.
        samples: Number of parameter samples used.
        ground_energy: The ground energy ``E0`` used for the residual.
        mean_kernel: Sample mean of ``K``.
        mean_residual: Sample mean of ``ε``.
    """

    value: float
    stderr: float
    effective_dimension: int
    effective_dimension_exact: bool
    dla_dimension: int | None
    num_parameters: int
    samples: int
    ground_energy: float
    mean_kernel: float
    mean_residual: float


# --------------------------------------------------------------------------------------------
# EQNTK
# --------------------------------------------------------------------------------------------


def _ratio_stderr(numerator: np.ndarray, denominator: np.ndarray) -> float:
    """Delta-method standard error of ``mean(numerator) / mean(denominator)``."""
    count = numerator.size
    ratio = numerator.mean() / denominator.mean()
    covariance = np.cov(np.vstack([numerator, denominator]), ddof=1)
    variance = (
        covariance[0, 0] - 2 * ratio * covariance[0, 1] + ratio**2 * covariance[1, 1]
    ) / (count * denominator.mean() ** 2)
    return float(math.sqrt(max(float(variance), 0.0)))


def eqntk(
    circuit: QuantumCircuit,
    hamiltonian: SparsePauliOp,
    samples: int = 32,
    seed: int | None = 0,
    initial_state: Statevector | np.ndarray | None = None,
    ground_energy: float | None = None,
    max_exact_qubits: int = 16,
    max_dla_dimension: int = 256,
) -> EQNTKReport:
    """Estimate the EQNTK ``λ̄ = E_θ[K] / E_θ[ε]`` of an ansatz for a Hamiltonian.

    ``θ`` is drawn uniformly from ``[0, 2π)^p``; ``K`` and ``ε`` come from the exact engine. The
    effective dimension is exact up to ``min(max_exact_qubits, 12)`` qubits (an upper bound
    above); the restricted DLA dimension is computed when ``d_eff ≤ 32`` and the algebra has at
    most ``max_dla_dimension`` elements, else reported as ``None``.

    Args:
        circuit: The parameterized ansatz.
        hamiltonian: The Hamiltonian (same width as the circuit).
        samples: Number of parameter samples ``S`` (at least 2).
        seed: Seed for the parameter samples.
        initial_state: Optional state the circuit is applied to (default ``|0…0⟩``).
        ground_energy: ``E0``; computed by diagonalisation when omitted.
        max_exact_qubits: Largest width for diagonalisation.
        max_dla_dimension: Cap on the DLA closure.

    Returns:
        An :class:`EQNTKReport`.

    Raises:
        ValueError: For bad input, a ``ground_energy`` above a sampled energy, or when the
            residual vanishes on every sample.
    """
    from qsympass.gradients.exact import ExactEngine  # the engine is heavy; import on use

    hamiltonian = as_hamiltonian(hamiltonian)
    require_width(hamiltonian, circuit.num_qubits, "hamiltonian")
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 2:
        raise ValueError(f"samples must be an integer >= 2, got {samples!r}")
    if circuit.num_parameters == 0:
        raise ValueError("circuit has no parameters; the tangent kernel is zero")
    energy0 = (
        ground_energy_of(hamiltonian, max_exact_qubits)
        if ground_energy is None
        else float(ground_energy)
    )

    engine = ExactEngine(circuit, hamiltonian, initial_state=initial_state)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 2 * math.pi, size=(samples, circuit.num_parameters))
    energies, gradients = engine.energy_and_gradient(values)
    kernels = np.sum(np.asarray(gradients) ** 2, axis=-1)
    tolerance = 1e-9 * max(1.0, abs(energy0))
    lowest = float(np.min(energies))
    if lowest < energy0 - tolerance:
        raise ValueError(
            f"ground_energy {energy0:.12g} is above a sampled energy {lowest:.12g}; "
            "it is not the ground energy of this Hamiltonian"
        )
    # round-off below E0 is clipped
    residuals = np.maximum(np.asarray(energies) - energy0, 0.0)
    if residuals.mean() <= 1e-12 * max(1.0, abs(energy0)):
        raise ValueError("the residual ε vanishes on every sample; the EQNTK is undefined")

    subspace = effective_subspace(
        circuit, initial_state, min(max_exact_qubits, 12), need_basis=False
    )
    if subspace.exact and subspace.basis is None and subspace.dimension <= 32:
        subspace = effective_subspace(circuit, initial_state, min(max_exact_qubits, 12))
    dla: int | None = None
    if subspace.exact and subspace.dimension <= 32 and subspace.basis is not None:
        dynamics = ansatz_dynamics(circuit)
        actions = [generator_action(g, circuit.num_qubits) for g in dynamics.generators]
        dla = restricted_dla(subspace.basis, actions, max_dla_dimension)

    return EQNTKReport(
        value=float(kernels.mean() / residuals.mean()),
        stderr=_ratio_stderr(kernels, residuals),
        effective_dimension=subspace.dimension,
        effective_dimension_exact=subspace.exact,
        dla_dimension=dla,
        num_parameters=circuit.num_parameters,
        samples=samples,
        ground_energy=energy0,
        mean_kernel=float(kernels.mean()),
        mean_residual=float(residuals.mean()),
    )


class EQNTKAnalysis(AnalysisPass):
    """Analysis pass writing the circuit's :class:`EQNTKReport` to ``property_set["eqntk"]``.

    The Hamiltonian is on the circuit's virtual qubits, so the pass belongs before layout
    (e.g. beside :class:`~qsympass.pruning.SymmetricPruning` in the ``init`` stage).
    """

    def __init__(
        self,
        hamiltonian: SparsePauliOp,
        samples: int = 32,
        seed: int | None = 0,
        initial_state: Statevector | np.ndarray | None = None,
        ground_energy: float | None = None,
        max_exact_qubits: int = 16,
    ) -> None:
        """Create the pass.

        Args:
            hamiltonian: The Hamiltonian on the circuit's (virtual) qubits.
            samples: Number of parameter samples.
            seed: Seed for the parameter samples.
            initial_state: Optional state the circuit is applied to.
            ground_energy: ``E0``; computed when omitted.
            max_exact_qubits: Largest width for diagonalisation.
        """
        super().__init__()
        self.hamiltonian = as_hamiltonian(hamiltonian)
        self.samples = samples
        self.seed = seed
        self.initial_state = initial_state
        self.ground_energy = ground_energy
        self.max_exact_qubits = max_exact_qubits

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Compute the EQNTK of ``dag`` and store it in the property set.

        Args:
            dag: The circuit.

        Returns:
            ``dag`` unchanged.

        Raises:
            TranspilerError: If the EQNTK cannot be computed for this circuit.
        """
        try:
            report = eqntk(
                dag_to_circuit(dag),
                self.hamiltonian,
                samples=self.samples,
                seed=self.seed,
                initial_state=self.initial_state,
                ground_energy=self.ground_energy,
                max_exact_qubits=self.max_exact_qubits,
            )
        except ValueError as exc:
            raise TranspilerError(f"EQNTKAnalysis: {exc}") from exc
        self.property_set["eqntk"] = report
        return dag
