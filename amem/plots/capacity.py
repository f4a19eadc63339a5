"""Publication plots: accuracy against load, and capacity against N (finite-size scaling).

Data functions (:func:`accuracy_curves`, :func:`capacity_points`) are pure NumPy and tested; the
renderers draw on a given ``Axes`` (or a new one sized for a paper column) and return it.
matplotlib is imported inside the functions only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from amem.harness.summary import group_records
from amem.theory.hebbian import AGS_ALPHA_C, mceliece_patterns

COLUMN_WIDTH_IN = 3.4  # one column of a two-column paper
BAND_QUANTILES = (0.05, 0.95)


@dataclass
class AccuracyCurve:
    label: str
    model: str
    n_units: int
    noise: float
    alpha: np.ndarray
    median: np.ndarray
    low: np.ndarray  # 5% quantile over seeds
    high: np.ndarray  # 95% quantile over seeds
    n_seeds: np.ndarray


def curve_label(model: str, params: dict, n_units: int, noise: float, vary: set[str]) -> str:
    parts = [model]
    if params:
        parts.append(",".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "seed"))
    if "n_units" in vary:
        parts.append(f"N={n_units}")
    if "noise" in vary:
        parts.append(f"noise={noise:g}")
    return " ".join(p for p in parts if p)


def accuracy_curves(records: list[dict], metric: str = "mean_overlap") -> list[AccuracyCurve]:
    """Median and 90% band over seeds of ``metric`` at each load, one curve per group."""
    groups = group_records(records)
    vary = {f for f in ("n_units", "noise") if len({r[f] for r in records}) > 1}
    curves = []
    for key, rows in groups.items():
        model, params_json, n_units, noise = key[:4]
        by_p: dict[int, list[float]] = {}
        for r in rows:
            by_p.setdefault(r["n_patterns"], []).append(r[metric])
        ps = np.array(sorted(by_p))
        vals = [np.asarray(by_p[p]) for p in ps]
        curves.append(AccuracyCurve(
            label=curve_label(model, json.loads(params_json), n_units, noise, vary),
            model=model, n_units=n_units, noise=noise, alpha=ps / n_units,
            median=np.array([np.median(v) for v in vals]),
            low=np.array([np.quantile(v, BAND_QUANTILES[0]) for v in vals]),
            high=np.array([np.quantile(v, BAND_QUANTILES[1]) for v in vals]),
            n_seeds=np.array([len(v) for v in vals])))
    return curves


def _new_axes(height: float = 2.6):
    from matplotlib.figure import Figure  # no pyplot: never touches the user's backend

    fig = Figure(figsize=(COLUMN_WIDTH_IN, height), layout="constrained")
    ax = fig.subplots()
    ax.tick_params(labelsize=7)
    return fig, ax


def _labels(ax, xlabel: str, ylabel: str) -> None:
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)


def plot_accuracy(records: list[dict], ax=None, capacities: list[dict] | None = None,
                  theory: bool = True, metric: str = "mean_overlap", log_x: bool | None = None):
    """Recall accuracy (``metric``) against load alpha = P/N: median over seeds, 90% band."""
    if ax is None:
        _, ax = _new_axes()
    curves = accuracy_curves(records, metric)
    for i, c in enumerate(curves):
        color = f"C{i % 10}"
        ax.plot(c.alpha, c.median, "-", color=color, lw=1.2, label=c.label)
        ax.fill_between(c.alpha, c.low, c.high, color=color, alpha=0.2, lw=0)
        for cap in capacities or []:
            if (cap["criterion"] == "paper" and cap["model"] == c.model and
                    cap["n_units"] == c.n_units and cap["noise"] == c.noise and
                    curve_label(cap["model"], cap["params"], c.n_units, c.noise, set()) in c.label):
                ax.axvline(cap["capacity_alpha"], color=color, ls=":", lw=0.9)
    if theory and any(c.model == "hebbian" for c in curves):
        ax.axvline(AGS_ALPHA_C, color="0.4", ls="--", lw=0.8, label=r"AGS $\alpha_c=0.138$")
    if metric == "mean_overlap":
        ax.axhline(0.95, color="0.6", ls="-.", lw=0.6)
    alphas = np.concatenate([c.alpha for c in curves]) if curves else np.array([1.0])
    if log_x if log_x is not None else (alphas.max() / max(alphas.min(), 1e-9) > 50):
        ax.set_xscale("log")
    _labels(ax, r"load $\alpha = P/N$",
            {"mean_overlap": "mean overlap (median, 90% band)",
             "frac_exact": "fraction recalled exactly",
             "frac_stable": "fraction of exact fixed points"}.get(metric, metric))
    ax.set_ylim(-0.05 if metric != "mean_overlap" else min(0.0, ax.get_ylim()[0]), 1.05)
    ax.legend(fontsize=6, frameon=False, loc="best")
    return ax


def capacity_points(capacities: list[dict], criterion: str = "paper") -> dict[str, dict[str, np.ndarray]]:
    """Capacity (mean, CI) against N for each (model, params, noise) curve under ``criterion``."""
    out: dict[str, dict[str, list]] = {}
    for c in capacities:
        if c["criterion"] != criterion:
            continue
        label = curve_label(c["model"], c["params"], c["n_units"], c["noise"], {"noise"})
        d = out.setdefault(label, {"n": [], "alpha": [], "low": [], "high": [], "model": c["model"]})
        for k, v in (("n", c["n_units"]), ("alpha", c["capacity_alpha"]), ("low", c["ci_low"]),
                     ("high", c["ci_high"])):
            d[k].append(v)
    result = {}
    for label, d in out.items():
        order = np.argsort(d["n"])
        result[label] = {k: (np.asarray(v)[order] if k != "model" else v) for k, v in d.items()}
    return result


def plot_capacity_vs_n(capacities: list[dict], criterion: str = "paper", ax=None, theory: bool = True):
    """Finite-size scaling: capacity estimate (95% CI) against N on a log N axis."""
    if ax is None:
        _, ax = _new_axes()
    points = capacity_points(capacities, criterion)
    ns = []
    for i, (label, d) in enumerate(points.items()):
        yerr = np.vstack([d["alpha"] - d["low"], d["high"] - d["alpha"]])
        ax.errorbar(d["n"], d["alpha"], yerr=yerr, fmt="o-", ms=3, lw=1, capsize=2,
                    color=f"C{i % 10}", label=label)
        ns.extend(d["n"])
    if theory and ns and any(d["model"] == "hebbian" for d in points.values()):
        grid = np.geomspace(min(ns), max(ns), 100)
        if criterion == "exact":
            ax.plot(grid, [mceliece_patterns(n, all_patterns=True) / n for n in grid], "k--", lw=0.8,
                    label=r"McEliece $N/(4\ln N)$ (all patterns fixed)")
        else:
            ax.axhline(AGS_ALPHA_C, color="k", ls="--", lw=0.8, label=r"AGS $\alpha_c=0.138$ ($N\to\infty$)")
            ax.plot(grid, [mceliece_patterns(n) / n for n in grid], "k:", lw=0.8,
                    label=r"McEliece $N/(2\ln N)$ (each pattern fixed)")
    ax.set_xscale("log")
    _labels(ax, "number of units $N$", rf"capacity $\alpha_c$ ({criterion}, 95% CI)")
    ax.legend(fontsize=6, frameon=False)
    return ax


def save_figure(ax, path_stem: Path) -> list[Path]:
    """Write ``<stem>.png`` (300 dpi) and ``<stem>.pdf``; close the figure if pyplot holds it."""
    import sys

    fig = ax.figure
    paths = [path_stem.with_suffix(".png"), path_stem.with_suffix(".pdf")]
    fig.savefig(paths[0], dpi=300)
    fig.savefig(paths[1])
    if "matplotlib.pyplot" in sys.modules:  # a figure the caller made with pyplot
        sys.modules["matplotlib.pyplot"].close(fig)
    return paths


def write_plots(out_dir: Path, records: list[dict], capacities: list[dict]) -> list[Path]:
    """``capacity.png/pdf`` (accuracy vs load) and, with several N, ``capacity_vs_n.png/pdf``."""
    paths = save_figure(plot_accuracy(records, capacities=capacities), out_dir / "capacity")
    if len({r["n_units"] for r in records}) > 1:
        paths += save_figure(plot_capacity_vs_n(capacities), out_dir / "capacity_vs_n")
    return paths
