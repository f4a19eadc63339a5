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
from amem.plots.style import FORMATS, PRINT_RC, add_caption, curve_style, place_legend
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
    params: dict | None = None


def curve_label(model: str, params: dict, n_units: int, noise: float, vary: set[str]) -> str:
    parts = [model]
    if params:
        parts.append(",".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "seed"))
    if "n_units" in vary:
        parts.append(f"N={n_units}")
    if "noise" in vary:
        parts.append(f"noise={noise:g}")
    return " ".join(p for p in parts if p)


def _select(records: list[dict], models=None, sizes=None) -> list[dict]:
    """Records of the given models and sizes (None: all)."""
    return [r for r in records if (not models or r["model"] in models)
            and (not sizes or r["n_units"] in sizes)]


def accuracy_curves(records: list[dict], metric: str = "mean_overlap") -> list[AccuracyCurve]:
    """Median and 90% band over seeds of ``metric`` at each load, one curve per group, in
    numeric order (model, parameters, N = 50 before N = 100, noise)."""
    groups = group_records(records)
    vary = {f for f in ("n_units", "noise") if len({r[f] for r in records}) > 1}
    curves = []
    for key, rows in groups.items():
        model, params_json, n_units, noise = key[:4]
        if rows and metric not in rows[0]:
            from amem.errors import AmemError

            raise AmemError(f"metric {metric!r} is not a field of the records; use one of "
                            "mean_overlap, frac_exact, frac_retrieved, frac_stable")
        by_p: dict[int, list[float]] = {}
        for r in rows:
            by_p.setdefault(r["n_patterns"], []).append(r[metric])
        ps = np.array(sorted(by_p))
        vals = [np.asarray(by_p[p]) for p in ps]
        params = json.loads(params_json)
        curves.append(AccuracyCurve(
            label=curve_label(model, params, n_units, noise, vary),
            model=model, n_units=n_units, noise=noise, alpha=ps / n_units,
            median=np.array([np.median(v) for v in vals]),
            low=np.array([np.quantile(v, BAND_QUANTILES[0]) for v in vals]),
            high=np.array([np.quantile(v, BAND_QUANTILES[1]) for v in vals]),
            n_seeds=np.array([len(v) for v in vals]), params=params))
    curves.sort(key=lambda c: (c.model, json.dumps(c.params, sort_keys=True), c.n_units, c.noise))
    return curves


def _new_axes(height: float = 3.3):  # room for the legend below and the caption
    from matplotlib.figure import Figure  # no pyplot: never touches the user's backend

    fig = Figure(figsize=(COLUMN_WIDTH_IN, height), layout="constrained")
    ax = fig.subplots()
    ax.tick_params(labelsize=7)
    return fig, ax


def _labels(ax, xlabel: str, ylabel: str) -> None:
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)


#: The record field and threshold each criterion tests (a guide line when that field is drawn).
CRITERION_LINES = {"paper": ("mean_overlap", 0.95), "frac90": ("frac_retrieved", 0.9),
                   "exact": ("frac_stable", 1.0), "all_exact": ("frac_exact", 1.0)}
METRIC_LABELS = {"mean_overlap": "mean overlap (median, 90% band)",
                 "frac_exact": "fraction recalled exactly",
                 "frac_retrieved": "fraction retrieved (overlap $\\geq$ 0.95)",
                 "frac_stable": "fraction of exact fixed points"}


def is_censored(cap: dict) -> bool:
    return bool(cap.get("lower_bound", cap.get("n_censored", 0)))


def _matches(cap: dict, curve: AccuracyCurve) -> bool:
    return (cap["model"] == curve.model and cap["n_units"] == curve.n_units
            and cap["noise"] == curve.noise and (cap.get("params") or {}) == (curve.params or {}))


