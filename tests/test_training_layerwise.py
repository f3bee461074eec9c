"""Layer-by-layer training with interpolated starts (qsympass.training.layerwise)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from qsympass.ansatz import layered_ansatz
from qsympass.ground_state import EnergyObjective, train_ground_state
from qsympass.models import lattice, tfim
from qsympass.training import Adam, interpolate_layers, train_layerwise
from qsympass.training.layerwise import layer_slots

_ANGLES = st.floats(-3.0, 3.0, allow_nan=False, allow_subnormal=False)


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 6), st.integers(1, 4)), elements=_ANGLES))
def test_interpolation_keeps_the_ends_and_constant_profiles(angles: np.ndarray) -> None:
    grown = interpolate_layers(angles)
    assert grown.shape == (angles.shape[0] + 1, angles.shape[1])
    np.testing.assert_allclose(grown[0], angles[0])
    np.testing.assert_allclose(grown[-1], angles[-1])
    constant = np.tile(angles[:1], (angles.shape[0], 1))
    np.testing.assert_allclose(interpolate_layers(constant), np.tile(angles[:1], (len(grown), 1)))


def test_interpolation_matches_the_interp_rule() -> None:
    # Zhou et al.: [a, b] -> [a, (a + b)/2, b]
    np.testing.assert_allclose(interpolate_layers(np.array([[1.0], [3.0]])), [[1.0], [2.0], [3.0]])


def _quadratic(target: np.ndarray):
    def objective(params: np.ndarray):
        residual = params - target
        return float(residual @ residual), 2 * residual, {}

    return objective


def test_every_stage_trains_its_layers_and_the_history_spans_all_steps() -> None:
    layers = np.array([0, 0, 1, 1, 2, 2])
    target = np.array([0.5, -0.2, 0.4, -0.1, 0.3, 0.0])
    result = train_layerwise(_quadratic(target), np.full(6, 0.1), layers,
                             lambda: Adam(0.05), 301, progress=False)
    assert len(result.history.loss) == 301 and len(result.stages) == 3
    assert [stage.steps_done for stage in result.stages] == [101, 100, 100]
    assert [stage.params.size for stage in result.stages] == [2, 4, 6]
    np.testing.assert_allclose(result.params, target, atol=1e-3)


def test_deeper_layers_held_at_zero_leave_the_shallow_circuit() -> None:
    graph = lattice("ring", 4)
    hamiltonian = tfim(graph)
    deep = layered_ansatz(graph, 3, initial_state="plus", entanglers_first=True)
    shallow = layered_ansatz(graph, 1, initial_state="plus", entanglers_first=True)
    values = np.random.default_rng(3).uniform(-1, 1, shallow.num_parameters)
    padded = np.concatenate([values, np.zeros(deep.num_parameters - values.size)])
    deep_energy = EnergyObjective(deep, hamiltonian, -1.0)(padded).loss
    shallow_energy = EnergyObjective(shallow, hamiltonian, -1.0)(values).loss
    assert np.isclose(deep_energy, shallow_energy, atol=1e-12)


def test_objectives_see_the_global_step_and_a_seeded_rng() -> None:
    # A penalty schedule keyed on ``step`` must ramp over the whole run, not restart per stage,
    # and an objective that draws from ``rng`` gets a reproducible stream.
    from qsympass.training import GradientDescent, LinearRamp, penalized, train

    def data(x: np.ndarray) -> tuple[float, np.ndarray, dict]:
        return float(x @ x), 2 * x, {}

    def penalty(x: np.ndarray) -> tuple[float, np.ndarray, dict]:
        return float(np.sum(x)), np.ones_like(x), {}

    objective = penalized(data, penalty, LinearRamp(0.0, 1.0, 4))
    layers, start = [0, 0, 1, 1], np.zeros(4)
    staged = train_layerwise(objective, start, layers, lambda: GradientDescent(0.1), 10,
                             progress=False)
    flat = train(objective, start, GradientDescent(0.1), 10, progress=False)
    np.testing.assert_array_equal(staged.history.extra("penalty_strength"),
                                  flat.history.extra("penalty_strength"))

    def noisy(x: np.ndarray, *, rng: np.random.Generator) -> tuple[float, np.ndarray, dict]:
        return float(x @ x + rng.normal()), 2 * x, {}

    runs = [train_layerwise(noisy, start, layers, lambda: GradientDescent(0.1), 6, seed=seed,
                            progress=False).history.loss for seed in (5, 5, 6)]
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_a_finished_run_resumes_from_its_stage_checkpoints(tmp_path) -> None:
    layers = np.array([0, 1, 2])
    target = np.array([0.3, -0.4, 0.2])
    path = tmp_path / "run.ckpt"
    first = train_layerwise(_quadratic(target), np.zeros(3), layers, lambda: Adam(0.1), 60,
                            checkpoint=path, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"run.ckpt.layer{k}" for k in (1, 2, 3)]
    again = train_layerwise(_quadratic(target), np.zeros(3), layers, lambda: Adam(0.1), 60,
                            checkpoint=path, progress=False)
    assert [stage.resumed_from for stage in again.stages] == [20, 20, 20]
    np.testing.assert_array_equal(again.params, first.params)
    assert again.history.loss == first.history.loss


class _Crash(Exception):
    pass


def test_a_run_killed_mid_stage_resumes_from_its_last_sparse_checkpoint(tmp_path) -> None:
    layers = np.array([0, 1, 2])
    quadratic = _quadratic(np.array([0.3, -0.4, 0.2]))
    calls = 0

    def crashing(params: np.ndarray):
        nonlocal calls
        calls += 1
        if calls == 33:  # step 13 of stage 2
            raise _Crash
        return quadratic(params)

    def run(objective):
        return train_layerwise(objective, np.zeros(3), layers, lambda: Adam(0.1), 60,
                               checkpoint=tmp_path / "run.ckpt", checkpoint_every=5,
                               progress=False)

    with pytest.raises(_Crash):
        run(crashing)
    resumed = run(quadratic)
    assert [stage.resumed_from for stage in resumed.stages] == [20, 10, 0]
    reference = train_layerwise(quadratic, np.zeros(3), layers, lambda: Adam(0.1), 60,
                                progress=False)
    np.testing.assert_array_equal(resumed.params, reference.params)
    assert resumed.history.loss == reference.history.loss


def test_ground_state_training_passes_checkpoint_every_on() -> None:
    graph = lattice("ring", 3)
    circuit = layered_ansatz(graph, 1, rotations=("rx",))
    with pytest.raises(ValueError, match="checkpoint_every"):
        train_ground_state(circuit, tfim(graph), steps=2, checkpoint_every=0, progress=False)


def test_ground_state_training_layer_by_layer_uses_the_whole_budget() -> None:
    graph = lattice("ring", 4)
    circuit = layered_ansatz(graph, 2, rotations=("rx",), initial_state="plus",
                             entanglers_first=True)
    layers = np.arange(circuit.num_parameters) // (circuit.num_parameters // 2)
    run = train_ground_state(circuit, tfim(graph), steps=80, learning_rate=0.1, layers=layers,
                             progress=False)
    assert run.energies.size == 80 and run.relative_errors[-1] < run.relative_errors[0]
    with pytest.raises(ValueError, match="callbacks"):
        train_ground_state(circuit, tfim(graph), steps=4, layers=layers, progress=False,
                           callbacks=[object()])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("layers", "steps", "message"),
    [
        ([0, 0, 1], 10, "same number of parameters"),
        ([[0, 1]], 10, "1-D"),
        ([-1, 0], 10, "non-negative"),
        ([0, 1, 2], 2, "at least the number of layers"),
    ],
)
def test_bad_layer_maps_fail_clearly(layers, steps, message) -> None:
    size = np.asarray(layers).size
    with pytest.raises(ValueError, match=message):
        train_layerwise(_quadratic(np.zeros(size)), np.zeros(size), layers, lambda: Adam(0.1),
                        steps, progress=False)


def test_an_optimizer_instead_of_a_factory_fails_clearly() -> None:
    with pytest.raises(ValueError, match=r"e\.g\. lambda: Adam\(0\.05\); got Adam"):
        train_layerwise(_quadratic(np.zeros(2)), np.zeros(2), [0, 1], Adam(0.1),  # type: ignore[arg-type]
                        4, progress=False)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        train_layerwise(_quadratic(np.zeros(2)), np.zeros(2), [0, 1], lambda: Adam(0.1),
                        4.0, progress=False)  # type: ignore[arg-type]


def test_layer_slots_group_parameters_by_layer_in_order() -> None:
    order, slots = layer_slots([1, 0, 1, 0])
    assert order.tolist() == [1, 3, 0, 2] and slots == 2
