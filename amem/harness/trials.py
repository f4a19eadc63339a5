"""One trial: store a pattern set in a fresh model, recall it from cues, record per-pattern outcomes.

A trial is identified by :class:`TrialSpec`; every random draw derives from that identity alone
(never from execution order), so a trial gives the same record whichever process runs it.
Patterns depend only on (seed, N, pattern ensemble) and are nested across loads; cues depend on
(seed, N, P, cue kind, noise); the model's seed on (seed, N, P, model, params). Every model sees the
same patterns and cues for a given seed: comparisons between models are paired.
"""

from __future__ import annotations

import hashlib
import importlib
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from amem.records.schema import SCHEMA_VERSION, canonical, stable_int
from amem.patterns import CUE_KINDS, data_source, image_shape, make_cues, make_patterns
from amem.registry import make, model_class, register

RETRIEVED_OVERLAP = 0.95  # a pattern counts as retrieved when its final overlap reaches this
_STATUS_CHARS = "FCM"
PATTERNS_ENTRY = "patterns:"  # entry_points key prefix for a pattern family's module  # fixed_point, cycle, max_steps -- per-pattern status string in records


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

    @property
    def alpha(self) -> float:
        return self.n_patterns / self.n_units

    def identity(self) -> dict:
        return asdict(self)

    def key(self) -> str:
        """Stable id of the trial (same across processes and runs)."""
        return hashlib.sha1(canonical(self.identity()).encode()).hexdigest()[:20]

    def group_key(self) -> tuple:
        """Trials that differ only in load and seed form one capacity curve."""
        return (self.model, canonical(self.params), self.n_units, self.noise, self.cue,
                self.patterns, canonical(self.pattern_param), self.max_steps)

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


def ensure_registered(model_id: str, entry_point: str) -> None:
    """In a worker process, register a model the parent process registered at run time."""
    from amem.registry import _REGISTRY

    if model_id not in _REGISTRY:
        register(model_id, entry_point)


def run_trials(trials: list[TrialSpec], entry_points: dict[str, str] | None = None) -> list[dict]:
    """Run trials that share model, params and N (one ``store_many`` call); return records."""
    for model_id, entry_point in (entry_points or {}).items():
        if model_id.startswith(PATTERNS_ENTRY):  # a user's pattern family: import its module
            importlib.import_module(entry_point)
        else:
            ensure_registered(model_id, entry_point)
    if not trials:
        return []
    assert len({(t.model, canonical(t.params), t.n_units) for t in trials}) == 1, \
        "run_trials needs trials of one model, params and N"
    cls = model_class(trials[0].model)
    models = [build_model(t) for t in trials]
    pattern_sets = [trial_patterns(t) for t in trials]
    t0 = time.perf_counter()
    models = cls.store_many(models, pattern_sets)
    store_s = (time.perf_counter() - t0) / len(trials)
    return [_recall_record(t, m, p, store_s) for t, m, p in zip(trials, models, pattern_sets)]


def _recall_record(trial: TrialSpec, model, patterns: np.ndarray, store_s: float) -> dict:
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
    record = {
        "schema": SCHEMA_VERSION,
        "key": trial.key(),
        **trial.identity(),
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
    return record
