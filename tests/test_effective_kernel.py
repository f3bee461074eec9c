"""Tests for qsympass.effective_kernel: EQNTK and its analysis pass (dense references)."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit.transpiler import PassManager, TranspilerError
from tfim_circuits import tfim_pruned

from qsympass.effective_kernel import EQNTKAnalysis, eqntk
from qsympass.effective_space import effective_dimension
from qsympass.models import lattice, tfim

# ------------------------------------------------------------------------------------------
# helpers: dense references written independently of the module under test
# ------------------------------------------------------------------------------------------


def dense_energy(circuit: QuantumCircuit, matrix: np.ndarray, values: np.ndarray) -> float:
    state = Statevector(circuit.assign_parameters(values)).data
    return float(np.real(np.vdot(state, matrix @ state)))


def dense_kernel_and_residual(
    circuit: QuantumCircuit, hamiltonian: SparsePauliOp, values: np.ndarray, step: float = 1e-5
) -> tuple[float, float]:
    matrix = hamiltonian.to_matrix()
    energy0 = np.linalg.eigvalsh(matrix)[0]
    gradient = np.zeros(values.size)
    for j in range(values.size):
        shift = np.zeros(values.size)
        shift[j] = step
        gradient[j] = (
            dense_energy(circuit, matrix, values + shift)
            - dense_energy(circuit, matrix, values - shift)
        ) / (2 * step)
    return float(gradient @ gradient), dense_energy(circuit, matrix, values) - energy0


# ------------------------------------------------------------------------------------------
# EQNTK
# ------------------------------------------------------------------------------------------


def small_problem() -> tuple[QuantumCircuit, SparsePauliOp]:
    circuit = QuantumCircuit(3)
    circuit.h(0)
    a, b, c = Parameter("a"), Parameter("b"), Parameter("c")
    circuit.rx(a, 0)
    circuit.ry(2 * b, 1)
    circuit.cx(0, 1)
    circuit.rzz(a - c, 1, 2)
    circuit.rx(c, 2)
    hamiltonian = tfim(lattice("chain", 3), j=1.0, h=0.7)
    return circuit, hamiltonian


def test_eqntk_matches_dense_finite_differences() -> None:
    circuit, hamiltonian = small_problem()
    samples, seed = 6, 11
    report = eqntk(circuit, hamiltonian, samples=samples, seed=seed)
    values = np.random.default_rng(seed).uniform(0, 2 * np.pi, (samples, circuit.num_parameters))
    pairs = np.array([dense_kernel_and_residual(circuit, hamiltonian, v) for v in values])
    kernels, residuals = pairs[:, 0], pairs[:, 1]
    ratio = kernels.mean() / residuals.mean()
    assert report.value == pytest.approx(ratio, rel=1e-6)
    assert report.mean_kernel == pytest.approx(kernels.mean(), rel=1e-6)
    assert report.mean_residual == pytest.approx(residuals.mean(), rel=1e-6)
    # Delta method, written as the standard error of the linearised ratio.
    linearised = (kernels - ratio * residuals) / residuals.mean()
    assert report.stderr == pytest.approx(linearised.std(ddof=1) / np.sqrt(samples), rel=1e-5)
    assert report.ground_energy == pytest.approx(np.linalg.eigvalsh(hamiltonian.to_matrix())[0])
    assert report.num_parameters == 3 and report.samples == samples
    assert report.effective_dimension == effective_dimension(circuit)
    assert report.effective_dimension_exact


def test_eqntk_given_ground_energy_and_seed_determinism() -> None:
    circuit, hamiltonian = small_problem()
    first = eqntk(circuit, hamiltonian, samples=4, seed=5)
    again = eqntk(circuit, hamiltonian, samples=4, seed=5, ground_energy=first.ground_energy)
    assert again == first


def test_eqntk_sparse_ground_energy_on_eight_qubits() -> None:
    hamiltonian = tfim(lattice("ring", 8))
    report = eqntk(tfim_pruned(8, 2), hamiltonian, samples=4, seed=0)
    dense = np.linalg.eigvalsh(hamiltonian.to_matrix())[0]
    assert report.ground_energy == pytest.approx(dense, abs=1e-8)
    assert report.effective_dimension == 16 and report.dla_dimension is not None
    assert report.value > 0


def test_eqntk_bad_input() -> None:
    circuit, hamiltonian = small_problem()
    with pytest.raises(ValueError, match="qubits"):
        eqntk(circuit, tfim(lattice("chain", 4)))
    for samples in (1, 2.5, "4"):
        with pytest.raises(ValueError, match="samples must be an integer >= 2"):
            eqntk(circuit, hamiltonian, samples=samples)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no parameters"):
        eqntk(QuantumCircuit(3), hamiltonian)
    measured = circuit.copy()
    measured.measure_all()
    with pytest.raises(ValueError, match="measure"):
        eqntk(measured, hamiltonian)
    with pytest.raises(ValueError, match="ground_energy"):
        eqntk(circuit, hamiltonian, max_exact_qubits=2)
    with pytest.raises(ValueError, match="is above a sampled energy"):
        eqntk(circuit, hamiltonian, ground_energy=10.0 * float(np.abs(hamiltonian.coeffs).sum()))


def test_eqntk_analysis_pass() -> None:
    circuit, hamiltonian = small_problem()
    manager = PassManager([EQNTKAnalysis(hamiltonian, samples=4, seed=2)])
    out = manager.run(circuit)
    assert out == circuit
    assert manager.property_set["eqntk"] == eqntk(circuit, hamiltonian, samples=4, seed=2)
    wrong = PassManager([EQNTKAnalysis(tfim(lattice("chain", 4)), samples=4)])
    with pytest.raises(TranspilerError, match="qubits"):
        wrong.run(circuit)
