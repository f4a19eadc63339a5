"""Measures and figures of the ``blumel2025`` study (Blümel et al. 2025, arXiv 2511.02584; spec §10).

Measures (``[[reference]] measure = ...``) return amem's value of a reproduction target: a dict
``{"value", "ci_low", "ci_high", "n_seeds"}`` or, for a curve (alpha_c against a parameter, f_max per
method, atoms per PID measure or bin count), a list of such dicts with a ``label``, one conformance
row each. Figures follow the paper's panels: Fig. 3 (goals and the gamma_unq,T sweep), Fig. 5A
(accuracy against load, five methods), Fig. 5 last panel (f_max against load), the ablation
ladder, and the correlation, PID-measure, bin-count and scaling appendices.
"""

from __future__ import annotations

import math

import numpy as np

from amem.studies.renderers.infomorphic import accuracy_axes, band, curve
from amem.studies.tables import Table

ABLATION_PAPER = (0.40, 0.89, 0.92, 1.35, 1.65, 1.60, 1.69)


def _mean_ci(values) -> dict:
    """Mean with a normal-approximation 95% CI (t would be wider at 2 seeds: quick runs only)."""
    v = np.asarray([x for x in values if x is not None], dtype=float)
    if v.size == 0:
        return {"value": None, "ci_low": None, "ci_high": None, "n_seeds": 0}
    half = 1.96 * v.std(ddof=1) / math.sqrt(v.size) if v.size > 1 else float("nan")
    return {"value": float(v.mean()), "ci_low": float(v.mean() - half),
            "ci_high": float(v.mean() + half), "n_seeds": int(v.size)}


def _rows(records) -> list[dict]:
    return [r for recs in records.values() for r in recs]


def _label(curve_fields: dict, by: str) -> str:
    if by == "goal0":
        return f"gamma_unq,T = {curve_fields['params']['goal'][0]:g}"
    if by == "p":
        return f"p = {_markov_p(curve_fields):g}"
    if by == "n_units":
        w = curve_fields["params"].get("external_weight")
        return f"N = {curve_fields['n_units']}" + (f", |w_T| = {w:g}" if w is not None else "")
    return str(curve_fields.get(by))


def _markov_p(curve_fields: dict) -> float:
    """The Markov p of a curve (records drop parameters at their default, p = 0.5)."""
    pp = curve_fields.get("pattern_param") or {}
    return float(pp.get("p", 0.5)) if isinstance(pp, dict) else float(pp)


def _sort_key(curve_fields: dict, by: str):
    if by == "p":
        return _markov_p(curve_fields)
    if by == "goal0":
        return curve_fields["params"]["goal"][0]
    if by == "n_units":
        return (curve_fields["n_units"], curve_fields["params"].get("external_weight", 0))
    return _label(curve_fields, by)


def capacity_rows(records, by: str = "n_units", criterion: str = "paper") -> list[dict]:
    """One row per capacity curve (mean alpha_c over seeds, 95% CI), labelled by ``by``."""
    from amem.harness.summary import summarize

    curves = sorted(summarize(_rows(records), [criterion]), key=lambda c: _sort_key(c, by))
    return [{"label": _label(c, by), "value": c["capacity_alpha"], "ci_low": c["ci_low"],
             "ci_high": c["ci_high"], "n_seeds": c["n_seeds"]} for c in curves]


def _nearest(rows, alpha):
    loads = sorted({float(r["alpha"]) for r in rows})
    at = min(loads, key=lambda a: abs(a - alpha))
    return at, [r for r in rows if abs(float(r["alpha"]) - at) < 1e-9]


def fmax_rows(records, alpha: float = 0.51) -> list[dict]:
    """f_max per method at the grid load nearest ``alpha`` (null f_max, clean cues failing, as 0)."""
    out = []
    for name, recs in records.items():
        if not recs:
            continue
        at, picked = _nearest(recs, alpha)
        m = _mean_ci([r["f_max"] or 0.0 for r in picked])
        out.append({"label": f"{name.removeprefix('fig5_fmax_')} at alpha = {at:g}", **m})
    return out


def pid_measure_rows(records, alpha: float = 1.01, atom: str = "redundancy") -> list[dict]:
    """Mean ``atom`` per PID measure at the load nearest ``alpha``."""
    from amem.harness.pid_measures import MEASURES

    rows = _rows(records)
    at, picked = _nearest(rows, alpha)
    return [{"label": f"{m.upper()} {atom} at alpha = {at:g}",
             **_mean_ci([r[m][atom] for r in picked if m in r])}
            for m in MEASURES if any(m in r for r in picked)]


def bins_rows(records, alpha: float = 0.5) -> list[dict]:
    """Hebbian redundancy per bin count at the load nearest ``alpha``; the closed-form SX value
    (amem.theory.pid_hebbian, N of the records) is the row's reference value."""
    from amem.theory.pid_hebbian import hebbian_sx_atoms

    rows = _rows(records)
    at, picked = _nearest(rows, alpha)
    n, p = picked[0]["n_units"], picked[0]["n_patterns"]
    closed = float(hebbian_sx_atoms(n, p)[2])
    counts = sorted({b["n_bins"] for r in picked for b in r.get("bins", [])})
    return [{"label": f"{k} bins, alpha = {at:g}", "published": closed,
             "note": f"reference: closed-form SX redundancy {closed:.3f} (N = {n}, P = {p}), not a paper number",
             **_mean_ci([b["redundancy"] for r in picked for b in r["bins"] if b["n_bins"] == k])}
            for k in counts]


