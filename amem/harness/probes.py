"""Probes: what a harness trial measures, and the one table that dispatches on it.

A trial (:class:`amem.harness.trials.TrialSpec`) names a model, its parameters, N, P, a seed and a
probe. The harness plans, chunks, resumes and records trials the same way whatever the probe; a
probe only turns one chunk of trials (same model, parameters and N) into records. Every probe
stores the patterns :func:`amem.harness.trials.trial_patterns` draws from the trial's identity in a
model seeded by :meth:`TrialSpec.model_seed`, so for a given seed every probe sees the patterns
(and the trained network) the capacity sweep sees.

Built-in probes:

* ``recall`` -- store, recall from cues, per-pattern outcomes (:func:`amem.harness.trials.run_trials`);
* ``pid-anatomy`` -- the PID of every neuron's output (:func:`amem.anatomy.anatomy_trials`);
* ``noise-robustness`` -- the largest cue noise still recalled (:mod:`amem.harness.noise_search`);
* ``pid-measures`` -- trained neurons re-decomposed with five PID measures (:mod:`amem.harness.pid_measures`);
* ``training`` -- what training did: epochs, stopping, final atoms, recall (:func:`training_trials`).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from amem.errors import AmemError
from amem.records.schema import SCHEMA_VERSION, canonical


@dataclass(frozen=True)
class Probe:
    name: str
    description: str
    run: str  # "module:function": (trials, models, search) -> records
    #: "module:function" that raises a one-line AmemError for a bad probe_params dict (or None)
    check: str | None = None


PROBES: dict[str, Probe] = {}


def register_probe(probe: Probe) -> Probe:
    PROBES[probe.name] = probe
    return probe


for _probe in (
    Probe("recall", "store, recall from cues, per-pattern outcomes (the capacity trial)",
          "amem.harness.trials:run_trials", "amem.harness.probes:check_no_params"),
    Probe("pid-anatomy", "PID atoms of each neuron's output with the pattern bit and the recurrent "
          "field as sources (Blümel et al. 2025, Fig. 1D)", "amem.anatomy:anatomy_trials",
          "amem.anatomy:check_probe_params"),
    Probe("noise-robustness", "largest fraction of flipped cue bits still recalled (Blümel et al. "
          "2025, Fig. 5)", "amem.harness.noise_search:noise_trials",
          "amem.harness.noise_search:check_probe_params"),
    Probe("training", "training diagnostics: epochs, stopping, final PID atoms, recall from the "
          "clean patterns", "amem.harness.probes:training_trials",
          "amem.harness.probes:check_no_params"),
    Probe("pid-measures", "trained neurons re-decomposed with SX, Williams-Beer, PM, MMI and BROJA "
          "(Blümel et al. 2025, PID-measure appendix)", "amem.harness.pid_measures:measure_trials",
          "amem.harness.pid_measures:check_probe_params"),
):
    register_probe(_probe)


def _load(ref: str) -> Callable:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def get_probe(name: str) -> Probe:
    if name not in PROBES:
        raise AmemError(f"unknown probe {name!r}; choose one of {', '.join(sorted(PROBES))}")
    return PROBES[name]


def check_probe(name: str, params: Mapping) -> None:
    probe = get_probe(name)
    if not isinstance(params, Mapping):
        raise AmemError(f"probe_params of probe {name!r} must be a table, not {params!r}")
    if probe.check:
        _load(probe.check)(dict(params))


def check_no_params(params: Mapping) -> None:
    if params:
        raise AmemError(f"this probe takes no probe_params; remove {', '.join(sorted(params))}")


def run_probe_trials(trials, models=None, search: str = "grid") -> list[dict]:
    """Records of a chunk of trials that share model, parameters, N and probe. ``models``: the
    parent's registrations (id -> ModelSpec), registered in a worker process."""
    if not trials:
        return []
    names = {t.probe for t in trials}
    assert len(names) == 1, "a work unit holds trials of one probe"
    return _load(get_probe(names.pop()).run)(trials, models, search=search)


# ------------------------------------------------------------------ shared by the probes
def probe_record(trial, model, **fields) -> dict:
    """The fields every record carries (schema, key, identity, resolved parameters, alpha),
    then the probe's own."""
    from amem.records.schema import jsonable

    return {"schema": SCHEMA_VERSION, "key": trial.key(), **trial.identity(),
            "resolved_params": jsonable(model.get_params()), "search": "grid",
            "alpha": trial.alpha, **fields}


def stored_models(trials, models=None):
    """(trials with their model version, models, pattern sets, seconds per trial): each trial's
    model storing its patterns, built exactly as the recall trial builds it (one
    ``store_many`` call for the chunk)."""
    from amem.harness.trials import (
        build_model,
        ensure_registered,
        trial_patterns,
        with_model_version,
    )
    from amem.registry import model_class

    ensure_registered(models or {})
    assert len({(t.model, canonical(t.params), t.n_units) for t in trials}) == 1, \
        "a work unit holds trials of one model, params and N"
    trials = [with_model_version(t) for t in trials]
    built = [build_model(t) for t in trials]
    patterns = [trial_patterns(t) for t in trials]
    t0 = time.perf_counter()
    built = model_class(trials[0].model).store_many(built, patterns)
    return trials, built, patterns, (time.perf_counter() - t0) / len(trials)


def clean_recall(model, patterns) -> dict[str, float]:
    """Mean overlap and fraction exact of recall from the clean stored patterns."""
    states = model.recall(patterns).states.astype(np.int64)
    overlap = (states * patterns).sum(1) / patterns.shape[1]
    return {"mean_overlap": float(overlap.mean()), "frac_exact": float(np.mean(overlap == 1.0))}


def training_trials(trials, models=None, search: str = "grid") -> list[dict]:
    """Training diagnostics of trained models (infomorphic: Fig. 2D's atoms after training).

    Fields a model does not have (``epochs_trained_``, ``met_criterion_``, ``atoms_``,
    ``history_``) are recorded as null, so the probe runs on any model.
    """
    from amem.pid import ATOM_NAMES

    trials, built, pattern_sets, store_s = stored_models(trials, models)
    out = []
    for trial, model, patterns in zip(trials, built, pattern_sets):
        atoms = getattr(model, "atoms_", None)
        mean_atoms = (dict(zip(ATOM_NAMES, map(float, np.asarray(atoms).mean(0))))
                      if atoms is not None else {name: None for name in ATOM_NAMES})
        history = getattr(model, "history_", None) or {}
        last = {k: _last_value(v) for k, v in sorted(history.items())} if isinstance(history, dict) else {}
        epochs = getattr(model, "epochs_trained_", None)
        met = getattr(model, "met_criterion_", None)
        out.append(probe_record(
            trial, model, epochs_trained=None if epochs is None else int(epochs),
            met_criterion=None if met is None else bool(met), **mean_atoms,
            history_last=last, **clean_recall(model, patterns), store_s=store_s))
    return out


def _last_value(series):
    try:
        values = np.asarray(series, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    return float(values[-1]) if values.size else None
