"""One trial: store a pattern set in a fresh model, recall it from cues, record per-pattern outcomes.

A trial is identified by :class:`TrialSpec`; every random draw derives from that identity alone
(never from execution order), so a trial gives the same record whichever process runs it.
Patterns depend only on (seed, N, pattern ensemble) and are nested across loads; cues depend on
(seed, N, P, cue kind, noise); the model's seed on (seed, N, P, model, params). Every model sees the
same patterns and cues for a given seed: comparisons between models are paired.

A trial's identity includes the model's registry version (bumped whenever the model's results
change) but not the commit: the code that ran a trial is recorded next to it (``code``, stamped
by the sweep), and a sweep refuses to mix records of different code in one directory.
"""

from __future__ import annotations

import hashlib
import importlib
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from amem.errors import AmemError
from amem.patterns import CUE_KINDS, data_source, image_shape, make_cues, make_patterns  # noqa: F401 (CUE_KINDS re-exported)
from amem.records.schema import SCHEMA_VERSION, canonical, jsonable, stable_int
from amem.registry import ModelSpec, make, model_class, register, spec

RETRIEVED_OVERLAP = 0.95  # a pattern counts as retrieved when its final overlap reaches this
_STATUS_CHARS = "FCM"  # fixed_point, cycle, max_steps -- per-pattern status string in records


@dataclass(frozen=True)
class TrialSpec:
    """Everything that determines a trial's outcome."""

    model: str
    params: dict = field(default_factory=dict, hash=False, compare=True)
    n_units: int = 100
    n_patterns: int = 10
    seed: int = 0
    noise: float = 0.0
    cue: str = "flip"
    patterns: str = "random"
    #: the pattern family's parameters that differ from its defaults (see
    #: amem.patterns.identity_params), None when all are default; a bare float is the legacy form
    pattern_param: dict | float | None = field(default=None, hash=False, compare=True)
    max_steps: int | None = None
    #: the model's registry version; None: the version registered where the trial runs
    model_version: int | None = None
    #: what the trial measures (see :mod:`amem.harness.probes`); recall is today's trial
    probe: str = "recall"
    probe_params: dict = field(default_factory=dict, hash=False, compare=True)

    @property
    def alpha(self) -> float:
        return self.n_patterns / self.n_units

    def identity(self) -> dict:
        """The fields that name the trial; a recall trial leaves the probe out, so its key is
        the one it had before probes existed."""
        out = asdict(self)
        if self.probe == "recall" and not self.probe_params:
            del out["probe"], out["probe_params"]
        return out

    def key(self) -> str:
        """Stable id of the trial (same across processes and runs)."""
        return hashlib.sha1(canonical(self.identity()).encode()).hexdigest()[:20]

    def group_key(self) -> tuple:
        """Trials that differ only in load and seed form one capacity curve."""
        return (self.model, canonical(self.params), self.n_units, self.noise, self.cue,
                self.patterns, canonical(self.pattern_param), self.max_steps, self.model_version,
                self.probe, canonical(self.probe_params))

    # ---- seeds derived from identity
    def pattern_seed(self) -> np.random.SeedSequence:
        return np.random.SeedSequence([self.seed, self.n_units,
                                       stable_int(self.patterns, self.pattern_param)])

    def cue_seed(self) -> np.random.SeedSequence:
        return np.random.SeedSequence([self.seed, self.n_units, self.n_patterns,
                                       stable_int(self.cue, self.noise)])

    def model_seed(self) -> int:
        seq = np.random.SeedSequence([self.seed, self.n_units, self.n_patterns,
                                      stable_int(self.model, self.params)])
        return int(seq.generate_state(1)[0] & 0x7FFFFFFF)


def trial_patterns(trial: TrialSpec) -> np.ndarray:
    return make_patterns(trial.patterns, trial.n_patterns, trial.n_units,
                         np.random.default_rng(trial.pattern_seed()), trial.pattern_param)