# ------------------------------------------------------------------ figures
def _legend(ax):
    """A legend when something is plotted (a figure of sweeps not run yet has no curve)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)


def _figure(cols=1, width=6.0):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * cols, 3.6), layout="tight")
    axes = fig.subplots(1, cols)
    return fig, np.atleast_1d(axes)


def _accuracy_panel(ax, records, names_labels, title):
    colors = iter(("tab:gray", "tab:orange", "tab:green", "tab:blue", "tab:red", "tab:purple",
                   "tab:brown", "tab:pink", "tab:olive"))
    for name, label in names_labels:
        recs = records.get(name) or []
        if recs:
            a, v = curve(recs)
            band(ax, a, v, label, next(colors))
    accuracy_axes(ax, title, legend_size=7)


def _alpha_c_panel(ax, rows, xs, label, color="tab:blue", marker="o"):
    y = [r["value"] if r["value"] is not None else np.nan for r in rows]
    lo = [r["ci_low"] if r["ci_low"] is not None else np.nan for r in rows]
    hi = [r["ci_high"] if r["ci_high"] is not None else np.nan for r in rows]
    ax.plot(xs, y, marker + "-", color=color, label=label)
    ax.fill_between(xs, lo, hi, color=color, alpha=0.25, lw=0)


def fig3(records):
    """Fig. 3: accuracy for the redundancy, external-MI, co-information and joint-MI goals, and
    alpha_c against gamma_unq,T in G = gamma_unq,T Pi_unq,T + Pi_red."""
    fig, (a, b) = _figure(2)
    _accuracy_panel(a, records, [("fig2c_infomorphic", "redundancy"), ("fig3_external-mi", "external MI"),
                                 ("fig3_co-information", "co-information"), ("fig3_joint-mi", "joint MI")],
                    "goals (paper: N = 100)")
    sweep = records.get("fig3_gamma_unq_T") or []
    if sweep:
        rows = capacity_rows({"g": sweep}, by="goal0")
        xs = [float(r["label"].split("=")[1]) for r in rows]
        _alpha_c_panel(b, rows, xs, "amem")
    b.set(xlabel=r"$\gamma_{unq,T}$", ylabel=r"$\alpha_c$", ylim=(0.8, 1.8),
          title=r"$G = \gamma_{unq,T}\Pi_{unq,T} + \Pi_{red}$")
    return fig


def fig5a(records):
    """Fig. 5A: accuracy against load for Hebb, Descent L2, MPF, redundancy and optimised (i)."""
    fig, (ax,) = _figure()
    _accuracy_panel(ax, records, [("fig2c_hebbian", "Hebb"), ("fig5a_descent-l2", "Descent L2"),
                                  ("fig5a_mpf", "MPF"), ("fig2c_infomorphic", r"$G=\Pi_{red}$"),
                                  ("fig4_goal_i", "optimised (i)")], "clean cues (paper: N = 100)")
    return fig


def fmax_figure(records):
    """Fig. 5, last panel: f_max against load per method (mean over seeds; null f_max as 0)."""
    fig, (ax,) = _figure()
    for name, recs in records.items():
        if not recs:  # not run yet: no curve
            continue
        by: dict[float, list[float]] = {}
        for r in recs:
            by.setdefault(float(r["alpha"]), []).append(r["f_max"] or 0.0)
        xs = sorted(by)
        ax.plot(xs, [np.mean(by[x]) for x in xs], "o-", ms=3,
                label=name.removeprefix("fig5_fmax_"))
    ax.set(xlabel=r"load $\alpha = P/N$", ylabel=r"$f_{max}$", title="stability (authors' boundary rule)")
    _legend(ax)
    return fig


def _ci_err(rows):
    """errorbar's [[below], [above]] of capacity rows (0 where a row or its CI is missing)."""
    return [[(r["value"] - r["ci_low"]) if r and r["ci_low"] is not None else 0 for r in rows],
            [(r["ci_high"] - r["value"]) if r and r["ci_high"] is not None else 0 for r in rows]]


