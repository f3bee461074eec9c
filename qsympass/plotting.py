"""Plots of training runs, written to files.

Figures are built with matplotlib's object interface (no pyplot), so no display and no global
backend state are involved.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure


def plot_curves(
    curves: Mapping[str, Sequence[float] | np.ndarray],
    path: str | os.PathLike[str],
    *,
    xlabel: str = "training step",
    ylabel: str = "relative energy error",
    title: str = "",
    log_x: bool = False,
    log_y: bool = True,
) -> None:
    """Plot named curves against their index and save the figure.

    Non-positive values are left out of logarithmic axes rather than clipped.

    Args:
        curves: A label and a sequence of values for each curve.
        path: Where to write the image (format from the suffix, e.g. ``.png``).
        xlabel: The x-axis label.
        ylabel: The y-axis label.
        title: The figure title.
        log_x: Logarithmic x axis (steps start at 1 then).
        log_y: Logarithmic y axis.

    Raises:
        ValueError: If there are no curves.
    """
    if not curves:
        raise ValueError("nothing to plot: no curves given")
    figure = Figure(figsize=(6.4, 4.2))
    axes = figure.subplots()
    for label, values in curves.items():
        y = np.asarray(values, dtype=float)
        x = np.arange(1, len(y) + 1) if log_x else np.arange(len(y))
        visible = y > 0 if log_y else np.isfinite(y)
        axes.plot(x[visible], y[visible], label=label)
    axes.set_xscale("log" if log_x else "linear")
    axes.set_yscale("log" if log_y else "linear")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    if title:
        axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
