"""SGGD penalty mode through the runtime's local testing mode on FakeManilaV2.

A two-qubit TFIM (H = -Z0 Z1 - h (X0 + X1)) is symmetric under the SWAP of its qubits. An
asymmetric ansatz (independent angles on the two qubits) is measured at a few random parameter
sets through ``qiskit_ibm_runtime.EstimatorV2`` on FakeManilaV2 (local mode: Aer with Manila's
noise model, shots) wrapped in ``SymmetryGuidedEstimator(..., mode="penalty")``; the wrapper
transpiles the logical circuits and the doubled penalty circuits for the device through
``pass_manager=``. The energies and symmetry penalties are printed next to the exact values from
``StatevectorEstimator``.

    python examples/sggd_fake_backend.py
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

from qsympass.ansatz import layered_ansatz
from qsympass.hardware.estimators import make_estimator
from qsympass.models import lattice, tfim
from qsympass.sggd import SymmetryGuidedEstimator
from qsympass.symmetry import SymmetryGroup


@dataclass(frozen=True)
class PenaltyComparison:
    """Energies and penalties measured on the fake device and computed exactly.

    Attributes:
        values: The parameter sets, shape ``(k, p)``.
        evs: Energies from the fake device.
        stds: Their standard errors.
        penalty: Penalties from the fake device.
        penalty_stds: Their standard errors.
        exact_evs: Exact energies.
        exact_penalty: Exact penalties.
        implementation: Which runtime estimator ran.
    """

    values: np.ndarray
    evs: np.ndarray
    stds: np.ndarray
    penalty: np.ndarray
    penalty_stds: np.ndarray
    exact_evs: np.ndarray
    exact_penalty: np.ndarray
    implementation: str


def model() -> tuple[QuantumCircuit, SparsePauliOp, SymmetryGroup]:
    """The asymmetric two-qubit ansatz, the TFIM and the SWAP group."""
    graph = lattice("chain", 2)
    hamiltonian = tfim(graph, j=1.0, h=0.5)
    ansatz = layered_ansatz(graph, 1, rotations=("ry", "rz"), entanglers=("rzz",))
    group = SymmetryGroup.permutations([[1, 0]], num_qubits=2)
    group.check_invariant(hamiltonian, "the Hamiltonian")
    return ansatz, hamiltonian, group


def compare_penalties(
    num_points: int = 4, shots: int = 4000, seed: int = 0, device: str = "manila"
) -> PenaltyComparison:
    """Measure energies and penalties on the fake device and compute them exactly.

    Args:
        num_points: Random parameter sets.
        shots: Shots per expectation value on the fake device.
        seed: Seeds the parameters and the simulator.
        device: The fake device.

    Returns:
        The measured and exact values.
    """
    ansatz, hamiltonian, group = model()
    values = np.random.default_rng(seed).uniform(0, 2 * np.pi, (num_points, ansatz.num_parameters))
    pub = (ansatz, hamiltonian, values)
    exact = SymmetryGuidedEstimator(StatevectorEstimator(), group, mode="penalty")
    exact_data = exact.run([pub]).result()[0].data
    with make_estimator(f"fake:{device}", implementation="v2", shots=shots, seed=seed) as handle:
        pass_manager = generate_preset_pass_manager(
            backend=handle.backend, optimization_level=1, seed_transpiler=seed
        )
        guided = SymmetryGuidedEstimator(
            handle.estimator, group, mode="penalty", pass_manager=pass_manager
        )
        data = guided.run([pub]).result()[0].data
        implementation = handle.implementation
    return PenaltyComparison(
        values=values,
        evs=np.asarray(data.evs),
        stds=np.asarray(data.stds),
        penalty=np.asarray(data.penalty),
        penalty_stds=np.asarray(data.penalty_stds),
        exact_evs=np.asarray(exact_data.evs),
        exact_penalty=np.asarray(exact_data.penalty),
        implementation=implementation,
    )


def format_table(result: PenaltyComparison) -> str:
    """A plain-text table of the comparison."""
    header = f"{'point':>5} {'evs':>16} {'exact':>8} {'penalty':>16} {'exact':>8}"
    rows = [
        f"{k:>5} {result.evs[k]:>8.4f} ± {result.stds[k]:<5.3f} {result.exact_evs[k]:>8.4f} "
        f"{result.penalty[k]:>8.4f} ± {result.penalty_stds[k]:<5.3f} "
        f"{result.exact_penalty[k]:>8.4f}"
        for k in range(len(result.evs))
    ]
    return "\n".join([f"estimator: {result.implementation}", header, *rows])


def main() -> None:
    """Run the comparison and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=4)
    parser.add_argument("--shots", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="manila")
    args = parser.parse_args()
    result = compare_penalties(args.points, args.shots, args.seed, args.device)
    print(format_table(result))
    print(
        f"max |evs - exact| = {np.max(np.abs(result.evs - result.exact_evs)):.4f}, "
        f"max |penalty - exact| = {np.max(np.abs(result.penalty - result.exact_penalty)):.4f}"
    )


if __name__ == "__main__":
    main()
