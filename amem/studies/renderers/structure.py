"""Capacity against pattern structure (bias, Markov p, alpha_D, separation) and the real-data
table, from recall records of sweeps that differ in their pattern family's parameters."""

from __future__ import annotations

import math

import numpy as np

from amem.records.schema import canonical
from amem.studies.renderers.capacity import merged, param_text, summaries
from amem.studies.tables import Table, ci_text

XLABELS = {"bias": "pattern bias a (mean activity)", "p": "Markov transition probability p",
           "alpha_d": r"$\alpha_D = D/N$", "separation": "mean pairwise Hamming distance / N"}


def _family_value(patterns: str, pattern_param, name: str):
    from amem.patterns import resolve_params

    return resolve_params(patterns, pattern_param)[name]


def structure_points(records, sweeps=None, param="p", criterion="paper"):
    """{(model, params, N): [(x, alpha_c, ci_low, ci_high, seeds, censored), ...] sorted by x}."""
    curves: dict[tuple, list] = {}
    for c in summaries(records, [criterion], sweeps):
        x = _family_value(c["patterns"], c["pattern_param"], param)
        key = (c["model"], canonical(c["params"]), c["n_units"])
        curves.setdefault(key, []).append((float(x), c["capacity_alpha"], c["ci_low"],
                                           c["ci_high"], c["n_seeds"], c["n_censored"]))
    return {k: sorted(v) for k, v in sorted(curves.items())}


#: Labels for models whose defaults matter to the reader (the records keep only given params).
DEFAULT_LABELS = {"modern": "modern (poly, degree 3)"}
#: One colour and marker per model, the same in every structure figure (others: the cycle).
MODEL_STYLE = {"hebbian": ("C0", "o"), "covariance": ("C1", "s"), "storkey": ("C2", "D"),
               "krauth-mezard": ("C3", "<"), "descent-l2": ("C4", "^"),
               "diederich-opper": ("C5", "v"), "mpf": ("C6", ">"), "pseudoinverse": ("C7", "p"),
               "infomorphic": ("C8", "*"), "modern": ("C9", "h")}
#: Parameters whose grids are geometric: drawn on a log axis.
LOG_X = ("alpha_d",)
#: The family parameter value at which the patterns are independent and unbiased.
INDEPENDENT_AT = {"bias": 0.0, "p": 0.5}


def _label(model: str, params_json: str, n_units: int) -> str:
    import json

    params = param_text(json.loads(params_json))
    if not params:
        return DEFAULT_LABELS.get(model, model)
    return f"{model} ({params})"


def _theories(theory) -> list[str]:
    if theory is None:
        return []
    return [theory] if isinstance(theory, str) else list(theory)


