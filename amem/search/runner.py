"""Run one batch of trials (possibly of several goals) and say what the training cost.

Trials of one model and N whose parameters differ only in what the model can vary per network
(its ``per_network_params`` class attribute, e.g. ``("goal",)`` once the infomorphic ensemble
trains networks with different goals together) go to one ``store_many`` call; otherwise one
call per distinct parameter set. Records are exactly those of :func:`amem.harness.trials.run_trials`
(same identity, same seeds), so a search and a ``capacity`` sweep share them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from amem.harness.trials import (
    TrialSpec,
    _recall_record,
    build_model,
    canonical,
    ensure_registered,
    trial_patterns,
    with_model_version,
)
from amem.records.schema import jsonable
from amem.registry import ModelSpec, model_class

#: Models whose ``store_many`` trains networks of different goals together but that do not (yet)
#: say so with a ``per_network_params`` class attribute.
KNOWN_PER_NETWORK = {"infomorphic": ("goal",)}


@dataclass
class SearchUnit:
    """Trials to run together (one executor task)."""

    trials: list[TrialSpec]
    models: dict[str, ModelSpec] = field(default_factory=dict)  # the parent's registrations
    search: str = "bisect"  # the ``search`` field of the records (how their loads were chosen)


@dataclass
class UnitResult:
    records: list[dict]
    epochs: dict[str, int | None]  # trial key -> training epochs of its network (None: unknown)
    cpu_s: float  # CPU seconds of the worker process (all its threads) for this unit
    wall_s: float
    host: str = ""
    pid: int = 0


def per_network_params(model_id: str) -> frozenset[str]:
    """Parameters that may differ between the networks of one ``store_many`` call."""
    declared = getattr(model_class(model_id), "per_network_params", None)
    if declared is None:
        declared = KNOWN_PER_NETWORK.get(model_id, ())
    return frozenset(declared)


def batch_key(trial: TrialSpec) -> tuple:
    """Trials with equal keys can train in one batched ``store_many`` call."""
    mixable = per_network_params(trial.model)
    shared = {k: v for k, v in trial.params.items() if k not in mixable}
    return (trial.model, canonical(shared), trial.n_units)


def network_epochs(model) -> int | None:
    """Training epochs of a stored model: its ``diagnostics()`` if it has them, else ``epochs_trained_``."""
    diagnostics = getattr(model, "diagnostics", None)
    if callable(diagnostics):
        try:
            value = diagnostics().get("epochs_trained")
        except Exception:  # diagnostics are optional; fall back to the attribute
            value = None
        if value is not None:
            return int(value)
    value = getattr(model, "epochs_trained_", None)
    return None if value is None else int(value)


def run_search_unit(unit: SearchUnit) -> UnitResult:
    """Train and recall every trial of ``unit`` (top-level and picklable: any executor runs it)."""
    import socket

    ensure_registered(unit.models)
    t0, c0 = time.perf_counter(), time.process_time()
    groups: dict[tuple, list[TrialSpec]] = {}
    for t in unit.trials:
        t = with_model_version(t)
        groups.setdefault(batch_key(t), []).append(t)
    records: list[dict] = []
    epochs: dict[str, int | None] = {}
    for trials in groups.values():
        cls = model_class(trials[0].model)
        models = [build_model(t) for t in trials]
        resolved = [jsonable(m.get_params()) for m in models]
        pattern_sets = [trial_patterns(t) for t in trials]
        s0 = time.perf_counter()
        models = cls.store_many(models, pattern_sets)
        store_s = (time.perf_counter() - s0) / len(trials)
        for t, m, p, r in zip(trials, models, pattern_sets, resolved):
            records.append(_recall_record(t, m, p, store_s, r, unit.search))
            epochs[t.key()] = network_epochs(m)
    return UnitResult(records, epochs, time.process_time() - c0, time.perf_counter() - t0,
                      socket.gethostname(), os.getpid())


def split_units(trials: list[TrialSpec], workers: int, models: dict[str, ModelSpec],
                search: str = "bisect", max_batch: int = 4096) -> list[SearchUnit]:
    """Batches that keep a ``store_many`` call as large as possible while every worker gets work.

    Each batchable group is cut into ``workers`` near-equal parts (at most ``max_batch`` trials):
    the ensemble trainer's cost per network falls with the batch, but an idle worker costs more.
    """
    groups: dict[tuple, list[TrialSpec]] = {}
    for t in trials:
        groups.setdefault(batch_key(t), []).append(t)
    units = []
    for group in groups.values():
        # dealt round-robin after sorting by P: every part gets a similar mix of cheap (stored
        # early) and expensive (never stored: all epochs) networks
        group.sort(key=lambda t: (t.n_patterns, t.seed))
        parts = max(1, min(len(group), workers), -(-len(group) // max_batch))
        units.extend(SearchUnit(group[k::parts], models, search) for k in range(parts))
    return units
