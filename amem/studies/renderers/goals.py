"""Named goals re-measured: a table and a figure of each goal's capacity over fresh seeds.

The goal searches (``search-goal``) pick their best goal on the seeds they measured, so its
score is biased upwards (the maximum of noisy means). The study ``goal-remeasure`` measures each
search's best goal again on seeds no search has seen, beside the paper's goals measured the same
way; these renderers show that comparison. A goal is told apart from another by its weights *and*
its other parameters (a hyper-parameter search's best goal carries its external weight, learning
rate and binning), so the same γ under two settings is two rows.
"""

from __future__ import annotations

import numpy as np

from amem.studies.renderers.capacity import merged

ATOM_LABEL = "γ [unq ext, unq int, red, syn, res]"


def _setting(record: dict) -> tuple:
    params = record.get("params") or {}
    goal = tuple(params.get("goal") or ())
    rest = tuple(sorted((k, str(v)) for k, v in params.items() if k != "goal"))
    return goal, rest


def goal_capacities(records, sweeps=None, criterion: str = "paper") -> dict[tuple, dict[int, float]]:
    """(goal, other params) -> {seed: capacity} (:func:`amem.studies.data.capacities_by`)."""
    from amem.studies.data import capacities_by

    return capacities_by(merged(records, sweeps),
                         lambda r: _setting(r) if (r.get("params") or {}).get("goal") else None,
                         criterion)


def _label_for(setting: tuple, labels) -> tuple[str, float | None]:
    for entry in labels or []:
        if [round(float(g), 6) for g in entry["goal"]] == [round(g, 6) for g in setting[0]]:
            extra = tuple(sorted((k, str(v)) for k, v in (entry.get("params") or {}).items()))
            if extra == setting[1]:  # the goal under exactly these other parameters
                return entry["label"], entry.get("paper")
    return "", None


def _rows(records, sweeps, labels, criterion):
    from amem.harness.criteria import bootstrap_ci

    rows = []
    for setting, seeds in goal_capacities(records, sweeps, criterion).items():
        values = np.array([seeds[s] for s in sorted(seeds)], dtype=float)
        lo, hi = bootstrap_ci(values) if len(values) > 1 else (values.mean(), values.mean())
        label, paper = _label_for(setting, labels)
        rows.append({"setting": setting, "label": label, "paper": paper, "values": values,
                     "mean": float(values.mean()), "lo": float(lo), "hi": float(hi),
                     "seeds": sorted(seeds)})
    return sorted(rows, key=lambda r: -r["mean"])


def _goal_text(setting: tuple) -> str:
    goal = "[" + ", ".join(f"{g:+.2f}" for g in setting[0]) + "]"
    rest = ", ".join(f"{k} = {v}" for k, v in setting[1])
    return goal + (f" ({rest})" if rest else "")


def remeasured_table(records, sweeps=None, labels=None, criterion: str = "paper",
                     k: int | None = None):
    """Studies-engine renderer: every goal's mean capacity [95% CI] over its seeds, its label
    and the paper's value where it has one, highest first."""
    from amem.harness.criteria import on_paper_grid
    from amem.studies.renderers.cost import cost_text
    from amem.studies.tables import Table

    rows = _rows(records, sweeps, labels, criterion)[:k]
    cells = [[r["label"], _goal_text(r["setting"]),
              f"{r['seeds'][0]}-{r['seeds'][-1]}" if r["seeds"] else "", str(len(r["values"])),
              f"{r['mean']:.3f} [{r['lo']:.3f}, {r['hi']:.3f}]",
              f"{np.median(r['values']):.3f}",
              f"{np.mean([on_paper_grid(a) for a in r['values']]):.3f}",
              "" if r["paper"] is None else f"{r['paper']:.2f}"]
             for r in rows]
    return Table(["goal", ATOM_LABEL, "seeds", "n", "mean α_c [95% CI]", "median α_c",
                  "on the paper's grid", "paper"],
                 cells, caption=f"Capacity per goal ({criterion} criterion: the largest P / N of "
                                "each seed's bisection that meets it); CI: percentile bootstrap "
                                "of the mean over seeds. On the paper's grid: the mean of each "
                                "seed's capacity floored to the paper's optimisation grid (0.2, "
                                "0.25, ..., 2.0), what its grid protocol reads where the loads "
                                "below a seed's capacity are stored: bisection reads finer, "
                                "about 0.02 higher on average.",
                 notes=[f"cost: {cost_text(records, sweeps)}."])


