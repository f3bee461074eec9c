"""Training-dynamics diagnostics for QNNs (DESIGN §7, seed 001).

Tangent kernels from any gradient source (dense adjoint, the exact engine, parameter shift
through an estimator), their drift and the frozen-kernel prediction, the over-parameterized limit
``dM/dt = −η'[M, [M, X]]``, the convergence-type test, training monitors for
:func:`qsympass.training.train` (supervised kernels; ``K/ε`` of ground-state runs), and the
convergence experiment of seed 001.
"""

from __future__ import annotations

from .asymptotic import (
    AsymptoticPrediction,
    Discretization,
    asymptotic_kernel_scale,
    commutator_kernel,
    integrate_asymptotic_dynamics,
)
from .convergence import (
    ConvergenceReport,
    SpectrumEdgeReport,
    classify_convergence,
    spectrum_edge_labels,
)
from .dense import DenseRotationCircuit, dense_rotation_circuit
from .experiment import (
    ConvergenceExperiment,
    Initialization,
    PauliSampling,
    format_experiment_table,
    initial_angles,
    initial_kernel_agreement,
    pauli_rotation_ansatz,
    plot_convergence_experiments,
    random_orthonormal_states,
    run_convergence_experiment,
)
from .ground_state_monitor import GroundStateMonitor, normalized_kernel
from .kernel import (
    FrozenKernelPrediction,
    GroundStateKernel,
    KernelSnapshot,
    empirical_tangent_kernel,
    frozen_kernel_prediction,
    ground_state_kernel,
    kernel_drift,
    tangent_kernel,
)
from .monitor import TrainingMonitor
from .objective import SupervisedObjective
from .sources import (
    DenseSource,
    EnergyGradientSource,
    ExactEngineSource,
    GradientSource,
    ParameterShiftEnergy,
    ParameterShiftSource,
)

__all__ = [
    "AsymptoticPrediction",
    "ConvergenceExperiment",
    "ConvergenceReport",
    "DenseRotationCircuit",
    "DenseSource",
    "Discretization",
    "EnergyGradientSource",
    "ExactEngineSource",
    "FrozenKernelPrediction",
    "GradientSource",
    "GroundStateKernel",
    "GroundStateMonitor",
    "Initialization",
    "KernelSnapshot",
    "ParameterShiftEnergy",
    "ParameterShiftSource",
    "PauliSampling",
    "SpectrumEdgeReport",
    "SupervisedObjective",
    "TrainingMonitor",
    "asymptotic_kernel_scale",
    "classify_convergence",
    "commutator_kernel",
    "dense_rotation_circuit",
    "empirical_tangent_kernel",
    "format_experiment_table",
    "frozen_kernel_prediction",
    "ground_state_kernel",
    "initial_angles",
    "initial_kernel_agreement",
    "integrate_asymptotic_dynamics",
    "kernel_drift",
    "normalized_kernel",
    "pauli_rotation_ansatz",
    "plot_convergence_experiments",
    "random_orthonormal_states",
    "run_convergence_experiment",
    "spectrum_edge_labels",
    "tangent_kernel",
]
