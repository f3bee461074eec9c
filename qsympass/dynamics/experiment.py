"""The convergence experiment of seed 001: Pauli measurement (sublinear) versus γZ (exponential).

Setting (DESIGN §7): ``d = 2^n`` (n = 4), ``m`` random orthonormal input states (columns of a
Haar-random unitary), alternating ±1 labels, an over-parameterized ansatz of ``p`` rotations
``exp(−iθ_k P_k/2)`` about non-identity Pauli strings ``P_k``, measurement ``M = γ Z_0`` and plain
gradient descent on ``½‖r‖²`` through :func:`qsympass.training.train`.

Two kernel theories are compared with the run: regression with the frozen K(0), and the
over-parameterized dynamics ``dM/dt = −η[M, F([M, X])]`` from the model's own ``M(θ_0)``, once
in the p → ∞ limit (F = κ·1) and once with the circuit's frozen frame operator F. How closely
each tracks training is reported as a late-phase factor.

Ansatz and start, measured here (γ = 1, 8 seeds, late-phase loss of the p → ∞ limit over
training's):

- The default draws the Pauli strings in *rounds*, each round a random order of all d² − 1
  strings, and starts at the identity (θ_0 = 0). Then the generators seen from the input frame
  are the bare ``P_k/2``; every full round is an orthogonal basis of su(d), so F is κ·1 up to the
  last, partial round: the limit's assumption holds at finite p. It tracks training within
  1.03–1.14× at p = 500 (K(0) within 1.3–1.7 %) and 1.00–1.06× at p = 1000.
- Strings drawn independently and angles uniform in [0, 2π) (``pauli_sampling="independent"``,
  ``initialization="random"``) spread the generators like Haar-random conjugates, and F like a
  Wishart matrix with aspect ratio ``(d² − 1)/p`` (see :mod:`qsympass.dynamics.asymptotic`):
  training lags the limit by 1.49–2.39× at p = 500 and 1.30–1.70× at p = 1000. Rounds with
  random angles: 1.63–1.93× at p = 500; independent strings from the identity: 1.91–2.86×.
- A layered ansatz of single-qubit RX/RY/RZ with CZ rings stalls for γ = 1 (its empirical
  kernel collapses along the residual while ``κ K̃(M(θ))`` stays order one), so its training is
  not described by the over-parameterized limit at all.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from qiskit.circuit import ParameterVector, QuantumCircuit
from qiskit.circuit.library import PauliEvolutionGate
from qiskit.quantum_info import Pauli, SparsePauliOp

from qsympass.dynamics.asymptotic import (
    AsymptoticPrediction,
    Discretization,
    asymptotic_kernel_scale,
    commutator_kernel,
    integrate_asymptotic_dynamics,
)
from qsympass.dynamics.convergence import (
    DEFAULT_FLOOR,
    ConvergenceReport,
    SpectrumEdgeReport,
    classify_convergence,
    spectrum_edge_labels,
)
from qsympass.dynamics.kernel import FrozenKernelPrediction, kernel_drift
from qsympass.dynamics.monitor import TrainingMonitor
from qsympass.dynamics.objective import SupervisedObjective
from qsympass.dynamics.sources import DenseSource, ExactEngineSource, GradientSource

__all__ = [
    "ConvergenceExperiment",
    "Initialization",
    "PauliSampling",
    "format_experiment_table",
    "initial_angles",
    "initial_kernel_agreement",
    "pauli_rotation_ansatz",
    "plot_convergence_experiments",
    "random_orthonormal_states",
    "run_convergence_experiment",
]


PauliSampling = Literal["rounds", "independent"]
Initialization = Literal["identity", "random"]


@dataclass(frozen=True)
class ConvergenceExperiment:
    """Everything one run of :func:`run_convergence_experiment` measured.

    Attributes:
        gamma: Measurement scale γ (M = γ Z_0).
        num_parameters: p.
        pauli_sampling: How the rotations' Pauli strings were drawn.
        initialization: How θ_0 was chosen.
        learning_rate: η.
        steps: Recorded steps 0 … T−1 (the loss at step t is evaluated before update t).
        losses: ``½‖r‖²`` at each step.
        kernel_steps: Steps at which the empirical kernel was recorded.
        kernels: Empirical kernels there, shape (K, m, m).
        drift: Relative kernel drift at the kernel steps.
        convergence: The convergence-type test of the training loss.
        spectrum_edge: Where the labels sit in M's spectrum.
        frozen: Frozen-kernel prediction from K(0).
        asymptotic: Over-parameterized-limit (p → ∞) prediction from M(θ_0).
        asymptotic_convergence: Convergence-type test of the asymptotic loss (None if too few
            points above the floor).
        initial_kernel_error: ``‖K(0) − κ K̃(0)‖_F / ‖K(0)‖_F`` (the limit's kernel at t = 0).
        asymptotic_late_factor: ``max exp|log(L_asym / L_train)|`` over the late phase (the
            fitted window of the training loss); NaN when it is empty. In exponential runs
            (γ > 1) the window spans many orders of magnitude of loss, so small differences
            in rate show as larger factors.
        circuit_frame: The same flow from M(θ_0) with the circuit's frame operator frozen at
            θ_0 instead of its p → ∞ average (its kernel at t = 0 is K(0) exactly).
        circuit_frame_late_factor: Late-phase factor of ``circuit_frame``, as above.
        wall_time: Seconds for training (with monitoring) and both integrations.
    """

    gamma: float
    num_parameters: int
    pauli_sampling: PauliSampling
    initialization: Initialization
    learning_rate: float
    steps: np.ndarray
    losses: np.ndarray
    kernel_steps: np.ndarray
    kernels: np.ndarray
    drift: np.ndarray
    convergence: ConvergenceReport
    spectrum_edge: SpectrumEdgeReport
    frozen: FrozenKernelPrediction
    asymptotic: AsymptoticPrediction
    asymptotic_convergence: ConvergenceReport | None
    initial_kernel_error: float
    asymptotic_late_factor: float
    circuit_frame: AsymptoticPrediction
    circuit_frame_late_factor: float
    wall_time: float

    @property
    def final_loss(self) -> float:
        """Training loss at the last step."""
        return float(self.losses[-1])

    @property
    def final_drift(self) -> float:
        """Kernel drift at the last kernel step."""
        return float(self.drift[-1])

    @property
    def frozen_final_loss(self) -> float:
        """Frozen-kernel loss at the last step."""
        return float(self.frozen.losses[int(self.steps[-1])])

    @property
    def asymptotic_final_loss(self) -> float:
        """Asymptotic-limit loss at the last step."""
        return float(self.asymptotic.losses[int(self.steps[-1])])


def pauli_rotation_ansatz(
    num_qubits: int,
    num_parameters: int,
    seed: int | None = 0,
    *,
    pauli_sampling: PauliSampling = "rounds",
) -> QuantumCircuit:
    """``Π_k exp(−iθ_k P_k / 2)`` about random non-identity Pauli strings ``P_k``.

    Args:
        num_qubits: Width n >= 1.
        num_parameters: Number of rotations p >= 1 (one parameter each).
        seed: Seed of the Pauli strings.
        pauli_sampling: ``"rounds"``: each consecutive block of ``4^n − 1`` rotations uses every
            non-identity string once, in a random order (at θ = 0 the generators of every full
            round form an orthogonal basis of su(d)); ``"independent"``: each string uniformly
            at random.

    Returns:
        The circuit (``PauliEvolutionGate`` with time ``θ_k / 2``), parameters ``θ[0] … θ[p−1]``.

    Raises:
        ValueError: If n < 1, p < 1 or the sampling is unknown.
    """
    if num_qubits < 1 or num_parameters < 1:
        raise ValueError(
            f"need num_qubits >= 1 and num_parameters >= 1, got {num_qubits}, {num_parameters}"
        )
    labels = ["".join(letters) for letters in itertools.product("IXYZ", repeat=num_qubits)][1:]
    choices = _pauli_choices(len(labels), num_parameters, pauli_sampling, seed)
    theta = ParameterVector("θ", num_parameters)
    circuit = QuantumCircuit(num_qubits, name="pauli_rotations")
    for k, choice in enumerate(choices):
        circuit.append(PauliEvolutionGate(Pauli(labels[choice]), time=theta[k] / 2),
                       range(num_qubits))
    return circuit


def _pauli_choices(num_labels: int, count: int, sampling: str, seed: int | None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if sampling == "independent":
        return rng.integers(num_labels, size=count)
    if sampling == "rounds":
        rounds = -(-count // num_labels)
        return np.concatenate([rng.permutation(num_labels) for _ in range(rounds)])[:count]
    raise ValueError(f"pauli_sampling must be 'rounds' or 'independent', got {sampling!r}")


def initial_angles(
    num_parameters: int, initialization: Initialization, rng: np.random.Generator
) -> np.ndarray:
    """θ_0 of the experiment: all zero (``"identity"``) or uniform in [0, 2π) (``"random"``).

    Args:
        num_parameters: p.
        initialization: ``"identity"`` or ``"random"``.
        rng: Generator for the random start (not drawn from for the identity).

    Returns:
        Shape (p,).

    Raises:
        ValueError: For p < 1 or an unknown initialization.
    """
    if num_parameters < 1:
        raise ValueError(f"num_parameters must be >= 1, got {num_parameters}")
    if initialization == "identity":
        return np.zeros(num_parameters)
    if initialization == "random":
        return rng.uniform(0.0, 2.0 * math.pi, num_parameters)
    raise ValueError(f"initialization must be 'identity' or 'random', got {initialization!r}")


def random_orthonormal_states(num_qubits: int, num_states: int, seed: int | None = 0) -> np.ndarray:
    """``num_states`` orthonormal states: columns of a Haar-random unitary.

    Args:
        num_qubits: Width n.
        num_states: Number of states m, at most 2^n.
        seed: Seed.

    Returns:
        Shape (m, 2^n), one state per row.

    Raises:
        ValueError: If m is not in [1, 2^n].
    """
    dim = 2**num_qubits
    if not 1 <= num_states <= dim:
        raise ValueError(f"num_states must lie in [1, {dim}], got {num_states}")
    rng = np.random.default_rng(seed)
    gaussian = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    q, r = np.linalg.qr(gaussian)
    haar = q * (np.diag(r) / np.abs(np.diag(r)))[None, :]
    return np.ascontiguousarray(haar[:, :num_states].T)


def run_convergence_experiment(
    gamma: float = 1.0,
    num_parameters: int = 1000,
    steps: int = 300,
    seed: int = 0,
    *,
    learning_rate: float | None = None,
    num_qubits: int = 4,
    num_states: int = 4,
    kernel_every: int = 10,
    late_fraction: float = 0.5,
    engine: str = "dense",
    pauli_sampling: PauliSampling = "rounds",
    initialization: Initialization = "identity",
    discretization: Discretization = "steps",
    progress: bool = False,
) -> ConvergenceExperiment:
    """Train the supervised QNN of seed 001 and compare it with both kernel theories.

    Args:
        gamma: Measurement scale γ > 0 (M = γ Z_0).
        num_parameters: Number of rotations p.
        steps: Gradient-descent steps T.
        seed: Seed of the ansatz, the input states and the initial angles.
        learning_rate: η (default ``10 / p``, i.e. an asymptotic rate η' = η p d / (4(d²−1))
            of about 0.16 for d = 16).
        num_qubits: n.
        num_states: m.
        kernel_every: Record the empirical kernel every this many steps.
        late_fraction: Fraction of the run used as "late phase" by the convergence test.
        engine: ``"dense"`` (:class:`DenseSource`) or ``"exact"`` (one ``ExactEngine`` per state).
        pauli_sampling: How the rotations' Pauli strings are drawn (:func:`pauli_rotation_ansatz`).
        initialization: θ_0 (:func:`initial_angles`).
        discretization: How both over-parameterized predictions are integrated (one exponential
            step per gradient-descent step, or the continuous flow; see
            :func:`~qsympass.dynamics.asymptotic.integrate_asymptotic_dynamics`).
        progress: Show the training progress bar.

    Returns:
        The :class:`ConvergenceExperiment`.

    Raises:
        ValueError: For γ <= 0, steps < 2, or an unknown engine, sampling, initialization or
            discretization.
    """
    from qsympass.training import GradientDescent, train

    if not gamma > 0:
        raise ValueError(f"gamma must be > 0, got {gamma}")
    if steps < 2:
        raise ValueError(f"steps must be >= 2, got {steps}")
    rng = np.random.default_rng(seed)
    circuit = pauli_rotation_ansatz(
        num_qubits, num_parameters, seed=int(rng.integers(2**31)), pauli_sampling=pauli_sampling
    )
    states = random_orthonormal_states(num_qubits, num_states, seed=int(rng.integers(2**31)))
    labels = np.array([1.0 if i % 2 == 0 else -1.0 for i in range(num_states)])
    observable = SparsePauliOp("I" * (num_qubits - 1) + "Z", gamma)
    initial = initial_angles(num_parameters, initialization, rng)
    rate = 10.0 / num_parameters if learning_rate is None else float(learning_rate)

    dense = DenseSource(circuit, observable, states)
    source: GradientSource
    if engine == "dense":
        source = dense
    elif engine == "exact":
        source = ExactEngineSource(circuit, observable, states)
    else:
        raise ValueError(f"engine must be 'dense' or 'exact', got {engine!r}")

    start = time.perf_counter()
    objective = SupervisedObjective(source, labels)
    monitor = TrainingMonitor(objective, learning_rate=rate, kernel_every=kernel_every)
    train(objective, initial, GradientDescent(rate), steps, callbacks=[monitor],
          progress=progress)
    flow = functools.partial(
        integrate_asymptotic_dynamics, dense.heisenberg_observable(initial), dense.states,
        labels, learning_rate=rate, num_parameters=num_parameters, steps=steps - 1,
        kernel_every=kernel_every, discretization=discretization,
    )
    asymptotic = flow()
    circuit_frame = flow(generators=dense.input_frame_generators(initial))
    wall_time = time.perf_counter() - start

    losses = monitor.losses
    convergence = monitor.convergence(late_fraction=late_fraction)
    kernels = monitor.kernels
    return ConvergenceExperiment(
        gamma=float(gamma),
        num_parameters=num_parameters,
        pauli_sampling=pauli_sampling,
        initialization=initialization,
        learning_rate=rate,
        steps=monitor.steps,
        losses=losses,
        kernel_steps=monitor.kernel_steps,
        kernels=kernels,
        drift=monitor.drift(),
        convergence=convergence,
        spectrum_edge=spectrum_edge_labels(observable, labels),
        frozen=monitor.frozen_prediction(),
        asymptotic=asymptotic,
        asymptotic_convergence=_try_classify(asymptotic.losses, late_fraction),
        initial_kernel_error=kernel_drift(asymptotic.kernels[0], kernels[0]),
        asymptotic_late_factor=_late_factor(losses, asymptotic.losses, convergence.window),
        circuit_frame=circuit_frame,
        circuit_frame_late_factor=_late_factor(losses, circuit_frame.losses, convergence.window),
        wall_time=wall_time,
    )


def initial_kernel_agreement(source: DenseSource, params: np.ndarray) -> float:
    """``‖K(θ) − κ K̃(U†MU)‖_F / ‖K(θ)‖_F`` with κ for Pauli rotations ``exp(−iθP/2)``.

    Args:
        source: The dense model.
        params: Parameters θ.

    Returns:
        The relative Frobenius difference between the empirical and the asymptotic kernel.
    """
    _, jacobian = source.outputs_and_jacobian(params)
    empirical = jacobian @ jacobian.T
    scale = asymptotic_kernel_scale(source.num_parameters, source.states.shape[0])
    predicted = scale * commutator_kernel(source.heisenberg_observable(params), source.states)
    return kernel_drift(predicted, empirical)


def _try_classify(losses: np.ndarray, late_fraction: float) -> ConvergenceReport | None:
    try:
        return classify_convergence(losses, late_fraction=late_fraction)
    except ValueError:
        return None


def _late_factor(train_losses: np.ndarray, predicted: np.ndarray, window: tuple[int, int]) -> float:
    first, last = window
    chosen = slice(first, last + 1)
    ratio = predicted[chosen] / train_losses[chosen]
    valid = np.isfinite(ratio) & (ratio > 0) & (predicted[chosen] > DEFAULT_FLOOR)
    if not valid.any():
        return math.nan
    return float(np.exp(np.max(np.abs(np.log(ratio[valid])))))


def format_experiment_table(results: Sequence[ConvergenceExperiment]) -> str:
    """Plain-text table: γ, verdict, slope, rate, drift, losses and late-phase tracking factors.

    ``asym x`` and ``frame x`` are the late-phase factors between the training loss and the
    over-parameterized limit (p → ∞) and the same flow with the circuit's frozen frame.

    Args:
        results: The experiments.

    Returns:
        The table (one header line, one line per experiment).
    """
    header = (
        f"{'gamma':>5} {'p':>5} {'verdict':>11} {'conf':>5} {'loglog':>7} {'rate':>8} "
        f"{'drift':>6} {'K0 err':>6} {'final loss':>10} {'frozen':>10} {'asymptotic':>10} "
        f"{'asym x':>6} {'frame x':>7} {'time s':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        c = r.convergence
        lines.append(
            f"{r.gamma:5.2f} {r.num_parameters:5d} {c.verdict:>11} {c.confidence:5.2f} "
            f"{c.exponent:7.3f} {c.rate:8.4f} {r.final_drift:6.3f} {r.initial_kernel_error:6.3f} "
            f"{r.final_loss:10.3e} {r.frozen_final_loss:10.3e} {r.asymptotic_final_loss:10.3e} "
            f"{r.asymptotic_late_factor:6.3g} {r.circuit_frame_late_factor:7.3g} "
            f"{r.wall_time:6.1f}"
        )
    return "\n".join(lines)


def plot_convergence_experiments(
    results: Sequence[ConvergenceExperiment], directory: str | Path
) -> list[Path]:
    """Save the loss curves (log–log, semi-log) with both predictions, and the kernel drift.

    Args:
        results: The experiments (one colour each).
        directory: Output folder (created if missing).

    Returns:
        The written PNG files.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    files = []
    for scale, name in (("loglog", "loss_loglog.png"), ("semilog", "loss_semilog.png")):
        fig, ax = plt.subplots(figsize=(7, 5))
        for color, r in zip(itertools.cycle(colors), results):
            t = r.steps
            shift = 1 if scale == "loglog" else 0  # log axis: plot step t at t + 1
            ax.plot(t + shift, r.losses, color=color, label=f"γ={r.gamma:g}: training")
            ax.plot(t + shift, r.frozen.losses[t], color=color, ls="--",
                    label=f"γ={r.gamma:g}: frozen kernel K(0)")
            ax.plot(t + shift, r.asymptotic.losses[t], color=color, ls=":",
                    label=f"γ={r.gamma:g}: over-parameterized limit (p → ∞)")
            ax.plot(t + shift, r.circuit_frame.losses[t], color=color, ls="-.",
                    label=f"γ={r.gamma:g}: same flow, circuit's frame at θ₀")
        ax.set_yscale("log")
        if scale == "loglog":
            ax.set_xscale("log")
        ax.set_ylim(1e-32, 10 * max(float(r.losses.max()) for r in results))
        ax.set_xlabel("gradient-descent step t" + (" + 1" if scale == "loglog" else ""))
        ax.set_ylabel("loss ½‖ŷ − y‖²")
        ax.set_title(f"Training loss ({'log–log' if scale == 'loglog' else 'semi-log'})")
        ax.legend(fontsize=8)
        fig.tight_layout()
        files.append(out / name)
        fig.savefig(files[-1], dpi=120)
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 5))
    for color, r in zip(itertools.cycle(colors), results):
        ax.plot(r.kernel_steps, r.drift, color=color, marker="o", ms=3,
                label=f"γ={r.gamma:g}: empirical kernel")
        for prediction, style, name in ((r.asymptotic, ":", "over-parameterized limit"),
                                        (r.circuit_frame, "-.", "circuit's frame at θ₀")):
            drift = [kernel_drift(k, prediction.kernels[0]) for k in prediction.kernels]
            ax.plot(prediction.kernel_steps, drift, color=color, ls=style,
                    label=f"γ={r.gamma:g}: {name}")
    ax.set_xlabel("gradient-descent step t")
    ax.set_ylabel("relative kernel drift ‖K(t) − K(0)‖_F / ‖K(0)‖_F")
    ax.set_title("Tangent-kernel drift")
    ax.legend(fontsize=8)
    fig.tight_layout()
    files.append(out / "kernel_drift.png")
    fig.savefig(files[-1], dpi=120)
    plt.close(fig)
    return files
