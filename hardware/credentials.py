"""IBM Quantum credentials: a saved account or environment variables, never printed."""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from typing import Any

TOKEN_VARIABLE = "QISKIT_IBM_TOKEN"
INSTANCE_VARIABLE = "QISKIT_IBM_INSTANCE"
CHANNEL_VARIABLE = "QISKIT_IBM_CHANNEL"


class MissingCredentialsError(ValueError):
    """No IBM Quantum account is saved and no token is set in the environment."""


def runtime_service() -> Any:
    """Connect to IBM Quantum with ``QISKIT_IBM_TOKEN`` or the saved account.

    The token is passed to ``QiskitRuntimeService`` and never logged; errors raised while
    connecting are re-raised with the token removed from their message.

    Returns:
        A ``QiskitRuntimeService``.

    Raises:
        MissingCredentialsError: If neither a token nor a saved account is available, or the
            service rejects them.
    """
    from qiskit_ibm_runtime import QiskitRuntimeService

    token = os.environ.get(TOKEN_VARIABLE)
    instance = os.environ.get(INSTANCE_VARIABLE)
    kwargs: dict[str, Any] = {}
    if token:
        kwargs["token"] = token
        kwargs["channel"] = os.environ.get(CHANNEL_VARIABLE, "ibm_quantum_platform")
        if instance:
            kwargs["instance"] = instance
    try:
        with _quiet_runtime_warnings():
            return QiskitRuntimeService(**kwargs)
    except Exception as error:  # the service raises several unrelated types here
        message = redact(str(error), token)
        if token and instance:
            hint = f"check {TOKEN_VARIABLE} and {INSTANCE_VARIABLE}={instance!r}"
        elif token:
            hint = f"check {TOKEN_VARIABLE}, or set {INSTANCE_VARIABLE} too"
        else:
            hint = (
                f"set {TOKEN_VARIABLE} (and {INSTANCE_VARIABLE}) or save an account with "
                "QiskitRuntimeService.save_account(...)"
            )
        raise MissingCredentialsError(
            f"cannot connect to IBM Quantum: {message}; {hint}"
        ) from None


@contextlib.contextmanager
def _quiet_runtime_warnings() -> Iterator[None]:
    """Hide the runtime's routine connection warnings unless its log level was lowered.

    The service logs "Loading account with the given token ..." on every token login, which
    would turn a one-line command error into two lines.
    """
    runtime_logger = logging.getLogger("qiskit_ibm_runtime")
    previous = runtime_logger.level
    if runtime_logger.getEffectiveLevel() >= logging.WARNING:  # not lowered for debugging
        runtime_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        runtime_logger.setLevel(previous)


def redact(text: str, secret: str | None) -> str:
    """Replace every occurrence of a secret (and anything token-like) in a text."""
    if secret:
        text = text.replace(secret, "<redacted>")
    return re.sub(r"[A-Za-z0-9_\-]{40,}", "<redacted>", text)
