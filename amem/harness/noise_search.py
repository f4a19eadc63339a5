"""The noise-robustness probe: the largest cue noise a stored network still recalls.

Blümel et al. 2025 (Fig. 5, last panel) compare learning rules by f_max(alpha), the largest
fraction of flipped cue bits at which recall still meets the criterion. Per trial (model, N, P,
seed) the network stores its patterns once; cues at noise f are drawn exactly as a recall trial at
noise f draws them (:func:`amem.harness.trials.trial_cues`), so a point of this search and the
capacity sweep's point at the same noise see the same cues.

f_max of one seed is the largest level f of the grid such that the mean overlap is at least
``threshold`` at f and at every lower level of the grid (the boundary rule of the paper's
figure, applied per seed; studies report the mean over seeds with its CI). ``search``:

* ``"scan"`` evaluates the levels upwards and stops at the first failure: exact under that rule;
* ``"bisect"`` assumes recall gets worse with noise and bisects on the grid (about log2 of the
  levels instead of all of them); it evaluates fewer levels, so it can miss a non-monotone dip;
* ``"authors"`` is the boundary rule of the authors' stability notebook (spec §10): every level
  is evaluated and f_max is the first level j whose mean overlap is > ``threshold`` while the mean
  over the next five levels is < ``threshold`` (fewer than five left: those that are). It
  tolerates an isolated dip that ``"scan"`` stops at. When no level qualifies, f_max is the
  largest level if every level holds, else null.

The record lists every level evaluated with its mean overlap, and ``f_max`` (null when clean cues
already fail).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from amem.errors import AmemError

DEFAULT_NOISES = [round(0.02 * k, 2) for k in range(26)]  # 0, 0.02, ..., 0.5
DEFAULT_THRESHOLD = 0.95
SEARCHES = ("scan", "bisect", "authors")
AUTHORS_WINDOW = 5  # levels averaged after the candidate boundary (authors' rule)
PARAMS = ("noises", "threshold", "search")


def options(params: Mapping) -> tuple[list[float], float, str]:
    noises = sorted({float(f) for f in params.get("noises", DEFAULT_NOISES)})
    return noises, float(params.get("threshold", DEFAULT_THRESHOLD)), params.get("search", "scan")


def check_probe_params(params: Mapping) -> None:
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise AmemError(f"noise-robustness: unknown probe_params {', '.join(unknown)}; "
                        f"use {', '.join(PARAMS)}")
    try:
        noises, threshold, search = options(params)
    except (TypeError, ValueError):
        raise AmemError(f"noise-robustness: noises={params.get('noises')!r} and "
                        f"threshold={params.get('threshold')!r} must be numbers") from None
    if not noises or noises[0] < 0 or noises[-1] > 1:
        raise AmemError(f"noise-robustness: noises={noises!r} must be fractions in [0, 1]")
    if not 0 < threshold <= 1:
        raise AmemError(f"noise-robustness: threshold={threshold!r} must be in (0, 1]")
    if search not in SEARCHES:
        raise AmemError(f"noise-robustness: search={search!r}; choose one of {', '.join(SEARCHES)}")


def noise_trials(trials, models=None, search: str = "grid") -> list[dict]:
    from amem.harness.probes import probe_record, stored_models

    trials, built, pattern_sets, store_s = stored_models(trials, models)
    out = []
    for trial, model, patterns in zip(trials, built, pattern_sets):
        noises, best, evaluated = _search(trial, model, patterns)
        out.append(probe_record(
            trial, model, f_max=None if best < 0 else noises[best],
            levels=[[f, evaluated[f]] for f in sorted(evaluated)], store_s=store_s))
    return out


def _search(trial, model, patterns):
    """(noise grid, index of f_max or -1, mean overlap of every level evaluated)."""
    noises, threshold, search = options(trial.probe_params)
    evaluated: dict[float, float] = {}

    def holds(level: int) -> bool:
        f = noises[level]
        if f not in evaluated:
            evaluated[f] = _mean_overlap(trial, model, patterns, f)
        return evaluated[f] >= threshold

    if search == "authors":
        for f in noises:
            holds(noises.index(f))
        overlaps = [evaluated[f] for f in noises]
        return noises, authors_boundary(overlaps, threshold), evaluated
    return noises, largest_level(len(noises), holds, search), evaluated


def authors_boundary(overlaps, threshold: float = DEFAULT_THRESHOLD,
                     window: int = AUTHORS_WINDOW) -> int:
    """Index of f_max under the authors' rule (see the module docstring), or -1."""
    for j, m in enumerate(overlaps):
        after = overlaps[j + 1:j + 1 + window]
        if m > threshold and after and float(np.mean(after)) < threshold:
            return j
    return len(overlaps) - 1 if overlaps and min(overlaps) > threshold else -1


def largest_level(count: int, holds, search: str = "scan") -> int:
    """Index of the largest level that holds with every lower level holding (-1 if none)."""
    if search == "scan":
        best = -1
        for level in range(count):
            if not holds(level):
                break
            best = level
        return best
    if not holds(0):
        return -1
    good, bad = 0, count  # holds(good); bad: first known failure (count = none known)
    while bad - good > 1:
        mid = (good + bad) // 2
        if holds(mid):
            good = mid
        else:
            bad = mid
    return good


def _mean_overlap(trial, model, patterns, noise: float) -> float:
    from amem.harness.trials import trial_cues

    cues = trial_cues(replace(trial, noise=noise, probe="recall", probe_params={}), patterns)
    states = model.recall(cues, max_steps=trial.max_steps).states.astype(np.int64)
    return float((states * patterns).sum(1).mean() / trial.n_units)
