"""Atomic, exact JSON checkpoints of a training run.

A checkpoint is one JSON file. Floats are written with Python's shortest round-trip ``repr``, so
every float64 reads back bit for bit (infinities, -0.0 and subnormals included; a NaN comes back
as the canonical NaN, its sign and payload are not kept); numpy arrays are stored as tagged
objects. Writes go to ``<path>.tmp``, are flushed and fsynced, then ``os.replace``d onto
``<path>`` (and the directory is fsynced), so a crash at any moment leaves either the previous or
the new checkpoint, never a torn one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .history import TrainingHistory

CHECKPOINT_FORMAT = "qsympass.training.checkpoint"
CHECKPOINT_VERSION = 1
_ARRAY_TAG = "__ndarray__"


def to_json(value: Any) -> Any:
    """Convert numpy arrays/scalars and tuples inside ``value`` to JSON types, exactly.

    Complex scalars are stored as 0-d complex arrays.

    Raises:
        ValueError: For a value JSON cannot represent (object arrays, arbitrary objects).
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise ValueError(f"cannot checkpoint a numpy array of dtype {value.dtype}")
        data = (np.stack([value.real, value.imag], axis=-1) if value.dtype.kind == "c"
                else value)
        return {_ARRAY_TAG: {"dtype": value.dtype.str, "shape": list(value.shape),
                             "data": data.ravel().tolist()}}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, (complex, np.complexfloating)):
        return to_json(np.asarray(value))
    if isinstance(value, Mapping):
        if any(not isinstance(key, str) for key in value):
            raise ValueError("cannot checkpoint a mapping with keys that are not strings")
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"cannot checkpoint a value of type {type(value).__name__}")


def from_json(value: Any) -> Any:
    """Inverse of ``to_json`` (tuples come back as lists)."""
    if isinstance(value, dict):
        if set(value) == {_ARRAY_TAG}:
            spec = value[_ARRAY_TAG]
            dtype = np.dtype(spec["dtype"])
            shape = tuple(spec["shape"])
            if dtype.kind == "c":
                pairs = np.asarray(spec["data"], dtype=float).reshape(*shape, 2)
                array = np.empty(shape, dtype=dtype)
                array.real, array.imag = pairs[..., 0], pairs[..., 1]
                return array
            return np.asarray(spec["data"], dtype=dtype).reshape(shape)
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_json(item) for item in value]
    return value


def write_json_atomic(path: str | os.PathLike[str], payload: Any) -> None:
    """Write ``payload`` as JSON to ``path`` atomically and durably.

    Args:
        path: Destination file.
        payload: JSON types, numpy arrays and scalars.
    """
    target = Path(path)
    text = json.dumps(to_json(payload), allow_nan=True, separators=(",", ":"))
    temporary = target.with_name(target.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable on POSIX; directories cannot be opened on Windows.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file written by ``write_json_atomic``.

    Raises:
        ValueError: If the file is not valid JSON or holds a malformed array.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"checkpoint {os.fspath(path)} is not readable JSON ({error})") from None
    except IsADirectoryError:
        raise ValueError(f"checkpoint {os.fspath(path)} is a folder, not a file") from None
    try:
        return from_json(data)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"checkpoint {os.fspath(path)} holds a malformed array ({error!r})"
        ) from None


