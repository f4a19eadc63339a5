"""Renderers of the ``pid-anatomy`` probe: atoms against load (Blümel et al. 2025, Fig. 1D), the
bin-count sensitivity, and the table of medians with the closed-form Hebbian atoms."""

from __future__ import annotations

import numpy as np

from amem.studies.renderers.capacity import merged
from amem.studies.tables import Table


def _curves(rows):
    return sorted({(r["model"], r["n_units"]) for r in rows})


def _theory(model, n_units, rows, output):
    """Closed-form Hebbian SX atoms on a fine load grid plus the measured loads (sign output)."""
    if model != "hebbian" or output != "sign":
        return None
    from amem.anatomy import ATOM_COLUMNS, n_patterns_for
    from amem.theory.pid_hebbian import hebbian_sx_atoms

    loads = sorted({n_patterns_for(a, n_units) for a in np.geomspace(0.01, 2.01, 60)}
                   | {r["n_patterns"] for r in rows})
    atoms = np.array([hebbian_sx_atoms(n_units, p) for p in loads])
    return np.array(loads) / n_units, atoms[:, :len(ATOM_COLUMNS)]


def _output(rows):
    return (rows[0].get("probe_params") or {}).get("output", "sign")


def anatomy_figure(records, sweeps=None, model=None, n_units=None, theory=True):
    """Recall (top) and the five atoms (bottom) against load, median and 5-95% band over seeds."""
    from amem.plots.anatomy import HEBBIAN_CAPACITY, plot_anatomy

    rows = merged(records, sweeps)
    model = model or _curves(rows)[0][0]
    n_units = n_units or _curves(rows)[0][1]
    sel = [r for r in rows if r["model"] == model and r["n_units"] == n_units]
    overlay = _theory(model, n_units, sel, _output(sel)) if theory else None
    return plot_anatomy(sel, theory=overlay, capacity=HEBBIAN_CAPACITY if model == "hebbian" else None,
                        title=f"{model}, N = {n_units}")


def bins_figure(records, sweeps=None, model=None, n_units=None):
    """Atoms against the recurrent bin count at the sweep's loads (its ``sensitivity_bins``)."""
    from amem.plots.anatomy import plot_bin_sensitivity

    rows = merged(records, sweeps)
    model = model or _curves(rows)[0][0]
    n_units = n_units or _curves(rows)[0][1]
    flat = [{**{k: r[k] for k in ("model", "n_units", "n_patterns", "alpha", "seed")}, **b}
            for r in rows if r["model"] == model and r["n_units"] == n_units for b in r.get("bins", [])]
    return plot_bin_sensitivity(flat, title=f"{model}, N = {n_units}: bin-count sensitivity")


def summary_table(records, sweeps=None, digits=3, loads=None):
    """Median over seeds of each atom and of recall per model, N and load, with the closed form."""
    from amem.anatomy import ATOM_COLUMNS

    rows = merged(records, sweeps)
    cells = []
    for model, n in _curves(rows):
        sel = [r for r in rows if r["model"] == model and r["n_units"] == n]
        theory = _theory(model, n, sel, _output(sel))
        for p in sorted({r["n_patterns"] for r in sel}):
            if loads is not None and not any(abs(p / n - a) < 0.5 / n for a in loads):
                continue
            at = [r for r in sel if r["n_patterns"] == p]
            med = {c: float(np.median([r[c] for r in at])) for c in ATOM_COLUMNS + ("mean_overlap",)}
            th = "–"
            if theory is not None:
                k = int(np.argmin(np.abs(theory[0] - p / n)))
                th = f"{theory[1][k][2]:.{digits}f}"
            cells.append([model, str(n), str(p), f"{p / n:.3g}", str(len(at))]
                         + [f"{med[c]:.{digits}f}" for c in ATOM_COLUMNS] + [th]
                         + [f"{med['mean_overlap']:.{digits}f}"])
    return Table(["model", "N", "P", "α", "seeds", "unique ext.", "unique int.", "redundancy",
                  "synergy", "residual H", "redundancy, closed form", "recall m"], cells,
                 caption="PID atoms (bits, mean over neurons; median over seeds)")


def closed_form_gap_table(records, sweeps=None, min_alpha=0.16, digits=3):
    """Largest |median over seeds − closed form| of each atom over the loads ≥ ``min_alpha``,
    per model and N (Hebbian with sign output only: the models the closed form describes)."""
    from amem.anatomy import ATOM_COLUMNS

    rows = merged(records, sweeps)
    cells = []
    for model, n in _curves(rows):
        sel = [r for r in rows if r["model"] == model and r["n_units"] == n]
        theory = _theory(model, n, sel, _output(sel))
        if theory is None:
            continue
        loads = [p for p in sorted({r["n_patterns"] for r in sel}) if p / n >= min_alpha - 1e-12]
        if not loads:
            continue
        gap = np.zeros(len(ATOM_COLUMNS))
        for p in loads:
            med = np.array([np.median([r[c] for r in sel if r["n_patterns"] == p])
                            for c in ATOM_COLUMNS])
            k = int(np.argmin(np.abs(theory[0] - p / n)))
            gap = np.maximum(gap, np.abs(med - theory[1][k]))
        cells.append([model, str(n), str(len(loads))] + [f"{g:.{digits}f}" for g in gap])
    return Table(["model", "N", f"loads ≥ {min_alpha:g}", "unique ext.", "unique int.",
                  "redundancy", "synergy", "residual H"], cells,
                 caption="Largest |median − closed form| of each atom (bits) over the loads")