def ablation_figure(records, variants=None):
    """Ablation ladder: alpha_c per row (amem mean and 95% CI) beside the paper's value.

    ``variants`` ({sweep: {"row": r, "label": text}}): sweeps that measure a row under another
    setting, drawn as open markers at their row (not part of the ladder)."""
    variants = variants or {}
    fig, (ax,) = _figure()
    ladder = {k: v for k, v in records.items() if k not in variants}
    rows = [(capacity_rows({k: v}) or [None])[0] for k, v in sorted(ladder.items())]
    xs = np.arange(1, len(rows) + 1)
    y = [r["value"] if r else np.nan for r in rows]
    ax.errorbar(xs - 0.1, y, yerr=np.nan_to_num(_ci_err(rows)), fmt="o", label="amem (95% CI)")
    labelled: set[str] = set()  # variants sharing a label get one legend entry
    for name, spec in variants.items():
        row = (capacity_rows({name: records[name]}) or [None])[0] if records.get(name) else None
        if row is None:
            continue
        label = f"amem, {spec['label']} (95% CI)"
        ax.errorbar([spec["row"] - 0.25], [row["value"]], yerr=_ci_err([row]), fmt="o",
                    mfc="none", color="tab:blue", label=None if label in labelled else label)
        labelled.add(label)
    ax.plot(xs[:len(ABLATION_PAPER)] + 0.1, ABLATION_PAPER[:len(xs)], "s", color="tab:red", label="paper")
    ax.set(xticks=xs, xlabel="ablation row (each adds one change)", ylabel=r"$\alpha_c$")
    _legend(ax)
    return fig


def correlation_figure(records):
    """Correlation appendix: alpha_c against the spatial Markov p, infomorphic and Hebbian."""
    fig, (ax,) = _figure()
    for model, color in (("infomorphic", "tab:blue"), ("hebbian", "tab:gray")):
        part = {k: v for k, v in records.items() if k.startswith(f"corr_{model}_") and v}
        if part:
            rows = capacity_rows(part, by="p")
            _alpha_c_panel(ax, rows, [float(r["label"].split("=")[1]) for r in rows], model, color)
    ax.set(xlabel="spatial Markov p", ylabel=r"$\alpha_c$")
    _legend(ax)
    return fig


def pid_measures_figure(records, atoms=None):
    """PID-measure appendix: each atom against load (one panel per atom), a curve per measure
    (mean over seeds and decomposed neurons)."""
    from amem.harness.pid_measures import ATOMS, MEASURES

    atoms = list(atoms or ATOMS)
    fig, axes = _figure(cols=len(atoms), width=3.4)
    rows = _rows(records)
    for ax, atom in zip(axes, atoms):
        for m in MEASURES:
            by: dict[float, list[float]] = {}
            counts = set()
            for r in rows:
                if m in r:
                    by.setdefault(float(r["alpha"]), []).append(r[m][atom])
                    counts.add(len(r.get("neurons") or []))
            if by:  # measures may decompose different neurons: the label says how many
                xs = sorted(by)
                label = m.upper() + (f" ({counts.pop()} neurons)" if len(counts) == 1 else "")
                ax.plot(xs, [np.mean(by[x]) for x in xs], "o-", ms=2, label=label)
        ax.axhline(0.0, color="0.8", lw=0.6, zorder=0)
        ax.set(xlabel=r"load $\alpha$", ylabel="bits", title=atom.replace("_", " "))
    _legend(axes[0])
    fig.suptitle("redundancy-trained networks, re-decomposed", fontsize=9)
    return fig


def bins_figure(records):
    """Bin-count appendix: Hebbian redundancy against load per bin count, with the closed form."""
    from amem.theory.pid_hebbian import hebbian_sx_curve

    fig, (ax,) = _figure()
    rows = _rows(records)
    counts = sorted({b["n_bins"] for r in rows for b in r.get("bins", [])})
    for k in counts:
        by: dict[float, list[float]] = {}
        for r in rows:
            for b in r.get("bins", []):
                if b["n_bins"] == k:
                    by.setdefault(float(r["alpha"]), []).append(b["redundancy"])
        xs = sorted(by)
        ax.plot(xs, [np.mean(by[x]) for x in xs], "o-", ms=3, label=f"{k} bins")
    if rows:
        n = rows[0]["n_units"]
        xs = np.array(sorted({float(r["alpha"]) for r in rows}))
        ax.plot(xs, hebbian_sx_curve(n, xs)[:, 2], "k--", label=f"closed form, N = {n}")
    ax.set(xlabel=r"load $\alpha$", ylabel="redundancy (bits)", title="Hebbian SX PID")
    _legend(ax)
    return fig


def scaling_figure(records):
    """Scaling appendix: accuracy against load per N (N = 800 with |w_T| = 2.3 and 3.0)."""
    fig, (ax,) = _figure()
    labels = {"scaling_n50": "N = 50", "fig2c_infomorphic": "N = 100", "scaling_n200": "N = 200",
              "scaling_n400": "N = 400", "scaling_n800_w23": "N = 800, |w_T| = 2.3",
              "scaling_n800_w30": "N = 800, |w_T| = 3.0"}
    _accuracy_panel(ax, records, [(k, labels.get(k, k)) for k in records], "scaling")
    return fig


def cost_table(rows: list[dict]) -> Table:
    """The cost table of the full reproduction (rows: item, trials, cpu_hours, authors)."""
    return Table(["item", "trials", "est. CPU hours (2-core machine)", "authors' setting"],
                 [[r["item"], r["trials"], f"{r['cpu_hours']:.1f}", r.get("authors", "")] for r in rows],
                 caption="Estimated cost of the full reproduction from measured per-network-epoch costs.")
