"""The energy of a trained ISA program: measured once more on its backend, and noise-free.

Training on a backend measures each energy with the training budget (a few noise trajectories,
finite shots), so the last training step's energy is a noisy number. These functions measure
the trained parameters once more: on the program's backend with a larger budget, and on an ideal
simulator, which separates what training reached from what device noise takes away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from qiskit.primitives import BaseEstimatorV2

from qsympass.hardware.estimators import make_estimator
from qsympass.hardware.isa import IsaProgram


def measured_energy(
    program: IsaProgram, params: ArrayLike, *, trajectories: int = 64, seed: int | None = None
) -> float:
    """The energy of an ISA program at one parameter set, measured on its backend.

    On a noisy Aer backend every noise trajectory gives an exact expectation value (no shot
    noise) and ``trajectories`` of them are averaged; on a runtime backend the estimator's
    default precision applies.

    Args:
        program: The ISA program (its first observable is the energy).
        params: The circuit's parameter values.
        trajectories: Noise trajectories to average on a noisy Aer backend.
        seed: Simulator seed.

    Returns:
        The measured energy.

    Raises:
        ValueError: For fewer than one trajectory.
    """
    with make_estimator(program.backend, seed=seed, trajectories=trajectories) as handle:
        return _energy(handle.estimator, program, params)


def noise_free_energy(program: IsaProgram, params: ArrayLike) -> float:
    """The energy of an ISA program at one parameter set on an ideal simulator.

    Args:
        program: The ISA program (its first observable is the energy).
        params: The circuit's parameter values.

    Returns:
        The exact, noise-free energy.
    """
    with make_estimator("aer") as handle:
        return _energy(handle.estimator, program, params)


@dataclass(frozen=True)
class FinalEnergies:
    """The trained parameters' energy on the backend and noise-free.

    Attributes:
        measured: :func:`measured_energy`.
        noise_free: :func:`noise_free_energy`.
    """

    measured: float
    noise_free: float

    def relative_errors(self, ground_energy: float) -> tuple[float, float]:
        """``(E − E0)/|E0|`` of the measured and the noise-free energy."""
        scale = abs(ground_energy)
        return (self.measured - ground_energy) / scale, (self.noise_free - ground_energy) / scale


def final_energies(
    program: IsaProgram, params: ArrayLike, *, trajectories: int = 64, seed: int | None = None
) -> FinalEnergies:
    """Measure trained parameters on the program's backend and on an ideal simulator.

    Args:
        program: The ISA program.
        params: The trained parameter values.
        trajectories: Noise trajectories of the measurement on a noisy Aer backend.
        seed: Simulator seed.

    Returns:
        The :class:`FinalEnergies`.

    Raises:
        ValueError: For fewer than one trajectory.
    """
    return FinalEnergies(
        measured_energy(program, params, trajectories=trajectories, seed=seed),
        noise_free_energy(program, params),
    )


def _energy(estimator: BaseEstimatorV2, program: IsaProgram, params: ArrayLike) -> float:
    values = np.asarray(params, dtype=float)
    job = estimator.run([(program.circuit, program.observables[0], values)])
    return float(job.result()[0].data.evs)
