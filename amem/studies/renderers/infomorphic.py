"""Renderers of the ``infomorphic`` study (Blümel et al. 2025): Fig. 2C (recall against load),
Fig. 2D (PID atoms after training, from the ``training`` probe), goals, noisy cues, basins and the
finite-size scan. Ported from the former ``results/infomorphic/make_figures.py``: median and 90%
band over seeds, dashed lines at the ``paper`` capacities."""

from __future__ import annotations

import numpy as np

from amem.studies.renderers.capacity import summaries
from amem.studies.tables import Table

ATOMS = ("unique_1", "unique_2", "redundancy", "synergy", "residual_entropy")
ATOM_LABELS = ("unique external", "unique recurrent", "redundancy", "synergy", "residual entropy")


def _figure():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.6), layout="tight")
    return fig, fig.subplots()


def curve(records, noise=0.0, key="mean_overlap"):
    """alpha -> values over seeds."""
    out: dict[float, list[float]] = {}
    for r in records:
        if abs(float(r["noise"]) - noise) < 1e-9:
            out.setdefault(float(r["alpha"]), []).append(float(r[key]))
    alphas = np.array(sorted(out))
    return alphas, [np.array(out[a]) for a in alphas]


def band(ax, alphas, values, label, color):
    med = [np.median(v) for v in values]
    lo = [np.quantile(v, 0.05) for v in values]
    hi = [np.quantile(v, 0.95) for v in values]
    (line,) = ax.plot(alphas, med, "o-", ms=3, color=color, label=label)
    ax.fill_between(alphas, lo, hi, color=line.get_color(), alpha=0.25, lw=0)


def accuracy_axes(ax, title, legend_size):
    """Labels of a recall-accuracy-against-load panel, with the paper threshold 0.95 dotted."""
    ax.axhline(0.95, color="k", lw=0.5, ls=":")
    ax.set_xlabel(r"load $\alpha = P/N$")
    ax.set_ylabel("recall accuracy (mean overlap)")
    ax.set_title(title, fontsize=9)
    if ax.get_legend_handles_labels()[0]:  # a panel of sweeps not run yet has no curve
        ax.legend(fontsize=legend_size)


def fig2c(records):
    fig, ax = _figure()
    for run, label, color in (("fig2c_hebbian", "Hebbian", "tab:gray"),
                              ("fig2c_infomorphic", r"infomorphic, $G=\Pi_{red}$", "tab:blue")):
        recs = records.get(run, [])
        if not recs:
            continue
        a, v = curve(recs)
        band(ax, a, v, label, color)
        for c in summaries({run: recs}, ["paper"]):
            ax.axvline(c["capacity_alpha"], color=color, ls="--", lw=1)
    accuracy_axes(ax, "N = 100, clean cues, sync recall; median and 90% band over seeds",
                  legend_size=8)
    return fig


