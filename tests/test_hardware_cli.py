"""Tests for the hardware subcommands of ``qsympass``."""

from __future__ import annotations

import json

from qsympass.cli import main


def test_backends_lists_every_local_kind(capsys):
    assert main(["backends", "--json"]) == 0
    names = json.loads(capsys.readouterr().out)["backends"]
    assert names[0] == "aer"
    assert "fake:sherbrooke" in names and "aer:sherbrooke" in names


def test_backends_table_mentions_ibm(capsys):
    assert main(["backends"]) == 0
    assert "ibm:<device>" in capsys.readouterr().out
