"""Tests for qsympass.hardware.backends and credentials: every backend kind, offline."""

from __future__ import annotations

import logging

import pytest
import qiskit_ibm_runtime
from qiskit.providers.exceptions import QiskitBackendNotFoundError
from qiskit_aer import AerSimulator
from qiskit_ibm_runtime.accounts import management
from qiskit_ibm_runtime.fake_provider import FakeManilaV2, FakeSherbrooke

from qsympass.hardware import backends
from qsympass.hardware.backends import (
    UnknownBackendError,
    get_backend,
    list_backends,
    parse_backend_name,
)
from qsympass.hardware.credentials import MissingCredentialsError, redact

FAKE_TOKEN = "Zq3" * 20


def test_aer_is_the_ideal_simulator():
    backend = get_backend("aer")
    assert isinstance(backend, AerSimulator)
    assert backend.options.noise_model is None


@pytest.mark.parametrize("device", ["manila", "fake_manila", "FakeManilaV2", "FakeManila"])
def test_fake_device_names_are_normalized(device):
    backend = get_backend(f"fake:{device}")
    assert isinstance(backend, FakeManilaV2)


def test_noisy_aer_carries_the_device_noise_model():
    backend = get_backend("aer:sherbrooke")
    assert isinstance(backend, AerSimulator)
    assert backend.options.noise_model is not None
    assert backend.num_qubits == FakeSherbrooke().num_qubits


def test_list_backends_names_every_local_kind():
    names = list_backends()
    assert names[0] == "aer"
    assert "fake:sherbrooke" in names and "aer:manila" in names
    for name in ("aer", "fake:manila", "aer:manila"):
        assert name in names
        get_backend(name)


@pytest.mark.parametrize("name", ["", "qasm", "fake:", "ibm", "cloud:x", "aer:"])
def test_unknown_names_fail_clearly(name):
    with pytest.raises(UnknownBackendError, match="unknown backend"):
        get_backend(name)


def test_unknown_fake_device_fails_clearly():
    with pytest.raises(UnknownBackendError, match="unknown fake device 'atlantis'"):
        get_backend("fake:atlantis")


def test_parse_backend_name():
    assert parse_backend_name("ibm:ibm_torino").kind == "ibm"
    assert not parse_backend_name("ibm:ibm_torino").is_local
    assert parse_backend_name("aer:manila").device == "manila"


@pytest.fixture
def no_saved_account(tmp_path, monkeypatch):
    monkeypatch.setattr(
        management, "_DEFAULT_ACCOUNT_CONFIG_JSON_FILE", str(tmp_path / "qiskit-ibm.json")
    )
    for variable in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL"):
        monkeypatch.delenv(variable, raising=False)


def test_ibm_backend_without_credentials_fails_clearly(no_saved_account):
    with pytest.raises(MissingCredentialsError, match="QISKIT_IBM_TOKEN"):
        get_backend("ibm:ibm_torino")


def test_token_never_appears_in_errors_or_logs(no_saved_account, monkeypatch, caplog, capsys):
    def reject(**kwargs):
        raise ValueError(f"login failed for token {kwargs['token']}")

    monkeypatch.setenv("QISKIT_IBM_TOKEN", FAKE_TOKEN)
    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", reject)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MissingCredentialsError) as raised:
        backends.get_backend("ibm:ibm_torino")
    captured = capsys.readouterr()
    for text in (str(raised.value), caplog.text, captured.out, captured.err):
        assert FAKE_TOKEN not in text
    assert "<redacted>" in str(raised.value)


def test_redact_hides_secret_and_long_tokens():
    assert redact("a secret-value here", "secret-value") == "a <redacted> here"
    assert FAKE_TOKEN not in redact(f"header {FAKE_TOKEN}", None)


def test_unknown_ibm_device_is_an_unknown_backend(no_saved_account, monkeypatch):
    class Service:
        def __init__(self, **kwargs):
            pass

        def backend(self, name):
            raise QiskitBackendNotFoundError("No backend matches the criteria.")

    monkeypatch.setenv("QISKIT_IBM_TOKEN", FAKE_TOKEN)
    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", Service)
    with pytest.raises(UnknownBackendError, match="no backend 'ibm_atlantis'"):
        backends.get_backend("ibm:ibm_atlantis")


def test_a_bad_instance_is_named(no_saved_account, monkeypatch):
    def reject(**kwargs):
        raise AttributeError("'NoneType' object has no attribute 'group'")

    monkeypatch.setenv("QISKIT_IBM_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", "crn:v1:foo")
    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", reject)
    with pytest.raises(MissingCredentialsError, match="check QISKIT_IBM_TOKEN and "
                       "QISKIT_IBM_INSTANCE='crn:v1:foo'"):
        backends.get_backend("ibm:ibm_torino")


def test_a_rejected_token_is_named_without_being_shown(no_saved_account, monkeypatch):
    def reject(**kwargs):
        raise ValueError(f"Unable to retrieve instances for token {kwargs['token']}")

    monkeypatch.setenv("QISKIT_IBM_TOKEN", FAKE_TOKEN)
    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", reject)
    with pytest.raises(MissingCredentialsError) as info:
        backends.get_backend("ibm:ibm_torino")
    assert "check QISKIT_IBM_TOKEN, or set QISKIT_IBM_INSTANCE too" in str(info.value)
    assert FAKE_TOKEN not in str(info.value)


def test_the_runtime_login_warning_is_hidden(no_saved_account, monkeypatch, caplog):
    def warn_and_reject(**kwargs):
        logging.getLogger("qiskit_ibm_runtime.qiskit_runtime_service").warning(
            "Loading account with the given token."
        )
        raise ValueError("login failed")

    monkeypatch.setenv("QISKIT_IBM_TOKEN", FAKE_TOKEN)
    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", warn_and_reject)
    level = logging.getLogger("qiskit_ibm_runtime").level
    with pytest.raises(MissingCredentialsError):
        backends.get_backend("ibm:ibm_torino")
    assert "Loading account" not in caplog.text
    assert logging.getLogger("qiskit_ibm_runtime").level == level
