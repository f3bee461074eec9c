"""Seed 001's convergence experiment: Pauli measurement sublinear, scaled measurement exponential.

The γ = 1 run uses the full p = 1000 of the example. With the default ansatz (every Pauli string
once per round, identity start) the circuit's frame operator is κ·1 at t = 0, and the p → ∞
over-parameterized limit tracks training at p = 500 as well (late-phase loss within 1.03–1.14×
over 8 seeds). With independent strings at random angles it lags by 1.49–2.39× at p = 500 (the
frame is a Wishart matrix; see :mod:`qsympass.dynamics.asymptotic`), while the same flow with the
circuit's own frozen frame still tracks. The γ = 2 run is shorter, as it reaches round-off within
a few dozen steps.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import PauliEvolutionGate
from qiskit.quantum_info import SparsePauliOp

from qsympass.dynamics import (
    ConvergenceExperiment,
    DenseSource,
    format_experiment_table,
    initial_angles,
    initial_kernel_agreement,
    pauli_rotation_ansatz,
    plot_convergence_experiments,
    random_orthonormal_states,
    run_convergence_experiment,
)


@pytest.fixture(scope="module")
def pauli_run() -> ConvergenceExperiment:
    return run_convergence_experiment(gamma=1.0, num_parameters=1000, steps=300, seed=0)


@pytest.fixture(scope="module")
def scaled_run() -> ConvergenceExperiment:
    return run_convergence_experiment(gamma=2.0, num_parameters=1000, steps=80, seed=0)


@pytest.mark.slow
def test_pauli_measurement_converges_sublinearly(pauli_run: ConvergenceExperiment) -> None:
    report = pauli_run.convergence
    assert report.verdict == "sublinear"
    assert -2.3 <= report.exponent <= -1.7
    assert pauli_run.spectrum_edge.sublinear_expected
    assert pauli_run.final_drift > 0.5
    # Kernel regression with K(0) is wildly optimistic.
    assert pauli_run.frozen_final_loss * 1e6 <= pauli_run.final_loss


@pytest.mark.slow
def test_over_parameterized_limit_tracks_training(pauli_run: ConvergenceExperiment) -> None:
    assert pauli_run.initial_kernel_error < 0.1
    assert pauli_run.asymptotic_late_factor < 1.15  # 1.03 measured; the issue asks for 2
    assert pauli_run.circuit_frame_late_factor < 1.15
    assert pauli_run.circuit_frame.circuit_frame
    assert pauli_run.asymptotic_convergence is not None
    assert pauli_run.asymptotic_convergence.verdict == "sublinear"


@pytest.mark.slow
def test_over_parameterized_limit_tracks_training_at_p_500() -> None:
    run = run_convergence_experiment(gamma=1.0, num_parameters=500, steps=300, seed=0)
    assert run.convergence.verdict == "sublinear"
    assert run.initial_kernel_error < 0.1
    assert run.asymptotic_late_factor < 1.2  # 1.05 measured; the issue asks for 2
    assert run.circuit_frame_late_factor < 1.2


@pytest.mark.slow
def test_circuit_frame_tracks_haar_like_circuits_at_p_500() -> None:
    run = run_convergence_experiment(
        gamma=1.0, num_parameters=500, steps=300, seed=0,
        pauli_sampling="independent", initialization="random",
    )
    assert (run.pauli_sampling, run.initialization) == ("independent", "random")
    assert run.convergence.verdict == "sublinear"
    # The p → ∞ limit runs ahead of training (2.1× measured), its frozen frame does not.
    assert run.asymptotic_late_factor > 1.3
    assert run.circuit_frame_late_factor < 1.3
    # Its kernel at t = 0 is the measured K(0), not only its p → ∞ expectation.
    np.testing.assert_allclose(run.circuit_frame.kernels[0], run.kernels[0], rtol=1e-8)
    assert run.initial_kernel_error < 0.1


@pytest.mark.slow
def test_scaled_measurement_converges_exponentially(scaled_run: ConvergenceExperiment) -> None:
    assert scaled_run.convergence.verdict == "exponential"
    assert scaled_run.convergence.rate > 0
    assert not scaled_run.spectrum_edge.sublinear_expected
    assert scaled_run.losses.min() < 1e-12
    assert scaled_run.final_drift < 0.5


def test_table_and_plots(tmp_path: Path) -> None:
    runs = [
        run_convergence_experiment(gamma, num_parameters=60, steps=30, seed=1, kernel_every=5)
        for gamma in (1.0, 2.0)
    ]
    table = format_experiment_table(runs)
    assert len(table.splitlines()) == 4
    assert "sublinear" in table or "exponential" in table
    files = plot_convergence_experiments(runs, tmp_path)
    assert [f.name for f in files] == ["loss_loglog.png", "loss_semilog.png", "kernel_drift.png"]
    assert all(f.stat().st_size > 1000 for f in files)
    assert np.all(np.isfinite(runs[0].losses))


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="gamma"):
        run_convergence_experiment(gamma=0.0, num_parameters=10, steps=5)
    with pytest.raises(ValueError, match="engine"):
        run_convergence_experiment(num_parameters=10, steps=5, engine="gpu")
    with pytest.raises(ValueError, match="pauli_sampling"):
        pauli_rotation_ansatz(2, 10, pauli_sampling="sobol")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="initialization"):
        run_convergence_experiment(num_parameters=10, steps=5, initialization="small")  # type: ignore[arg-type]


def _pauli_labels(circuit: QuantumCircuit) -> list[str]:
    labels = []
    for instruction in circuit.data:
        assert isinstance(instruction.operation, PauliEvolutionGate)
        labels.append(instruction.operation.operator.paulis[0].to_label())
    return labels


@pytest.mark.parametrize("num_qubits, rounds", [(1, 3), (2, 2)])
def test_rounds_use_every_pauli_string_once_per_round(num_qubits: int, rounds: int) -> None:
    strings = 4**num_qubits - 1
    labels = _pauli_labels(pauli_rotation_ansatz(num_qubits, rounds * strings + 2, seed=3))
    for r in range(rounds):
        block = labels[r * strings:(r + 1) * strings]
        assert len(set(block)) == strings and "I" * num_qubits not in block
    assert len(labels) == rounds * strings + 2


def test_identity_start_of_full_rounds_is_the_limits_kernel() -> None:
    # At θ = 0 the generators are the bare P/2; two full rounds are twice an orthogonal basis of
    # su(d), so F = κ·1 and the empirical kernel is κ K̃ exactly.
    p = 2 * 15
    source = DenseSource(
        pauli_rotation_ansatz(2, p, seed=5), SparsePauliOp("IZ"),
        random_orthonormal_states(2, 3, seed=6),
    )
    start = initial_angles(p, "identity", np.random.default_rng(0))
    assert initial_kernel_agreement(source, start) < 1e-12
    # Independent strings repeat some and miss others: F is not κ·1.
    independent = DenseSource(
        pauli_rotation_ansatz(2, p, seed=5, pauli_sampling="independent"), SparsePauliOp("IZ"),
        random_orthonormal_states(2, 3, seed=6),
    )
    assert initial_kernel_agreement(independent, start) > 1e-3


@pytest.mark.parametrize("sampling, exact", [("rounds", True), ("independent", False)])
def test_experiment_uses_the_chosen_ansatz_and_start(sampling: str, exact: bool) -> None:
    # Two full rounds of the 15 two-qubit strings from the identity: K(0) is the limit's kernel.
    run = run_convergence_experiment(
        num_qubits=2, num_states=3, num_parameters=30, steps=20, seed=2,
        pauli_sampling=sampling, initialization="identity",  # type: ignore[arg-type]
    )
    assert (run.initial_kernel_error < 1e-12) == exact
    assert run.asymptotic.discretization == "steps"


def test_initial_angles() -> None:
    rng = np.random.default_rng(1)
    assert not initial_angles(7, "identity", rng).any()
    angles = initial_angles(1000, "random", rng)
    assert angles.min() >= 0.0 and angles.max() < 2 * np.pi and angles.std() > 1.0
    with pytest.raises(ValueError, match="num_parameters"):
        initial_angles(0, "identity", rng)