def remeasured_figure(records, sweeps=None, labels=None, criterion: str = "paper"):
    """Studies-engine renderer: each goal's capacity per seed (dots), mean and 95% CI (bar),
    and the paper's value (open diamond) where it has one."""
    from matplotlib.figure import Figure

    rows = _rows(records, sweeps, labels, criterion)[::-1]  # best on top
    fig = Figure(figsize=(6.4, 0.45 * max(len(rows), 2) + 1.2), layout="constrained")
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # jitter only, fixed so the figure is reproducible
    for y, r in enumerate(rows):
        ax.scatter(r["values"], y + rng.uniform(-0.15, 0.15, len(r["values"])), s=8,
                   color="0.6", zorder=1, label="one seed" if y == 0 else None)
        ax.errorbar(r["mean"], y, xerr=[[max(0.0, r["mean"] - r["lo"])], [max(0.0, r["hi"] - r["mean"])]], fmt="o",
                    color="C0", capsize=3, zorder=2, label="mean, 95% CI" if y == 0 else None)
        if r["paper"] is not None:
            ax.scatter([r["paper"]], [y], marker="D", facecolor="none", edgecolor="C3", s=30,
                       zorder=3, label="paper" if not any(
                           q["paper"] is not None for q in rows[:y]) else None)
    ax.set_yticks(range(len(rows)),
                  [r["label"] or _goal_text(r["setting"]) for r in rows], fontsize=7)
    ax.set_xlabel(r"capacity $\alpha_c$ (" + criterion + " criterion)")
    ax.grid(axis="x", alpha=0.3)
    if rows:
        ax.legend(fontsize=7, loc="best")
    return fig


def implementation_agreement_table(records, reference: str, candidate: str,
                                   criterion: str = "paper"):
    """Studies-engine renderer: the same trials run by two implementations (sweeps
    ``reference`` and ``candidate``, e.g. autograd and a closed-form kernel): per seed both
    capacities, and per trial both have, whether the criterion's verdict, the mean overlap and
    the epochs trained agree."""
    from amem.harness.criteria import get_criterion
    from amem.studies.data import capacities_by
    from amem.studies.tables import Table

    holds = get_criterion(criterion).holds
    ref, cand = (capacities_by(records[name], lambda r: 0, criterion).get(0, {})
                 for name in (reference, candidate))
    common = sorted(set(ref) & set(cand))
    by_key = {r["key"]: r for r in records[reference]}
    pairs = [(by_key[r["key"]], r) for r in records[candidate] if r["key"] in by_key]
    same_verdict = sum(holds(a) == holds(b) for a, b in pairs)
    overlap_gap = max((abs(a["mean_overlap"] - b["mean_overlap"]) for a, b in pairs), default=0.0)
    same_epochs = sum((a.get("diagnostics") or {}).get("epochs_trained")
                      == (b.get("diagnostics") or {}).get("epochs_trained") for a, b in pairs)
    cells = [[str(s), f"{ref[s]:.2f}", f"{cand[s]:.2f}", "yes" if ref[s] == cand[s] else "no"]
             for s in common]
    return Table(["seed", f"α_c ({reference})", f"α_c ({candidate})", "same"], cells,
                 caption=f"The same trials by two implementations ({criterion} criterion)",
                 notes=[f"{sum(ref[s] == cand[s] for s in common)} of {len(common)} seeds give "
                        f"the same capacity; of the {len(pairs)} trials both ran, {same_verdict} "
                        f"reach the same verdict and {same_epochs} train the same epochs; mean "
                        f"overlaps differ by at most {overlap_gap:.4f}."])
