"""Tests for the ``qsympass demo`` workflow, on a small ring."""

from __future__ import annotations

import json

import pytest

from qsympass.cli import main
from qsympass.hardware.demo import DemoConfig, run_demo, write_outputs
from qsympass.hardware.evaluation import final_energies

SMALL = DemoConfig(num_qubits=4, layers=2, steps=80, learning_rate=0.1, eqntk_samples=8)


@pytest.fixture(scope="module")
def small_result():
    return run_demo(SMALL, progress=False)


def test_pruned_ansatz_is_smaller_and_trains_further(small_result):
    pruned, unpruned = small_result.outcomes
    assert (pruned.name, unpruned.name) == ("pruned", "unpruned")
    assert pruned.num_parameters < unpruned.num_parameters == 32
    assert pruned.effective_dimension < unpruned.effective_dimension
    assert pruned.final_relative_error < unpruned.final_relative_error
    assert len(pruned.relative_errors) == SMALL.steps
    assert all(error >= -1e-9 for error in pruned.relative_errors)


def test_table_and_files(small_result, tmp_path):
    table = small_result.table()
    assert "pruned" in table and "unpruned" in table and "2q gates" in table
    plot, record = write_outputs(small_result, tmp_path)
    assert plot.read_bytes()[:4] == b"\x89PNG"
    saved = json.loads(record.read_text())
    assert saved["config"]["num_qubits"] == 4
    assert [o["name"] for o in saved["outcomes"]] == ["pruned", "unpruned"]


def test_demo_command_runs_through_a_noisy_backend(tmp_path, capsys):
    argv = ["demo", "--qubits", "3", "--layers", "1", "--steps", "2", "--no-progress"]
    argv += ["--backend", "aer:manila", "--shots", "1000", "--out", str(tmp_path), "--json"]
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["config"]["backend"] == "aer:manila"
    assert (tmp_path / "convergence.png").exists()
    for outcome in payload["outcomes"]:
        # measured once more at the trained angles, and noise-free: device noise costs energy
        assert outcome["noise_free_relative_error"] < outcome["final_relative_error"]


def test_a_backend_run_measures_its_trained_parameters_once_more(small_result,
                                                                 monkeypatch) -> None:
    import qsympass.hardware.demo as demo

    requested = []

    def spy(program, params, **options):
        requested.append(options["trajectories"])
        return final_energies(program, params, **options)

    monkeypatch.setattr(demo, "final_energies", spy)
    config = DemoConfig(num_qubits=3, layers=1, steps=2, backend="aer:manila", shots=1000,
                        final_trajectories=16, eqntk_samples=8)
    result = run_demo(config, progress=False)
    assert requested == [16, 16]  # the pruned and the unpruned ansatz
    assert "noise-free" in result.table()
    assert "noise-free" not in small_result.table()
    assert all(o.noise_free_relative_error is not None for o in result.outcomes)
    with pytest.raises(ValueError, match="final noise trajectory"):
        DemoConfig(final_trajectories=0)


def test_demo_rejects_bad_sizes(capsys):
    assert main(["demo", "--qubits", "2"]) == 2
    assert "at least 3 qubits" in capsys.readouterr().err


def test_a_checkpointed_demo_resumes_to_the_same_result(tmp_path):
    from qsympass.training.checkpoint import load_checkpoint

    base = tmp_path / "demo.ckpt"
    config = DemoConfig(num_qubits=4, layers=2, steps=20, learning_rate=0.1, eqntk_samples=8)
    first = run_demo(config, progress=False, checkpoint=base)
    names = {
        f"demo.ckpt.{kind}.layer{stage}" for kind in ("pruned", "unpruned") for stage in (1, 2)
    }
    assert {p.name for p in tmp_path.iterdir()} == names
    assert all(load_checkpoint(tmp_path / name).steps_done == 10 for name in names)
    again = run_demo(config, progress=False, checkpoint=base)  # every stage is finished
    for before, after in zip(first.outcomes, again.outcomes, strict=True):
        assert after.relative_errors == before.relative_errors
