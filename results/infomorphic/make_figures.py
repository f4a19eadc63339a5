"""Figures and tables of results/infomorphic/ from the committed run directories.

    MPLCONFIGDIR=$(mktemp -d) PYTHONPATH=. python results/infomorphic/make_figures.py

Writes fig2c.png/.pdf, fig2d.png/.pdf, goals.png/.pdf, noise.png/.pdf, basin.png/.pdf,
finite_size.png/.pdf (each only if its runs exist) and prints the numbers used in README.md.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
ATOMS = ("unique_1", "unique_2", "redundancy", "synergy", "residual_entropy")
ATOM_LABELS = ("unique external", "unique recurrent", "redundancy", "synergy", "residual entropy")


def rows(run: str) -> list[dict]:
    path = HERE / run / "trials.csv"
    if not path.exists():
        return []
    with open(path) as fh:
        return list(csv.DictReader(fh))


def capacities(run: str) -> list[dict]:
    path = HERE / run / "summary.json"
    return json.load(open(path))["capacities"] if path.exists() else []


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
    ax.legend(fontsize=legend_size)


def save(fig, name):
    fig.tight_layout()
    for ext in ("png", "pdf"):
        fig.savefig(HERE / f"{name}.{ext}", dpi=150)
    plt.close(fig)
    print(f"wrote {name}.png/.pdf")


def cap_text(c):
    return (f"{c['criterion']}: {c['capacity_alpha']:.3f} [{c['ci_low']:.3f}, {c['ci_high']:.3f}] "
            f"({c['n_seeds']} seeds, {c.get('n_censored', 0)} censored)")


def paper(caps):
    return [c for c in caps if c["criterion"] == "paper"]


def fig2c():
    heb, inf = rows("fig2c_hebbian"), rows("fig2c_infomorphic")
    if not inf:
        return
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for recs, run, label, color in ((heb, "fig2c_hebbian", "Hebbian", "tab:gray"),
                                    (inf, "fig2c_infomorphic", r"infomorphic, $G=\Pi_{red}$",
                                     "tab:blue")):
        if not recs:
            continue
        a, v = curve(recs)
        band(ax, a, v, label, color)
        for c in paper(capacities(run)):
            ax.axvline(c["capacity_alpha"], color=color, ls="--", lw=1)
        for c in capacities(run):
            print(f"fig2c {label}: capacity {cap_text(c)}")
    accuracy_axes(ax, "N = 100, clean cues, sync recall; median and 90% band over seeds",
                  legend_size=8)
    save(fig, "fig2c")


def fig2d():
    path = HERE / "fig2d_atoms.csv"
    if not path.exists():
        return
    recs = list(csv.DictReader(open(path)))
    fig, ax = plt.subplots(figsize=(6, 3.6))
    colors = ("tab:orange", "tab:green", "tab:blue", "tab:red", "tab:gray")
    for name, label, color in zip(ATOMS, ATOM_LABELS, colors):
        by: dict[float, list[float]] = {}
        for r in recs:
            by.setdefault(float(r["alpha"]), []).append(float(r[name]))
        a = np.array(sorted(by))
        band(ax, a, [np.array(by[x]) for x in a], label, color)
    ax.set_xscale("log")
    ax.set_xlabel(r"load $\alpha = P/N$")
    ax.set_ylabel("atom (bits, mean over neurons)")
    ax.set_title("PID atoms after redundancy training (N = 100)", fontsize=9)
    ax.legend(fontsize=7)
    save(fig, "fig2d")
    for a in (0.06, 0.51, 1.01, 1.51, 1.76, 2.01):
        sel = [r for r in recs if abs(float(r["alpha"]) - a) < 1e-6]
        if sel:
            med = [np.median([float(r[n]) for r in sel]) for n in ATOMS]
            print(f"fig2d alpha {a}: " + ", ".join(f"{n} {m:.3f}" for n, m in zip(ATOMS, med)))


def goals():
    runs = [("fig2c_infomorphic", "redundancy [0,0,1,0,0]"), ("goal_external-mi", "external MI [1,0,1,0,0]"),
            ("goal_co-information", "co-information [0,0,1,-1,0]"), ("goal_joint-mi", "joint MI [1,1,1,1,0]")]
    if not any(rows(r) for r, _ in runs[1:]):
        return
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for (run, label), color in zip(runs, ("tab:blue", "tab:green", "tab:purple", "tab:orange")):
        recs = rows(run)
        if not recs:
            continue
        a, v = curve(recs)
        band(ax, a, v, label, color)
        for c in capacities(run):
            print(f"goal {label}: capacity {cap_text(c)}")
    accuracy_axes(ax, "Goals compared (N = 100)", legend_size=7)
    save(fig, "goals")


def noise():
    recs = rows("noise_infomorphic")
    if not recs:
        return
    fig, ax = plt.subplots(figsize=(6, 3.6))
    a, v = curve(rows("fig2c_infomorphic"))
    band(ax, a, v, "clean cues (fig2c run)", "tab:blue")
    for f, color in ((0.1, "tab:orange"), (0.2, "tab:red")):
        a, v = curve(recs, noise=f)
        band(ax, a, v, f"{f:.0%} flipped cue bits", color)
    for run in ("noise_infomorphic", "noise_infomorphic_noES"):
        for c in capacities(run):
            print(f"{run} noise {c['noise']}: capacity {cap_text(c)}")
    accuracy_axes(ax, "Infomorphic network, noisy cues (N = 100)", legend_size=8)
    save(fig, "noise")


def basin():
    inf, heb = rows("basin_infomorphic_noES") or rows("basin_infomorphic"), rows("basin_hebbian")
    for r in rows("basin_infomorphic"):  # early-stopped networks, for the README
        pass
    if not inf:
        return
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for recs, name, alphas, style in ((heb, "Hebbian", (0.05, 0.1), "--"),
                                      (inf, "infomorphic", (0.1, 0.5, 1.0, 1.5), "-")):
        for a in alphas:
            sel = [r for r in recs if abs(float(r["alpha"]) - a) < 1e-9]
            if not sel:
                continue
            fs = sorted({float(r["noise"]) for r in sel})
            retrieved = [np.mean([float(r["frac_retrieved"]) for r in sel
                                  if float(r["noise"]) == f]) for f in fs]
            ax.plot(fs, retrieved, style, marker="o", ms=3, label=fr"{name} $\alpha$={a}")
            print(f"basin {name} alpha {a}: " + ", ".join(
                f"{f:.1f}->{x:.2f}" for f, x in zip(fs, retrieved)))
    ax.set_xlabel("fraction of flipped cue bits")
    ax.set_ylabel("fraction of patterns retrieved (overlap >= 0.95)")
    ax.set_title("Basins (N = 100, sync recall; infomorphic trained 2000 epochs)", fontsize=9)
    ax.legend(fontsize=7)
    save(fig, "basin")


def finite_size():
    runs = [("size_n50", "N = 50"), ("fig2c_infomorphic", "N = 100"), ("size_n200", "N = 200"),
            ("size_n400", "N = 400"), ("size_n400_long", "N = 400, 20000 epochs"),
            ("size_n800", "N = 800")]
    have = [(r, label) for r, label in runs if rows(r)]
    if len(have) < 2:
        return
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for run, label in have:
        a, v = curve(rows(run))
        band(ax, a, v, label, None)
        for c in capacities(run):
            print(f"size {label}: capacity {cap_text(c)}")
    accuracy_axes(ax, "Finite-size scan, redundancy goal", legend_size=8)
    save(fig, "finite_size")


if __name__ == "__main__":
    for make in (fig2c, fig2d, goals, noise, basin, finite_size):
        make()
