"""Renderers of the ``modern`` study: capacity against N for dense associative memories, fitted
scaling exponents beside theory (Krotov & Hopfield 2016 no-error capacity; Demircigil et al. 2017
for the exponential energy), and the two figures. Ported from the former
``results/modern/analyze.py``; every number comes from the study's records."""

from __future__ import annotations

import math

import numpy as np

from amem.studies.tables import Table
from amem.theory.dense import exp_capacity_rate, poly_no_error_capacity

POLY = {"hebbian": 2, "poly2": 2, "poly3": 3, "poly4": 4}
LABEL = {"hebbian": "Hebbian", "poly2": "modern n=2", "poly3": "modern n=3",
         "poly4": "modern n=4", "exp": "modern exp", "exp-onestep": "modern exp, one step"}


def _loader(records):
    """load(folder) -> capacities of the sweeps written into that folder (name, name-exact)."""
    from amem.harness.summary import summarize

    cache = {}

    def load(name):
        if name not in cache:
            rows = [r for sweep, recs in records.items()
                    if sweep in (name, f"{name}-exact") for r in recs]
            cache[name] = summarize(rows) if rows else []
        return cache[name]
    return load


def points(caps: list[dict], criterion: str, noise: float, max_steps=None):
    """N, mean capacity in patterns, CI (patterns), censored seeds, per criterion and noise."""
    rows = [c for c in caps if c["criterion"] == criterion and abs(c["noise"] - noise) < 1e-12
            and c["max_steps"] == max_steps]
    rows.sort(key=lambda c: c["n_units"])
    n = np.array([c["n_units"] for c in rows], float)
    p = np.array([c["capacity_alpha"] * c["n_units"] for c in rows])
    lo = np.array([c["ci_low"] * c["n_units"] for c in rows])
    hi = np.array([c["ci_high"] * c["n_units"] for c in rows])
    cens = [c["n_censored"] for c in rows]
    return n, p, lo, hi, cens


def fit(x, y):
    """Least-squares slope of y on x with its standard error."""
    if len(x) < 2:
        return float("nan"), float("nan")
    if len(x) == 2:
        return float((y[1] - y[0]) / (x[1] - x[0])), float("nan")
    a = np.vstack([x, np.ones_like(x)]).T
    coef, res, *_ = np.linalg.lstsq(a, y, rcond=None)
    dof = len(x) - 2
    s2 = float(res[0]) / dof if res.size and dof > 0 else 0.0
    se = math.sqrt(s2 / float(((x - x.mean()) ** 2).sum()))
    return float(coef[0]), se



def _poly(records):
    load = _loader(records)
    out = {}
    for name, degree in POLY.items():
        caps = load(name)
        if not caps:
            continue
        n, p, lo, hi, cens = points(caps, "paper", 0.0)
        _, pn, lon, hin, censn = points(caps, "paper", 0.1)
        ne, pe, loe, hie, cense = points(caps, "exact", 0.0)
        out[name] = dict(degree=degree, n=n, p=p, lo=lo, hi=hi, pn=pn, lon=lon, hin=hin, ne=ne,
                         pe=pe, loe=loe, hie=hie,
                         exponent=fit(np.log(n), np.log(p)),
                         exponent_noise=fit(np.log(n), np.log(pn)),
                         exponent_exact=fit(np.log(ne), np.log(pe * np.log(ne))))
    return out


def scaling_table(records):
    """Capacity in patterns per N: paper (clean, 10% noise), exact, and the no-error theory."""
    rows = []
    for name, d in _poly(records).items():
        n = d["n"]
        theory = poly_no_error_capacity(n, d["degree"])
        theory_all = poly_no_error_capacity(n, d["degree"], all_patterns=True)
        for k in range(len(n)):
            params = n[k] * (n[k] - 1) / 2 if name == "hebbian" else d["p"][k] * n[k]
            rows.append([LABEL[name], str(int(n[k])),
                         f"{d['p'][k]:.1f} [{d['lo'][k]:.1f}, {d['hi'][k]:.1f}]",
                         f"{d['pn'][k]:.1f} [{d['lon'][k]:.1f}, {d['hin'][k]:.1f}]",
                         f"{d['pe'][k]:.1f} [{d['loe'][k]:.1f}, {d['hie'][k]:.1f}]",
                         f"{theory[k]:.1f}", f"{theory_all[k]:.1f}", f"{d['p'][k] / params:.2e}"])
    return Table(["model", "N", "paper, clean", "paper, 10% noise", "exact (all fixed points)",
                  "K-H no-error, each pattern", "same, all patterns",
                  "P_c per stored parameter (paper, clean)"], rows,
                 caption="Polynomial energies (and Hebbian): capacity in patterns, mean over 5 "
                         "seeds [95% CI]")