def sha256_of(value: Any) -> str:
    """SHA-256 of the canonical JSON form of ``value`` (arrays included, exactly)."""
    text = json.dumps(to_json(value), allow_nan=True, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Checkpoint:
    """Everything needed to resume a run after its last finished step.

    Attributes:
        fingerprint: Configuration the run was started with (compared on resume).
        steps_done: Number of finished steps.
        params: Parameters to evaluate at step ``steps_done`` (or the final ones).
        optimizer_state: ``optimizer.state_dict()`` after the last finished step.
        history: Record of the finished steps.
        rng_state: ``bit_generator.state`` of the run's generator.
        callback_states: Per callback, ``{"type": name, "state": ...}`` or None.
        stopped_early: Whether a callback or a non-finite value stopped the run.
        stop_reason: Why it stopped.
        wall_time: Seconds spent in training up to this checkpoint, over all sessions.
    """

    fingerprint: dict[str, Any]
    steps_done: int
    params: np.ndarray
    optimizer_state: dict[str, Any]
    history: TrainingHistory
    rng_state: dict[str, Any] | None = None
    callback_states: list[dict[str, Any] | None] = field(default_factory=list)
    stopped_early: bool = False
    stop_reason: str | None = None
    wall_time: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The checkpoint as JSON-convertible data (with format tag and version)."""
        return {
            "format": CHECKPOINT_FORMAT,
            "version": CHECKPOINT_VERSION,
            "fingerprint": self.fingerprint,
            "steps_done": self.steps_done,
            "params": np.asarray(self.params, dtype=float),
            "optimizer_state": self.optimizer_state,
            "history": self.history.to_dict(),
            "rng_state": self.rng_state,
            "callback_states": self.callback_states,
            "stopped_early": self.stopped_early,
            "stop_reason": self.stop_reason,
            "wall_time": self.wall_time,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "checkpoint") -> Checkpoint:
        """Inverse of ``to_dict``.

        Raises:
            ValueError: If the data is not a qsympass training checkpoint of a known version.
        """
        if not isinstance(data, Mapping) or data.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"{source} is not a qsympass training checkpoint")
        if data.get("version") != CHECKPOINT_VERSION:
            raise ValueError(
                f"{source} has checkpoint version {data.get('version')}, "
                f"this qsympass reads version {CHECKPOINT_VERSION}"
            )
        try:
            checkpoint = cls(
                fingerprint=dict(data["fingerprint"]),
                steps_done=int(data["steps_done"]),
                params=np.asarray(data["params"], dtype=float),
                optimizer_state=dict(data["optimizer_state"]),
                history=TrainingHistory.from_dict(data["history"]),
                rng_state=data["rng_state"],
                callback_states=list(data["callback_states"]),
                stopped_early=_strict_bool(data["stopped_early"]),
                stop_reason=data["stop_reason"],
                wall_time=float(data["wall_time"]),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{source} is incomplete or malformed ({error!r})") from None
        checkpoint.check_consistent(source)
        return checkpoint

    def check_consistent(self, source: str = "checkpoint") -> None:
        """Check that the parts of a checkpoint agree with each other.

        Raises:
            ValueError: If the step count, the planned steps, the history and the parameters
                disagree.
        """
        if self.steps_done < 0 or self.steps_done != len(self.history):
            raise ValueError(
                f"{source} is inconsistent: {self.steps_done} steps done but "
                f"{len(self.history)} recorded"
            )
        planned = self.fingerprint.get("steps")
        if isinstance(planned, int) and self.steps_done > planned:
            raise ValueError(
                f"{source} is inconsistent: {self.steps_done} steps done of {planned} planned"
            )
        expected = self.fingerprint.get("num_params")
        if self.params.ndim != 1 or (expected is not None and self.params.size != expected):
            raise ValueError(
                f"{source} is inconsistent: parameters of shape {self.params.shape} for "
                f"{expected} parameters"
            )
        if self.rng_state is not None and not isinstance(self.rng_state, Mapping):
            raise ValueError(f"{source} is malformed: rng_state is not a generator state")


def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def save_checkpoint(path: str | os.PathLike[str], checkpoint: Checkpoint) -> None:
    """Write a checkpoint atomically (see the module docstring).

    Args:
        path: Destination file.
        checkpoint: What to write.
    """
    write_json_atomic(path, checkpoint.to_dict())


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read a checkpoint written by ``save_checkpoint`` / ``train``.

    Args:
        path: The checkpoint file.

    Returns:
        The checkpoint.

    Raises:
        ValueError: If the file is not a readable qsympass training checkpoint.
    """
    return Checkpoint.from_dict(read_json(path), source=f"checkpoint {os.fspath(path)}")


def fingerprint_mismatches(saved: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Human-readable differences between two fingerprints (empty when they match).

    Args:
        saved: Fingerprint stored in a checkpoint.
        current: Fingerprint of the run being started.

    Returns:
        One ``"key: checkpoint X, this run Y"`` line per differing (dotted) key.
    """
    flat_saved = _flatten(to_json(saved))
    flat_current = _flatten(to_json(current))
    missing = "<absent>"
    return [
        f"{key}: checkpoint {flat_saved.get(key, missing)!r}, this run "
        f"{flat_current.get(key, missing)!r}"
        for key in sorted(set(flat_saved) | set(flat_current))
        if flat_saved.get(key, missing) != flat_current.get(key, missing)
    ]


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}