def trial_cues(trial: TrialSpec, patterns: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(trial.cue_seed())
    shape = (image_shape(trial.patterns, trial.n_units, trial.pattern_param)
             if trial.cue.startswith("occlude") else None)
    return make_cues(trial.cue, patterns, trial.noise, rng, shape)


def build_model(trial: TrialSpec):
    params = dict(trial.params)
    params.setdefault("seed", trial.model_seed())
    return make(trial.model, **params)


def ensure_registered(models: Mapping[str, ModelSpec]) -> None:
    """Make this process's registry agree with the parent's for ``models`` (id -> spec).

    A worker process (process pool, Dask) starts with the built-in models only. The model's
    module is imported first, so a package that registers its models on import (``baselines``,
    an ``--import`` or ``module:id`` module, a plugin) does so now rather than later over our
    registration; then the parent's spec (entry point, defaults, version) is registered over
    whatever the import registered. In the parent process nothing changes.
    """
    from amem.registry import _REGISTRY

    for model_id, parent in models.items():
        if _REGISTRY.get(model_id) == parent:
            continue
        module = parent.entry_point.partition(":")[0]
        try:
            importlib.import_module(module)
        except ImportError as err:
            raise AmemError(f"model {model_id!r}: this worker cannot import {module!r} ({err}); "
                            "make the module importable on every worker (install it, or put "
                            "its directory on PYTHONPATH)") from None
        register(model_id, parent.cls or parent.entry_point, defaults=parent.defaults,
                 test_params=parent.test_params, description=parent.description,
                 version=parent.version, overwrite=True)


def with_model_version(trial: TrialSpec) -> TrialSpec:
    """``trial`` naming the registered version of its model (refused if it names another)."""
    registered = spec(trial.model).version
    if trial.model_version is None:
        return replace(trial, model_version=registered)
    if trial.model_version != registered:
        raise AmemError(f"trial asks for model {trial.model!r} version {trial.model_version}, "
                        f"but version {registered} is registered here")
    return trial


def run_trials(trials: list[TrialSpec], models: Mapping[str, ModelSpec] | None = None,
               search: str = "grid") -> list[dict]:
    """Run trials that share model, params and N (one ``store_many`` call); return records.

    ``models`` (id -> the parent's :class:`ModelSpec`) registers the models in a worker process.
    """
    ensure_registered(models or {})
    if not trials:
        return []
    assert len({(t.model, canonical(t.params), t.n_units) for t in trials}) == 1, \
        "run_trials needs trials of one model, params and N"
    trials = [with_model_version(t) for t in trials]
    cls = model_class(trials[0].model)
    models = [build_model(t) for t in trials]
    resolved = [jsonable(m.get_params()) for m in models]
    pattern_sets = [trial_patterns(t) for t in trials]
    t0 = time.perf_counter()
    models = cls.store_many(models, pattern_sets)
    store_s = (time.perf_counter() - t0) / len(trials)
    return [_recall_record(t, m, p, store_s, r, search)
            for t, m, p, r in zip(trials, models, pattern_sets, resolved)]


def _recall_record(trial: TrialSpec, model, patterns: np.ndarray, store_s: float,
                   resolved_params: dict | None = None, search: str = "grid") -> dict:
    cues = trial_cues(trial, patterns)
    t0 = time.perf_counter()
    out = model.recall(cues, max_steps=trial.max_steps)
    recall_s = time.perf_counter() - t0
    n = trial.n_units
    agreement = np.einsum("mi,mi->m", out.states.astype(np.int32), patterns.astype(np.int32))
    codes = out.status_codes
    if np.array_equal(cues, patterns):
        stable = (out.steps == 0) & (codes == 0)
    else:  # one sweep from the clean pattern tells whether it is a fixed point
        clean = model.recall(patterns, max_steps=1)
        stable = (clean.steps == 0) & (clean.status_codes == 0)
    overlap = agreement / n
    if resolved_params is None and hasattr(model, "get_params"):
        resolved_params = jsonable(model.get_params())
    record = {
        "schema": SCHEMA_VERSION,
        "key": trial.key(),
        **trial.identity(),
        "resolved_params": resolved_params,
        "search": search,
        "alpha": trial.alpha,
        "mean_overlap": float(overlap.mean()),
        "min_overlap": float(overlap.min()),
        "frac_exact": float(np.mean(agreement == n)),
        "frac_retrieved": float(np.mean(overlap >= RETRIEVED_OVERLAP)),
        "frac_inverted": float(np.mean(agreement == -n)),
        "frac_stable": float(np.mean(stable)),
        "frac_fixed_point": float(np.mean(codes == 0)),
        "frac_cycle": float(np.mean(codes == 1)),
        "frac_max_steps": float(np.mean(codes == 2)),
        "mean_steps": float(out.steps.mean()),
        "store_s": store_s,
        "recall_s": recall_s,
        "per_pattern": {
            "agreement": agreement.tolist(),
            "steps": out.steps.tolist(),
            "status": "".join(_STATUS_CHARS[c] for c in codes),
            "stable": "".join("1" if s else "0" for s in stable),
        },
    }
    source = data_source(trial.patterns, trial.pattern_param)
    if source is not None:  # real data: what it is and its licence travel with every record
        record["data_source"] = source
    diagnostics = model.diagnostics() if hasattr(model, "diagnostics") else None
    if diagnostics:
        record["diagnostics"] = jsonable(diagnostics)
    return record
