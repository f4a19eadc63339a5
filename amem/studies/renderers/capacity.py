"""Generic capacity renderers: accuracy against load, capacity against N, capacity tables and
inline numbers, from recall records of any sweeps."""

from __future__ import annotations

from amem.errors import AmemError
from amem.records.schema import canonical
from amem.studies.tables import Table, ci_text


def merged(records: dict[str, list[dict]], sweeps: list[str] | None = None) -> list[dict]:
    """The records of ``sweeps`` (default: every input), as one list, each key once."""
    seen, out = set(), []
    for name in sweeps or list(records):
        for r in records[name]:
            if r["key"] not in seen:
                seen.add(r["key"])
                out.append(r)
    return out


def summaries(records, criteria=None, sweeps=None):
    from amem.harness.summary import summarize

    return summarize(merged(records, sweeps), criteria)


def accuracy_figure(records, sweeps=None, metric="mean_overlap", log_x=None, theory=True):
    """Recall accuracy against load, one curve per model, size and noise (median, 90% band)."""
    from amem.plots.capacity import plot_accuracy

    rows = merged(records, sweeps)
    return plot_accuracy(rows, capacities=summaries(records, ["paper"], sweeps), theory=theory,
                         metric=metric, log_x=log_x)


def capacity_vs_n_figure(records, sweeps=None, criterion="paper", theory=True):
    from amem.plots.capacity import plot_capacity_vs_n

    return plot_capacity_vs_n(summaries(records, [criterion], sweeps), criterion, theory=theory)


def param_text(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(params.items())) if params else ""


def capacity_table(records, sweeps=None, criteria=("paper",), digits=3, columns=None):
    """Capacity alpha_c [95% CI] per model, parameters, N, noise and criterion."""
    caps = summaries(records, list(criteria), sweeps)
    caps.sort(key=lambda c: (c["model"], canonical(c["params"]), c["noise"], c["n_units"],
                             list(criteria).index(c["criterion"])))
    rows = []
    for c in caps:
        rows.append([c["model"], param_text(c["params"]), str(c["n_units"]), f"{c['noise']:g}",
                     c["criterion"], capacity_cell(c, digits),
                     str(c["n_seeds"]), str(c["n_censored"])])
    return Table(["model", "parameters", "N", "cue noise", "criterion", "α_c [95% CI]", "seeds",
                  "censored"], rows)


def capacity_cell(c, digits=3) -> str:
    """``1.623 [1.605, 1.643]``, or a bound ``≥ 2.010`` when a seed still stores at the top of
    the loads tried (its capacity is censored, so the mean is a lower bound, not a value)."""
    if c.get("n_censored"):
        return (f"≥ {c['capacity_alpha']:.{digits}f} ({c['n_censored']} of {c['n_seeds']} seeds "
                "store at the top load)")
    return ci_text(c["capacity_alpha"], c["ci_low"], c["ci_high"], digits)


def capacity_text(records, model, n_units, noise=0.0, criterion="paper", params=None, digits=3,
                  sweeps=None, seeds=False):
    """One capacity as inline text, ``1.623 [1.605, 1.643]`` (for README markers)."""
    from amem.studies.measures import capacity

    m = capacity({"x": merged(records, sweeps)}, criterion, model, n_units, noise, params)
    text = ci_text(m["value"], m["ci_low"], m["ci_high"], digits)
    return text + (f" ({m['n_seeds']} seeds)" if seeds else "")


def check_recall(records):
    for name, rows in records.items():
        if rows and rows[0].get("probe", "recall") != "recall":
            raise AmemError(f"sweep {name!r} is a {rows[0]['probe']} probe; this renderer reads "
                            "recall records")


def capacity_range_text(records, model, noise=0.0, criterion="paper", digits=3, sweeps=None):
    """``0.169 → 0.137`` : capacity at the smallest and the largest N (README headline)."""
    caps = [c for c in summaries(records, [criterion], sweeps)
            if c["model"] == model and abs(c["noise"] - noise) < 1e-12]
    if not caps:
        raise AmemError(f"no {model} curve at noise {noise:g} under {criterion}")
    caps.sort(key=lambda c: c["n_units"])
    return f"{caps[0]['capacity_alpha']:.{digits}f} → {caps[-1]['capacity_alpha']:.{digits}f}"
