"""An interrupted ground-state run on a noisy fake backend resumes without losing a step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qiskit.quantum_info import SparsePauliOp

from qsympass.ansatz import layered_ansatz
from qsympass.ground_state import GroundStateRun, train_ground_state
from qsympass.hardware.estimators import make_estimator
from qsympass.hardware.isa import IsaProgram, to_isa
from qsympass.models import lattice, tfim
from qsympass.training.checkpoint import load_checkpoint

STEPS = 5
SEED = 11


class InterruptAt:
    """A callback that raises ``KeyboardInterrupt`` when step ``step`` is shown to it."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_step(self, step: int, *_: object) -> None:
        if step == self.step:
            raise KeyboardInterrupt


def _program() -> tuple[SparsePauliOp, IsaProgram]:
    graph = lattice("chain", 2)
    hamiltonian = tfim(graph, h=0.7)
    ansatz = layered_ansatz(graph, 1, rotations=("rx", "ry"), initial_state="plus")
    handle = make_estimator("aer:manila", shots=4000, seed=SEED)
    return hamiltonian, to_isa(ansatz, hamiltonian, handle.backend, hamiltonian=hamiltonian)


def _train(
    hamiltonian: SparsePauliOp, program: IsaProgram, checkpoint: Path | None, callbacks=()
) -> GroundStateRun:
    # A fresh estimator per session, as after a restart of the process.
    with make_estimator("aer:manila", shots=4000, seed=SEED) as handle:
        return train_ground_state(
            program.circuit,
            hamiltonian,
            steps=STEPS,
            learning_rate=0.2,
            seed=SEED,
            estimator=handle.estimator,
            observable=program.observables[0],
            callbacks=callbacks,
            checkpoint=checkpoint,
            progress=False,
        )


@pytest.mark.parametrize("interrupt_at", [1, 3])
def test_interrupted_run_resumes_to_the_uninterrupted_result(
    tmp_path: Path, interrupt_at: int
) -> None:
    hamiltonian, program = _program()
    reference = _train(hamiltonian, program, checkpoint=None)

    path = tmp_path / "run.json"
    with pytest.raises(KeyboardInterrupt):
        _train(hamiltonian, program, path, callbacks=[InterruptAt(interrupt_at)])
    saved = load_checkpoint(path)
    # Every step that finished before the interrupt is on disk, exactly as measured.
    assert saved.steps_done == interrupt_at
    assert saved.history.loss == list(reference.energies[:interrupt_at])

    resumed = _train(hamiltonian, program, path)
    assert len(resumed.energies) == STEPS
    assert np.array_equal(resumed.energies, reference.energies)
    assert np.array_equal(resumed.params, reference.params)
    assert load_checkpoint(path).steps_done == STEPS


def test_seeded_noise_differs_between_jobs_and_repeats_between_runs() -> None:
    # Each job draws its own noise (a fixed noise realization would bias every gradient the
    # same way); a second estimator with the same seed repeats the sequence, which is what
    # exact resumption relies on, and a step key fixes a job's noise whatever came before.
    _, program = _program()
    values = np.linspace(0.1, 0.5, program.circuit.num_parameters)
    pub = (program.circuit, program.observables[0], values)
    runs = []
    for _ in range(2):
        with make_estimator("aer:manila", shots=4000, seed=SEED) as handle:
            runs.append([float(handle.estimator.run([pub]).result()[0].data.evs)
                         for _ in range(3)])
    assert runs[0] == runs[1]
    assert len(set(runs[0])) == 3
    keyed = []
    for warmup in (0, 2):
        with make_estimator("aer:manila", shots=4000, seed=SEED) as handle:
            for _ in range(warmup):
                handle.estimator.run([pub]).result()
            handle.estimator.reseed(7)
            keyed.append(float(handle.estimator.run([pub]).result()[0].data.evs))
    assert keyed[0] == keyed[1]


def test_a_checkpoint_of_another_problem_is_refused(tmp_path: Path) -> None:
    hamiltonian, program = _program()
    path = tmp_path / "run.ckpt"
    _train(hamiltonian, program, path)
    other = tfim(lattice("chain", 2), h=3.0)
    with (
        make_estimator("aer:manila", shots=4000, seed=SEED) as handle,
        pytest.raises(ValueError, match=r"operator_sha256|ground_energy"),
    ):
        train_ground_state(
            program.circuit, other, steps=STEPS, learning_rate=0.2, seed=SEED,
            estimator=handle.estimator, observable=other.apply_layout(program.circuit.layout),
            checkpoint=path, progress=False,
        )
