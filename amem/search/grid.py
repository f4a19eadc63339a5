"""Goal sets as studies of their own: the 5^5 and 3^5 grids and the paper's 2-D slices.

A goal set is measured through :class:`amem.search.objective.CapacityObjective` (so its trials are
shared with every search in the same directory) a chunk of goals at a time, all seeds of a chunk
in lockstep. Its cells -- per goal: the seeds whose search the records settle, their capacities,
mean and median -- are computed from the records alone (:func:`goal_cells`), so a partial grid
renders what it has and says how many seeds back each cell.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from amem.records.store import atomic_write_text
from amem.search.goals import grid_goals, slice_goals
from amem.search.objective import Candidate, CapacityObjective


def goal_set(grid: int | None = None, slice_base: str | None = None,
             slice_step: float = 0.1) -> tuple[str, list[list[float]]]:
    """(context name, goals) of ``--grid L`` or ``--slice BASE``."""
    if grid is not None:
        return f"grid-{grid}", grid_goals(grid)
    return f"slice-{slice_base}", slice_goals(slice_base, slice_step)


def measure_goals(objective: CapacityObjective, goals: Sequence[Sequence[float]], n_seeds: int,
                  chunk: int, log: Callable[[str], None], hyper: dict | None = None) -> None:
    """Measure every goal (``chunk`` goals in lockstep at a time); finished goals are skipped."""
    todo = []
    for g in goals:
        c = Candidate.make(g, hyper)
        if any(objective.settled(c, s) is None for s in objective.config.seeds(n_seeds)):
            todo.append(c)
    done = len(goals) - len(todo)
    if done:
        log(f"resuming: {done} of {len(goals)} goals already measured in {objective.directory}")
    for start in range(0, len(todo), chunk):
        part = todo[start:start + chunk]
        results = objective.evaluate(part, n_seeds)
        done += len(part)
        best = max(results, key=lambda r: r.mean)
        line = (f"{done}/{len(goals)} goals; best of this chunk {best.mean:.3f} "
                f"{best.candidate.label()}")
        if objective.ledger is not None:
            t = objective.ledger.totals()
            line += f" | {t['network_epochs']:,} net-epochs, {t['wall_s']:.0f} s"
        log(line)


def goal_cells(objective: CapacityObjective, goals: Sequence[Sequence[float]], n_seeds: int,
               hyper: dict | None = None) -> list[dict]:
    """Per goal, from the records only: settled seeds, their capacities, mean and median."""
    cells = []
    for g in goals:
        c = Candidate.make(g, hyper)
        caps = {}
        for s in objective.config.seeds(n_seeds):
            value = objective.settled(c, s)
            if value is not None:
                caps[s] = value
        values = np.array(list(caps.values()), dtype=float)
        cells.append({"goal": list(c.goal), "hyper": dict(c.hyper), "n_seeds": len(caps),
                      "capacities": {str(s): v for s, v in caps.items()},
                      "mean": float(values.mean()) if values.size else None,
                      "median": float(np.median(values)) if values.size else None})
    return cells


def write_cells(path: Path, name: str, cells: list[dict], config: dict) -> None:
    atomic_write_text(path, json.dumps({"goal_set": name, "objective": config, "cells": cells},
                                       indent=1))
