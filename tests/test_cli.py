"""Tests for the ``qsympass`` command line (core subcommands and the entry-point mechanism)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from qsympass.cli import main
from qsympass.cli.common import emit


def _json_output(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_help_lists_core_and_hardware_commands(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ("symmetries", "backends"):
        assert command in out


def test_symmetries_of_tfim_ring(capsys):
    payload = _json_output(capsys, ["symmetries", "--model", "tfim", "--size", "6", "--json"])
    assert payload["num_qubits"] == 6
    families = payload["families"]
    assert families["spatial"]["order"] == 12
    assert families["pauli"]["order"] == 2
    assert "u1" not in families and "su2" not in families


def test_symmetries_of_heisenberg_torus(capsys):
    argv = ["symmetries", "--model", "heisenberg", "--lattice", "square", "--size", "4", "4"]
    payload = _json_output(capsys, [*argv, "--periodic", "--json"])
    assert payload["families"]["spatial"]["order"] == 384
    assert payload["families"]["su2"]["order"] == "infinite"


def test_symmetries_table_is_human_readable(capsys):
    assert main(["symmetries", "--size", "4", "--coupling", "j=1.0", "h=0.5"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("4 qubits, 8 terms")
    assert "family" in out and "spatial" in out


def test_symmetries_from_hamiltonian_file(tmp_path, capsys):
    path = tmp_path / "h.json"
    path.write_text(json.dumps([["ZZI", -1.0], ["IZZ", -1.0], ["IIY", [0.0, 0.0]]]))
    payload = _json_output(capsys, ["symmetries", "--hamiltonian-file", str(path), "--json"])
    assert payload["num_qubits"] == 3
    assert payload["families"]["spatial"]["order"] == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["symmetries", "--coupling", "h"], "NAME=VALUE"),
        (["symmetries", "--coupling", "h=abc"], "NAME=VALUE"),
        (["symmetries", "--coupling", "q=1"], "bad --coupling for model tfim"),
        (["symmetries", "--hamiltonian-file", "/nonexistent.json"], "no such Hamiltonian file"),
        (["symmetries", "--lattice", "ring", "--size", "2"], "at least 3"),
        (["symmetries", "--coupling", "j=nan"], "finite number"),
        (["symmetries", "--hamiltonian-file", "."], "cannot read Hamiltonian file"),
        (["dynamics", "--seed", "-1"], "argument --seed: expected an integer >= 0"),
        (["train", "--checkpoint-every", "0"], "argument --checkpoint-every: expected an "
                                                "integer >= 1, got '0'"),
        (["prune", "--max-exact-qubits", "-2"], "argument --max-exact-qubits"),
        (["classify", "--no-such-flag"], "unrecognized arguments"),
        (["classify", "--steps", "0"], "argument --steps: expected an integer >= 1"),
        (["dynamics", "--steps", "8"], "--steps must be at least 10"),
        (["dynamics", "--gammas", "inf"], "argument --gammas: expected a finite number > 0"),
        (["demo", "--seed", str(2**64)], "argument --seed: expected a seed below 2**63"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    status: object
    try:
        status = main(argv)
    except SystemExit as stop:  # argparse's own errors
        status = stop.code
    assert status == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("terms", "message"),
    [([], "the list is empty"), ([["ZQI", -1.0]], "not valid"), ([["ZZ", "x"]], "pairs")],
)
def test_bad_hamiltonian_files_exit_2(tmp_path, capsys, terms, message):
    path = tmp_path / "h.json"
    path.write_text(json.dumps(terms))
    assert main(["symmetries", "--hamiltonian-file", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_out_is_checked_before_any_work(tmp_path, capsys, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the experiment ran before --out was checked")

    monkeypatch.setattr("qsympass.cli.dynamics.run_convergence_experiment", no_work)
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    assert main(["dynamics", "--out", str(blocker)]) == 2
    assert "--out" in capsys.readouterr().err


def test_a_file_that_cannot_be_written_is_one_line(tmp_path, capsys):
    target = tmp_path / "taken.qpy"
    target.mkdir()  # a folder where the file should go
    argv = ["prune", "--ansatz-layers", "1", "--size", "4", "--no-score", "--output", str(target)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert f"cannot use {target}" in err and len(err.splitlines()) == 1


def test_an_interrupt_is_one_line_and_says_how_to_resume(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("qsympass.cli.dynamics.run_convergence_experiment", interrupted)
    assert main(["dynamics", "--out", str(tmp_path)]) == 130
    assert capsys.readouterr().err.strip() == "qsympass dynamics: interrupted"
    monkeypatch.setattr("qsympass.hardware.cli.train._train", interrupted)
    checkpoint = tmp_path / "run.json"
    argv = ["train", "--ansatz-layers", "1", "--size", "4", "--out", str(tmp_path),
            "--checkpoint", str(checkpoint)]
    assert main(argv) == 130
    err = capsys.readouterr().err.strip()
    assert err == f"qsympass train: interrupted; rerun the same command to resume from {checkpoint}"


def test_a_closed_output_pipe_ends_quietly(tmp_path):
    argv = [sys.executable, "-m", "qsympass", "symmetries", "--size", "4", "--json"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before the command prints
    err = process.stderr.read().decode()
    assert process.wait() == 1
    assert "Traceback" not in err


def test_demo_checkpoint_must_name_a_file(tmp_path, capsys):
    assert main(["demo", "--checkpoint", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_non_hermitian_file_is_rejected(tmp_path, capsys):
    path = tmp_path / "h.json"
    path.write_text(json.dumps([["XY", [0.0, 1.0]]]))
    assert main(["symmetries", "--hamiltonian-file", str(path)]) == 2
    assert "not Hermitian" in capsys.readouterr().err


def test_console_script_runs(tmp_path):
    # Run outside the source tree: there ``qsympass`` would resolve to the source folder, which
    # lacks the ``hardware`` package that an installed qsympass maps in.
    completed = subprocess.run(
        [sys.executable, "-m", "qsympass", "symmetries", "--size", "5", "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["families"]["spatial"]["order"] == 10


def test_dynamics_reports_both_convergence_types(tmp_path, capsys):
    argv = ["dynamics", "--num-parameters", "200", "--steps", "80", "--out", str(tmp_path)]
    payload = _json_output(capsys, [*argv, "--json"])
    verdicts = {e["gamma"]: e["verdict"] for e in payload["experiments"]}
    assert verdicts == {1.0: "sublinear", 2.0: "exponential"}
    assert all(path.endswith(".png") for path in payload["plots"])
    assert (tmp_path / "loss_loglog.png").exists()


def test_dynamics_passes_the_experiment_options(tmp_path, capsys):
    argv = ["dynamics", "--num-parameters", "40", "--steps", "10", "--gammas", "1",
            "--pauli-sampling", "independent", "--initialization", "random",
            "--discretization", "flow", "--out", str(tmp_path), "--json"]
    experiment = _json_output(capsys, argv)["experiments"][0]
    assert (experiment["pauli_sampling"], experiment["initialization"],
            experiment["discretization"]) == ("independent", "random", "flow")


def test_json_output_is_standard_json(capsys):
    emit(argparse.Namespace(json=True), {"factor": float("nan"), "rows": [1.0, float("inf")]}, "")
    assert json.loads(capsys.readouterr().out) == {"factor": None, "rows": [1.0, None]}


def test_dynamics_rejects_bad_sizes(capsys):
    assert main(["dynamics", "--steps", "1"]) == 2
    assert "--steps" in capsys.readouterr().err


def test_classify_werner_compares_plain_and_symmetry_guided(tmp_path, capsys):
    argv = ["classify", "--task", "werner", "--num-seeds", "1", "--out", str(tmp_path)]
    payload = _json_output(capsys, [*argv, "--json"])
    medians = payload["median_test_accuracy"]
    assert medians["collective"] >= 0.99
    assert medians["none"] <= medians["collective"] - 0.2
    assert (tmp_path / "werner_training.png").exists()


def test_classify_rejects_a_symmetry_of_the_other_task(capsys):
    assert main(["classify", "--task", "werner", "--symmetry", "dihedral"]) == 2
    assert "does not act on the werner task" in capsys.readouterr().err
