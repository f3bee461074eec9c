"""The hardware examples' logic on reduced settings (the full runs are minutes long)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_tfim_fake_backend_comparison_on_a_small_chain() -> None:
    example = _load("tfim_fake_backend")
    setting = example.Setting(
        sites=4, kind="chain", device="manila", steps=2, shots=1000, final_trajectories=8,
        max_exact_qubits=0,
    )
    e0, (unpruned, pruned) = example.run_comparison(setting)
    assert e0 < 0
    assert pruned.num_parameters < unpruned.num_parameters
    assert pruned.two_qubit_gates < unpruned.two_qubit_gates
    assert pruned.depth < unpruned.depth
    for outcome in (unpruned, pruned):
        assert outcome.swap_free
        assert len(outcome.energies) == setting.steps
        assert np.all(np.isfinite(outcome.energies))
        # Variational principle: no state lies below the ground state without noise.
        assert outcome.ideal_error >= -1e-9
        assert np.isfinite(outcome.noisy_error)
    table = example.format_table(e0, [unpruned, pruned])
    assert "unpruned" in table and "pruned" in table


def test_sggd_fake_backend_penalties_follow_the_exact_ones() -> None:
    example = _load("sggd_fake_backend")
    result = example.compare_penalties(num_points=3, shots=4000, seed=1)
    assert result.implementation == "runtime.EstimatorV2"
    assert result.evs.shape == result.penalty.shape == result.exact_penalty.shape == (3,)
    assert np.all(result.exact_penalty >= -1e-12)
    assert np.all(result.penalty_stds > 0)
    # Shot noise and Manila's gate errors: close to, not equal to, the exact values.
    assert np.max(np.abs(result.evs - result.exact_evs)) < 0.3
    assert np.max(np.abs(result.penalty - result.exact_penalty)) < 0.3
    assert "penalty" in example.format_table(result)
