"""Renderers of a goal search (studies engine: ``f(records, **args)``, the search's input being
:class:`amem.search.searchdata.SearchRecords`): its progress figure, its best trials, its cost.

* :func:`progress_figure`: every finished trial's capacity (mean over its seeds; open markers:
  pruned after the first fidelity step) against the trial number and against the network-epochs
  the search had needed by then, the best complete trial so far, the paper's optima γ(i) 1.68
  and γ(ii) 1.70 (Blümel et al. 2025, Fig. 4) and amem's own redundancy-goal capacity where the
  goal grid measured it at the same N;
* :func:`top_trials_table`: the best trials, γ (and hyper-parameters), seeds, mean α_c [95% CI];
* :func:`search_cost_text`: trials, network-epochs, trial and driver time from the ledger, and
  the compute against the goal grid's cost per goal.

Network-epochs "needed" count each stored (goal, seed, P) trial once, in trial order (a trial
reusing an earlier trial's records adds nothing); the ledger's "trained" count is what this
search's sessions actually trained.
"""

from __future__ import annotations

import numpy as np

from amem.errors import AmemError
from amem.search.goals import NAMED_GOALS

#: Capacities the paper reports for its two optima (Blümel et al. 2025, Fig. 4).
PAPER_OPTIMA = {"gamma-ii": 1.70, "gamma-i": 1.68}
REDUNDANCY = list(NAMED_GOALS["redundancy"])
DOUBLE_COLUMN_IN = 7.0
GRID_STUDY = "goal-grid-3"
SAMPLER_NAMES = {"cmaes": "CMA-ES", "tpe": "TPE", "random": "random search"}


def _search(records, sweeps=None):
    """The :class:`SearchData` among the inputs (the engine passes the search as one input)."""
    names = sweeps or list(records)
    for name in names:
        data = getattr(records.get(name), "search", None)
        if data is not None:
            return data
    raise AmemError(f"none of the inputs {', '.join(names)} is a goal search; name the study's "
                    "[search] in the output's inputs")


def _epochs(record: dict) -> int:
    return int((record.get("diagnostics") or {}).get("network_epochs") or 0)


def cumulative_epochs(search) -> dict[int, int]:
    """Trial number -> network-epochs needed by the trials up to it (each record once)."""
    seen: set[str] = set()
    total, out = 0, {}
    for t in search.trials:
        for k in t.keys:
            if k not in seen:
                seen.add(k)
                total += _epochs(search.records[k])
        out[t.number] = total
    return out


def describe(search) -> str:
    s, c = search.settings, search.config
    space = s["space"]
    text = (f"{search.study_name}: {SAMPLER_NAMES.get(s['sampler'], s['sampler'])} over γ ∈ "
            f"[{space['low']:g}, {space['high']:g}]^5")
    if space.get("with_hyper"):
        text += " with external weight, learning rate and binning"
        if space.get("binning"):
            text += f" ({'/'.join(space['binning'])})"
    text += (f"; {s['pruner']} pruner, fidelity {' → '.join(map(str, s['fidelity']))} seeds; "
             f"N = {c.n_units}, {c.protocol} protocol on α ∈ [{c.alpha_low:g}, {c.alpha_high:g}]")
    if c.params:
        text += ", " + ", ".join(f"{k}={v}" for k, v in sorted(c.params.items()))
    return text


# ------------------------------------------------------------------ the goal grid, for reference
def grid_reference(grid: str | None, n_units: int) -> dict | None:
    """The goal grid's redundancy capacity and cost per goal (at the seed count most of its goals
    have), at ``n_units``; None when the grid study has no records at that N."""
    if not grid:
        return None
    from amem.search.render import grid_cost_per_goal
    from amem.studies.data import RecordsMissing, load_sweep
    from amem.studies.spec import find_study

    study = find_study(grid)
    try:
        records = load_sweep(study, study.sweeps[0].name).records
    except RecordsMissing:
        return None
    cost = grid_cost_per_goal([r for r in records if r["n_units"] == n_units])
    if cost is None:
        return None
    red = next((c for c in cost["cells"] if c["goal"] == REDUNDANCY), None)
    return {"study": study.id, "seeds": cost["seeds"], "goals": cost["goals"],
            "epochs_per_goal": cost["epochs_per_goal"], "hours_per_goal": cost["hours_per_goal"],
            "redundancy": None if red is None else (red["mean"], red["n_seeds"])}


