"""Tests for qsympass.training: optimizers, objectives, metrics, the loop and checkpoint/resume."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from qsympass.training import (
    Adam,
    ExponentialDecay,
    GradientDescent,
    GradientTolerance,
    LinearRamp,
    ObjectiveValue,
    TargetLoss,
    accuracy,
    as_objective,
    load_checkpoint,
    mse,
    mse_objective,
    penalized,
    train,
)
from qsympass.training import checkpoint as checkpoint_module
from qsympass.training.checkpoint import from_json, to_json
from qsympass.training.objectives import evaluate

REPO_ROOT = Path(__file__).resolve().parents[1]
FLOATS = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


# ---------------------------------------------------------------------------------------------
# Deterministic test objectives
# ---------------------------------------------------------------------------------------------


def quadratic(matrix: np.ndarray, vector: np.ndarray):
    """``½ xᵀAx − bᵀx`` with gradient ``Ax − b``; extras: the gradient's first entry."""

    def objective(params: np.ndarray) -> ObjectiveValue:
        grad = matrix @ params - vector
        return ObjectiveValue(float(0.5 * params @ matrix @ params - vector @ params), grad,
                              {"g0": float(grad[0])})

    return objective


def random_spd(rng: np.random.Generator, size: int) -> np.ndarray:
    factor = rng.normal(size=(size, size))
    return factor @ factor.T / size + np.eye(size)


def cosine_objective(params: np.ndarray, *, step: int) -> ObjectiveValue:
    """Non-convex, deterministic, step-aware (the step enters the extras only)."""
    delta = params - np.linspace(-1.0, 1.0, params.size)
    loss = float(np.sum(1.0 - np.cos(delta)) + 0.1 * np.sum(delta**4))
    return ObjectiveValue(loss, np.sin(delta) + 0.4 * delta**3, {"step": float(step)})


def noisy_objective(params: np.ndarray, *, rng: np.random.Generator) -> ObjectiveValue:
    """Quadratic with a gradient perturbed by the run's generator (a stand-in for shot noise)."""
    noise = rng.normal(scale=0.05, size=params.size)
    return ObjectiveValue(float(params @ params), 2 * params + noise, {"noise": float(noise[0])})


class Recorder:
    """Callback that keeps copies of everything it is shown."""

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.losses: list[float] = []
        self.writeable: list[bool] = []

    def on_step(self, step: int, params: np.ndarray, loss: float, grad: np.ndarray,
                extras: Mapping[str, float]) -> None:
        self.steps.append(step)
        self.params.append(params.copy())
        self.grads.append(grad.copy())
        self.losses.append(loss)
        self.writeable.append(params.flags.writeable or grad.flags.writeable)


class Interrupt(Exception):
    """Raised by ``InterruptAt`` to emulate a crash after a given step."""


