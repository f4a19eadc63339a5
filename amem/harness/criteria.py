"""Named capacity criteria and capacity estimates with bootstrap confidence intervals.

Capacity numbers are only comparable under the same criterion (see shared/docs/literature.md), so
every estimate carries the name and description of the criterion that produced it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from amem.errors import AmemError


@dataclass(frozen=True)
class Criterion:
    name: str
    description: str
    holds: Callable[[Mapping], bool]  # on a trial record


CRITERIA: dict[str, Criterion] = {
    c.name: c
    for c in (
        Criterion("paper", "mean overlap over the stored patterns >= 0.95 (Blümel et al. 2025; "
                  "the contract's paper protocol when cues are clean and recall is synchronous)",
                  lambda r: r["mean_overlap"] >= 0.95),
        Criterion("frac90", "at least 90% of the stored patterns retrieved (final overlap >= 0.95)",
                  lambda r: r["frac_retrieved"] >= 0.9),
        Criterion("exact", "every stored pattern is an exact fixed point of the dynamics",
                  lambda r: r["frac_stable"] >= 1.0),
        Criterion("all_exact", "every stored pattern recalled exactly from its cue (with "
                  "--max-steps 1: Demircigil et al.'s one-step retrieval of all patterns)",
                  lambda r: r["frac_exact"] >= 1.0),
    )
}


#: The paper's optimisation grid of loads alpha (shared/docs/infomorphic-spec.md §10): its Fig. 4
#: and optimised goals read each seed's capacity as the last of these loads before the first failure.
OPTIMIZE_ALPHAS = tuple(round(0.2 + 0.05 * k, 10) for k in range(37))


def on_paper_grid(alpha: float) -> float:
    """The largest load of :data:`OPTIMIZE_ALPHAS` at or below ``alpha`` (0 below the grid):
    a finer (bisection) capacity as the paper's grid protocol reads it, loads below stored."""
    return max((a for a in OPTIMIZE_ALPHAS if a <= alpha + 1e-9), default=0.0)


def get_criterion(name: str) -> Criterion:
    if name not in CRITERIA:
        raise AmemError(f"unknown criterion {name!r}; choose one of {', '.join(CRITERIA)}")
    return CRITERIA[name]


def seed_capacities(records: Iterable[Mapping], criterion: Criterion) -> dict[int, tuple[int, bool]]:
    """Per seed: (largest P whose trial meets the criterion, 0 if none; censored flag).

    ``censored`` is True when that P is the largest load tested for the seed, so the true
    capacity may be higher (the load range was too small).
    """
    best: dict[int, int] = {}
    largest: dict[int, int] = {}
    for r in records:
        seed, p = int(r["seed"]), int(r["n_patterns"])
        largest[seed] = max(largest.get(seed, 0), p)
        if criterion.holds(r):
            best[seed] = max(best.get(seed, 0), p)
        else:
            best.setdefault(seed, 0)
    return {s: (best[s], best[s] == largest[s]) for s in sorted(best)}


def bootstrap_ci(values, level: float = 0.95, n_resamples: int = 10_000, seed: int = 0):
    """Percentile bootstrap CI of the mean (deterministic: fixed resampling seed)."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return (float("nan"), float("nan"))
    if x.size == 1 or np.all(x == x[0]):
        return (float(x[0]), float(x[0]))
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(n_resamples, x.size))].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return (float(lo), float(hi))


def capacity_estimate(records: list[Mapping], criterion: Criterion, n_units: int) -> dict:
    """Mean capacity (alpha = P/N) over seeds with a 95% bootstrap CI, per-seed values included."""
    per_seed = seed_capacities(records, criterion)
    alphas = np.array([p / n_units for p, _ in per_seed.values()])
    lo, hi = bootstrap_ci(alphas)
    return {
        "criterion": criterion.name,
        "criterion_description": criterion.description,
        "capacity_alpha": float(alphas.mean()) if alphas.size else float("nan"),
        "ci_low": lo,
        "ci_high": hi,
        "ci_level": 0.95,
        "ci_method": "percentile bootstrap of the mean over seeds (10000 resamples)",
        "median_alpha": float(np.median(alphas)) if alphas.size else float("nan"),
        "std_alpha": float(alphas.std(ddof=1)) if alphas.size > 1 else 0.0,
        "capacity_patterns_mean": float(alphas.mean() * n_units) if alphas.size else float("nan"),
        "n_seeds": int(alphas.size),
        "n_censored": int(sum(c for _, c in per_seed.values())),
        "per_seed_patterns": {str(s): p for s, (p, _) in per_seed.items()},
    }