def structure_figure(records, sweeps=None, param="p", criterion="paper", theory=None,
                     xlabel=None, log_y=None, log_x=None):
    """alpha_c [95% CI] against a pattern parameter, one curve per model.

    A point where some seed still stores at the top of its search range is a lower bound: drawn
    with an open marker and an arrow up. ``theory`` (a name or a list of names) adds:

    * ``"biased-hebbian"``: the signal-to-noise prediction for the plain Hebbian rule
      (:func:`amem.theory.biased.hebbian_biased_alpha`, calibrated on the measured Hebbian
      alpha_c at bias 0) and the unbiased alpha_c the covariance rule should keep;
    * ``"pseudoinverse"``: alpha = 1, the load up to which the projection rule keeps every
      linearly independent pattern a fixed point (Personnaz, Guyon & Dreyfus 1985), whatever the
      correlation;
    * ``"gardner"``: Gardner's alpha_c = 2 (kappa = 0, N -> infinity) for independent unbiased
      patterns, a star at the parameter value where the patterns are independent (perceptron-type
      rules; :func:`amem.theory.perceptron.gardner_alpha`).

    ``log_y``: a log alpha axis (default: when the curves span more than a factor 20);
    ``log_x``: a log parameter axis (default: for the geometric alpha_D grid).
    """
    from matplotlib.figure import Figure

    from amem.plots.capacity import COLUMN_WIDTH_IN

    curves = structure_points(records, sweeps, param, criterion)
    fig = Figure(figsize=(COLUMN_WIDTH_IN * 2, 3.4), layout="constrained")
    ax = fig.subplots()
    markers = "osD^v<>phX*"
    for i, ((model, params, n_units), pts) in enumerate(curves.items()):
        x, y, lo, hi, _, censored = (np.array([p[i] for p in pts]) for i in (0, 1, 2, 3, 4, 5))
        color, marker = MODEL_STYLE.get(model, (f"C{i % 10}", markers[i % len(markers)]))
        if params != "{}":  # a second curve of the same model: keep the colour, change the line
            marker = markers[(markers.index(marker) + 1) % len(markers)]
        bound = censored > 0
        ax.errorbar(x, y, yerr=[np.where(bound, 0, y - lo), np.where(bound, 0, hi - y)],
                    color=color, marker=marker, ms=3.5, capsize=2, lw=1,
                    ls="-" if params == "{}" else "--", label=_label(model, params, n_units))
        if bound.any():
            ax.plot(x[bound], y[bound], ls="none", marker=marker, ms=6, mfc="white", mec=color)
            for xb, yb in zip(x[bound], y[bound]):
                ax.annotate("", xy=(xb, yb * 1.35), xytext=(xb, yb),
                            arrowprops={"arrowstyle": "->", "color": color, "lw": 0.8})
    names = _theories(theory)
    if "biased-hebbian" in names:
        _biased_theory(ax, curves)
    if "pseudoinverse" in names:
        ax.axhline(1.0, color="0.3", ls="-.", lw=0.8,
                   label="α = 1: pseudo-inverse keeps any independent set (Personnaz et al.)")
    if "gardner" in names and param in INDEPENDENT_AT:
        from amem.theory.perceptron import gardner_alpha

        ax.plot([INDEPENDENT_AT[param]], [gardner_alpha(0.0)], "k*", ms=8,
                label="Gardner α_c = 2 (κ = 0, N → ∞, independent patterns)")
    ys = [p[1] for pts in curves.values() for p in pts if p[1] > 0]
    if log_y is None:
        log_y = bool(ys) and max(ys) / min(ys) > 20
    if log_x is None:
        log_x = param in LOG_X
    if log_x:
        from matplotlib.ticker import NullLocator

        ax.set_xscale("log")
        ticks = sorted({p[0] for pts in curves.values() for p in pts if p[0] > 0})
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
    if log_y:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    tops = [p[1] for pts in curves.values() for p in pts if p[5]]
    if tops:  # room above for the arrows of the lower bounds
        ax.set_ylim(top=max(ax.get_ylim()[1], 1.6 * max(tops)))
    ax.set_xlabel(xlabel or XLABELS.get(param, param))
    ax.set_ylabel(rf"$\alpha_c$ ({criterion})")
    if any(p[5] for pts in curves.values() for p in pts):
        ax.plot([], [], ls="none", marker="o", mfc="white", mec="0.3",
                label="open, arrow: lower bound (a seed stores at the top of its search)")
    ax.legend(fontsize=5.5, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def _biased_theory(ax, curves) -> None:
    from amem.theory.biased import hebbian_biased_alpha

    for (model, params, n_units), pts in curves.items():
        unbiased = [p[1] for p in pts if p[0] == 0.0]
        if model != "hebbian" or params != "{}" or not unbiased:
            continue
        grid = np.linspace(0.0, max(p[0] for p in pts), 61)
        ax.plot(grid, [hebbian_biased_alpha(n_units, b, unbiased[0]) for b in grid], "k--",
                lw=0.8, label=f"Hebbian S/N theory, N={n_units}")
        ax.axhline(unbiased[0], color="0.5", ls=":", lw=0.8,
                   label="unbiased α_c (covariance rule theory)")


def structure_table(records, sweeps=None, param="p", criterion="paper", digits=3):
    """alpha_c [95% CI] per model and pattern parameter value; ``≥`` the mean over seeds where
    some seed still stores at the top of its search range (see the censored column)."""
    rows = []
    for (model, params, n_units), pts in structure_points(records, sweeps, param, criterion).items():
        for x, alpha, lo, hi, seeds, censored in pts:
            value = (f"≥ {alpha:.{digits}f}" if censored
                     else ci_text(alpha, lo, hi, digits))
            rows.append([_label(model, params, n_units), str(n_units), f"{x:g}", value,
                         str(seeds), str(censored)])
    return Table(["model", "N", param, f"α_c [95% CI] ({criterion})", "seeds", "censored"], rows)


def real_data_table(records, capacity, recall, criterion="paper", digits=3):
    """Per data set and model: alpha_c from clean cues, and recall from each recall sweep.

    ``capacity``: sweeps whose records give alpha_c (any search); ``recall``: sweeps at one load
    (e.g. occluded cues), summarised as the mean final overlap over seeds (± standard error) and
    the mean fraction of patterns retrieved (overlap >= 0.95).
    """
    caps = {}
    for c in summaries(records, [criterion], capacity):
        caps[(c["patterns"], c["n_units"], c["model"], canonical(c["params"]))] = c
    recall_cols: list[str] = []
    recalled: dict[tuple, dict[str, str]] = {}
    for name in recall:
        groups: dict[tuple, list[dict]] = {}
        for r in merged(records, [name]):
            groups.setdefault((r["patterns"], r["n_units"], r["model"], canonical(r["params"]),
                               r["cue"], r["noise"], r["n_patterns"]), []).append(r)
        for (fam, n, model, params, cue, noise, p), rows in groups.items():
            column = f"{cue} {noise:g}, P={p}: overlap / retrieved"
            if column not in recall_cols:
                recall_cols.append(column)
            overlap = np.array([r["mean_overlap"] for r in rows])
            se = overlap.std(ddof=1) / math.sqrt(len(overlap)) if len(overlap) > 1 else 0.0
            retrieved = np.mean([r["frac_retrieved"] for r in rows])
            recalled.setdefault((fam, n, model, params), {})[column] = (
                f"{overlap.mean():.{digits}f} ± {se:.{digits}f} / {retrieved:.2f}")
    keys = sorted(set(caps) | set(recalled))
    rows = []
    for key in keys:
        fam, n, model, params = key
        c = caps.get(key)
        alpha = (ci_text(c["capacity_alpha"], c["ci_low"], c["ci_high"], digits)
                 + (" (censored)" if c["n_censored"] else "")) if c else "—"
        seeds = str(c["n_seeds"]) if c else "—"
        rows.append([fam, str(n), _label(model, params, n), alpha, seeds]
                    + [recalled.get(key, {}).get(col, "—") for col in recall_cols])
    return Table(["data", "N", "model", f"α_c [95% CI] ({criterion}, clean cues)", "seeds"]
                 + recall_cols, rows)