class InterruptAt:
    """Raise ``Interrupt`` while step ``step`` is being processed (before its update)."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_step(self, step: int, params: np.ndarray, loss: float, grad: np.ndarray,
                extras: Mapping[str, float]) -> None:
        if step == self.step:
            raise Interrupt


class LossSum:
    """Stateful callback with ``state_dict``: the running sum of losses."""

    def __init__(self) -> None:
        self.total = 0.0
        self.seen: list[int] = []
        self.ended_at = -1

    def on_step(self, step: int, params: np.ndarray, loss: float, grad: np.ndarray,
                extras: Mapping[str, float]) -> None:
        self.total += loss
        self.seen.append(step)

    def on_train_end(self, result) -> None:
        self.ended_at = result.steps_done

    def state_dict(self) -> dict[str, Any]:
        return {"total": self.total, "seen": np.array(self.seen, dtype=np.int64)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.total = state["total"]
        self.seen = [int(s) for s in state["seen"]]


def assert_same_run(first, second) -> None:
    """Bit-for-bit equality of two training results."""
    assert first.steps_done == second.steps_done
    assert first.params.tobytes() == second.params.tobytes()
    assert first.history.to_dict() == second.history.to_dict()
    assert json.dumps(first.optimizer_state) == json.dumps(second.optimizer_state)
    assert first.stopped_early == second.stopped_early
    assert first.stop_reason == second.stop_reason


# ---------------------------------------------------------------------------------------------
# Optimizers
# ---------------------------------------------------------------------------------------------


def reference_adam(grads: list[list[float]], params: list[float], lr: float, beta1: float,
                   beta2: float, eps: float) -> list[float]:
    """Adam written out coordinate by coordinate in plain Python (Kingma & Ba, Algorithm 1)."""
    m = [0.0] * len(params)
    v = [0.0] * len(params)
    x = list(params)
    for t, grad in enumerate(grads, start=1):
        for i, g in enumerate(grad):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            m_hat = m[i] / (1 - beta1**t)
            v_hat = v[i] / (1 - beta2**t)
            x[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
    return x


@settings(max_examples=30, deadline=None)
@given(
    grads=hnp.arrays(float, st.tuples(st.integers(1, 6), st.integers(1, 4)), elements=FLOATS),
    lr=st.floats(1e-3, 1.0),
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.5, 0.9999),
)
def test_adam_matches_the_algorithm_written_out(grads, lr, beta1, beta2):
    params = np.linspace(-1, 1, grads.shape[1])
    optimizer = Adam(lr, beta1=beta1, beta2=beta2)
    current = params
    for grad in grads:
        current = optimizer.step(current, grad)
    expected = reference_adam(grads.tolist(), params.tolist(), lr, beta1, beta2, 1e-8)
    np.testing.assert_allclose(current, expected, rtol=1e-12, atol=1e-12)
    assert optimizer.num_steps == len(grads)


@settings(max_examples=20, deadline=None)
@given(grad=hnp.arrays(float, st.integers(1, 5), elements=st.floats(0.5, 5.0)),
       signs=st.lists(st.sampled_from([-1.0, 1.0]), min_size=5, max_size=5))
def test_adam_first_step_moves_each_coordinate_by_about_lr(grad, signs):
    grad = grad * np.array(signs[: grad.size])
    new = Adam(0.1).step(np.zeros_like(grad), grad)
    np.testing.assert_allclose(new, -0.1 * np.sign(grad), rtol=1e-6)


@settings(max_examples=20, deadline=None)
@given(params=hnp.arrays(float, st.integers(1, 5), elements=FLOATS), lr=st.floats(1e-3, 2.0))
def test_gradient_descent_step_is_params_minus_lr_grad(params, lr):
    grad = np.cos(params)
    assert np.array_equal(GradientDescent(lr).step(params, grad), params - lr * grad)


@pytest.mark.parametrize("make", [lambda: Adam(0.05), lambda: GradientDescent(0.05),
                                  lambda: Adam(ExponentialDecay(0.1, 0.9))])
@settings(max_examples=15, deadline=None)
@given(split=st.integers(0, 8), seed=st.integers(0, 2**16))
def test_optimizer_state_round_trips_through_json_exactly(make, split, seed):
    rng = np.random.default_rng(seed)
    grads = rng.normal(size=(8, 3))
    params = rng.normal(size=3)
    straight = make()
    reference = params
    for grad in grads:
        reference = straight.step(reference, grad)
    first, second = make(), make()
    current = params
    for grad in grads[:split]:
        current = first.step(current, grad)
    second.load_state_dict(json.loads(json.dumps(first.state_dict())))
    for grad in grads[split:]:
        current = second.step(current, grad)
    assert current.tobytes() == reference.tobytes()
    assert second.state_dict() == straight.state_dict()


def test_learning_rate_schedule_is_called_with_the_step_count():
    calls: list[int] = []

    def schedule(step: int) -> float:
        calls.append(step)
        return 0.5 / (1 + step)

    optimizer = GradientDescent(schedule)
    params = np.array([1.0])
    for expected_lr in (0.5, 0.25, 0.5 / 3):
        new = optimizer.step(params, np.array([1.0]))
        assert new[0] == pytest.approx(params[0] - expected_lr)
        params = new
    assert calls == [0, 1, 2]


def test_schedules():
    decay = ExponentialDecay(0.2, 0.5, decay_steps=2)
    assert [decay(s) for s in (0, 2, 4)] == pytest.approx([0.2, 0.1, 0.05])
    ramp = LinearRamp(0.0, 1.0, 4)
    assert [ramp(s) for s in (0, 2, 4, 10)] == pytest.approx([0.0, 0.5, 1.0, 1.0])


def test_optimizer_reset_forgets_the_state():
    optimizer = Adam(0.1)
    optimizer.step(np.zeros(2), np.ones(2))
    optimizer.reset()
    assert optimizer.state_dict() == Adam(0.1).state_dict()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Adam(0.0), "learning rate"),
        (lambda: Adam(-0.1), "learning rate"),
        (lambda: GradientDescent(float("nan")), "learning rate"),
        (lambda: Adam("0.1"), "learning rate must be a finite number > 0, got '0.1'"),  # type: ignore[arg-type]
        (lambda: Adam(True), "learning rate"),
        (lambda: Adam(0.1, beta1=1.0), "beta1"),
        (lambda: Adam(0.1, beta2=-0.1), "beta2"),
        (lambda: Adam(0.1, eps=0.0), "eps"),
        (lambda: GradientDescent(lambda step: -1.0).step(np.zeros(1), np.ones(1)),
         "schedule gave -1.0 at step 0"),
        (lambda: Adam(0.1).step(np.zeros(2), np.ones(3)), "shape"),
        (lambda: Adam(0.1).step(np.zeros(2), np.array([1.0, np.nan])), "NaN"),
        (lambda: Adam(0.1).load_state_dict(GradientDescent(0.1).state_dict()), "gradient_descent"),
        (lambda: ExponentialDecay(0.1, 0.0), "rate"),
        (lambda: LinearRamp(0.0, 1.0, 0), "steps"),
    ],
)
def test_optimizer_bad_input(build, message):
    with pytest.raises(ValueError, match=message):
        build()


# ---------------------------------------------------------------------------------------------
# Metrics and objectives
# ---------------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(data=st.lists(st.tuples(FLOATS, st.sampled_from([-1.0, 1.0])), min_size=1, max_size=30))
def test_accuracy_and_mse_match_their_definitions(data):
    predictions = np.array([p for p, _ in data])
    labels = np.array([y for _, y in data])
    correct = sum(1 for p, y in data if (p > 0 and y == 1) or (p < 0 and y == -1))
    assert accuracy(predictions, labels) == pytest.approx(correct / len(data))
    assert mse(predictions, labels) == pytest.approx(
        sum((p - y) ** 2 for p, y in data) / len(data))


def test_accuracy_counts_an_undecided_prediction_as_wrong():
    assert accuracy([0.0, 0.3], [1, 1]) == 0.5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: accuracy([0.1, 0.2], [1, 0]), r"\+1 or -1"),
        (lambda: accuracy([0.1], [1, 1]), "shape"),
        (lambda: mse([], []), "empty"),
        (lambda: mse([np.nan], [1.0]), "NaN"),
    ],
)
def test_metrics_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def periodic_model(inputs: np.ndarray):
    """``f_i(θ) = cos(x_i · θ)`` with its Jacobian."""

    def model(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        phases = inputs @ params
        return np.cos(phases), -np.sin(phases)[:, None] * inputs

    return model


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**16), size=st.integers(1, 6))
def test_mse_objective_gradient_matches_finite_differences(seed, size):
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(5, size))
    labels = rng.choice([-1.0, 1.0], size=5)
    objective = mse_objective(periodic_model(inputs), labels)
    params = rng.normal(size=size)
    loss, grad, extras = objective(params)
    predictions = np.cos(inputs @ params)
    assert loss == pytest.approx(mse(predictions, labels))
    assert extras["accuracy"] == pytest.approx(accuracy(predictions, labels))
    step = 1e-6
    numeric = [
        (objective(params + step * e)[0] - objective(params - step * e)[0]) / (2 * step)
        for e in np.eye(size)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**16), strength=st.floats(0.0, 10.0))
def test_penalized_is_mse_plus_lambda_times_penalty(seed, strength):
    rng = np.random.default_rng(seed)
    data = mse_objective(periodic_model(rng.normal(size=(4, 3))), rng.choice([-1.0, 1.0], 4))
    penalty = quadratic(random_spd(rng, 3), np.zeros(3))
    combined = penalized(data, penalty, strength)
    params = rng.normal(size=3)
    loss, grad, extras = combined(params)
    data_value, penalty_value = data(params), penalty(params)
    assert loss == pytest.approx(data_value.loss + strength * penalty_value.loss)
    np.testing.assert_allclose(grad, data_value.grad + strength * penalty_value.grad)
    assert extras["mse"] == data_value.loss
    assert extras["penalty"] == penalty_value.loss
    assert extras["penalty_strength"] == strength
    assert extras["accuracy"] == data_value.extras["accuracy"]


def test_penalty_schedule_follows_the_training_step():
    rng = np.random.default_rng(3)
    ramp = LinearRamp(0.0, 2.0, 4)
    combined = penalized(quadratic(random_spd(rng, 2), np.ones(2)),
                         quadratic(np.eye(2), np.zeros(2)), ramp)
    result = train(combined, np.ones(2), Adam(0.05), 6, progress=False)
    np.testing.assert_allclose(result.history.extra("penalty_strength"),
                               [ramp(step) for step in range(6)])
    loss = np.array(result.history.loss)
    np.testing.assert_allclose(
        loss, result.history.extra("mse") + [ramp(s) for s in range(6)]
        * result.history.extra("penalty"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: penalized(quadratic(np.eye(1), np.zeros(1)),
                           quadratic(np.eye(1), np.zeros(1)), -0.5), "λ"),
        (lambda: penalized(quadratic(np.eye(1), np.zeros(1)),
                           quadratic(np.eye(1), np.zeros(1)), lambda s: 1.0 - s)(
                               np.zeros(1), step=3), "-2.0 at step 3"),
        (lambda: mse_objective(periodic_model(np.eye(2)), []), "non-empty"),
        (lambda: evaluate(lambda x: (1.0, x), np.zeros(2)), r"\(loss, grad, extras\)"),
        (lambda: evaluate(lambda x: (1.0, np.zeros(3), {}), np.zeros(2)), "shape"),
        (lambda: evaluate(lambda x: (1.0, np.zeros(2), [1.0]), np.zeros(2)), "mapping"),
    ],
)
def test_objective_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_penalized_scheduled_strength_fails_inside_train_at_the_offending_step():
    combined = penalized(quadratic(np.eye(1), np.zeros(1)), quadratic(np.eye(1), np.zeros(1)),
                         lambda step: 1.0 - step)
    with pytest.raises(ValueError, match="at step 2"):
        train(combined, np.ones(1), GradientDescent(0.1), 5, progress=False)


def test_as_objective_adapts_a_loss_and_gradient_function():
    objective = as_objective(lambda x: (np.float64(x @ x), 2 * x), name="energy")
    loss, grad, extras = objective(np.array([1.0, 2.0]))
    assert loss == 5.0 and extras == {"energy": 5.0}
    np.testing.assert_array_equal(grad, [2.0, 4.0])


# ---------------------------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", [Adam(0.05), GradientDescent(0.2)], ids=["adam", "gd"])
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_train_converges_on_a_quadratic(optimizer, seed):
    rng = np.random.default_rng(seed)
    matrix, vector = random_spd(rng, 4), rng.normal(size=4)
    optimum, initial = np.linalg.solve(matrix, vector), rng.normal(size=4)
    optimizer.reset()
    result = train(quadratic(matrix, vector), initial, optimizer, 400, progress=False)

    def excess(x: np.ndarray) -> float:
        return float(0.5 * (x - optimum) @ matrix @ (x - optimum))

    # Adam at a constant step circles the optimum rather than landing on it, so the loss gap
    # is the sharp check (worst over 1000 seeds: 3e-9 of the initial gap; GD: 1e-15).
    assert excess(result.params) <= 1e-6 * excess(initial)
    np.testing.assert_allclose(result.params, optimum, atol=1e-2)
    assert result.steps_done == len(result.history) == 400
    assert not result.stopped_early


def test_callbacks_see_the_evaluated_params_and_gradient():
    rng = np.random.default_rng(0)
    matrix, vector = random_spd(rng, 3), rng.normal(size=3)
    recorder = Recorder()
    initial = rng.normal(size=3)
    result = train(quadratic(matrix, vector), initial, GradientDescent(0.1), 5,
                   callbacks=[recorder], progress=False)
    assert recorder.steps == list(range(5))
    np.testing.assert_array_equal(recorder.params[0], initial)
    for k in range(5):
        np.testing.assert_array_equal(recorder.grads[k], matrix @ recorder.params[k] - vector)
        assert recorder.losses[k] == result.history.loss[k]
        assert result.history.grad_norm[k] == pytest.approx(np.linalg.norm(recorder.grads[k]))
        following = recorder.params[k + 1] if k < 4 else result.params
        np.testing.assert_array_equal(following, recorder.params[k] - 0.1 * recorder.grads[k])
    assert not any(recorder.writeable)
    np.testing.assert_array_equal(result.history.extra("g0"), [g[0] for g in recorder.grads])


def test_target_loss_stops_and_keeps_the_evaluated_params():
    recorder = Recorder()
    result = train(quadratic(np.eye(2), np.zeros(2)), np.ones(2), GradientDescent(0.1), 100,
                   callbacks=[recorder, TargetLoss(0.1)], progress=False)
    assert result.stopped_early and "target" in (result.stop_reason or "")
    assert result.history.loss[-1] <= 0.1 < result.history.loss[-2]
    np.testing.assert_array_equal(result.params, recorder.params[-1])
    assert result.steps_done == len(result.history) < 100


def test_gradient_tolerance_stops():
    result = train(quadratic(np.eye(2), np.zeros(2)), np.ones(2), Adam(0.1), 1000,
                   callbacks=[GradientTolerance(1e-2)], progress=False)
    assert result.stopped_early and result.history.grad_norm[-1] <= 1e-2


def test_non_finite_loss_stops_without_updating():
    def objective(params: np.ndarray) -> ObjectiveValue:
        loss = float("nan") if params[0] < 0.5 else float(params @ params)
        return ObjectiveValue(loss, 2 * params, {})

    result = train(objective, np.ones(1), GradientDescent(0.1), 50, progress=False)
    assert result.stopped_early and "non-finite" in (result.stop_reason or "")
    assert result.params[0] < 0.5 and math.isnan(result.history.loss[-1])


def test_zero_steps_returns_the_initial_params():
    result = train(quadratic(np.eye(2), np.zeros(2)), [1.0, 2.0], Adam(0.1), 0, progress=False)
    np.testing.assert_array_equal(result.params, [1.0, 2.0])
    assert result.steps_done == 0 and math.isnan(result.last_loss)


def test_seeded_rng_reaches_the_objective_reproducibly():
    runs = [train(noisy_objective, np.ones(3), Adam(0.05), 20, seed=seed, progress=False)
            for seed in (7, 7, 8)]
    assert_same_run(runs[0], runs[1])
    assert runs[0].params.tobytes() != runs[2].params.tobytes()


def test_progress_bar_prints_nothing_when_not_on_a_terminal(capsys):
    train(quadratic(np.eye(2), np.zeros(2)), np.ones(2), Adam(0.1), 5, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"initial_params": []}, "empty"),
        ({"initial_params": [1.0, np.nan]}, "NaN"),
        ({"initial_params": [[1.0]]}, "1-D"),
        ({"initial_params": [1j]}, "real"),
        ({"steps": -1}, "steps must be an integer >= 0"),
        ({"steps": 2.5}, "steps must be an integer"),
        ({"checkpoint_every": 0}, "checkpoint_every"),
        ({"checkpoint": "/nonexistent-qsympass-dir/run.json"}, "does not exist"),
    ],
)
def test_train_bad_input(kwargs, message):
    arguments: dict[str, Any] = {"initial_params": [1.0], "steps": 3}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        train(quadratic(np.eye(1), np.zeros(1)), arguments.pop("initial_params"), Adam(0.1),
              arguments.pop("steps"), progress=False, **arguments)


def test_objective_returning_wrong_shapes_is_rejected():
    with pytest.raises(ValueError, match="gradient has shape"):
        train(lambda x: (0.0, np.zeros(5), {}), np.ones(2), Adam(0.1), 3, progress=False)


# ---------------------------------------------------------------------------------------------
# Checkpoint / resume (in process)
# ---------------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(st.sampled_from([np.float64, np.complex128, np.int64, np.float32]),
                  hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)))
def test_checkpoint_codec_round_trips_arrays_bit_for_bit(array):
    def canonical_nan(values: np.ndarray) -> np.ndarray:
        # JSON has one NaN: payload and sign of a NaN are not kept, every other bit is
        values = values.copy()
        if values.dtype.kind in "fc":
            values[np.isnan(values)] = np.nan
        return values

    decoded = from_json(json.loads(json.dumps(to_json({"a": array, "b": [array]}))))
    for value in (decoded["a"], decoded["b"][0]):
        assert value.dtype == array.dtype and value.shape == array.shape
        assert canonical_nan(value).tobytes() == canonical_nan(array).tobytes()


RESUME_CASES = [
    pytest.param(lambda: Adam(0.05), cosine_objective, 1, id="adam-every-step"),
    pytest.param(lambda: Adam(0.05), cosine_objective, 3, id="adam-every-3"),
    pytest.param(lambda: GradientDescent(ExponentialDecay(0.3, 0.95)), cosine_objective, 2,
                 id="gd-decay"),
    pytest.param(lambda: Adam(0.05), noisy_objective, 1, id="adam-rng"),
    pytest.param(lambda: Adam(0.05), penalized(cosine_objective,
                                               quadratic(np.eye(4), np.zeros(4)),
                                               LinearRamp(0.0, 1.0, 10)), 1, id="penalized"),
]


@pytest.mark.parametrize(("make_optimizer", "objective", "every"), RESUME_CASES)
@pytest.mark.parametrize("crash_at", [0, 4, 11])
def test_interrupted_run_resumes_to_the_same_result(tmp_path, make_optimizer, objective, every,
                                                    crash_at):
    initial = np.array([0.3, -0.2, 0.9, 0.1])
    kwargs: dict[str, Any] = {"progress": False, "seed": 11, "checkpoint_every": every}
    reference = train(objective, initial, make_optimizer(), 15, **kwargs)
    path = tmp_path / "run.json"
    with pytest.raises(Interrupt):
        train(objective, initial, make_optimizer(), 15, checkpoint=path,
              callbacks=[InterruptAt(crash_at)], **kwargs)
    finished_before_crash = crash_at - crash_at % every
    if finished_before_crash:
        assert load_checkpoint(path).steps_done == finished_before_crash
    resumed = train(objective, initial, make_optimizer(), 15, checkpoint=path, **kwargs)
    assert resumed.resumed_from == finished_before_crash
    assert_same_run(resumed, reference)
    assert load_checkpoint(path).steps_done == 15


def test_stateful_callback_is_restored_on_resume(tmp_path):
    path = tmp_path / "run.json"
    reference = LossSum()
    train(cosine_objective, np.zeros(3), Adam(0.1), 10, callbacks=[reference], progress=False)
    with pytest.raises(Interrupt):
        train(cosine_objective, np.zeros(3), Adam(0.1), 10, checkpoint=path,
              callbacks=[LossSum(), InterruptAt(6)], progress=False)
    resumed = LossSum()
    train(cosine_objective, np.zeros(3), Adam(0.1), 10, checkpoint=path, callbacks=[resumed],
          progress=False)
    assert resumed.seen == list(range(10))
    assert resumed.ended_at == 10
    assert resumed.total == reference.total


def test_finished_checkpoint_is_returned_without_evaluating(tmp_path):
    path = tmp_path / "run.json"
    first = train(cosine_objective, np.zeros(3), Adam(0.1), 8, checkpoint=path, progress=False)
    calls: list[int] = []

    def counting(params: np.ndarray, *, step: int) -> ObjectiveValue:
        calls.append(step)
        return cosine_objective(params, step=step)

    again = train(counting, np.zeros(3), Adam(0.1), 8, checkpoint=path, progress=False)
    assert calls == [] and again.resumed_from == 8
    assert_same_run(first, again)


def test_stopped_run_stays_stopped_on_resume(tmp_path):
    path = tmp_path / "run.json"
    objective = quadratic(np.eye(2), np.zeros(2))
    first = train(objective, np.ones(2), GradientDescent(0.1), 100, checkpoint=path,
                  callbacks=[TargetLoss(0.1)], progress=False)
    again = train(objective, np.ones(2), GradientDescent(0.1), 100, checkpoint=path,
                  progress=False)
    assert again.stopped_early
    assert_same_run(first, again)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"optimizer": Adam(0.02)}, "optimizer.lr"),
        ({"optimizer": GradientDescent(0.05)}, "optimizer.name"),
        ({"optimizer": Adam(0.05, beta2=0.99)}, "optimizer.beta2"),
        ({"steps": 30}, "steps"),
        ({"initial_params": np.array([0.0, 0.0, 0.1])}, "initial_params_sha256"),
        ({"initial_params": np.zeros(4)}, "num_params"),
        ({"seed": 2}, "seed"),
        ({"config": {"dataset": "other"}}, "config.dataset"),
    ],
)
def test_fingerprint_mismatch_names_the_difference_and_keeps_the_file(tmp_path, change, named):
    path = tmp_path / "run.json"
    base: dict[str, Any] = {"optimizer": Adam(0.05), "steps": 20,
                            "initial_params": np.zeros(3), "seed": 1,
                            "config": {"dataset": "circle"}}
    with pytest.raises(Interrupt):
        train(cosine_objective, base["initial_params"], base["optimizer"], base["steps"],
              checkpoint=path, seed=base["seed"], config=base["config"],
              callbacks=[InterruptAt(5)], progress=False)
    before = path.read_bytes()
    base.update(change)
    with pytest.raises(ValueError, match=re.escape(named)):
        train(cosine_objective, base["initial_params"], base["optimizer"], base["steps"],
              checkpoint=path, seed=base["seed"], config=base["config"], progress=False)
    assert path.read_bytes() == before


def test_penalty_strength_is_part_of_the_fingerprint(tmp_path):
    path = tmp_path / "run.json"
    penalty = quadratic(np.eye(3), np.zeros(3))
    train(penalized(cosine_objective, penalty, 0.5), np.zeros(3), Adam(0.1), 3, checkpoint=path,
          progress=False)
    with pytest.raises(ValueError, match=re.escape("objective.strength")):
        train(penalized(cosine_objective, penalty, 0.7), np.zeros(3), Adam(0.1), 3,
              checkpoint=path, progress=False)


def test_crash_during_a_checkpoint_write_keeps_the_previous_one(tmp_path, monkeypatch):
    path = tmp_path / "run.json"
    initial = np.array([0.5, -0.5, 0.2])
    reference = train(cosine_objective, initial, Adam(0.05), 12, progress=False)
    real_replace = os.replace
    writes = []

    def crashing_replace(source: Any, target: Any) -> None:
        writes.append(target)
        if len(writes) == 6:
            raise Interrupt  # the process dies after writing the temporary file, before rename
        real_replace(source, target)

    monkeypatch.setattr(checkpoint_module.os, "replace", crashing_replace)
    with pytest.raises(Interrupt):
        train(cosine_objective, initial, Adam(0.05), 12, checkpoint=path, progress=False)
    monkeypatch.undo()
    assert load_checkpoint(path).steps_done == 5
    assert Path(f"{path}.tmp").exists()
    resumed = train(cosine_objective, initial, Adam(0.05), 12, checkpoint=path, progress=False)
    assert_same_run(resumed, reference)


def test_torn_temporary_file_is_ignored(tmp_path):
    path = tmp_path / "run.json"
    initial = np.array([0.5, -0.5, 0.2])
    reference = train(cosine_objective, initial, Adam(0.05), 9, progress=False)
    with pytest.raises(Interrupt):
        train(cosine_objective, initial, Adam(0.05), 9, checkpoint=path,
              callbacks=[InterruptAt(4)], progress=False)
    Path(f"{path}.tmp").write_text(path.read_text()[:40])
    resumed = train(cosine_objective, initial, Adam(0.05), 9, checkpoint=path, progress=False)
    assert_same_run(resumed, reference)


@pytest.mark.parametrize("content", ["{not json", '{"format": "something else"}', "[]"])
def test_unreadable_checkpoint_is_reported_and_not_overwritten(tmp_path, content):
    path = tmp_path / "run.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="checkpoint"):
        train(cosine_objective, np.zeros(2), Adam(0.1), 3, checkpoint=path, progress=False)
    assert path.read_text() == content


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(steps_done=d["steps_done"] - 1), "inconsistent"),
        (lambda d: d.update(steps_done=-4), "inconsistent"),
        (lambda d: d.update(stopped_early="no"), "malformed"),
        (lambda d: d.update(params=[1.0]), "inconsistent: parameters"),
        (lambda d: d.update(rng_state=[1, 2]), "rng_state"),
        (lambda d: d["fingerprint"].update(steps=2), "4 steps done of 2 planned"),
        (lambda d: d["history"].update(extras=[1, 2, 3, 4]), "malformed"),
        (lambda d: d["params"]["__ndarray__"].update(shape=[7]), "malformed array"),
        (lambda d: d["params"]["__ndarray__"].update(dtype="zzz"), "malformed array"),
    ],
)
def test_tampered_checkpoints_are_refused(tmp_path, edit, message):
    import json

    path = tmp_path / "run.json"
    train(cosine_objective, np.zeros(3), Adam(0.1), 4, checkpoint=path, progress=False)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=message):
        checkpoint_module.load_checkpoint(path)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(rng_state={"bit_generator": "MT19937"}),
        lambda d: d["optimizer_state"].update(m=["abc", 1.0, 2.0]),
        lambda d: d.update(callback_states=[{"state": {}}]),
        lambda d: d["callback_states"][0].update(state={}),
    ],
)
def test_states_that_cannot_be_restored_name_the_checkpoint(tmp_path, edit):
    import json

    path = tmp_path / "run.json"
    with pytest.raises(Interrupt):
        train(cosine_objective, np.zeros(3), Adam(0.1), 3, checkpoint=path, progress=False,
              callbacks=[LossSum(), InterruptAt(2)])
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=f"checkpoint {path} is malformed"):
        train(cosine_objective, np.zeros(3), Adam(0.1), 3, checkpoint=path, progress=False,
              callbacks=[LossSum()])


def test_run_description_needs_json_only_when_checkpointing(tmp_path):
    description = {"field": 1j, "qubits": {1, 2}}
    result = train(cosine_objective, np.zeros(2), Adam(0.1), 2, progress=False,
                   config=description)
    assert result.steps_done == 2
    with pytest.raises(ValueError, match="cannot checkpoint a value of type set"):
        train(cosine_objective, np.zeros(2), Adam(0.1), 2, progress=False,
              config=description, checkpoint=tmp_path / "run.json")
    complex_config = {"field": 1j, "coupling": np.complex128(0.5 - 2j)}
    path = tmp_path / "complex.json"
    with pytest.raises(Interrupt):
        train(cosine_objective, np.zeros(2), Adam(0.1), 3, progress=False,
              config=complex_config, checkpoint=path, callbacks=[InterruptAt(2)])
    resumed = train(cosine_objective, np.zeros(2), Adam(0.1), 3, progress=False,
                    config=complex_config, checkpoint=path)
    assert resumed.steps_done == 3


def test_binary_files_and_folders_are_not_checkpoints(tmp_path):
    binary = tmp_path / "run.bin"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError, match="not readable JSON"):
        checkpoint_module.load_checkpoint(binary)
    with pytest.raises(ValueError, match="is a folder"):
        checkpoint_module.load_checkpoint(tmp_path)


# ---------------------------------------------------------------------------------------------
# Checkpoint / resume across a real SIGKILL
# ---------------------------------------------------------------------------------------------

KILL_STEPS = 60
CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    import numpy as np
    from qsympass.training import Adam, train

    checkpoint, log_path, out_path, mode, pause = sys.argv[1:6]
    pause = int(pause)
    ready = out_path + ".ready"
    TARGET = np.linspace(-1.0, 1.0, 5)

    def signal_and_hang():
        open(ready, "w").close()
        time.sleep(600)

    def objective(params, *, step):
        with open(log_path, "a") as log:
            log.write(f"{step}\\n")
        if mode == "pause_at_step" and step == pause:
            signal_and_hang()
        time.sleep(0.002)
        delta = params - TARGET
        loss = float(np.sum(1.0 - np.cos(delta)) + 0.1 * np.sum(delta ** 4))
        return loss, np.sin(delta) + 0.4 * delta ** 3, {"d0": float(delta[0])}

    if mode == "pause_in_write":
        real_replace, writes = os.replace, []
        def replace(source, target):
            writes.append(target)
            if len(writes) == pause:
                signal_and_hang()
            real_replace(source, target)
        os.replace = replace

    result = train(objective, np.array([0.4, 0.1, -0.3, 0.8, 0.0]), Adam(0.05), STEPS,
                   checkpoint=checkpoint, seed=3, progress=False)
    with open(out_path, "w") as out:
        json.dump({"params": result.params.tolist(), "history": result.history.to_dict(),
                   "steps_done": result.steps_done, "resumed_from": result.resumed_from}, out)
    """
).replace("STEPS", str(KILL_STEPS))


