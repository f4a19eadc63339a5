"""Goal vectors as data: canonical form, named goals, the paper's grids and 2-D slices.

A goal is 5 weights over the PID atoms [unique external, unique internal, redundancy, synergy,
residual entropy] (Blümel et al. 2025, arXiv 2511.02584, Eq. of the goal function G = γ·Π).
Canonical goals (rounded to 1e-6, plain floats, no negative zero) make equal goals give equal
trial identities, so a goal reached by a grid and by a search shares its cached trials.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from amem.errors import AmemError

ATOMS = ("unq_ext", "unq_int", "red", "syn", "res")
#: Axis labels as in the paper's Fig. 4 (T: external/target input, R: recurrent/internal).
ATOM_LABELS = {"unq_ext": "γ_unq,T", "unq_int": "γ_unq,R", "red": "γ_red", "syn": "γ_syn",
               "res": "γ_Hres"}
GOAL_DECIMALS = 6

#: Named goals of the paper (Fig. 2C, Fig. 4; shared/docs/infomorphic-spec.md §10).
NAMED_GOALS = {
    "redundancy": (0.0, 0.0, 1.0, 0.0, 0.0),
    "gamma-i": (-0.27, -0.68, 0.68, -0.77, -0.80),   # alpha_c = 1.68 in the paper
    "gamma-ii": (0.48, -0.16, 0.25, 0.04, -0.63),    # alpha_c = 1.70 in the paper
}
#: The grid levels of Fig. 4 (5 per weight) and the 3-level sub-grid.
GRID_LEVELS = {5: (-1.0, -0.5, 0.0, 0.5, 1.0), 3: (-1.0, 0.0, 1.0)}
#: The paper's slices: (γ_unq,R, γ_syn) over -1 ... 1 step 0.1 around a base goal.
SLICE_AXES = ("unq_int", "syn")
SLICE_BASES = {"redundancy": NAMED_GOALS["redundancy"], "gamma-i": NAMED_GOALS["gamma-i"],
               "gamma-ii": NAMED_GOALS["gamma-ii"]}


def canonical_goal(goal: Sequence[float]) -> list[float]:
    """5 weights rounded to 1e-6 as plain floats (``-0.0`` -> ``0.0``); one-line error otherwise."""
    values = list(goal)
    if len(values) != len(ATOMS):
        raise AmemError(f"goal {values!r} has {len(values)} weights; pass 5, one per atom "
                        f"[{', '.join(ATOMS)}]")
    out = []
    for v in values:
        try:
            x = round(float(v), GOAL_DECIMALS)
        except (TypeError, ValueError):
            raise AmemError(f"goal weight {v!r} is not a number") from None
        if not math.isfinite(x):
            raise AmemError(f"goal {values!r} contains NaN or infinity; pass finite weights")
        out.append(x + 0.0)
    if not any(out):
        raise AmemError("goal is all zeros, so there is nothing to learn; pass a non-zero vector")
    return out


def parse_goal_text(text: str) -> list[float]:
    """A named goal (``redundancy``, ``gamma-i``, ``gamma-ii``) or 5 comma-separated numbers."""
    if text in NAMED_GOALS:
        return canonical_goal(NAMED_GOALS[text])
    parts = [p for p in text.split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise AmemError(f"goal {text!r} is neither a named goal ({', '.join(NAMED_GOALS)}) nor "
                        "5 comma-separated numbers like 0,0,1,0,0") from None
    return canonical_goal(values)


def grid_goals(levels: int) -> list[list[float]]:
    """Every goal of the levels^5 grid (Fig. 4: levels = 5), all-zero vector excluded."""
    if levels not in GRID_LEVELS:
        raise AmemError(f"--grid {levels}: choose 3 (the 3^5 sub-grid) or 5 (the paper's 5^5)")
    return [list(g) for g in itertools.product(GRID_LEVELS[levels], repeat=len(ATOMS)) if any(g)]


def slice_values(step: float = 0.1) -> list[float]:
    """-1 ... 1 in steps of ``step`` (0.1: the paper's 21 values)."""
    if not 0 < step <= 2:
        raise AmemError(f"slice step {step!r} must be in (0, 2]")
    count = int(round(2 / step)) + 1
    return [round(-1 + k * step, GOAL_DECIMALS) + 0.0 for k in range(count)]


def slice_goals(base: str, step: float = 0.1) -> list[list[float]]:
    """The (γ_unq,R, γ_syn) slice around a base goal (the other three weights as in the base)."""
    if base not in SLICE_BASES:
        raise AmemError(f"--slice {base!r}: choose one of {', '.join(SLICE_BASES)}")
    i, j = (ATOMS.index(a) for a in SLICE_AXES)
    out = []
    for a in slice_values(step):
        for b in slice_values(step):
            g = list(SLICE_BASES[base])
            g[i], g[j] = a, b
            if any(g):
                out.append(canonical_goal(g))
    return out