# ------------------------------------------------------------------ the progress figure
def progress_figure(records, sweeps=None, grid: str | None = GRID_STUDY, title: str = ""):
    """Capacity of every finished trial against trial number and network-epochs needed."""
    from matplotlib.figure import Figure

    from amem.plots.style import OKABE_ITO, add_caption

    search = _search(records, sweeps)
    done = [t for t in search.finished if t.capacities]
    if not done:
        raise AmemError(f"search {search.study_name} has no finished trial yet")
    cum = cumulative_epochs(search)
    ref = grid_reference(grid, search.config.n_units)
    fig = Figure(figsize=(DOUBLE_COLUMN_IN, 3.1), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    complete = [t for t in done if t.state == "complete"]
    pruned = [t for t in done if t.state == "pruned"]

    def seeds_label(rows):
        counts = sorted({len(t.capacities) for t in rows})
        return "/".join(map(str, counts)) + (" seed" if counts == [1] else " seeds")

    for ax, x_of, xlabel in (
            (axes[0], lambda t: t.number, "trial number"),
            (axes[1], lambda t: cum[t.number] / 1e6, "network-epochs needed so far (millions)")):
        if complete:
            ax.plot([x_of(t) for t in complete], [t.mean for t in complete], ls="none",
                    marker="o", ms=3.5, color=OKABE_ITO[0],
                    label=f"complete ({seeds_label(complete)})")
        if pruned:
            ax.plot([x_of(t) for t in pruned], [t.mean for t in pruned], ls="none", marker="v",
                    ms=3.5, mfc="none", mew=0.8, color=OKABE_ITO[1],
                    label=f"pruned (after {seeds_label(pruned)})")
        if complete:
            best = np.maximum.accumulate([t.mean for t in complete])
            ax.step([x_of(t) for t in complete], best, where="post", color="black", lw=1.0,
                    label="best complete trial so far")
        ax.axhline(PAPER_OPTIMA["gamma-ii"], color=OKABE_ITO[2], ls="--", lw=0.9,
                   label=f"paper γ(ii): {PAPER_OPTIMA['gamma-ii']:.2f}")
        ax.axhline(PAPER_OPTIMA["gamma-i"], color=OKABE_ITO[3], ls=":", lw=1.1,
                   label=f"paper γ(i): {PAPER_OPTIMA['gamma-i']:.2f}")
        if ref and ref["redundancy"]:
            value, n = ref["redundancy"]
            ax.axhline(value, color=OKABE_ITO[4], ls="-.", lw=0.9,
                       label=f"amem redundancy goal ({ref['study']}, {n} seeds): {value:.2f}")
        ax.set_xlabel(xlabel, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, lw=0.3, color="0.85")
    axes[0].set_ylabel("capacity α_c (mean over seeds)", fontsize=8)
    top = max([t.mean for t in done] + [PAPER_OPTIMA["gamma-ii"]])
    axes[0].set_ylim(0, 1.06 * top)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=6, frameon=False,
               handlelength=2.2)
    best = max(complete, key=lambda t: (t.mean, -t.number)) if complete else None
    caption = title or describe(search)
    if best is not None:
        caption += (f". Best: trial {best.number}, α_c {best.mean:.3f} over "
                    f"{len(best.capacities)} seeds, γ = {best.candidate.label()}")
    add_caption(fig, caption, width=140, fontsize=6)
    return fig


# ------------------------------------------------------------------ the best trials
def top_trials_table(records, sweeps=None, k: int = 10, include_pruned: bool = True):
    """The ``k`` finished trials of highest mean capacity: γ, hyper-parameters, seeds, mean α_c
    [95% CI] (percentile bootstrap of the mean over seeds), complete or pruned."""
    from amem.harness.criteria import bootstrap_ci
    from amem.studies.tables import Table, ci_text

    search = _search(records, sweeps)
    rows_in = [t for t in search.finished if t.capacities
               and (include_pruned or t.state == "complete")]
    # a complete trial's mean is over all fidelity steps' seeds: it ranks before an equal pruned one
    rows_in.sort(key=lambda t: (-t.mean, t.state != "complete", t.number))
    hyper = bool(search.settings["space"].get("with_hyper"))
    columns = ["rank", "trial", "γ [unq ext, unq int, red, syn, res]"]
    columns += ["hyper-parameters"] if hyper else []
    columns += ["seeds", "mean α_c [95% CI]", "state"]
    rows = []
    for rank, t in enumerate(rows_in[:k], 1):
        lo, hi = bootstrap_ci(t.capacities)
        row = [str(rank), str(t.number),
               "[" + ", ".join(f"{g:+.2f}" for g in t.candidate.goal) + "]"]
        if hyper:
            row.append(", ".join(f"{key}={v:.3g}" if isinstance(v, float) else f"{key}={v}"
                                 for key, v in t.candidate.hyper))
        row += [str(len(t.capacities)), ci_text(t.mean, lo, hi), t.state]
        rows.append(row)
    complete = sum(t.state == "complete" for t in search.finished)
    notes = [f"{len(search.finished)} trials finished ({complete} complete, "
             f"{len(search.finished) - complete} pruned); paper: γ(ii) α_c = "
             f"{PAPER_OPTIMA['gamma-ii']:.2f}, γ(i) {PAPER_OPTIMA['gamma-i']:.2f}."]
    return Table(columns, rows, caption=f"The {k} best trials of {describe(search)}; capacity "
                 "per seed by the paper criterion, mean over the seeds the trial reached.",
                 notes=notes)