def plot_accuracy(records: list[dict], ax=None, capacities: list[dict] | None = None,
                  theory: bool = True, metric: str = "mean_overlap", log_x: bool | None = None,
                  criterion: str = "paper"):
    """Recall accuracy (``metric``) against load alpha = P/N: median over seeds, 90% band.

    The capacity under ``criterion`` is a dotted vertical line per curve; a censored estimate
    (seeds still storing at the largest load) is a bound, drawn as a hollow marker pointing
    right at the largest load stored, not as a line.
    """
    if ax is None:
        _, ax = _new_axes()
    curves = accuracy_curves(records, metric)
    censored_drawn = False
    for i, c in enumerate(curves):
        style = curve_style(i)
        ax.plot(c.alpha, c.median, color=style["color"], linestyle=style["linestyle"],
                marker=style["marker"], ms=2.5, markevery=max(1, len(c.alpha) // 8), lw=1.1,
                label=c.label)
        ax.fill_between(c.alpha, c.low, c.high, color=style["color"], alpha=0.15, lw=0)
        for cap in capacities or []:
            if cap["criterion"] != criterion or not _matches(cap, c):
                continue
            if is_censored(cap):
                ax.plot([cap["capacity_alpha"]], [1.02], marker=">", ms=5, mfc="none",
                        color=style["color"], ls="none",
                        label=None if censored_drawn else
                        f"capacity $\\geq$ this load ({criterion}, censored)")
                censored_drawn = True
            else:
                ax.axvline(cap["capacity_alpha"], color=style["color"], ls=":", lw=0.9)
    if theory and any(c.model == "hebbian" for c in curves):
        ax.axvline(AGS_ALPHA_C, color="0.4", ls="--", lw=0.8, label=r"AGS $\alpha_c=0.138$")
    field, threshold = CRITERION_LINES.get(criterion, (None, None))
    if field == metric:
        ax.axhline(threshold, color="0.6", ls="-.", lw=0.6)
    alphas = np.concatenate([c.alpha for c in curves]) if curves else np.array([1.0])
    if log_x if log_x is not None else (alphas.max() / max(alphas.min(), 1e-9) > 50):
        ax.set_xscale("log")
    _labels(ax, r"load $\alpha = P/N$", METRIC_LABELS.get(metric, metric))
    ax.set_ylim(-0.05 if metric != "mean_overlap" else min(0.0, ax.get_ylim()[0]), 1.07)
    place_legend(ax)
    return ax


def capacity_points(capacities: list[dict], criterion: str = "paper") -> dict[str, dict[str, np.ndarray]]:
    """Capacity (mean, CI, censored flag) against N for each (model, params, noise) curve under
    ``criterion``, labels in numeric order."""
    out: dict[str, dict[str, list]] = {}
    order: dict[str, tuple] = {}
    for c in capacities:
        if c["criterion"] != criterion:
            continue
        label = curve_label(c["model"], c["params"], c["n_units"], c["noise"], {"noise"})
        order[label] = (c["model"], json.dumps(c["params"], sort_keys=True), c["noise"])
        d = out.setdefault(label, {"n": [], "alpha": [], "low": [], "high": [], "censored": [],
                                   "model": c["model"]})
        for k, v in (("n", c["n_units"]), ("alpha", c["capacity_alpha"]), ("low", c["ci_low"]),
                     ("high", c["ci_high"]), ("censored", is_censored(c))):
            d[k].append(v)
    result = {}
    for label in sorted(out, key=order.__getitem__):
        d = out[label]
        idx = np.argsort(d["n"])
        result[label] = {k: (np.asarray(v)[idx] if k != "model" else v) for k, v in d.items()}
    return result


def _log_ticks_at(ax, values) -> None:
    """Major ticks labelled at the sizes measured (at most ~7, thinned evenly), no minor labels:
    matplotlib's default log labels collide at a column's width."""
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    ticks = sorted({int(v) for v in values})
    if len(ticks) > 7:
        step = int(np.ceil(len(ticks) / 7))
        ticks = ticks[::step] + ([ticks[-1]] if (len(ticks) - 1) % step else [])
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.set_xticklabels([f"{t:,}".replace(",", "\u2009") for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot_capacity_vs_n(capacities: list[dict], criterion: str = "paper", ax=None, theory: bool = True):
    """Finite-size scaling: capacity estimate (95% CI) against N on a log N axis; a censored
    estimate is a lower bound, drawn as a hollow upward triangle without an interval."""
    if ax is None:
        _, ax = _new_axes()
    points = capacity_points(capacities, criterion)
    ns = []
    censored_drawn = False
    for i, (label, d) in enumerate(points.items()):
        style = curve_style(i)
        ok = ~d["censored"].astype(bool)
        ax.plot(d["n"], d["alpha"], color=style["color"], linestyle=style["linestyle"], lw=1,
                label=label, marker=style["marker"], ms=3, markevery=list(np.flatnonzero(ok)))
        if ok.any():
            yerr = np.clip(np.vstack([d["alpha"][ok] - d["low"][ok],
                                      d["high"][ok] - d["alpha"][ok]]), 0, None)  # round-off
            ax.errorbar(d["n"][ok], d["alpha"][ok], yerr=yerr, fmt="none", lw=0.8, capsize=2,
                        color=style["color"])
        if (~ok).any():
            ax.plot(d["n"][~ok], d["alpha"][~ok], ls="none", marker="^", ms=5, mfc="none",
                    color=style["color"],
                    label=None if censored_drawn else "lower bound (censored)")
            censored_drawn = True
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
    if ns:
        _log_ticks_at(ax, ns)
    _labels(ax, "number of units $N$", rf"capacity $\alpha_c$ ({criterion}, 95% CI)")
    place_legend(ax)
    return ax


def caption(records: list[dict], capacities: list[dict] | None, criterion: str) -> str:
    """One line: sizes, seeds, noise, criterion and protocol of the figure's records."""
    from amem.harness.criteria import CRITERIA

    sizes = sorted({r["n_units"] for r in records})
    seeds = sorted({r["seed"] for r in records})
    noise = sorted({r["noise"] for r in records})
    cues = sorted({r.get("cue", "flip") for r in records})
    steps = sorted({str(r.get("max_steps") or "N") for r in records})
    updates = sorted({str((c.get("protocol") or {}).get("update")) for c in capacities or []
                      if c.get("protocol")} - {"None"})
    searches = sorted({str((c.get("protocol") or {}).get("search")) for c in capacities or []
                       if c.get("protocol")} - {"None"})
    crit = CRITERIA.get(criterion)
    crit_text = criterion + (f" ({crit.description.split(' (')[0]})" if crit else "")
    parts = [f"N = {', '.join(map(str, sizes))}", f"{len(seeds)} seeds",
             f"{'/'.join(cues)} noise {', '.join(f'{x:g}' for x in noise)}",
             f"criterion {crit_text}",
             "protocol: " + ", ".join(filter(None, ["/".join(updates) + " updates" if updates else "",
                                                  f"at most {'/'.join(steps)} steps",
                                                  "/".join(searches) + " search" if searches else ""]))]
    return "; ".join(parts)


def save_figure(ax, path_stem: Path, formats=("png", "pdf")) -> list[Path]:
    """Write ``<stem>.<fmt>`` for each format (png at 300 dpi) with TrueType fonts in PDF/PS and
    text in SVG (:data:`amem.plots.style.PRINT_RC`, set for the save only, not globally);
    close the figure if pyplot holds it."""
    import sys

    import matplotlib

    fig = ax.figure if hasattr(ax, "figure") and ax.figure is not None else ax
    paths = []
    with matplotlib.rc_context(PRINT_RC):
        for fmt in formats:
            if fmt not in FORMATS:
                from amem.errors import AmemError

                raise AmemError(f"figure format {fmt!r} is not one of {', '.join(FORMATS)}")
            path = path_stem.with_suffix("." + fmt)
            fig.savefig(path, **({"dpi": 300} if fmt == "png" else {}))
            paths.append(path)
    if "matplotlib.pyplot" in sys.modules:  # a figure the caller made with pyplot
        sys.modules["matplotlib.pyplot"].close(fig)
    return paths


def write_plots(out_dir: Path, records: list[dict], capacities: list[dict],
                criterion: str = "paper", metric: str = "mean_overlap", models=None, sizes=None,
                title: str | None = None, formats=("png", "pdf")) -> list[Path]:
    """``capacity.<fmt>`` (accuracy vs load) and, with several N, ``capacity_vs_n.<fmt>``, for
    the records of ``models`` and ``sizes`` (None: all), each with a caption line."""
    from amem.errors import AmemError

    records = _select(records, models, sizes)
    capacities = _select(capacities, models, sizes)
    if not records:
        raise AmemError(f"no records of models {models or 'any'} at N in {sizes or 'any'} in "
                        f"{out_dir}; check --models and --sizes against trials.csv")
    text = caption(records, capacities, criterion)
    ax = plot_accuracy(records, capacities=capacities, metric=metric, criterion=criterion)
    add_caption(ax.figure, text)
    if title:
        ax.set_title(title, fontsize=8)
    paths = save_figure(ax, out_dir / "capacity", formats)
    if len({r["n_units"] for r in records}) > 1:
        ax = plot_capacity_vs_n(capacities, criterion)
        add_caption(ax.figure, text)
        if title:
            ax.set_title(title, fontsize=8)
        paths += save_figure(ax, out_dir / "capacity_vs_n", formats)
    return paths
