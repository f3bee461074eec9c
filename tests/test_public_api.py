"""The public names of DESIGN.md resolve to what they promise."""

from __future__ import annotations

import pytest
from qiskit.transpiler.basepasses import BasePass

import qsympass


@pytest.mark.parametrize("name", qsympass.__all__)
def test_every_public_name_resolves(name):
    assert getattr(qsympass, name) is not None


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        qsympass.nope  # noqa: B018


def test_passes_are_qiskit_passes():
    assert issubclass(qsympass.SymmetricPruning, BasePass)
    assert issubclass(qsympass.EQNTKAnalysis, BasePass)


def test_model_functions_are_reachable_from_the_package():
    hamiltonian = qsympass.models.tfim(qsympass.models.lattice("ring", 4))
    assert qsympass.find_symmetries(hamiltonian).spatial.order == 8