# ------------------------------------------------------------------ the cost
def _hours(seconds: float) -> str:
    if seconds < 600:
        return f"{seconds:.0f} s"
    return f"{seconds / 3600:.2f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def _count(n: float) -> str:
    """``239``, ``12.3 k``, ``4.10 M``."""
    if n >= 1e6:
        return f"{n / 1e6:.2f} M"
    return f"{n / 1e3:.1f} k" if n >= 1e4 else f"{n:,.0f}"


def search_cost_text(records, sweeps=None, grid: str | None = GRID_STUDY) -> str:
    """What the search spent (ledger) and needed (records), against the goal grid's cost."""
    from amem.search.ledger import cost_summary

    search = _search(records, sweeps)
    finished = search.finished
    complete = sum(t.state == "complete" for t in finished)
    other = [t for t in search.trials if not t.finished]
    lines = [f"{search.study_name}: {len(finished)} trials finished ({complete} complete, "
             f"{len(finished) - complete} pruned)"
             + (f", {len(other)} other ({', '.join(sorted({t.state for t in other}))})"
                if other else "") + "."]
    summary = cost_summary(search.ledger).get(search.study_name)
    if summary:
        tot = summary["total"]
        batches = [e for e in search.ledger if e.get("kind") == "batch"]
        lines.append(
            f"trained by its {tot['sessions']} session(s) (ledger): "
            f"{_count(tot['network_epochs'])} network-epochs in {tot['networks_trained']:,} "
            f"networks ({tot['cache_hits']:,} stored trials reused); training batches "
            f"{_hours(sum(e['cpu_s'] for e in batches))} CPU, "
            f"{_hours(sum(e['wall_s'] for e in batches))} wall; whole runs "
            f"{_hours(tot['cpu_s'])} CPU, {_hours(tot['wall_s'])} wall.")
    needed = sum(map(_epochs, search.records.values()))
    trial_s = sum(r.get("store_s", 0.0) + r.get("recall_s", 0.0) for r in search.records.values())
    lines.append(f"needed by its trials (records, each (goal, seed, P) once): "
                 f"{_count(needed)} network-epochs in {len(search.records):,} trials, "
                 f"{_hours(trial_s)} of trial time.")
    ref = grid_reference(grid, search.config.n_units)
    if ref and ref["epochs_per_goal"]:
        per = ref["epochs_per_goal"]
        from amem.search.goals import grid_goals

        g3, g5 = len(grid_goals(3)), len(grid_goals(5))
        lines.append(
            f"against the goal grid ({ref['study']}: {ref['goals']} goals measured with "
            f"{ref['seeds']} seeds, {_count(per)} network-epochs per goal): the search "
            f"needed as much as {needed / per:.1f} grid goals; the 3^5 grid ({g3} goals) would "
            f"need {_count(per * g3)} network-epochs (the search: {needed / (per * g3):.1%} of "
            f"that), the paper's 5^5 grid ({g5} goals) {_count(per * g5)} "
            f"({needed / (per * g5):.2%}).")
    elif grid:
        lines.append(f"no goal-grid cost to compare with ({grid} has no records at "
                     f"N = {search.config.n_units}).")
    return "\n".join(lines) + "\n"


def best_trial_text(records, sweeps=None, digits: int = 3) -> str:
    """The best complete trial in one line, for README markers: ``1.700 [1.650, 1.740] (6 seeds),
    γ = [...]``."""
    from amem.harness.criteria import bootstrap_ci
    from amem.studies.tables import ci_text

    search = _search(records, sweeps)
    complete = [t for t in search.finished if t.state == "complete" and t.capacities]
    if not complete:
        return "no complete trial yet"
    best = max(complete, key=lambda t: (t.mean, -t.number))
    lo, hi = bootstrap_ci(best.capacities)
    return (f"{ci_text(best.mean, lo, hi, digits)} ({len(best.capacities)} seeds, trial "
            f"{best.number}), γ = {best.candidate.label()}")