def start_child(directory: Path, mode: str = "run", pause: int = -1,
                name: str = "run") -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(directory / f"{name}.json"),
         str(directory / f"{name}.log"), str(directory / f"{name}.out"), mode, str(pause)],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def finish(child: subprocess.Popen[bytes]) -> None:
    _, stderr = child.communicate()
    assert child.returncode == 0, stderr.decode()


def wait_for(predicate, child: subprocess.Popen[bytes]) -> None:
    """Poll until ``predicate()``; fail (not hang) if the child exits first."""
    while not predicate():
        if child.poll() is not None:
            _, stderr = child.communicate()
            raise AssertionError(f"child exited early: {stderr.decode()}")
        time.sleep(0.002)


def kill(child: subprocess.Popen[bytes]) -> None:
    child.send_signal(signal.SIGKILL)
    child.communicate()


def logged_steps(directory: Path, name: str = "run") -> list[int]:
    log = directory / f"{name}.log"
    return [int(line) for line in log.read_text().split()] if log.exists() else []


def child_output(directory: Path, name: str = "run") -> dict[str, Any]:
    return json.loads((directory / f"{name}.out").read_text())


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("reference")
    finish(start_child(directory))
    return child_output(directory)


def assert_same_output(output: dict[str, Any], reference: dict[str, Any]) -> None:
    assert output["steps_done"] == reference["steps_done"] == KILL_STEPS
    # json keeps float64 exactly (shortest round-trip repr): equality here is bit for bit
    assert output["params"] == reference["params"]
    assert output["history"] == reference["history"]


