"""Plots of training runs, written to files.

Figures are built with matplotlib's object interface (no pyplot), so no display and no global
backend state are involved.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

_MARKER_SHAPES = ("o", "x", "s", "^", "D")


def plot_curves(
    curves: Mapping[str, Sequence[float] | np.ndarray],
    path: str | os.PathLike[str],
    *,
    xlabel: str = "training step",
    ylabel: str = "relative energy error",
    title: str = "",
    log_x: bool = False,
    log_y: bool = True,
    end_markers: Mapping[str, Mapping[str, float]] | None = None,
) -> Figure:
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
        end_markers: For a curve's label, named values drawn as markers in the curve's colour
            one step after its end (e.g. ``{"measured once more": 0.2, "noise-free": 0.07}``).

    Returns:
        The saved figure.

    Raises:
        ValueError: If there are no curves.
    """
    if not curves:
        raise ValueError("nothing to plot: no curves given")
    # markers add legend entries: the legend then goes to the right of the axes
    outside = any(end_markers.get(label) for label in curves) if end_markers else False
    figure = Figure(figsize=(9.6 if outside else 6.4, 4.2))
    axes = figure.subplots()
    for label, values in curves.items():
        y = np.asarray(values, dtype=float)
        x = np.arange(1, len(y) + 1) if log_x else np.arange(len(y))
        visible = y > 0 if log_y else np.isfinite(y)
        (line,) = axes.plot(x[visible], y[visible], label=label)
        markers = (end_markers or {}).get(label, {})
        for (name, value), shape in zip(markers.items(), _MARKER_SHAPES, strict=False):
            if value > 0 or not log_y:
                axes.plot([x[-1] + 1 if len(x) else 0], [value], shape, color=line.get_color(),
                          label=f"{label}: {name}")
    axes.set_xscale("log" if log_x else "linear")
    axes.set_yscale("log" if log_y else "linear")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    if title:
        axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    if outside:
        axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small")
    else:
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    return figure
