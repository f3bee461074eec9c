"""Time one energy + gradient: qsympass ExactEngine vs lightning adjoint vs Aer parameter shift.

Workload (DESIGN §5): ``efficient_su2(n, ["rx", "ry", "rz"], circular, reps=6)``, TFIM ring
``H = -Σ Z_i Z_{i+1} - Σ X_i``, initial state |0…0⟩. Prints median times of several repeats and
the ratios qsympass/lightning and qsympass/aer measured in the same run.

Threads are set the same for every library: ``--threads N`` sets ``OMP_NUM_THREADS`` (OpenMP:
lightning.qubit's kernels and adjoint, Aer), ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS``
(NumPy/SciPy BLAS) before anything is imported; without it the inherited environment is used
for all of them. The thread pools in effect are printed (``threadpoolctl``).

Usage: ``python benchmarks/bench_exact_gradients.py [--sizes 12 16] [--repeats 7] [--threads 1]
[--no-aer]``
"""

from __future__ import annotations

import argparse
import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def parse_arguments() -> argparse.Namespace:
    """Command line (parsed before NumPy is imported, so thread settings take effect)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[12, 16])
    parser.add_argument("--reps", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for OpenMP and BLAS on every side (default: inherited)")
    parser.add_argument("--no-aer", action="store_true", help="skip Aer parameter shift")
    return parser.parse_args()


ARGUMENTS = parse_arguments()
if ARGUMENTS.threads is not None:
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(ARGUMENTS.threads)

import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402

import numpy as np  # noqa: E402
from qiskit.circuit import QuantumCircuit  # noqa: E402
from qiskit.circuit.library import efficient_su2  # noqa: E402
from qiskit.quantum_info import SparsePauliOp  # noqa: E402

from qsympass.gradients.exact import ExactEngine  # noqa: E402


def describe_threads() -> str:
    """Thread environment and the thread pools actually loaded."""
    settings = ", ".join(f"{v}={os.environ.get(v, 'unset')}" for v in THREAD_VARIABLES)
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return settings
    pools = ", ".join(
        f"{pool['internal_api']}:{pool['num_threads']}" for pool in threadpool_info()
    )
    return f"{settings}; pools {pools}; cpus {os.cpu_count()}"


def tfim_ring(num_qubits: int) -> SparsePauliOp:
    """``-Σ Z_i Z_{i+1} - Σ X_i`` on a ring."""
    terms = [("ZZ", [i, (i + 1) % num_qubits], -1.0) for i in range(num_qubits)]
    terms += [("X", [i], -1.0) for i in range(num_qubits)]
    return SparsePauliOp.from_sparse_list(terms, num_qubits)


def median_times(functions: list[Callable[[], object]], repeats: int) -> list[float]:
    """Median wall time of each function over ``repeats`` rounds after one warm-up call.

    The functions take turns within each round, so a change of machine load hits all of them
    alike and the ratios stay meaningful on a shared machine.
    """
    for function in functions:
        function()
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeats):
        for function, samples in zip(functions, times, strict=True):
            start = time.perf_counter()
            function()
            samples.append(time.perf_counter() - start)
    return [statistics.median(samples) for samples in times]


def aer_parameter_shift(circuit: QuantumCircuit, observable: SparsePauliOp) -> Callable:
    """Energy + gradient by parameter shift: one PUB of 2p + 1 sets through Aer's EstimatorV2."""
    from qiskit_aer.primitives import EstimatorV2

    estimator = EstimatorV2(options={"run_options": {"shots": None}, "default_precision": 0.0})
    num_parameters = circuit.num_parameters

    def run(values: np.ndarray) -> tuple[float, np.ndarray]:
        unit = 0.5 * np.pi * np.eye(num_parameters)
        shifts = np.concatenate([np.zeros((1, num_parameters)), unit, -unit])
        evs = estimator.run([(circuit, observable, values + shifts)]).result()[0].data.evs
        gradient = 0.5 * (evs[1 : 1 + num_parameters] - evs[1 + num_parameters :])
        return float(evs[0]), gradient

    return run


def lightning_adjoint(num_qubits: int, reps: int, values: np.ndarray) -> Callable | None:
    """The same workload in PennyLane on lightning.qubit with adjoint differentiation."""
    try:
        import pennylane as qml
    except ImportError:
        return None
    device = qml.device("lightning.qubit", wires=num_qubits)
    coefficients = [-1.0] * (2 * num_qubits)
    observables = [qml.Z(i) @ qml.Z((i + 1) % num_qubits) for i in range(num_qubits)]
    observables += [qml.X(i) for i in range(num_qubits)]
    hamiltonian = qml.Hamiltonian(coefficients, observables)

    @qml.qnode(device, diff_method="adjoint")
    def energy(theta):
        index = 0
        for layer in range(reps + 1):
            for gate in (qml.RX, qml.RY, qml.RZ):
                for qubit in range(num_qubits):
                    gate(theta[index], wires=qubit)
                    index += 1
            if layer < reps:
                # efficient_su2 "circular": CX(n-1, 0) first, then the chain.
                qml.CNOT(wires=[num_qubits - 1, 0])
                for qubit in range(num_qubits - 1):
                    qml.CNOT(wires=[qubit, qubit + 1])
        return qml.expval(hamiltonian)

    parameters = qml.numpy.array(values, requires_grad=True)
    gradient = qml.grad(energy)
    return lambda: (energy(parameters), gradient(parameters))


def main() -> None:
    args = ARGUMENTS
    rng = np.random.default_rng(0)
    for num_qubits in args.sizes:
        circuit = efficient_su2(
            num_qubits, su2_gates=["rx", "ry", "rz"], entanglement="circular", reps=args.reps
        )
        observable = tfim_ring(num_qubits)
        values = rng.uniform(0, 2 * np.pi, circuit.num_parameters)
        engine = ExactEngine(circuit, observable)
        print(f"n = {num_qubits}, p = {circuit.num_parameters}")
        energy, gradient = engine.energy_and_gradient(values)
        ours_call = partial(engine.energy_and_gradient, values)
        lightning = lightning_adjoint(num_qubits, args.reps, values)
        if num_qubits == args.sizes[0]:
            print(f"  threads: {describe_threads()}")
        if lightning is None:
            (ours,) = median_times([ours_call], args.repeats)
            print(f"  qsympass ExactEngine      {ours * 1e3:10.2f} ms")
            print("  lightning adjoint         skipped: pennylane not installed")
        else:
            reference = lightning()
            assert abs(float(reference[0]) - energy) < 1e-8
            assert np.allclose(np.asarray(reference[1]), gradient, atol=1e-8)
            ours, light = median_times([ours_call, lightning], args.repeats)
            print(f"  qsympass ExactEngine      {ours * 1e3:10.2f} ms")
            print(f"  lightning adjoint         {light * 1e3:10.2f} ms   ratio qsympass/lightning "
                  f"{ours / light:.3f}")
        if not args.no_aer:
            aer = aer_parameter_shift(circuit, observable)
            aer_energy, aer_gradient = aer(values)
            assert abs(aer_energy - energy) < 1e-8
            assert np.allclose(aer_gradient, gradient, atol=1e-8)
            (aer_time,) = median_times([partial(aer, values)], max(1, args.repeats // 2))
            print(f"  Aer parameter shift       {aer_time * 1e3:10.2f} ms   ratio qsympass/aer "
                  f"{ours / aer_time:.4f}")


if __name__ == "__main__":
    main()
