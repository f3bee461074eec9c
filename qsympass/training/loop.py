"""The training loop: objective + optimizer + callbacks, with checkpoint/resume.

Step ``k`` evaluates the objective at ``params_k``, records loss, gradient norm and extras, shows
them to the callbacks, then (unless a stop was requested) sets
``params_{k+1} = optimizer.step(params_k, grad_k)``. A non-finite loss or gradient stops the run
before the update, with the reason recorded. With ``checkpoint=path`` the state after each
finished step (every ``checkpoint_every`` steps, and at the end) is written atomically; a run
restarted with the same configuration resumes from it and ends with the same parameters and
history, bit for bit, as an uninterrupted run of a deterministic objective.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from tqdm.auto import tqdm

from qsympass.validation import check_integer

from .callbacks import Callback
from .checkpoint import (
    Checkpoint,
    fingerprint_mismatches,
    load_checkpoint,
    save_checkpoint,
    sha256_of,
    to_json,
)
from .history import TrainingHistory
from .objectives import context_keywords, evaluate
from .optimizers import Optimizer

SeedLike = int | np.random.Generator | None


@dataclass
class TrainingResult:
    """Outcome of :func:`train`.

    Attributes:
        params: Final parameters: after the last update, or, if the run stopped early, those of
            the last evaluated step (whose loss is ``history.loss[-1]``).
        history: Loss, gradient norm and extras of every finished step.
        steps_done: Number of finished steps (``len(history)``).
        wall_time: Seconds spent in this call of ``train``.
        total_wall_time: Seconds over all sessions of the run (a resumed run adds the time
            recorded in its checkpoint; time after the last checkpoint of a killed run is lost).
        stopped_early: Whether a callback or a non-finite value ended the run before ``steps``.
        stop_reason: Why, if it stopped early.
        resumed_from: Steps loaded from a checkpoint (0 for a fresh start).
        optimizer_state: ``optimizer.state_dict()`` at the end.
    """

    params: np.ndarray
    history: TrainingHistory
    steps_done: int
    wall_time: float
    total_wall_time: float
    stopped_early: bool = False
    stop_reason: str | None = None
    resumed_from: int = 0
    optimizer_state: dict[str, Any] = field(default_factory=dict)

    @property
    def last_loss(self) -> float:
        """Loss of the last finished step (NaN if none)."""
        return self.history.loss[-1] if self.history.loss else math.nan


def train(
    objective: Callable[..., Any],
    initial_params: ArrayLike,
    optimizer: Optimizer,
    steps: int,
    *,
    callbacks: Sequence[Callback] = (),
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    progress: bool = True,
    seed: SeedLike = None,
    config: Mapping[str, Any] | None = None,
) -> TrainingResult:
    """Minimise ``objective`` from ``initial_params`` for ``steps`` steps.

    Args:
        objective: ``params -> (loss, grad, extras)``; if it declares keyword ``step`` and/or
            ``rng`` it receives the 0-based step and the run's seeded generator.
        initial_params: Starting point, a non-empty 1-D array of finite reals.
        optimizer: The optimizer; it is advanced in place (its state at the start is part of the
            run's fingerprint, so pass a fresh one to resume).
        steps: Total number of steps of the run (including steps done before a resume).
        callbacks: Objects with ``on_step(step, params, loss, grad, extras)``; a non-empty string
            returned asks to stop (see :mod:`qsympass.training.callbacks`).
        checkpoint: File to write the run's state to, and to resume from when it exists.
        checkpoint_every: Write the checkpoint every this many steps (and at the end).
        progress: Show a tqdm progress bar (only on a terminal or in Jupyter).
        seed: Seed or generator of the ``rng`` passed to the objective.
        config: Extra JSON-friendly description of the run (data set, model ...) added to the
            fingerprint, so resuming a checkpoint of another configuration fails.

    Returns:
        The final parameters, the history and how the run ended.

    Raises:
        ValueError: For empty, non-1-D or non-finite initial parameters, ``steps < 0``,
            ``checkpoint_every < 1``, a checkpoint in a missing directory, an objective that
            returns the wrong shapes, a run description (seed, ``config``, the objective's
            fingerprint) that JSON cannot hold when checkpointing, or an existing checkpoint
            whose fingerprint differs from this run's (the differences are named; the file is
            left untouched).
    """
    params = _validated_initial_params(initial_params)
    check_integer(steps, "steps", minimum=0)
    check_integer(checkpoint_every, "checkpoint_every", minimum=1)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    callbacks = tuple(callbacks)
    path = None if checkpoint is None else Path(checkpoint)
    if path is not None and not path.parent.is_dir():
        raise ValueError(f"checkpoint directory {path.parent} does not exist")
    # only a checkpoint needs the run described in JSON
    fingerprint = (
        {} if path is None else _fingerprint(objective, params, optimizer, steps, seed, config)
    )

    state = _RunState(params=params, history=TrainingHistory())
    if path is not None and path.exists():
        state = _resume(path, fingerprint, optimizer, rng, callbacks)
    resumed_from = state.steps_done

    start = time.perf_counter()
    keywords = context_keywords(objective)
    with tqdm(total=steps, initial=min(state.steps_done, steps), desc="train", leave=False,
              disable=not (progress and _interactive())) as bar:
        for step in range(state.steps_done, steps):
            if state.stopped_early:
                break
            _run_step(state, step, objective, keywords, optimizer, rng, callbacks)
            bar.update(1)
            bar.set_postfix(loss=f"{state.history.loss[-1]:.6g}", refresh=False)
            done = state.steps_done == steps or state.stopped_early
            if path is not None and (state.steps_done % checkpoint_every == 0 or done):
                elapsed = time.perf_counter() - start
                _save(path, state, fingerprint, optimizer, rng, callbacks, elapsed)

    elapsed = time.perf_counter() - start
    result = TrainingResult(
        params=state.params.copy(),
        history=state.history,
        steps_done=state.steps_done,
        wall_time=elapsed,
        total_wall_time=state.wall_time_before + elapsed,
        stopped_early=state.stopped_early,
        stop_reason=state.stop_reason,
        resumed_from=resumed_from,
        optimizer_state=optimizer.state_dict(),
    )
    for callback in callbacks:
        on_train_end = getattr(callback, "on_train_end", None)
        if callable(on_train_end):
            on_train_end(result)
    return result


@dataclass
class _RunState:
    params: np.ndarray
    history: TrainingHistory
    steps_done: int = 0
    stopped_early: bool = False
    stop_reason: str | None = None
    wall_time_before: float = 0.0


def _run_step(
    state: _RunState,
    step: int,
    objective: Callable[..., Any],
    keywords: frozenset[str],
    optimizer: Optimizer,
    rng: np.random.Generator,
    callbacks: tuple[Callback, ...],
) -> None:
    value = evaluate(objective, state.params, step=step, rng=rng, keywords=keywords)
    state.history.append(value.loss, float(np.linalg.norm(value.grad)), value.extras)
    reason = None
    if not (math.isfinite(value.loss) and np.all(np.isfinite(value.grad))):
        reason = f"non-finite loss or gradient at step {step} (loss {value.loss})"
    params_view, grad_view = _read_only(state.params), _read_only(value.grad)
    for callback in callbacks:
        request = callback.on_step(step, params_view, value.loss, grad_view, value.extras)
        if request and reason is None:
            reason = request if isinstance(request, str) else (
                f"{type(callback).__name__} requested a stop at step {step}")
    if reason is None:
        state.params = optimizer.step(state.params, value.grad)
    else:
        state.stopped_early, state.stop_reason = True, reason
    state.steps_done = step + 1


def _interactive() -> bool:
    # A terminal, or a Jupyter kernel (whose stderr is no TTY but renders tqdm.auto's widget).
    return sys.stderr.isatty() or "ipykernel" in sys.modules


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.copy()
    view.flags.writeable = False
    return view


def _validated_initial_params(initial_params: ArrayLike) -> np.ndarray:
    params = np.asarray(initial_params)
    if np.iscomplexobj(params):
        raise ValueError("initial parameters must be real")
    params = params.astype(float)
    if params.ndim != 1:
        raise ValueError(f"initial parameters must be a 1-D array, got shape {params.shape}")
    if params.size == 0:
        raise ValueError("initial parameters are empty")
    if not np.all(np.isfinite(params)):
        raise ValueError("initial parameters contain NaN or infinite entries")
    return params


def _fingerprint(
    objective: Callable[..., Any],
    params: np.ndarray,
    optimizer: Optimizer,
    steps: int,
    seed: SeedLike,
    config: Mapping[str, Any] | None,
) -> dict[str, Any]:
    describe = getattr(objective, "fingerprint", None)
    return to_json({
        "optimizer": {"name": optimizer.name, **optimizer.hyperparameters()},
        "optimizer_initial_state_sha256": sha256_of(optimizer.state_dict()),
        "steps": int(steps),
        "num_params": int(params.size),
        "initial_params_sha256": sha256_of(params),
        "seed": (sha256_of(seed.bit_generator.state) if isinstance(seed, np.random.Generator)
                 else seed),
        "objective": describe() if callable(describe) else None,
        "config": dict(config) if config is not None else None,
    })


def _restore_states(
    saved: Checkpoint,
    optimizer: Optimizer,
    rng: np.random.Generator,
    callbacks: tuple[Callback, ...],
) -> None:
    """Load the optimizer's, the generator's and the callbacks' saved states."""
    optimizer.load_state_dict(saved.optimizer_state)
    if saved.rng_state is not None:
        rng.bit_generator.state = saved.rng_state
    for index, callback in enumerate(callbacks):
        entry = saved.callback_states[index] if index < len(saved.callback_states) else None
        loader = getattr(callback, "load_state_dict", None)
        if entry is None or not callable(loader):
            continue
        if entry["type"] != _type_name(callback):
            raise ValueError(
                f"it holds the state of a {entry['type']} for callback {index}, "
                f"not of a {_type_name(callback)}"
            )
        loader(entry["state"])


