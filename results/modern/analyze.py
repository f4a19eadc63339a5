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

from amem.theory_dense import exp_capacity_rate, poly_no_error_capacity  # noqa: E402

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
    if len(x) < 3:
        return float("nan"), float("nan")
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
          "K-H no-error theory | patterns per stored parameter (paper, clean) |",
          "|---|---|---|---|---|---|---|"]
    for name, degree in POLY.items():
        caps = load(name)
        if not caps:
            continue
        n, p, lo, hi, cens = points(caps, "paper", 0.0)
        _, pn, lon, hin, censn = points(caps, "paper", 0.1)
        ne, pe, loe, hie, cense = points(caps, "exact", 0.0)
        theory = poly_no_error_capacity(n, degree)
        for k in range(len(n)):
            params = n[k] * (n[k] - 1) / 2 if name == "hebbian" else p[k] * n[k]
            md.append(f"| {LABEL[name]} | {int(n[k])} | {p[k]:.1f} [{lo[k]:.1f}, {hi[k]:.1f}] | "
                      f"{pn[k]:.1f} [{lon[k]:.1f}, {hin[k]:.1f}] | "
                      f"{pe[k]:.1f} [{loe[k]:.1f}, {hie[k]:.1f}] | {theory[k]:.1f} | "
                      f"{p[k] / params:.2e} |")
        slope, se = fit(np.log(n), np.log(p))
        slope_log, se_log = fit(np.log(n), np.log(p * np.log(n)))
        slope_e, se_e = fit(np.log(ne), np.log(pe * np.log(ne)))
        slope_noise, se_noise = fit(np.log(n), np.log(pn))
        out["poly"][name] = {
            "degree": degree, "n_units": n.tolist(), "paper_clean": p.tolist(),
            "paper_noise10": pn.tolist(), "exact_clean": pe.tolist(),
            "theory_no_error": theory.tolist(),
            "exponent_paper_clean": [slope, se], "exponent_paper_clean_times_lnN": [slope_log, se_log],
            "exponent_paper_noise10": [slope_noise, se_noise],
            "exponent_exact_times_lnN": [slope_e, se_e], "theory_exponent": degree - 1,
            "censored_seeds": {"paper_clean": cens, "paper_noise10": censn, "exact": cense},
        }
    md += ["", "Fitted exponent k in P ~ N^k (least squares on log-log, ± standard error):", "",
           "| model | paper, clean | paper, clean, P ln N | paper, 10% noise | exact, P ln N | "
           "theory (n - 1; P ln N for no-error) |", "|---|---|---|---|---|---|"]
    for name, d in out["poly"].items():
        f = d["exponent_paper_clean"], d["exponent_paper_clean_times_lnN"], \
            d["exponent_paper_noise10"], d["exponent_exact_times_lnN"]
        md.append(f"| {LABEL[name]} | " + " | ".join(f"{a:.2f} ± {b:.2f}" for a, b in f)
                  + f" | {d['theory_exponent']} |")

    md += ["", "### Exponential energy: capacity in patterns, mean over 5 seeds [95% CI]", "",
           "| N | paper, clean | paper, 10% noise (round(0.1 N) flips) | one step, all patterns "
           "exact, clean | one step, all exact, 10% noise | Demircigil bound e^(0.347 N) | "
           "bound at rho = round(0.1N)/N |", "|---|---|---|---|---|---|---|"]
    caps, caps1 = load("exp"), load("exp-onestep")
    if caps and caps1:
        n, p, lo, hi, cens = points(caps, "paper", 0.0)
        _, pn, lon, hin, censn = points(caps, "paper", 0.1)
        n1, p1, lo1, hi1, _ = points(caps1, "all_exact", 0.0, 1)
        _, p1n, lo1n, hi1n, _ = points(caps1, "all_exact", 0.1, 1)
        rho = np.round(0.1 * n) / n
        for k in range(len(n)):
            md.append(f"| {int(n[k])} | {p[k]:.0f} [{lo[k]:.0f}, {hi[k]:.0f}] | "
                      f"{pn[k]:.0f} [{lon[k]:.0f}, {hin[k]:.0f}] | "
                      f"{p1[k]:.1f} [{lo1[k]:.1f}, {hi1[k]:.1f}] | "
                      f"{p1n[k]:.1f} [{lo1n[k]:.1f}, {hi1n[k]:.1f}] | "
                      f"{math.exp(exp_capacity_rate(0) * n[k]):.1f} | "
                      f"{math.exp(exp_capacity_rate(rho[k]) * n[k]):.1f} |")
        rates = {"paper_clean": fit(n, np.log(p)), "paper_noise10": fit(n, np.log(pn)),
                 "onestep_all_clean": fit(n1, np.log(p1)), "onestep_all_noise10": fit(n1, np.log(p1n))}
        out["exp"] = {"n_units": n.tolist(), "paper_clean": p.tolist(), "paper_noise10": pn.tolist(),
                      "onestep_all_clean": p1.tolist(), "onestep_all_noise10": p1n.tolist(),
                      "rates": rates, "theory_rate_clean": exp_capacity_rate(0.0),
                      "theory_rate_noise10": exp_capacity_rate(0.1),
                      "censored_seeds": {"paper_clean": cens, "paper_noise10": censn}}
        md += ["", "Fitted rate r in P ~ e^(r N) (least squares of ln P on N, ± standard error):", "",
               "| paper, clean | paper, 10% noise | one step all exact, clean | "
               "one step all exact, 10% noise | Demircigil bound rho=0 | rho=0.1 |",
               "|---|---|---|---|---|---|",
               "| " + " | ".join(f"{a:.3f} ± {b:.3f}" for a, b in rates.values())
               + f" | {exp_capacity_rate(0):.3f} | {exp_capacity_rate(0.1):.3f} |"]
    (HERE / "scaling.json").write_text(json.dumps(out, indent=2))
    (HERE / "scaling.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return out


def _axes(ncols=2):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(7.0, 2.9), layout="constrained", sharey=True)
    for ax in axes:
        ax.tick_params(labelsize=7)
    return fig, axes


