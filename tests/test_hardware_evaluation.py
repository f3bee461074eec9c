"""Tests for the final measurement of trained ISA programs."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.primitives import StatevectorEstimator

from qsympass.ansatz import layered_ansatz
from qsympass.hardware.backends import get_backend
from qsympass.hardware.evaluation import (
    FinalEnergies,
    final_energies,
    measured_energy,
    noise_free_energy,
)
from qsympass.hardware.isa import IsaProgram, to_isa
from qsympass.models import lattice, tfim


@pytest.fixture(scope="module")
def noisy_program() -> IsaProgram:
    graph = lattice("chain", 3)
    hamiltonian = tfim(graph)
    ansatz = layered_ansatz(graph, 1, initial_state="plus")
    return to_isa(ansatz, hamiltonian, get_backend("aer:manila"), hamiltonian=hamiltonian, seed=0)


def _exact(program: IsaProgram, params: np.ndarray) -> float:
    job = StatevectorEstimator().run([(program.circuit, program.observables[0], params)])
    return float(job.result()[0].data.evs)


def test_noise_free_energy_is_the_exact_expectation(noisy_program) -> None:
    params = np.random.default_rng(1).uniform(-1, 1, noisy_program.circuit.num_parameters)
    assert noise_free_energy(noisy_program, params) == pytest.approx(
        _exact(noisy_program, params), abs=1e-9
    )


def test_measured_energy_feels_the_noise_and_is_seeded(noisy_program) -> None:
    params = np.zeros(noisy_program.circuit.num_parameters)
    exact = _exact(noisy_program, params)
    first = measured_energy(noisy_program, params, trajectories=32, seed=3)
    assert first == measured_energy(noisy_program, params, trajectories=32, seed=3)
    # depolarising noise pulls |+++>'s field energy towards 0, by a few percent on manila
    assert abs(exact) * 0.5 < abs(first) < abs(exact)


def test_final_energies_and_their_relative_errors(noisy_program) -> None:
    params = np.zeros(noisy_program.circuit.num_parameters)
    final = final_energies(noisy_program, params, trajectories=4, seed=0)
    assert final.noise_free == pytest.approx(_exact(noisy_program, params), abs=1e-9)
    assert FinalEnergies(-3.0, -4.0).relative_errors(-5.0) == pytest.approx((0.4, 0.2))


def test_a_trajectory_count_below_one_is_refused(noisy_program) -> None:
    with pytest.raises(ValueError, match="trajectories must be at least 1"):
        measured_energy(noisy_program, np.zeros(noisy_program.circuit.num_parameters),
                        trajectories=0)
