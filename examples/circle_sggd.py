"""SGGD on the 2-D circle task with right-half training data (seed paper 002, Fig. 3).

Trains plain MSE, SGGD with the x<->y SWAP symmetry and SGGD with the dihedral group of the
square on the same circuit, data and budget for five seeds, prints the results table and saves
the training curves and the learned decision regions.

Run: ``python examples/circle_sggd.py [output.png]``
"""

from __future__ import annotations

import argparse

import numpy as np
from matplotlib.figure import Figure

from qsympass.datasets import CIRCLE_RADIUS, circle_split
from qsympass.sggd.experiments import (
    CircleConfig,
    circle_ansatz,
    circle_features,
    circle_num_qubits,
    circle_observable,
    run_circle,
)
from qsympass.sggd.heisenberg_model import HeisenbergModel


def main(path: str = "circle_sggd.png") -> None:
    config = CircleConfig()
    result = run_circle(config, seeds=range(5))
    print(result.table())
    num_qubits = circle_num_qubits(config.scales)
    model = HeisenbergModel(
        circle_ansatz(config.layers, num_qubits),
        circle_observable(num_qubits, config.observable_scale),
    )
    grid = np.linspace(-1, 1, 121)
    xs, ys = np.meshgrid(grid, grid)
    grid_features = circle_features(np.stack([xs.ravel(), ys.ravel()], axis=1), config.scales)
    training = circle_split(config.num_train, config.num_test, np.random.default_rng(0)).train

    figure = Figure(figsize=(13, 3.8))
    curves, *maps = figure.subplots(1, 4)
    for symmetry, axes in zip(result.symmetries(), maps, strict=True):
        runs = result.runs_of(symmetry)
        curves.plot(runs[0].loss_curve, label=f"{symmetry} (seed 0)")
        output = (grid_features @ model.coefficients(np.array(runs[0].params))).reshape(xs.shape)
        mesh = axes.contourf(xs, ys, np.sign(output), levels=[-1.5, 0, 1.5],
                             colors=["#f4b6b6", "#b6d4f4"])
        axes.add_patch(_circle(axes))
        axes.scatter(*training.features.T, c=training.labels, s=6, cmap="coolwarm_r",
                     label="training points")
        axes.set_title(f"{symmetry}: test acc {result.median_test_accuracy(symmetry):.3f}")
        axes.set_xlabel("x")
        axes.set_ylabel("y")
        axes.set_aspect("equal")
        axes.legend(handles=[axes.collections[-1]], loc="lower left", fontsize=7)
        del mesh
    curves.set_xlabel("training step")
    curves.set_ylabel("loss (MSE + λ penalty)")
    curves.set_yscale("log")
    curves.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    print(f"saved {path}")


def _circle(axes: object) -> object:
    from matplotlib.patches import Circle

    return Circle((0, 0), CIRCLE_RADIUS, fill=False, linestyle="--", color="k",
                  label="true boundary")


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "output", nargs="?", default="circle_sggd.png", help="where to save the figure (PNG)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    main(_parse().output)