def exponent_table(records):
    """Fitted exponents: P_c ~ N^k (paper), P_c ln N ~ N^k (exact), against theory n - 1."""
    rows = []
    for name, d in _poly(records).items():
        f = d["exponent"], d["exponent_noise"], d["exponent_exact"]
        rows.append([LABEL[name]] + [f"{a:.2f} ± {b:.2f}" for a, b in f] + [str(d["degree"] - 1)])
    return Table(["model", "paper, clean", "paper, 10% noise", "exact (P ln N)", "theory n - 1"],
                 rows, caption="Fitted exponent k (least squares on log-log, ± standard error): "
                 "P_c ~ N^k for the paper criterion (theory: alpha_n N^(n-1) at a tolerated error "
                 "fraction), P_c ln N ~ N^k for the exact criterion (theory: N^(n-1) / ln N)")


def exp_table(records):
    """Exponential energy: capacity per N, clean and 10% noise, and fitted rates."""
    load = _loader(records)
    caps, caps1 = load("exp"), load("exp-onestep")
    capsn, caps1n = load("exp-noise10"), load("exp-onestep-noise10")
    n, p, lo, hi, _ = points(caps, "paper", 0.0)
    n1, p1, lo1, hi1, _ = points(caps1, "all_exact", 0.0, 1)
    nn, pn, lon, hin, _ = points(capsn, "paper", 0.1)
    n1n, p1n, lo1n, hi1n, _ = points(caps1n, "all_exact", 0.1, 1)
    rows = []
    for k in range(len(n)):
        rows.append(["0", str(int(n[k])), f"{p[k]:.0f} [{lo[k]:.0f}, {hi[k]:.0f}]",
                     f"{p1[k]:.1f} [{lo1[k]:.1f}, {hi1[k]:.1f}]",
                     f"{math.exp(exp_capacity_rate(0) * n[k]):.1f}"])
    for k in range(len(n1n)):
        if n1n[k] in nn:
            i = list(nn).index(n1n[k])
            paper = f"{pn[i]:.0f} [{lon[i]:.0f}, {hin[i]:.0f}]"
        else:
            paper = "not run (> 1,920)"
        rows.append(["0.1", str(int(n1n[k])), paper, f"{p1n[k]:.1f} [{lo1n[k]:.1f}, {hi1n[k]:.1f}]",
                     f"{math.exp(exp_capacity_rate(0.1) * n1n[k]):.1f}"])
    rates = [fit(n, np.log(p)), fit(nn, np.log(pn)), fit(n1, np.log(p1)), fit(n1n, np.log(p1n))]
    notes = ["Fitted rate r in P_c ~ e^(r N) (least squares of ln P_c on N, ± standard error; the "
             "paper noisy rate is from two sizes, no error bar): paper clean "
             + ", ".join(f"{a:.3f} ± {b:.3f}" for a, b in rates[:1])
             + "; paper 10% noise " + f"{rates[1][0]:.3f} ± {rates[1][1]:.3f}"
             + "; one step all exact clean " + f"{rates[2][0]:.3f} ± {rates[2][1]:.3f}"
             + "; one step all exact 10% noise " + f"{rates[3][0]:.3f} ± {rates[3][1]:.3f}"
             + f"; Demircigil bound rho=0 {exp_capacity_rate(0):.3f}, rho=0.1 "
               f"{exp_capacity_rate(0.1):.3f}; ln 2 (2^N states) {math.log(2):.3f}"]
    return Table(["cue noise", "N", "paper", "one step, all patterns exact",
                  "Demircigil bound e^(N I(1-2rho) / 2)"], rows, notes=notes,
                 caption="Exponential energy: capacity in patterns, mean over 5 seeds [95% CI]")


def _axes(ncols=2, sharey=True):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 3.0), layout="constrained")
    axes = fig.subplots(1, ncols, sharey=sharey)
    for ax in axes:
        ax.tick_params(labelsize=7)
    return fig, axes


