"""Ground-state preparation: train a circuit to minimise ⟨ψ0|U(θ)† H U(θ)|ψ0⟩.

The energy and its gradient come from the exact engine (simulation) or from parameter shift
through any ``EstimatorV2`` (hardware, noisy simulators); the loop, its progress bar and its
checkpoints from :mod:`qsympass.training`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike
from qiskit import QuantumCircuit
from qiskit.primitives import BaseEstimatorV2
from qiskit.quantum_info import SparsePauliOp

from qsympass.gradients.exact import ExactEngine
from qsympass.gradients.parameter_shift import ParameterShiftGradient
from qsympass.models.spectrum import ground_energy
from qsympass.training import Adam, Callback, ObjectiveValue, train, train_layerwise
from qsympass.training.checkpoint import sha256_of
from qsympass.validation import check_integer

Initialisation = Literal["small", "uniform"]


def initial_parameters(
    num_parameters: int, scheme: Initialisation, rng: np.random.Generator, scale: float = 0.1
) -> np.ndarray:
    """Initial angles: ``small`` (normal, standard deviation ``scale``) or ``uniform`` [0, 2π).

    Raises:
        ValueError: For an unknown scheme.
    """
    if scheme == "small":
        return rng.normal(0.0, scale, num_parameters)
    if scheme == "uniform":
        return rng.uniform(0.0, 2 * np.pi, num_parameters)
    raise ValueError(f"initialisation must be 'small' or 'uniform', got {scheme!r}")


@dataclass(frozen=True)
class EnergyObjective:
    """The exact energy of a circuit as a training objective, with the relative error.

    Args:
        circuit: The parameterized circuit.
        hamiltonian: The Hamiltonian.
        ground_energy: The exact ground-state energy ``E0`` (for the relative error).
    """

    circuit: QuantumCircuit
    hamiltonian: SparsePauliOp
    ground_energy: float
    engine: ExactEngine = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "engine", ExactEngine(self.circuit, self.hamiltonian))

    def __call__(self, params: np.ndarray) -> ObjectiveValue:
        energy, gradient = self.engine.energy_and_gradient(params)
        return _energy_value(float(energy), gradient, self.ground_energy)

    def fingerprint(self) -> dict[str, Any]:
        """What identifies the problem in a checkpoint (a resumed run must match it)."""
        return _problem_fingerprint(self.circuit, self.hamiltonian, self.ground_energy)


@dataclass(frozen=True)
class EstimatorEnergyObjective:
    """The energy of a circuit measured through an estimator, with parameter-shift gradients.

    Each call is one estimator job (the energy and every shifted evaluation in one PUB).

    Args:
        circuit: The parameterized circuit (ISA for hardware estimators).
        observable: The Hamiltonian on the circuit's qubits (laid out for ISA circuits).
        ground_energy: The exact ground-state energy ``E0`` (for the relative error).
        estimator: Any ``EstimatorV2``. One with a ``reseed(step)`` method (a seeded simulator,
            see ``qsympass.hardware.make_estimator``) is told the training step before each
            job, so every step draws its own shot noise and a resumed run repeats it.
        precision: The target precision of each expectation value, if the estimator takes one.
        differentiate: Indices (``circuit.parameters`` order) of the parameters to shift; the
            other gradient entries are 0. ``None`` differentiates all.
    """

    circuit: QuantumCircuit
    observable: SparsePauliOp
    ground_energy: float
    estimator: BaseEstimatorV2
    precision: float | None = None
    differentiate: tuple[int, ...] | None = None

    def __call__(self, params: np.ndarray, step: int | None = None) -> ObjectiveValue:
        reseed = getattr(self.estimator, "reseed", None)
        if step is not None and callable(reseed):
            reseed(step)
        gradient = ParameterShiftGradient(self.estimator, precision=self.precision)
        if self.differentiate is None:
            result = gradient.run(self.circuit, self.observable, params)
            return _energy_value(float(result.values), result.gradients, self.ground_energy)
        parameters = list(self.circuit.parameters)
        chosen = [parameters[index] for index in self.differentiate]
        result = gradient.run(self.circuit, self.observable, params, parameters=chosen)
        full = np.zeros(len(parameters))
        full[list(self.differentiate)] = result.gradients
        return _energy_value(float(result.values), full, self.ground_energy)

    def for_parameters(self, indices: Sequence[int]) -> EstimatorEnergyObjective:
        """The same objective, shifting only some parameters (used by layer-wise training).

        Args:
            indices: The parameters to differentiate (``circuit.parameters`` order).

        Returns:
            A copy with ``differentiate`` set.
        """
        return replace(self, differentiate=tuple(int(index) for index in indices))

    def fingerprint(self) -> dict[str, Any]:
        """What identifies the problem in a checkpoint (a resumed run must match it)."""
        return {
            **_problem_fingerprint(self.circuit, self.observable, self.ground_energy),
            "estimator": type(getattr(self.estimator, "inner", self.estimator)).__name__,
            "estimator_seed": getattr(self.estimator, "seed", None),
            "precision": self.precision,
        }


def _problem_fingerprint(
    circuit: QuantumCircuit, operator: SparsePauliOp, ground: float
) -> dict[str, Any]:
    gates = [
        (instruction.operation.name, [str(p) for p in instruction.operation.params],
         [circuit.find_bit(q).index for q in instruction.qubits])
        for instruction in circuit.data
    ]
    return {
        "circuit_sha256": sha256_of(gates),
        "operator_sha256": sha256_of(
            [operator.paulis.to_labels(), operator.coeffs.real, operator.coeffs.imag]
        ),
        "ground_energy": float(ground),
    }


def _energy_value(energy: float, gradient: np.ndarray, ground: float) -> ObjectiveValue:
    return ObjectiveValue(energy, gradient, {"relative_error": (energy - ground) / abs(ground)})


@dataclass(frozen=True)
class GroundStateRun:
    """The outcome of one ground-state training run.

    Attributes:
        params: The final parameters.
        energies: The energy at every step.
        relative_errors: ``(E - E0) / |E0|`` at every step.
        ground_energy: ``E0``.
        wall_time: Seconds spent training.
    """

    params: np.ndarray
    energies: np.ndarray
    relative_errors: np.ndarray
    ground_energy: float
    wall_time: float

    @property
    def final_relative_error(self) -> float:
        """The relative energy error measured at the last step (before that step's update)."""
        return float(self.relative_errors[-1])


def train_ground_state(
    circuit: QuantumCircuit,
    hamiltonian: SparsePauliOp,
    *,
    steps: int = 300,
    learning_rate: float = 0.05,
    initialisation: Initialisation = "small",
    seed: int = 0,
    ground_energy_value: float | None = None,
    estimator: BaseEstimatorV2 | None = None,
    observable: SparsePauliOp | None = None,
    precision: float | None = None,
    callbacks: Sequence[Callback] = (),
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    progress: bool = True,
    layers: ArrayLike | None = None,
) -> GroundStateRun:
    """Train a circuit with Adam towards the ground state of a Hamiltonian.

    Without an estimator the energy and gradient are exact (statevector simulation); with one,
    they are measured through it by parameter shift.

    Args:
        circuit: The parameterized circuit (its fixed prefix prepares the initial state).
        hamiltonian: The Hamiltonian (on the logical qubits; gives ``E0``).
        steps: The number of Adam steps.
        learning_rate: Adam's learning rate.
        initialisation: ``small`` or ``uniform`` initial angles.
        seed: Seeds the initial angles.
        ground_energy_value: ``E0`` if known (otherwise computed exactly).
        estimator: Measure through this estimator instead of simulating exactly.
        observable: The Hamiltonian as the estimator sees it (laid out for an ISA circuit);
            defaults to ``hamiltonian`` laid out with ``circuit.layout`` when there is one.
        precision: Target precision per expectation value for the estimator.
        callbacks: Passed to the training loop (e.g. a training monitor).
        checkpoint: A file to checkpoint to and resume from.
        checkpoint_every: Write the checkpoint every this many steps (and at the end); a
            resumed run redoes at most ``checkpoint_every - 1`` steps. Each write is synced to
            disk, which dominates cheap exact steps.
        progress: Show a progress bar.
        layers: The layer of every parameter (``circuit.parameters`` order) to train layer by
            layer with interpolated starts (:func:`~qsympass.training.train_layerwise`); the
            ``steps`` are split over the layers.

    Returns:
        The energies, relative errors and final parameters.

    Raises:
        ValueError: For fewer than one step, a zero ground energy, callbacks together with
            ``layers`` (a stage restarts the step count), and the errors of
            :func:`~qsympass.training.train_layerwise`.
    """
    check_integer(steps, "steps", minimum=1)
    e0 = ground_energy(hamiltonian) if ground_energy_value is None else ground_energy_value
    if e0 == 0:
        raise ValueError("the ground energy is 0; the relative error is undefined")
    objective: EnergyObjective | EstimatorEnergyObjective
    if estimator is None:
        objective = EnergyObjective(circuit, hamiltonian, e0)
    else:
        measured = observable if observable is not None else _on_circuit(hamiltonian, circuit)
        objective = EstimatorEnergyObjective(circuit, measured, e0, estimator, precision)
    rng = np.random.default_rng(seed)
    start = initial_parameters(circuit.num_parameters, initialisation, rng)
    config = {"circuit": circuit.name, "num_parameters": circuit.num_parameters, "seed": seed}
    if layers is not None:
        if callbacks:
            raise ValueError("callbacks are not supported with layer-by-layer training")
        staged = train_layerwise(
            objective, start, layers, lambda: Adam(learning_rate), steps,
            checkpoint=checkpoint, checkpoint_every=checkpoint_every, progress=progress,
            config=config,
        )
        params, history, wall_time = staged.params, staged.history, staged.total_wall_time
    else:
        result = train(
            objective, start, Adam(learning_rate), steps,
            callbacks=callbacks, checkpoint=checkpoint, checkpoint_every=checkpoint_every,
            progress=progress, config=config,
        )
        params, history, wall_time = result.params, result.history, result.total_wall_time
    energies = np.asarray(history.loss, dtype=float)
    return GroundStateRun(
        params=params,
        energies=energies,
        relative_errors=(energies - e0) / abs(e0),
        ground_energy=e0,
        wall_time=wall_time,
    )


def _on_circuit(hamiltonian: SparsePauliOp, circuit: QuantumCircuit) -> SparsePauliOp:
    """The logical Hamiltonian on a transpiled circuit's qubits (even when as wide)."""
    return hamiltonian if circuit.layout is None else hamiltonian.apply_layout(circuit.layout)