def _resume(
    path: Path,
    fingerprint: dict[str, Any],
    optimizer: Optimizer,
    rng: np.random.Generator,
    callbacks: tuple[Callback, ...],
) -> _RunState:
    saved = load_checkpoint(path)
    mismatches = fingerprint_mismatches(saved.fingerprint, fingerprint)
    if mismatches:
        hint = (" (resume with a freshly constructed optimizer)"
                if any(m.startswith("optimizer_initial_state") for m in mismatches) else "")
        raise ValueError(
            f"checkpoint {path} was written by a different run configuration ("
            + "; ".join(mismatches)
            + f"){hint}; delete it or choose another checkpoint path"
        )
    try:
        _restore_states(saved, optimizer, rng, callbacks)
    except (AttributeError, KeyError, TypeError) as error:
        raise ValueError(f"checkpoint {path} is malformed ({error!r})") from None
    except ValueError as error:
        raise ValueError(f"checkpoint {path} is malformed ({error})") from None
    return _RunState(
        params=saved.params,
        history=saved.history,
        steps_done=saved.steps_done,
        stopped_early=saved.stopped_early,
        stop_reason=saved.stop_reason,
        wall_time_before=saved.wall_time,
    )


def _save(
    path: Path,
    state: _RunState,
    fingerprint: dict[str, Any],
    optimizer: Optimizer,
    rng: np.random.Generator,
    callbacks: tuple[Callback, ...],
    elapsed: float,
) -> None:
    save_checkpoint(path, Checkpoint(
        fingerprint=fingerprint,
        steps_done=state.steps_done,
        params=state.params,
        optimizer_state=optimizer.state_dict(),
        history=state.history,
        rng_state=dict(rng.bit_generator.state),
        callback_states=[_callback_state(callback) for callback in callbacks],
        stopped_early=state.stopped_early,
        stop_reason=state.stop_reason,
        wall_time=state.wall_time_before + elapsed,
    ))


def _callback_state(callback: Callback) -> dict[str, Any] | None:
    exporter = getattr(callback, "state_dict", None)
    if not callable(exporter) or not callable(getattr(callback, "load_state_dict", None)):
        return None
    return {"type": _type_name(callback), "state": exporter()}


def _type_name(callback: Callback) -> str:
    kind = type(callback)
    return f"{kind.__module__}.{kind.__qualname__}"
