"""Capacity against N for dense associative memories: fitted scaling beside theory, and plots.

Reads the ``summary.json`` of each sweep directory written by ``run.sh`` and writes
``scaling.json``, ``scaling.md`` (the tables quoted in README.md), ``capacity_vs_n_poly.png/pdf``
and ``capacity_vs_n_exp.png/pdf``. Run from the repository root:
``python results/modern/analyze.py``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp())

from amem.theory.dense import exp_capacity_rate, poly_no_error_capacity  # noqa: E402

HERE = Path(__file__).resolve().parent
POLY = {"hebbian": 2, "poly2": 2, "poly3": 3, "poly4": 4}
LABEL = {"hebbian": "Hebbian", "poly2": "modern n=2", "poly3": "modern n=3",
         "poly4": "modern n=4", "exp": "modern exp", "exp-onestep": "modern exp, one step"}


def load(name: str) -> list[dict]:
    path = HERE / name / "summary.json"
    return json.loads(path.read_text())["capacities"] if path.exists() else []


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


def analyze():
    out = {"poly": {}, "exp": {}}
    md = ["### Polynomial energies (and Hebbian): capacity in patterns, mean over 5 seeds [95% CI]",
          "",
          "| model | N | paper, clean | paper, 10% noise | exact (all fixed points) | "
          "K-H no-error, each pattern | same, all patterns | P_c per stored parameter "
          "(paper, clean) |",
          "|---|---|---|---|---|---|---|---|"]
    for name, degree in POLY.items():
        caps = load(name)
        if not caps:
            continue
        n, p, lo, hi, cens = points(caps, "paper", 0.0)
        _, pn, lon, hin, censn = points(caps, "paper", 0.1)
        ne, pe, loe, hie, cense = points(caps, "exact", 0.0)
        theory = poly_no_error_capacity(n, degree)
        theory_all = poly_no_error_capacity(n, degree, all_patterns=True)
        for k in range(len(n)):
            params = n[k] * (n[k] - 1) / 2 if name == "hebbian" else p[k] * n[k]
            md.append(f"| {LABEL[name]} | {int(n[k])} | {p[k]:.1f} [{lo[k]:.1f}, {hi[k]:.1f}] | "
                      f"{pn[k]:.1f} [{lon[k]:.1f}, {hin[k]:.1f}] | "
                      f"{pe[k]:.1f} [{loe[k]:.1f}, {hie[k]:.1f}] | {theory[k]:.1f} | "
                      f"{theory_all[k]:.1f} | "
                      f"{p[k] / params:.2e} |")
        slope, se = fit(np.log(n), np.log(p))
        slope_log, se_log = fit(np.log(n), np.log(p * np.log(n)))
        slope_e, se_e = fit(np.log(ne), np.log(pe * np.log(ne)))
        slope_noise, se_noise = fit(np.log(n), np.log(pn))
        out["poly"][name] = {
            "degree": degree, "n_units": n.tolist(), "paper_clean": p.tolist(),
            "paper_noise10": pn.tolist(), "exact_clean": pe.tolist(),
            "theory_no_error": theory.tolist(), "theory_no_error_all": theory_all.tolist(),
            "exponent_paper_clean": [slope, se], "exponent_paper_clean_times_lnN": [slope_log, se_log],
            "exponent_paper_noise10": [slope_noise, se_noise],
            "exponent_exact_times_lnN": [slope_e, se_e], "theory_exponent": degree - 1,
            "censored_seeds": {"paper_clean": cens, "paper_noise10": censn, "exact": cense},
        }
    md += ["", "Fitted exponent k (least squares on log-log, ± standard error): P_c ~ N^k for the "
           "paper criterion (theory: alpha_n N^(n-1) at a tolerated error fraction), "
           "P_c ln N ~ N^k for the exact criterion (theory: N^(n-1) / ln N):", "",
           "| model | paper, clean | paper, 10% noise | exact (P ln N) | theory n - 1 |",
           "|---|---|---|---|---|"]
    for name, d in out["poly"].items():
        f = d["exponent_paper_clean"], d["exponent_paper_noise10"], d["exponent_exact_times_lnN"]
        md.append(f"| {LABEL[name]} | " + " | ".join(f"{a:.2f} ± {b:.2f}" for a, b in f)
                  + f" | {d['theory_exponent']} |")

    md += ["", "### Exponential energy: capacity in patterns, mean over 5 seeds [95% CI]", "",
           "Clean cues:", "",
           "| N | paper | one step, all patterns exact | Demircigil bound e^(N ln2 / 2) |",
           "|---|---|---|---|"]
    caps, caps1 = load("exp"), load("exp-onestep")
    capsn, caps1n = load("exp-noise10"), load("exp-onestep-noise10")
    if caps and caps1 and capsn and caps1n:
        n, p, lo, hi, cens = points(caps, "paper", 0.0)
        n1, p1, lo1, hi1, _ = points(caps1, "all_exact", 0.0, 1)
        for k in range(len(n)):
            md.append(f"| {int(n[k])} | {p[k]:.0f} [{lo[k]:.0f}, {hi[k]:.0f}] | "
                      f"{p1[k]:.1f} [{lo1[k]:.1f}, {hi1[k]:.1f}] | "
                      f"{math.exp(exp_capacity_rate(0) * n[k]):.1f} |")
        nn, pn, lon, hin, censn = points(capsn, "paper", 0.1)
        n1n, p1n, lo1n, hi1n, _ = points(caps1n, "all_exact", 0.1, 1)
        md += ["", "10% noise (exactly 0.1 N flipped bits):", "",
               "| N | paper | one step, all patterns exact | Demircigil bound e^(N I(0.8) / 2) |",
               "|---|---|---|---|"]
        for k in range(len(n1n)):
            paper = (f"{pn[list(nn).index(n1n[k])]:.0f} [{lon[list(nn).index(n1n[k])]:.0f}, "
                     f"{hin[list(nn).index(n1n[k])]:.0f}]" if n1n[k] in nn else "not run (> 1,920)")
            md.append(f"| {int(n1n[k])} | {paper} | {p1n[k]:.1f} [{lo1n[k]:.1f}, {hi1n[k]:.1f}] | "
                      f"{math.exp(exp_capacity_rate(0.1) * n1n[k]):.1f} |")
        rates = {"paper_clean": fit(n, np.log(p)), "paper_noise10": fit(nn, np.log(pn)),
                 "onestep_all_clean": fit(n1, np.log(p1)),
                 "onestep_all_noise10": fit(n1n, np.log(p1n))}
        out["exp"] = {"clean": {"n_units": n.tolist(), "paper": p.tolist(), "onestep_all": p1.tolist()},
                      "noise10": {"n_units_paper": nn.tolist(), "paper": pn.tolist(),
                                  "n_units_onestep": n1n.tolist(), "onestep_all": p1n.tolist()},
                      "rates": rates, "theory_rate_clean": exp_capacity_rate(0.0),
                      "theory_rate_noise10": exp_capacity_rate(0.1), "max_rate_ln2": math.log(2),
                      "censored_seeds_paper_clean": cens}
        md += ["", "Fitted rate r in P_c ~ e^(r N) (least squares of ln P_c on N, ± standard error; "
               "the paper noisy rate is from two sizes, no error bar):", "",
               "| paper, clean | paper, 10% noise | one step all exact, clean | "
               "one step all exact, 10% noise | Demircigil bound rho=0 | rho=0.1 | ln 2 (2^N states) |",
               "|---|---|---|---|---|---|---|",
               "| " + " | ".join(f"{a:.3f} ± {b:.3f}" for a, b in rates.values())
               + f" | {exp_capacity_rate(0):.3f} | {exp_capacity_rate(0.1):.3f} | {math.log(2):.3f} |"]
    (HERE / "scaling.json").write_text(json.dumps(out, indent=2))
    (HERE / "scaling.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return out


def _axes(ncols=2, sharey=True):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    fig, axes = plt.subplots(1, ncols, figsize=(7.0, 3.0), layout="constrained", sharey=sharey)
    for ax in axes:
        ax.tick_params(labelsize=7)
    return fig, axes, (LogLocator, NullFormatter, ScalarFormatter)


def _log_n_axis(ax, ticks, tools):
    _, null, scalar = tools
    ax.set_xscale("log")
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(scalar())
    ax.xaxis.set_minor_formatter(null())


def plot_poly():
    fig, axes, tools = _axes()
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
        _log_n_axis(ax, [16, 25, 50, 100, 200, 400], tools)
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
    for ext in ("png", "pdf"):
        fig.savefig(HERE / f"capacity_vs_n_poly.{ext}", dpi=300, bbox_inches="tight")


def plot_exp():
    import matplotlib.pyplot as plt

    dirs = {0.0: ("exp", "exp-onestep"), 0.1: ("exp-noise10", "exp-onestep-noise10")}
    if not all(load(d) for pair in dirs.values() for d in pair):
        return
    fig, axes, tools = _axes(sharey=False)
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
    for ext in ("png", "pdf"):
        fig.savefig(HERE / f"capacity_vs_n_exp.{ext}", dpi=300, bbox_inches="tight")
    plt.close("all")


if __name__ == "__main__":
    analyze()
    plot_poly()
    plot_exp()
