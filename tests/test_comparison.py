"""Tests for :mod:`qsympass.comparison` (pruned vs unpruned training)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit import QuantumCircuit

from qsympass.ansatz import layered_ansatz
from qsympass.comparison import PruningComparison, compare_pruned_unpruned
from qsympass.gradients.exact import ExactEngine
from qsympass.ground_state import ground_energy, initial_parameters
from qsympass.models import lattice, tfim

SEEDS = (0, 1)
STEPS = 150
KERNEL_EVERY = 10


@pytest.fixture(scope="module")
def ring4():
    graph = lattice("ring", 4)
    return layered_ansatz(graph, 3, initial_state="plus"), tfim(graph)


@pytest.fixture(scope="module")
def comparison(ring4) -> PruningComparison:
    ansatz, hamiltonian = ring4
    return compare_pruned_unpruned(
        ansatz,
        hamiltonian,
        seeds=SEEDS,
        steps=STEPS,
        learning_rate=0.05,
        initialisation="small",
        eqntk_samples=8,
        kernel_every=KERNEL_EVERY,
    )


def test_pruned_ansatz_trains_to_a_lower_error(comparison):
    assert comparison.pruned.median_final_error < comparison.unpruned.median_final_error
    assert comparison.improvement > 1


def test_parameter_counts_match_circuits_and_report(comparison, ring4):
    ansatz, _ = ring4
    report = comparison.report
    assert comparison.unpruned.num_parameters == ansatz.num_parameters
    assert comparison.unpruned.num_parameters == report.num_parameters_before
    assert comparison.pruned.num_parameters == comparison.pruned_circuit.num_parameters
    assert comparison.pruned.num_parameters == report.num_parameters_after
    assert comparison.pruned.num_parameters < comparison.unpruned.num_parameters


def test_runs_have_one_curve_per_seed_and_respect_the_variational_bound(comparison):
    for run in (comparison.unpruned, comparison.pruned):
        assert run.seeds == SEEDS
        assert run.relative_errors.shape == (len(SEEDS), STEPS)
        assert np.all(run.relative_errors > -1e-10)
        np.testing.assert_array_equal(run.final_errors, run.relative_errors[:, -1])
        assert run.median_final_error == pytest.approx(np.median(run.final_errors))
        np.testing.assert_array_equal(run.kernel_steps, np.arange(0, STEPS, KERNEL_EVERY))
        assert run.normalized_kernels.shape == (len(SEEDS), len(run.kernel_steps))


def test_first_step_matches_an_independent_exact_evaluation(comparison, ring4):
    ansatz, hamiltonian = ring4
    e0 = ground_energy(hamiltonian)
    assert comparison.ground_energy == pytest.approx(e0)
    circuits = {"unpruned": ansatz, "pruned": comparison.pruned_circuit}
    for run in (comparison.unpruned, comparison.pruned):
        engine = ExactEngine(circuits[run.label], hamiltonian)
        for row, seed in enumerate(run.seeds):
            start = initial_parameters(run.num_parameters, "small", np.random.default_rng(seed))
            energy, gradient = engine.energy_and_gradient(start)
            residual = float(energy) - e0
            assert run.relative_errors[row, 0] == pytest.approx(residual / abs(e0), rel=1e-9)
            expected = float(np.sum(gradient**2)) / residual
            assert run.normalized_kernels[row, 0] == pytest.approx(expected, rel=1e-9)


def test_eqntk_and_effective_dimension_are_recorded(comparison):
    unpruned, pruned = comparison.unpruned, comparison.pruned
    for run in (unpruned, pruned):
        assert run.eqntk is not None and run.eqntk > 0
        assert run.eqntk_stderr is not None and run.eqntk_stderr >= 0
        assert run.effective_dimension_exact
    assert pruned.effective_dimension is not None and unpruned.effective_dimension is not None
    assert pruned.effective_dimension <= unpruned.effective_dimension <= 2**4


def test_table_and_dict_describe_both_circuits(comparison):
    table = comparison.table()
    assert "unpruned" in table and "pruned" in table
    assert f"{STEPS} steps" in table
    summary = json.loads(json.dumps(comparison.to_dict()))
    assert summary["steps"] == STEPS and summary["initialisation"] == "small"
    for label in ("unpruned", "pruned"):
        run = getattr(comparison, label)
        assert summary[label]["num_parameters"] == run.num_parameters
        assert summary[label]["final_relative_errors"] == pytest.approx(run.final_errors.tolist())
    assert summary["pruning"]["num_parameters_after"] == comparison.pruned.num_parameters
    curves = comparison.curves()
    assert len(curves) == 2 and all(len(c) == STEPS for c in curves.values())
    assert all(len(c) == STEPS // KERNEL_EVERY for c in comparison.kernel_curves().values())


def test_skipping_the_eqntk_leaves_it_out(ring4):
    ansatz, hamiltonian = ring4
    result = compare_pruned_unpruned(ansatz, hamiltonian, seeds=[3], steps=2, eqntk_samples=None)
    assert result.pruned.eqntk is None and result.pruned.effective_dimension is None
    assert "-" in result.table()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seeds": []}, "at least one seed"),
        ({"steps": 0}, "steps must be an integer >= 1"),
        ({"eqntk_samples": 1}, "eqntk_samples must be an integer >= 2"),
    ],
)
def test_bad_settings_are_rejected(ring4, kwargs, message):
    ansatz, hamiltonian = ring4
    with pytest.raises(ValueError, match=message):
        compare_pruned_unpruned(ansatz, hamiltonian, **kwargs)


def test_width_mismatch_and_parameter_free_ansatz_are_rejected(ring4):
    ansatz, _ = ring4
    with pytest.raises(ValueError, match="qubits"):
        compare_pruned_unpruned(ansatz, tfim(lattice("ring", 5)))
    with pytest.raises(ValueError, match="no parameters"):
        compare_pruned_unpruned(QuantumCircuit(4), tfim(lattice("ring", 4)))