@pytest.mark.parametrize(("mode", "pause"), [("pause_at_step", 7), ("pause_in_write", 5)])
def test_sigkilled_run_resumes_to_the_same_result(tmp_path, uninterrupted, mode, pause):
    child = start_child(tmp_path, mode, pause)
    wait_for(lambda: (tmp_path / "run.out.ready").exists(), child)
    kill(child)
    evaluated_before_kill = max(logged_steps(tmp_path))
    saved = load_checkpoint(tmp_path / "run.json")
    # every step whose successor had started evaluating was finished and saved
    assert saved.steps_done >= evaluated_before_kill
    assert saved.steps_done == (pause if mode == "pause_at_step" else pause - 1)
    assert saved.history.loss == uninterrupted["history"]["loss"][: saved.steps_done]
    finish(start_child(tmp_path))
    output = child_output(tmp_path)
    assert output["resumed_from"] == saved.steps_done
    assert_same_output(output, uninterrupted)


def test_repeated_sigkills_at_arbitrary_moments_lose_nothing(tmp_path, uninterrupted):
    rng = np.random.default_rng(1234)
    mid_run_kills = 0
    for _ in range(4):
        already = len(logged_steps(tmp_path))
        child = start_child(tmp_path)
        wait_for(lambda already=already: len(logged_steps(tmp_path)) >= already + 3, child)
        time.sleep(rng.uniform(0.0, 0.01))
        if child.poll() is not None:
            finish(child)
            break
        kill(child)
        evaluated = logged_steps(tmp_path)
        steps_done = load_checkpoint(tmp_path / "run.json").steps_done
        assert steps_done >= max(evaluated)
        mid_run_kills += steps_done < KILL_STEPS
    assert mid_run_kills >= 1
    finish(start_child(tmp_path))
    assert_same_output(child_output(tmp_path), uninterrupted)
