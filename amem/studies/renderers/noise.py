"""Renderers of the ``noise-robustness`` probe: f_max against load (Blümel et al. 2025, Fig. 5,
last panel), per model: the mean over seeds of each seed's f_max, with its 95% bootstrap CI."""

from __future__ import annotations

import numpy as np

from amem.records.schema import canonical
from amem.studies.renderers.capacity import merged, param_text
from amem.studies.tables import Table, ci_text


def fmax_curves(rows, label_params=False):
    """{label: [(alpha, mean f_max, ci_low, ci_high, seeds, seeds failing clean), ...]}.

    A seed whose clean cues already fail counts as f_max = 0 in the mean (and is counted)."""
    from amem.harness.criteria import bootstrap_ci

    out = {}
    groups = sorted({(r["model"], canonical(r["params"]), r["n_units"]) for r in rows})
    for model, params, n in groups:
        sel = [r for r in rows if (r["model"], canonical(r["params"]), r["n_units"]) == (model, params, n)]
        label = model + (f" {param_text(sel[0]['params'])}" if label_params and sel[0]["params"] else "")
        if len({g[2] for g in groups}) > 1:
            label += f" N={n}"
        points = []
        for p in sorted({r["n_patterns"] for r in sel}):
            at = [r for r in sel if r["n_patterns"] == p]
            values = [0.0 if r["f_max"] is None else r["f_max"] for r in at]
            lo, hi = bootstrap_ci(values)
            points.append((p / n, float(np.mean(values)), lo, hi, len(at),
                           sum(r["f_max"] is None for r in at)))
        out[label] = points
    return out


def fmax_figure(records, sweeps=None, label_params=False):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.4, 2.6), layout="constrained")
    ax = fig.subplots()
    for i, (label, points) in enumerate(fmax_curves(merged(records, sweeps), label_params).items()):
        a, f, lo, hi = (np.array(v) for v in list(zip(*points))[:4])
        ax.plot(a, f, "o-", ms=2.5, lw=1.0, color=f"C{i % 10}", label=label)
        ax.fill_between(a, lo, hi, color=f"C{i % 10}", alpha=0.2, lw=0)
    ax.set_xlabel(r"load $\alpha = P/N$")
    ax.set_ylabel(r"$f_{max}$ (mean over seeds, 95% CI)")
    ax.legend(fontsize=6, frameon=False)
    return fig


def fmax_table(records, sweeps=None, digits=2, label_params=False):
    curves = fmax_curves(merged(records, sweeps), label_params)
    rows = [[label, f"{a:.3g}", ci_text(f, lo, hi, digits), str(k), str(failed)]
            for label, points in curves.items() for a, f, lo, hi, k, failed in points]
    return Table(["model", "α", "f_max [95% CI]", "seeds", "seeds failing clean cues"], rows,
                 caption="Largest fraction of flipped cue bits still recalled (mean overlap ≥ "
                         "threshold at that level and every lower one), per seed, then averaged")


def fmax_wide_table(records, sweeps=None, digits=2, label_params=False):
    """One row per load, one column per model: mean f_max over seeds; ``–`` where every seed
    already fails clean cues (the README's compact form of :func:`fmax_table`)."""
    curves = fmax_curves(merged(records, sweeps), label_params)
    labels = list(curves)
    alphas = sorted({round(a, 10) for pts in curves.values() for a, *_ in pts})
    rows = []
    for alpha in alphas:
        row = [f"{alpha:.3g}"]
        for label in labels:
            at = [p for p in curves[label] if abs(p[0] - alpha) < 1e-9]
            if not at:
                row.append("")
            elif at[0][5] == at[0][4]:
                row.append("–")
            else:
                row.append(f"{at[0][1]:.{digits}f}")
        rows.append(row)
    return Table(["α"] + labels, rows,
                 caption="Mean f_max over seeds (– : clean cues already fail in every seed)")
