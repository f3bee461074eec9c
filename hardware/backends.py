"""Backends by name: ideal Aer, noisy Aer, runtime fake backends and IBM Quantum devices.

Names:

* ``aer`` — the ideal Aer simulator;
* ``aer:<fake>`` — Aer with the noise model, basis and coupling map of a fake device;
* ``fake:<name>`` — a qiskit-ibm-runtime fake backend (the runtime primitives run it in local
  testing mode);
* ``ibm:<name>`` — a device of IBM Quantum through ``QiskitRuntimeService``.

A fake device may be named as ``sherbrooke``, ``fake_sherbrooke`` or ``FakeSherbrooke``.
"""

from __future__ import annotations

import functools
import inspect
import re
from dataclasses import dataclass

from qiskit.providers import BackendV2
from qiskit.providers.exceptions import QiskitBackendNotFoundError
from qiskit_aer import AerSimulator
from qiskit_ibm_runtime import fake_provider
from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

from qsympass.hardware.credentials import runtime_service

BACKEND_KINDS = ("aer", "aer:<fake>", "fake:<name>", "ibm:<name>")


class UnknownBackendError(ValueError):
    """A backend name that qsympass does not know."""


@dataclass(frozen=True)
class BackendSpec:
    """A parsed backend name.

    Attributes:
        kind: ``"aer"``, ``"aer_noisy"``, ``"fake"`` or ``"ibm"``.
        device: The device part of the name (empty for the ideal simulator).
    """

    kind: str
    device: str = ""

    @property
    def is_local(self) -> bool:
        """Whether the backend runs on this machine (everything but ``ibm:``)."""
        return self.kind != "ibm"


def parse_backend_name(name: str) -> BackendSpec:
    """Parse a backend name into its kind and device.

    Raises:
        UnknownBackendError: If the name has no known prefix or names no device.
    """
    prefix, sep, device = name.strip().partition(":")
    if not sep and prefix == "aer":
        return BackendSpec("aer")
    kinds = {"aer": "aer_noisy", "fake": "fake", "ibm": "ibm"}
    if not sep or prefix not in kinds or not device:
        raise UnknownBackendError(
            f"unknown backend {name!r}; expected one of {', '.join(BACKEND_KINDS)} "
            "(see `qsympass backends`)"
        )
    return BackendSpec(kinds[prefix], device)


def get_backend(name: str) -> BackendV2:
    """Return the backend a name stands for.

    Args:
        name: ``aer``, ``aer:<fake>``, ``fake:<name>`` or ``ibm:<name>``.

    Returns:
        The backend. ``fake:`` backends are the runtime's fake backends, which the runtime
        primitives run in local testing mode.

    Raises:
        UnknownBackendError: For an unknown name or fake device.
        MissingCredentialsError: For ``ibm:`` without a saved account or ``QISKIT_IBM_TOKEN``.
    """
    spec = parse_backend_name(name)
    if spec.kind == "aer":
        return AerSimulator()
    if spec.kind == "ibm":
        return _ibm_backend(spec.device)
    fake = fake_backend(spec.device)
    return AerSimulator.from_backend(fake) if spec.kind == "aer_noisy" else fake


def _ibm_backend(device: str) -> BackendV2:
    service = runtime_service()
    try:
        return service.backend(device)
    except QiskitBackendNotFoundError as error:
        raise UnknownBackendError(
            f"IBM Quantum has no backend {device!r} for this account: {error}"
        ) from None


def fake_backend(device: str) -> FakeBackendV2:
    """Instantiate the runtime fake backend of a device.

    Raises:
        UnknownBackendError: If the runtime has no fake backend of that name.
    """
    classes = _fake_backend_classes()
    key = _normalize_device(device)
    if key not in classes:
        raise UnknownBackendError(
            f"unknown fake device {device!r}; known devices include "
            f"{', '.join(sorted(classes)[:8])}, ... (see `qsympass backends`)"
        )
    return classes[key]()


def list_backends() -> list[str]:
    """The backend names qsympass knows locally (``ibm:`` devices need an account)."""
    devices = sorted(_fake_backend_classes())
    return ["aer", *(f"aer:{d}" for d in devices), *(f"fake:{d}" for d in devices)]


def _normalize_device(device: str) -> str:
    name = device.strip().lower()
    name = re.sub(r"^fake_?", "", name)
    return re.sub(r"_?v2$", "", name)


@functools.cache
def _fake_backend_classes() -> dict[str, type[FakeBackendV2]]:
    classes: dict[str, type[FakeBackendV2]] = {}
    for attribute, value in vars(fake_provider).items():
        is_device = inspect.isclass(value) and issubclass(value, FakeBackendV2)
        if is_device and attribute != "FakeBackendV2":
            classes.setdefault(_normalize_device(attribute), value)
    return classes
