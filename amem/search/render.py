"""Fig. 4's goal-landscape heat-maps and the slice figures, rendered from measured cells.

Each cell is one goal: its colour is the measured capacity (median over seeds, as the paper's
Fig. 4; ``stat="mean"`` for the objective's mean) on the paper's colour scale (0 ... 1.7), and
its text gives the value and how many seeds back it (a partial grid shows what it has; empty
cells are blank). Cells are dicts as :func:`amem.search.grid.goal_cells` makes them.
matplotlib is imported inside the functions; figures are :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from amem.errors import AmemError
from amem.search.goals import ATOM_LABELS, ATOMS

VMAX = 1.7  # the paper's colour scale


def _levels(cells: Sequence[dict], atom: str) -> list[float]:
    i = ATOMS.index(atom)
    return sorted({c["goal"][i] for c in cells})


def panel_matrix(cells: Sequence[dict], row_atom: str, col_atom: str, where: dict[str, float],
                 stat: str = "median", levels: Sequence[float] | None = None
                 ) -> tuple[np.ndarray, np.ndarray, list[float], list[float]]:
    """(values, seed counts, row levels, column levels) of the cells matching ``where``.

    Values are NaN where no seed is measured. Rows run over ``row_atom``'s levels (ascending),
    columns over ``col_atom``'s: the measured ones, or ``levels`` (a grid's, measured or not).
    """
    if levels is not None:
        rows = cols = sorted(float(v) for v in levels)
    else:
        rows, cols = _levels(cells, row_atom), _levels(cells, col_atom)
    values = np.full((len(rows), len(cols)), np.nan)
    seeds = np.zeros((len(rows), len(cols)), dtype=int)
    ri, ci = ATOMS.index(row_atom), ATOMS.index(col_atom)
    fixed = {ATOMS.index(a): v for a, v in where.items()}
    for c in cells:
        g = c["goal"]
        if any(abs(g[k] - v) > 1e-9 for k, v in fixed.items()):
            continue
        if g[ri] not in rows or g[ci] not in cols:
            continue  # off the given levels
        r, k = rows.index(g[ri]), cols.index(g[ci])
        seeds[r, k] = c["n_seeds"]
        if c["n_seeds"] and c.get(stat) is not None:
            values[r, k] = c[stat]
    return values, seeds, rows, cols


def render_grid(cells: Sequence[dict], fixed: tuple[str, float] = ("res", -1.0),
                outer: tuple[str, str] = ("unq_ext", "unq_int"),
                inner: tuple[str, str] = ("red", "syn"), stat: str = "median", title: str = "",
                levels: Sequence[float] | None = None):
    """Fig. 4A layout: one panel per (outer) level pair, inner heat-map, ``fixed`` atom held.

    For the 5^5 grid this is 25 panels of 5 x 5 goals (Panel A of the paper holds γ_Hres = -1).
    ``levels``: the grid's weight levels, so a partly measured grid keeps its full layout (blank
    cells where nothing is measured yet); without them the layout is the measured levels'.
    """
    from matplotlib.figure import Figure

    atoms = {fixed[0], *outer, *inner}
    if len(atoms) != 5:
        raise AmemError(f"fixed {fixed[0]}, outer {outer} and inner {inner} must name all five "
                        f"atoms once ({', '.join(ATOMS)})")
    cells = [c for c in cells if abs(c["goal"][ATOMS.index(fixed[0])] - fixed[1]) < 1e-9]
    if not cells and levels is None:
        raise AmemError(f"no measured goal has {fixed[0]} = {fixed[1]:g}")
    if levels is not None:
        orow = ocol = sorted(float(v) for v in levels)
    else:
        orow, ocol = (_levels(cells, a) for a in outer)
    fig = Figure(figsize=(1.6 * len(ocol) + 1.2, 1.6 * len(orow) + 0.8), layout="constrained")
    axes = fig.subplots(len(orow), len(ocol), squeeze=False, sharex=True, sharey=True)
    image = None
    for a, rv in enumerate(reversed(orow)):  # highest level on top, as a y axis reads
        for b, cv in enumerate(ocol):
            ax = axes[a, b]
            values, seeds, rows, cols = panel_matrix(cells, inner[0], inner[1],
                                                     {fixed[0]: fixed[1], outer[0]: rv,
                                                      outer[1]: cv}, stat, levels)
            image = _heat(ax, values, seeds, rows, cols, fontsize=5)
            if a == len(orow) - 1:
                ax.set_xlabel(f"{ATOM_LABELS[inner[1]]}\n{ATOM_LABELS[outer[1]]} = {cv:g}",
                              fontsize=7)
            if b == 0:
                ax.set_ylabel(f"{ATOM_LABELS[outer[0]]} = {rv:g}\n{ATOM_LABELS[inner[0]]}",
                              fontsize=7)
    fig.colorbar(image, ax=axes, shrink=0.6, label=f"capacity α_c ({stat} over seeds)")
    if levels is not None:
        measured = sum(1 for c in cells if c["n_seeds"])
        total = len(levels) ** 4 - (1 if fixed[1] == 0 else 0)  # the all-zero goal is no goal
        title = title or (f"goal landscape, {ATOM_LABELS[fixed[0]]} = {fixed[1]:g} (cell: α_c / "
                          f"seeds); {measured} of {total} goals measured")
    fig.suptitle(title or f"goal landscape, {ATOM_LABELS[fixed[0]]} = {fixed[1]:g} "
                          "(cell: α_c / seeds)", fontsize=9)
    return fig


def render_slice(cells: Sequence[dict], base: Sequence[float],
                 axes_atoms: tuple[str, str] = ("unq_int", "syn"), stat: str = "median",
                 title: str = ""):
    """A 2-D slice (rows: first atom, columns: second) around ``base``; capacity and seed counts."""
    from matplotlib.figure import Figure

    where = {a: float(v) for a, v in zip(ATOMS, base) if a not in axes_atoms}
    values, seeds, rows, cols = panel_matrix(cells, axes_atoms[0], axes_atoms[1], where, stat)
    if not seeds.any():
        raise AmemError("no measured goal lies on this slice")
    fig = Figure(figsize=(9, 4), layout="constrained")
    ax_v, ax_s = fig.subplots(1, 2)
    image = _heat(ax_v, values, seeds, rows, cols, fontsize=0)
    fig.colorbar(image, ax=ax_v, label=f"capacity α_c ({stat} over seeds)")
    counts = ax_s.imshow(seeds, origin="lower", cmap="Greys", vmin=0,
                         extent=_extent(rows, cols), aspect="auto")
    fig.colorbar(counts, ax=ax_s, label="seeds measured")
    here = dict(zip(ATOMS, base))
    ax_v.plot(here[axes_atoms[1]], here[axes_atoms[0]], marker="*", color="red", markersize=10,
              linestyle="none", label="base goal")
    ax_v.legend(loc="upper right", fontsize=7)
    for ax in (ax_v, ax_s):
        ax.set_xlabel(ATOM_LABELS[axes_atoms[1]])
        ax.set_ylabel(ATOM_LABELS[axes_atoms[0]])
    label = ", ".join(f"{ATOM_LABELS[a]}={v:g}" for a, v in where.items())
    fig.suptitle(title or f"slice around {label}", fontsize=9)
    return fig


def _extent(rows, cols):
    def edges(levels):
        if len(levels) == 1:
            return levels[0] - 0.5, levels[0] + 0.5
        step = (levels[-1] - levels[0]) / (len(levels) - 1)
        return levels[0] - step / 2, levels[-1] + step / 2

    (x0, x1), (y0, y1) = edges(cols), edges(rows)
    return (x0, x1, y0, y1)


def _heat(ax, values, seeds, rows, cols, fontsize: float):
    import matplotlib

    cmap = matplotlib.colormaps["viridis"]
    cmap = cmap.with_extremes(bad="white")
    image = ax.imshow(np.ma.masked_invalid(values), origin="lower", cmap=cmap, vmin=0, vmax=VMAX,
                      extent=_extent(rows, cols), aspect="auto")
    if fontsize:
        for r, rv in enumerate(rows):
            for k, cv in enumerate(cols):
                if seeds[r, k]:
                    text = "–" if np.isnan(values[r, k]) else f"{values[r, k]:.2f}"
                    ax.text(cv, rv, f"{text}\n{seeds[r, k]}", ha="center", va="center",
                            fontsize=fontsize, color="white" if values[r, k] < 1.0 else "black")
    ax.set_xticks(cols)
    ax.set_yticks(rows)
    ax.tick_params(labelsize=6)
    return image


# ------------------------------------------------------------------ from records (studies engine)
def _goal_of(record: dict) -> tuple | None:
    goal = (record.get("params") or {}).get("goal")
    return tuple(goal) if isinstance(goal, list) and len(goal) == len(ATOMS) else None


def cells_from_records(records: Sequence[dict], criterion: str = "paper") -> list[dict]:
    """Cells from records alone: per goal, each seed's capacity
    (:func:`amem.studies.data.capacities_by`).
    Records without a goal (other models) are skipped."""
    cells = []
    from amem.studies.data import capacities_by

    for goal, seeds in sorted(capacities_by(records, _goal_of, criterion).items()):
        values = np.array(list(seeds.values()), dtype=float)
        cells.append({"goal": list(goal), "n_seeds": len(seeds),
                      "capacities": {str(s): v for s, v in sorted(seeds.items())},
                      "mean": float(values.mean()), "median": float(np.median(values))})
    return cells


def grid_cost_per_goal(records: Sequence[dict]) -> dict | None:
    """What the goals measured with the most seeds cost, per goal (records only: network-epochs
    from the models' diagnostics, trial time = summed ``store_s + recall_s``); None if no goal."""
    cells = cells_from_records(records)
    if not cells:
        return None
    seeds = max(c["n_seeds"] for c in cells)
    full = {tuple(c["goal"]) for c in cells if c["n_seeds"] == seeds}
    mine = [r for r in records if _goal_of(r) in full]
    epochs = sum((r.get("diagnostics") or {}).get("network_epochs", 0) for r in mine)
    hours = sum(r.get("store_s", 0.0) + r.get("recall_s", 0.0) for r in mine) / 3600
    return {"cells": cells, "goals": len(full), "seeds": seeds, "trials": len(mine),
            "epochs": epochs, "hours": hours,
            "epochs_per_goal": epochs / len(full), "hours_per_goal": hours / len(full)}


def slice_cost_text(records, base, sweeps=None, paper_step: float = 0.1,
                    paper_seeds: int = 20) -> str:
    """Studies-engine renderer (text): what the measured cells of a slice cost, per goal, and
    the projection to the paper's slice (21 x 21 goals at step 0.1, 20 seeds) at the same cost
    per goal and seed (records only, as :func:`grid_cost_text`)."""
    from amem.search.goals import slice_goals

    cost = grid_cost_per_goal(_merged(records, sweeps))
    if cost is None:
        return "no goal measured yet\n"
    seeds, n_paper = cost["seeds"], len(slice_goals(base, paper_step))
    per_seed_epochs = cost["epochs_per_goal"] / seeds
    per_seed_hours = cost["hours_per_goal"] / seeds
    missing = n_paper * paper_seeds - sum(min(c["n_seeds"], paper_seeds) for c in cost["cells"])
    return (f"measured: {len(cost['cells'])} goals, {cost['goals']} of them with all {seeds} "
            f"seeds; those cost {cost['epochs'] / 1e6:.2f} M network-epochs and "
            f"{cost['hours']:.2f} h of trial time ({cost['trials']} trials), i.e. "
            f"{cost['epochs_per_goal'] / 1e3:.0f} k network-epochs and "
            f"{cost['hours_per_goal'] * 60:.1f} min of trial time per goal at {seeds} seeds.\n"
            f"projection to the paper's slice ({n_paper} goals at step {paper_step:g}, "
            f"{paper_seeds} seeds): {missing:,} more (goal, seed) bisections, about "
            f"{per_seed_epochs * missing / 1e6:.0f} M network-epochs and "
            f"{per_seed_hours * missing:.1f} h of trial time at the same cost per seed: "
            f"`python -m amem.bench search-goal --slice BASE --slice-step {paper_step:g} "
            f"--seeds {paper_seeds} --dir DIR` (resumable; the measured cells are reused).\n")


def _merged(records, sweeps=None) -> list[dict]:
    names = sweeps or list(records)
    return [r for name in names for r in records.get(name, [])]


def grid_figure(records, sweeps=None, fixed_atom: str = "res", fixed_value: float = -1.0,
                stat: str = "median", title: str = "", levels: Sequence[float] | None = None):
    """Studies-engine renderer (records by sweep -> Figure): Fig. 4's grid heat-maps
    (``levels``: the grid's, for its full layout while it is measured only in part)."""
    outer = ("unq_ext", "unq_int") if fixed_atom not in ("unq_ext", "unq_int") else ("red", "res")
    inner = tuple(a for a in ATOMS if a != fixed_atom and a not in outer)
    return render_grid(cells_from_records(_merged(records, sweeps)), (fixed_atom, fixed_value),
                       outer, inner, stat, title, levels)


def slice_figure(records, base, sweeps=None, stat: str = "median", title: str = ""):
    """Studies-engine renderer (records by sweep -> Figure): a (γ_unq,R, γ_syn) slice."""
    from amem.search.goals import NAMED_GOALS

    base = NAMED_GOALS.get(base, base) if isinstance(base, str) else base
    return render_slice(cells_from_records(_merged(records, sweeps)), base, stat=stat, title=title)


def top_goals_table(records, sweeps=None, k: int = 15, criterion: str = "paper"):
    """Studies-engine renderer: the ``k`` goals of highest mean capacity, with the seeds behind
    each and the 95% percentile-bootstrap CI of the mean (the harness's own interval), plus what
    the measured trials cost (network-epochs and trial time, from the records)."""
    from amem.harness.criteria import bootstrap_ci
    from amem.studies.renderers.cost import cost_text
    from amem.studies.tables import Table

    cells = sorted(cells_from_records(_merged(records, sweeps), criterion),
                   key=lambda c: (-c["mean"], c["goal"]))
    rows = []
    for rank, c in enumerate(cells[:k], 1):
        values = list(c["capacities"].values())
        lo, hi = bootstrap_ci(values) if len(values) > 1 else (c["mean"], c["mean"])
        rows.append([str(rank), "[" + ", ".join(f"{g:+.1f}" for g in c["goal"]) + "]",
                     str(c["n_seeds"]), f"{c['mean']:.3f} [{lo:.3f}, {hi:.3f}]",
                     f"{c['median']:.3f}"])
    most = max((c["n_seeds"] for c in cells), default=0)
    complete = sum(c["n_seeds"] == most for c in cells)
    notes = [f"{len(cells)} goals measured ({complete} with the most seeds); "
             f"cost: {cost_text(records, sweeps)}."]
    return Table(["rank", "γ [unq ext, unq int, red, syn, res]", "seeds", "mean α_c [95% CI]",
                  "median α_c"], rows,
                 caption=f"The {k} goals of highest mean capacity ({criterion} criterion: the "
                         "largest P / N of each seed's bisection that meets it); CI: percentile "
                         "bootstrap of the mean over seeds.", notes=notes)


def grid_cost_text(records, sweeps=None, target_levels: int = 5, command: str | None = None) -> str:
    """Studies-engine renderer (text): what the measured part of a goal grid cost, per goal, and
    the projection to the ``target_levels``^5 grid at the same cost per goal (records only:
    network-epochs from the models' diagnostics, trial time = summed ``store_s + recall_s``,
    the wall time of the executor slot that trained them)."""
    from amem.search.goals import grid_goals

    cost = grid_cost_per_goal(_merged(records, sweeps))
    if cost is None:
        return "no goal measured yet\n"
    cells, seeds, epochs, hours = cost["cells"], cost["seeds"], cost["epochs"], cost["hours"]
    default_command = (f"python -m amem.bench search-goal --grid {target_levels} --seeds {seeds} "
                       f"--dir results/goal-grid-{target_levels} --executor dask "
                       "--scheduler ADDRESS")
    n_target = len(grid_goals(target_levels))
    per_goal_epochs, per_goal_hours = cost["epochs_per_goal"], cost["hours_per_goal"]
    return (f"measured: {len(cells)} goals, {cost['goals']} of them with all {seeds} seeds; those "
            f"cost {epochs / 1e6:.2f} M network-epochs and {hours:.2f} h of trial time "
            f"({cost['trials']} trials), i.e. {per_goal_epochs / 1e3:.0f} k network-epochs and "
            f"{per_goal_hours * 60:.1f} min of trial time per goal at {seeds} seeds.\n"
            f"projection to the {target_levels}^5 grid ({n_target} goals, {seeds} seeds) at the "
            f"same cost per goal: {per_goal_epochs * n_target / 1e6:.0f} M network-epochs, "
            f"{per_goal_hours * n_target:.0f} h of trial time on this kind of executor slot; "
            f"with W such slots on a Dask cluster about {per_goal_hours * n_target:.0f} / W h: "
            f"`{command or default_command}` (resumable; no (goal, seed, P) is trained twice).\n")
