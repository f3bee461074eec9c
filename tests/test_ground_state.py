"""Tests for qsympass.ground_state and qsympass.plotting."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp, Statevector

from qsympass.ground_state import (
    EnergyObjective,
    ground_energy,
    initial_parameters,
    train_ground_state,
)
from qsympass.models import lattice, tfim
from qsympass.plotting import plot_curves


def test_ground_energy_matches_dense_diagonalisation():
    hamiltonian = tfim(lattice("ring", 7), h=0.7)
    dense = np.linalg.eigvalsh(hamiltonian.to_matrix())[0]
    assert ground_energy(hamiltonian) == pytest.approx(dense, abs=1e-9)


def test_ground_energy_refuses_wide_hamiltonians():
    with pytest.raises(ValueError, match="at most 4 qubits"):
        ground_energy(tfim(lattice("ring", 5)), max_qubits=4)


def test_objective_reports_energy_and_relative_error():
    theta = Parameter("θ")
    circuit = QuantumCircuit(1)
    circuit.ry(theta, 0)
    hamiltonian = SparsePauliOp("Z")
    objective = EnergyObjective(circuit, hamiltonian, ground_energy=-1.0)
    loss, gradient, extras = objective(np.array([0.3]))
    assert loss == pytest.approx(np.cos(0.3))
    assert gradient == pytest.approx([-np.sin(0.3)])
    assert extras["relative_error"] == pytest.approx(np.cos(0.3) + 1.0)


def test_training_reaches_the_ground_state_of_a_two_qubit_model():
    theta, phi = Parameter("θ"), Parameter("φ")
    circuit = QuantumCircuit(2)
    circuit.h([0, 1])
    circuit.rzz(theta, 0, 1)
    circuit.rx(phi, [0, 1])
    hamiltonian = tfim(lattice("chain", 2), h=1.0)
    run = train_ground_state(circuit, hamiltonian, steps=300, learning_rate=0.1, progress=False)
    assert run.final_relative_error < 1e-6
    bound = circuit.assign_parameters(run.params)
    energy = Statevector(bound).expectation_value(hamiltonian).real
    assert energy == pytest.approx(run.energies[-1], abs=1e-3)
    np.testing.assert_allclose(
        run.relative_errors, (run.energies - run.ground_energy) / abs(run.ground_energy)
    )


@pytest.mark.parametrize("steps", [0, -1, 2.5, True])
def test_training_needs_at_least_one_step(steps):
    circuit = QuantumCircuit(1)
    circuit.ry(Parameter("θ"), 0)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        train_ground_state(circuit, SparsePauliOp("Z"), steps=steps, progress=False)


def test_initialisation_schemes():
    rng = np.random.default_rng(1)
    assert np.all(np.abs(initial_parameters(100, "small", rng, scale=0.01)) < 0.1)
    uniform = initial_parameters(100, "uniform", rng)
    assert np.all((uniform >= 0) & (uniform < 2 * np.pi))
    with pytest.raises(ValueError, match="'small' or 'uniform'"):
        initial_parameters(3, "zeros", rng)  # type: ignore[arg-type]


def test_plot_curves_writes_a_png(tmp_path):
    path = tmp_path / "curves.png"
    plot_curves({"a": [1.0, 0.1, 0.0, 0.01], "b": np.geomspace(1, 1e-3, 5)}, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no curves"):
        plot_curves({}, path)


def test_plot_curves_draws_end_markers_after_the_curve(tmp_path):
    curves = {"a": [1.0, 0.5, 0.2]}
    figure = plot_curves(curves, tmp_path / "marked.png",
                         end_markers={"a": {"measured": 0.3, "noise-free": 0.1}})
    curve, *markers = figure.axes[0].lines
    assert [(m.get_label(), *np.ravel(m.get_xydata())) for m in markers] == [
        ("a: measured", 3, 0.3), ("a: noise-free", 3, 0.1)
    ]
    assert all(m.get_color() == curve.get_color() for m in markers)
    plain = plot_curves(curves, tmp_path / "plain.png")
    assert len(plain.axes[0].lines) == 1
    assert figure.get_figwidth() > plain.get_figwidth()  # the legend sits beside the axes


def test_estimator_objective_agrees_with_exact_engine():
    from qiskit.primitives import StatevectorEstimator

    from qsympass.ansatz import layered_ansatz
    from qsympass.ground_state import EstimatorEnergyObjective

    graph = lattice("ring", 3)
    circuit = layered_ansatz(graph, 1, initial_state="plus")
    hamiltonian = tfim(graph)
    params = np.random.default_rng(5).uniform(0, 2 * np.pi, circuit.num_parameters)
    exact = EnergyObjective(circuit, hamiltonian, ground_energy=-4.0)(params)
    measured = EstimatorEnergyObjective(
        circuit, hamiltonian, -4.0, StatevectorEstimator()
    )(params)
    assert measured.loss == pytest.approx(exact.loss, abs=1e-10)
    np.testing.assert_allclose(measured.grad, exact.grad, atol=1e-10)
    assert measured.extras["relative_error"] == pytest.approx(exact.extras["relative_error"])


def test_estimator_objective_for_some_parameters_shifts_only_those():
    from qiskit.primitives import StatevectorEstimator

    from qsympass.ansatz import layered_ansatz
    from qsympass.ground_state import EstimatorEnergyObjective

    graph = lattice("ring", 3)
    circuit = layered_ansatz(graph, 2, initial_state="plus")
    hamiltonian = tfim(graph)
    params = np.random.default_rng(6).uniform(0, 2 * np.pi, circuit.num_parameters)
    full = EstimatorEnergyObjective(circuit, hamiltonian, -4.0, StatevectorEstimator())
    chosen = [0, 4, circuit.num_parameters - 1]
    part = full.for_parameters(chosen)(params)
    reference = full(params)
    assert part.loss == pytest.approx(reference.loss, abs=1e-10)
    np.testing.assert_allclose(part.grad[chosen], reference.grad[chosen], atol=1e-10)
    others = np.setdiff1d(np.arange(circuit.num_parameters), chosen)
    assert not np.any(part.grad[others])


def test_estimator_training_lays_the_hamiltonian_out_on_a_full_width_circuit():
    # A 5-qubit ring on the 5-qubit FakeManilaV2: the transpiled circuit is as wide as the
    # logical one, but its layout permutes the qubits, so the logical Hamiltonian must follow.
    from qiskit.primitives import StatevectorEstimator
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    from qsympass.ansatz import layered_ansatz

    ring = lattice("ring", 5)
    hamiltonian = tfim(ring, h=0.7)
    ansatz = layered_ansatz(ring, 1, initial_state="plus")
    manager = generate_preset_pass_manager(1, backend=FakeManilaV2(), seed_transpiler=0)
    isa = manager.run(ansatz)
    assert isa.num_qubits == 5 and isa.layout.final_index_layout() != list(range(5))
    measured = train_ground_state(isa, hamiltonian, steps=2, seed=3, progress=False,
                                  estimator=StatevectorEstimator())
    exact = train_ground_state(ansatz, hamiltonian, steps=2, seed=3, progress=False)
    np.testing.assert_allclose(measured.energies, exact.energies, atol=1e-8)
