"""Tests for the hardware subcommands of ``qsympass``."""

from __future__ import annotations

import json
from pathlib import Path

from qsympass.cli import main


def test_backends_lists_every_local_kind(capsys):
    assert main(["backends", "--json"]) == 0
    names = json.loads(capsys.readouterr().out)["backends"]
    assert names[0] == "aer"
    assert "fake:sherbrooke" in names and "aer:sherbrooke" in names


def test_backends_table_mentions_ibm(capsys):
    assert main(["backends"]) == 0
    assert "ibm:<device>" in capsys.readouterr().out


def _train(capsys, tmp_path, *extra):
    argv = ["train", "--ansatz-layers", "2", "--size", "4", "--steps", "30", "--no-progress",
            "--out", str(tmp_path), "--json", *extra]
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_train_exactly_with_and_without_pruning(capsys, tmp_path):
    full = _train(capsys, tmp_path / "full")
    pruned = _train(capsys, tmp_path / "pruned", "--prune")
    assert pruned["num_parameters"] < full["num_parameters"] == 32
    for payload in (full, pruned):
        assert len(payload["relative_errors"]) == 30
        assert payload["relative_errors"][-1] < payload["relative_errors"][0]
        record = json.loads(Path(payload["record"]).read_text())
        assert record["final_parameters"] == payload["final_parameters"]
    assert (tmp_path / "pruned" / "convergence.png").exists()


def test_train_on_a_noisy_backend_and_resume(capsys, tmp_path):
    checkpoint = tmp_path / "run.ckpt"
    extra = ("--prune", "--backend", "aer:manila", "--shots", "1000", "--steps", "5",
             "--checkpoint", str(checkpoint))
    first = _train(capsys, tmp_path / "a", *extra)
    again = _train(capsys, tmp_path / "b", *extra)  # the finished checkpoint is reused
    assert first["backend"] == "aer:manila"
    # the final energy is the trained angles measured once more, not the last noisy step
    assert first["final_relative_error"] != first["last_step_relative_error"]
    assert first["last_step_relative_error"] == first["relative_errors"][-1]
    assert first["noise_free_relative_error"] < first["final_relative_error"]
    assert again["relative_errors"] == first["relative_errors"]
    assert again["final_parameters"] == first["final_parameters"]


def test_train_rejects_bad_input(capsys, tmp_path):
    assert main(["train", "--ansatz-layers", "1", "--size", "3", "--steps", "0"]) == 2
    assert "--steps" in capsys.readouterr().err
    assert main(["train", "--ansatz-layers", "1", "--size", "3", "--backend", "fake:atlantis",
                 "--out", str(tmp_path)]) == 2
    assert "unknown fake device" in capsys.readouterr().err
