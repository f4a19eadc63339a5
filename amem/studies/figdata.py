"""The data a matplotlib figure plots, as JSON: what ``study check`` compares instead of pixels.

For every Axes: title, axis labels, scales and limits, each line's label and (x, y) points, each
collection's label and points (scatter offsets, fill_between and error-bar segments), texts, and
the pixel values of its images (``imshow``; the key is present only on Axes that show one).
Numbers are rounded to 10 significant digits, so the same records give the same data on every
machine while a changed number changes it.
"""

from __future__ import annotations

import math

import numpy as np

DIGITS = 10


def _num(x) -> float | None:
    x = float(x)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return float(f"{x:.{DIGITS}g}")


def _points(array) -> list:
    a = np.asarray(array, dtype=float)
    if a.ndim == 0:
        return _num(a)
    return [_points(v) for v in a] if a.ndim > 1 else [_num(v) for v in a]


def _label(artist) -> str | None:
    label = artist.get_label()
    return None if label is None or label.startswith("_") else label


def as_figure(obj):
    """The Figure of a Figure or an Axes."""
    from matplotlib.figure import FigureBase

    return obj if isinstance(obj, FigureBase) else obj.figure


def figure_data(fig) -> dict:
    """Plotted data of ``fig`` (a Figure, or an Axes whose figure is taken)."""
    from matplotlib.collections import Collection

    fig = as_figure(fig)
    axes = []
    for ax in fig.axes:
        entry = {"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
                 "xscale": ax.get_xscale(), "yscale": ax.get_yscale(), "lines": [],
                 "collections": [], "texts": [t.get_text() for t in ax.texts if t.get_text()]}
        for line in ax.get_lines():
            entry["lines"].append({"label": _label(line), "xy": _points(line.get_xydata())})
        for coll in ax.collections:
            if not isinstance(coll, Collection):
                continue
            item = {"label": _label(coll), "kind": type(coll).__name__}
            offsets = coll.get_offsets()
            if len(offsets) and type(coll).__name__ == "PathCollection":
                item["offsets"] = _points(offsets)
            else:
                item["paths"] = [_points(p.vertices) for p in coll.get_paths()]
            entry["collections"].append(item)
        if ax.images:
            entry["images"] = [_points(np.ma.filled(np.ma.asarray(im.get_array(), dtype=float),
                                                    np.nan)) for im in ax.images]
        legend = ax.get_legend()
        if legend is not None:
            entry["legend"] = [t.get_text() for t in legend.get_texts()]
        axes.append(entry)
    out = {"axes": axes}
    if getattr(fig, "_suptitle", None) is not None:
        out["suptitle"] = fig._suptitle.get_text()
    return out