def _log_n_axis(ax, ticks):
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax.set_xscale("log")
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot_poly(records):
    load = _loader(records)
    fig, axes = _axes()
    for ax, noise in zip(axes, (0.0, 0.1)):
        for i, (name, degree) in enumerate(POLY.items()):
            caps = load(name)
            if not caps:
                continue
            color = f"C{i}"
            n, p, lo, hi, _ = points(caps, "paper", noise)
            label = LABEL[name] + (" (= Hebbian)" if name == "poly2" else "")
            ax.errorbar(n, p, yerr=[p - lo, hi - p], fmt="o-" if name != "poly2" else "x--",
                        ms=3, lw=1, capsize=2, color=color, label=f"{label}, paper")
            if noise == 0.0:
                ne, pe, *_ = points(caps, "exact", 0.0)
                ax.plot(ne, pe, "s", mfc="none", ms=4, color=color, lw=0.8,
                        label=f"{LABEL[name]}, exact")
            if name != "poly2" and noise == 0.0:
                grid = np.geomspace(n.min(), n.max(), 50)
                ax.plot(grid, poly_no_error_capacity(grid, degree), ":", color=color, lw=1,
                        label=rf"K-H $N^{{{degree - 1}}}/(2\cdot{2 * degree - 3}!!\ln N)$ each")
                ax.plot(grid, poly_no_error_capacity(grid, degree, all_patterns=True), "-.",
                        color=color, lw=0.7, label=f"same, all patterns (/{degree})")
        _log_n_axis(ax, [16, 25, 50, 100, 200, 400])
        ax.set_yscale("log")
        ax.set_xlabel("number of units $N$", fontsize=8)
        ax.set_title(f"{'clean cues' if noise == 0 else 'round(0.1 N) flipped bits'}, sync recall",
                     fontsize=8)
    axes[0].set_ylabel("capacity $P_c$ (patterns, mean of 5 seeds, 95% CI)", fontsize=8)
    fig.legend(*axes[0].get_legend_handles_labels(), fontsize=5.5, frameon=False,
               loc="outside right upper", title_fontsize=5.5,
               title="paper: mean overlap >= 0.95\nexact: all stored patterns fixed points\n"
                     "theory (clean panel only): no-error,\none-step signal-to-noise; "
                     "compare\nwith the exact squares")
    return fig


def plot_exp(records):
    load = _loader(records)
    dirs = {0.0: ("exp", "exp-onestep"), 0.1: ("exp-noise10", "exp-onestep-noise10")}
    fig, axes = _axes(sharey=False)
    for ax, (noise, (paper_dir, onestep_dir)) in zip(axes, dirs.items()):
        n, p, lo, hi, _ = points(load(paper_dir), "paper", noise)
        ax.errorbar(n, p, yerr=[p - lo, hi - p], fmt="o-", ms=3, lw=1, capsize=2, color="C4",
                    label="exp energy, paper (mean overlap >= 0.95)")
        n1, p1, lo1, hi1, _ = points(load(onestep_dir), "all_exact", noise, 1)
        ax.errorbar(n1, p1, yerr=[p1 - lo1, hi1 - p1], fmt="s-", ms=3, lw=1, capsize=2,
                    color="C5", mfc="none", label="exp energy, one step, all patterns exact")
        grid = np.linspace(min(n.min(), n1.min()), max(n.max(), n1.max()), 50)
        ax.plot(grid, np.exp(exp_capacity_rate(noise) * grid), "k:", lw=1,
                label=rf"Demircigil $e^{{N I(1-2\rho)/2}}$, $\rho={noise:g}$ (one step, all)")
        ax.plot(grid, 2.0**grid, color="0.6", ls="--", lw=0.8, label=r"$2^N$ (number of states)")
        ax.set_yscale("log")
        ax.set_ylim(1, 20 * max(p.max(), p1.max()))
        ax.set_xlabel("number of units $N$", fontsize=8)
        ax.set_title("clean cues" if noise == 0 else "0.1 N flipped bits", fontsize=8)
        ax.legend(fontsize=5, frameon=False, loc="upper left")
    axes[0].set_ylabel("capacity $P_c$ (patterns, mean of 5 seeds, 95% CI)", fontsize=8)
    return fig


def exponent_text(records, name, which="exponent"):
    """``2.14 ± 0.03``: one fitted exponent of :func:`exponent_table` (``which``: ``exponent``,
    ``exponent_noise`` or ``exponent_exact``) for the curve of folder ``name``."""
    k, se = _poly(records)[name][which]
    return f"{k:.2f} ± {se:.2f}"


def exp_rate_text(records, which="paper"):
    """``0.620 ± 0.014``: a fitted rate r of P_c ~ e^(r N) for the exponential energy
    (``which``: ``paper``, ``paper-noise``, ``onestep``, ``onestep-noise``)."""
    load = _loader(records)
    folder, criterion, noise, steps = {
        "paper": ("exp", "paper", 0.0, None), "paper-noise": ("exp-noise10", "paper", 0.1, None),
        "onestep": ("exp-onestep", "all_exact", 0.0, 1),
        "onestep-noise": ("exp-onestep-noise10", "all_exact", 0.1, 1)}[which]
    n, p, *_ = points(load(folder), criterion, noise, steps)
    r, se = fit(n, np.log(p))
    return f"{r:.3f}" if se != se else f"{r:.3f} ± {se:.3f}"