def fig2d(records):
    recs = records["fig2d_atoms"]
    fig, ax = _figure()
    colors = ("tab:orange", "tab:green", "tab:blue", "tab:red", "tab:gray")
    for name, label, color in zip(ATOMS, ATOM_LABELS, colors):
        by: dict[float, list[float]] = {}
        for r in recs:
            if r.get(name) is not None:
                by.setdefault(float(r["alpha"]), []).append(float(r[name]))
        if not by:  # no records (a reproduction not run yet): no curve
            continue
        a = np.array(sorted(by))
        band(ax, a, [np.array(by[x]) for x in a], label, color)
    ax.set_xscale("log")
    ax.set_xlabel(r"load $\alpha = P/N$")
    ax.set_ylabel("atom (bits, mean over neurons)")
    ax.set_title("PID atoms after redundancy training (N = 100)", fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    return fig


def fig2d_table(records, loads=(0.06, 0.51, 1.01, 1.51, 1.76, 2.01), digits=3):
    """Median atoms over seeds at a few loads, with epochs trained and recall."""
    recs = records["fig2d_atoms"]
    rows = []
    for a in loads:
        sel = [r for r in recs if abs(float(r["alpha"]) - a) < 1e-6 and r.get("redundancy") is not None]
        if not sel:
            continue
        med = [np.median([float(r[n]) for r in sel]) for n in ATOMS]
        epochs = np.median([r["epochs_trained"] for r in sel])
        rows.append([f"{a:g}", str(len(sel))] + [f"{m:.{digits}f}" for m in med]
                    + [f"{epochs:.0f}", f"{np.median([r['mean_overlap'] for r in sel]):.{digits}f}"])
    return Table(["α", "seeds", *ATOM_LABELS, "epochs (median)", "recall m"], rows,
                 caption="PID atoms after training (bits, mean over neurons; median over seeds)")


def goals(records):
    runs = [("fig2c_infomorphic", "redundancy [0,0,1,0,0]"),
            ("goal_external-mi", "external MI [1,0,1,0,0]"),
            ("goal_co-information", "co-information [0,0,1,-1,0]"),
            ("goal_joint-mi", "joint MI [1,1,1,1,0]")]
    fig, ax = _figure()
    for (run, label), color in zip(runs, ("tab:blue", "tab:green", "tab:purple", "tab:orange")):
        recs = records.get(run, [])
        if recs:
            a, v = curve(recs)
            band(ax, a, v, label, color)
    accuracy_axes(ax, "Goals compared (N = 100)", legend_size=7)
    return fig


def noise(records):
    fig, ax = _figure()
    a, v = curve(records["fig2c_infomorphic"])
    band(ax, a, v, "clean cues (fig2c run)", "tab:blue")
    for f, color in ((0.1, "tab:orange"), (0.2, "tab:red")):
        a, v = curve(records["noise_infomorphic"], noise=f)
        band(ax, a, v, f"{f:.0%} flipped cue bits", color)
    accuracy_axes(ax, "Infomorphic network, noisy cues (N = 100)", legend_size=8)
    return fig


BASIN_LOADS = (("basin_hebbian", "Hebbian", (0.05, 0.1), "--"),
               ("basin_infomorphic_noES", "infomorphic", (0.1, 0.5, 1.0, 1.5), "-"))


def _basin_points(records):
    for run, name, alphas, style in BASIN_LOADS:
        recs = records.get(run, [])
        for a in alphas:
            sel = [r for r in recs if abs(float(r["alpha"]) - a) < 1e-9]
            if not sel:
                continue
            fs = sorted({float(r["noise"]) for r in sel})
            retrieved = [float(np.mean([float(r["frac_retrieved"]) for r in sel
                                        if float(r["noise"]) == f])) for f in fs]
            yield name, a, style, fs, retrieved


def basin(records):
    fig, ax = _figure()
    for name, a, style, fs, retrieved in _basin_points(records):
        ax.plot(fs, retrieved, style, marker="o", ms=3, label=fr"{name} $\alpha$={a}")
    ax.set_xlabel("fraction of flipped cue bits")
    ax.set_ylabel("fraction of patterns retrieved (overlap >= 0.95)")
    ax.set_title("Basins (N = 100, sync recall; infomorphic trained 2000 epochs)", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def basin_table(records):
    rows, levels = [], None
    for name, a, _, fs, retrieved in _basin_points(records):
        levels = levels or fs
        rows.append([f"{name} α {a:.2f}"] + [f"{x:.2f}" for x in retrieved])
    return Table(["network"] + [f"f = {f:g}" for f in levels or []], rows,
                 caption="Fraction of patterns retrieved (overlap ≥ 0.95) from cues with a "
                         "fraction f of flipped bits, mean over seeds")


def finite_size(records):
    runs = [("size_n50", "N = 50"), ("fig2c_infomorphic", "N = 100"), ("size_n200", "N = 200"),
            ("size_n400", "N = 400"), ("size_n400_long", "N = 400, 20000 epochs"),
            ("size_n800", "N = 800")]
    fig, ax = _figure()
    for run, label in runs:
        if records.get(run):
            a, v = curve(records[run])
            band(ax, a, v, label, None)
    accuracy_axes(ax, "Finite-size scan, redundancy goal", legend_size=8)
    return fig