def plot_poly():
    fig, axes = _axes()
    for ax, noise in zip(axes, (0.0, 0.1)):
        for i, (name, degree) in enumerate(POLY.items()):
            caps = load(name)
            if not caps:
                continue
            color = f"C{i}"
            n, p, lo, hi, _ = points(caps, "paper", noise)
            ax.errorbar(n, p, yerr=[p - lo, hi - p], fmt="o-" if name != "poly2" else "x--",
                        ms=3, lw=1, capsize=2, color=color, label=f"{LABEL[name]} (paper)")
            if noise == 0.0:
                ne, pe, *_ = points(caps, "exact", 0.0)
                ax.plot(ne, pe, "s", mfc="none", ms=4, color=color, lw=0.8,
                        label=f"{LABEL[name]} (exact)")
            if name != "poly2":
                grid = np.geomspace(n.min(), n.max(), 50)
                ax.plot(grid, poly_no_error_capacity(grid, degree), ":", color=color, lw=1,
                        label=rf"K-H no-error $N^{{{degree - 1}}}/(2({2 * degree - 3})!!\ln N)$")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("number of units $N$", fontsize=8)
        ax.set_title(f"{'clean cues' if noise == 0 else '10% flipped bits'}, sync recall", fontsize=8)
    axes[0].set_ylabel("capacity $P_c$ (patterns, mean of 5 seeds, 95% CI)", fontsize=8)
    axes[0].legend(fontsize=5, frameon=False, loc="upper left")
    fig.text(0.5, -0.02, "paper: mean overlap >= 0.95; exact: every stored pattern a fixed point. "
             "Dotted theory lines assume the exact (no-error, clean) criterion.", ha="center",
             fontsize=6)
    for ext in ("png", "pdf"):
        fig.savefig(HERE / f"capacity_vs_n_poly.{ext}", dpi=300, bbox_inches="tight")


def plot_exp():
    import matplotlib.pyplot as plt

    caps, caps1 = load("exp"), load("exp-onestep")
    if not caps:
        return
    fig, axes = _axes()
    for ax, noise in zip(axes, (0.0, 0.1)):
        n, p, lo, hi, _ = points(caps, "paper", noise)
        ax.errorbar(n, p, yerr=[p - lo, hi - p], fmt="o-", ms=3, lw=1, capsize=2, color="C4",
                    label="exp energy (paper: mean overlap >= 0.95)")
        if caps1:
            n1, p1, lo1, hi1, _ = points(caps1, "all_exact", noise, 1)
            ax.errorbar(n1, p1, yerr=[p1 - lo1, hi1 - p1], fmt="s-", ms=3, lw=1, capsize=2,
                        color="C5", mfc="none", label="exp energy (one step, all patterns exact)")
        grid = np.linspace(n.min(), n.max(), 50)
        rho = np.round(noise * grid) / grid if noise else np.zeros_like(grid)
        ax.plot(grid, [math.exp(exp_capacity_rate(r) * g) for r, g in zip(rho, grid)], "k:",
                lw=1, label=r"Demircigil bound $e^{N I(1-2\rho)/2}$ (one step, all patterns)")
        ax.plot(grid, 2.0**grid, color="0.6", ls="--", lw=0.8, label=r"$2^N$ (all states)")
        ax.set_yscale("log")
        ax.set_xlabel("number of units $N$", fontsize=8)
        ax.set_title(f"{'clean cues' if noise == 0 else 'round(0.1 N) flipped bits'}, sync recall",
                     fontsize=8)
    axes[0].set_ylabel("capacity $P_c$ (patterns, mean of 5 seeds, 95% CI)", fontsize=8)
    axes[0].legend(fontsize=5, frameon=False, loc="upper left")
    for ext in ("png", "pdf"):
        fig.savefig(HERE / f"capacity_vs_n_exp.{ext}", dpi=300, bbox_inches="tight")
    plt.close("all")


if __name__ == "__main__":
    analyze()
    plot_poly()
    plot_exp()
