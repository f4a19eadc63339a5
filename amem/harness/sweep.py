"""Capacity sweeps: models x sizes N x loads (grid or bisection on P) x seeds x cue noise.

:func:`plan_sweep` turns a :class:`SweepConfig` into independent work units; :func:`run_sweep`
runs the units that are not finished yet on an executor, appends their records to the result
store as they finish, and returns the records of the sweep. Interrupted sweeps resume: finished
trials are found in the store by their identity key and never rerun.

Every record names the code that ran it (:class:`CodeStamp`): the package's code identity
measured once when the run starts, the model's registry version, and for a model defined outside
the package the hash of its module file. A directory holding records of other code is refused
(:class:`~amem.records.provenance.MixedCodeError`) unless mixing is allowed; then records of
other code stay in the directory, apart (a record is unique by trial key *and* code), but are
neither reused to resume nor returned as the sweep's records: the sweep reruns its trials with
this code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from amem.errors import AmemError
from amem.harness.criteria import get_criterion
from amem.harness.trials import CUE_KINDS, TrialSpec, canonical, run_trials
from amem.records.provenance import (
    MixedCodeError,
    code_identity,
    describe_code,
    module_source,
    same_code,
)
from amem.registry import ModelSpec, accepted_params, list_models, model_class, spec
from amem.validation import check_fraction, check_int

SEARCHES = ("grid", "bisect")


@dataclass
class SweepConfig:
    """What to measure. ``alphas`` is the load grid (grid search) or [low, high] (bisection)."""

    models: list[tuple[str, dict]]
    n_units: list[int] = field(default_factory=lambda: [100])
    alphas: list[float] = field(default_factory=lambda: [0.05, 0.1, 0.15, 0.2])
    seeds: int = 5
    seed_start: int = 0
    noise: list[float] = field(default_factory=lambda: [0.0])
    cue: str = "flip"
    patterns: str = "random"
    pattern_param: dict | float | None = None  # the family's parameters (KEY: VALUE)
    max_steps: int | None = None
    search: str = "grid"
    criterion: str = "paper"  # the criterion bisection searches on
    max_alpha: float | None = None  # bisection may grow the range up to here (default 64 x high)
    bisect_rtol: float = 0.0  # stop bisecting when the bracket is within this fraction of P
    probe: str = "recall"  # what each trial measures (amem.harness.probes)
    probe_params: dict = field(default_factory=dict)

    def validate(self) -> None:
        if not self.models:
            raise AmemError("no model given; pass at least one --model")
        for model_id, params in self.models:
            _check_model_params(model_id, params)
        for n in self.n_units:
            check_int("n (number of units)", n, 2)
        if not self.alphas:
            raise AmemError("no loads given; pass --alphas START:STOP:STEP or A,B,C")
        for a in self.alphas:
            if not a > 0 or math.isinf(a):
                raise AmemError(f"load alpha={a!r} must be a positive number")
        check_int("seeds", self.seeds, 1)
        check_int("seed_start", self.seed_start, 0)
        for f in self.noise:
            check_fraction("noise", f)
        if self.cue not in CUE_KINDS:
            raise AmemError(f"cue={self.cue!r} is not valid; choose one of {', '.join(CUE_KINDS)}")
        _check_patterns(self)
        if self.search not in SEARCHES:
            raise AmemError(f"search={self.search!r} is not valid; choose one of {', '.join(SEARCHES)}")
        get_criterion(self.criterion)
        from amem.harness.probes import check_probe

        check_probe(self.probe, self.probe_params)
        if self.search == "bisect" and self.probe != "recall":
            raise AmemError(f"probe {self.probe!r} runs on a grid of loads; use search = \"grid\"")
        if self.search == "bisect" and len(self.alphas) != 2:
            raise AmemError("bisection needs --alphas LOW:HIGH (two loads: the range to search)")
        if self.max_steps is not None:
            check_int("max_steps", self.max_steps, 1)
        if not 0.0 <= self.bisect_rtol < 1.0:
            raise AmemError(f"bisect_rtol={self.bisect_rtol!r} must be in [0, 1); 0 bisects to one pattern")
        for n in self.n_units:
            for a in self.alphas:
                if round(a * n) < 1:
                    raise AmemError(
                        f"load alpha={a:g} at N={n} rounds to 0 patterns; use alpha >= {0.5 / n:.3g} "
                        "or a larger N")

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seed_start, self.seed_start + self.seeds))

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _check_patterns(config: SweepConfig) -> None:
    """The pattern family exists, takes these parameters and can give every planned load."""
    from amem.patterns import check_load, image_shape

    for n in config.n_units:
        # bisection stops at a finite data set's size by itself; a grid must fit inside it
        loads = config.alphas if config.search == "grid" else config.alphas[:1]
        check_load(config.patterns, max(1, round(max(loads) * n)), n, config.pattern_param)
        if config.cue.startswith("occlude") and image_shape(config.patterns, n,
                                                            config.pattern_param) is None:
            raise AmemError(f"--cue {config.cue} masks part of an image, but N={n} patterns of "
                            f"family {config.patterns!r} are not images; use a square N")


def trial_pattern_id(family_id: str) -> str:
    """The family id a trial records: ``module:id`` for a family registered outside amem.

    A worker process imports ``module`` when it meets the id (as ``module:model-id`` does for
    models), and ``--import module --patterns id`` names the same trials as
    ``--patterns module:id``.
    """
    from amem.patterns import family

    fam = family(family_id)
    module = fam.module
    if module.startswith("amem.") or module in ("", "__main__"):
        return fam.id
    return f"{module}:{fam.id}"


def _check_model_params(model_id: str, params: Mapping[str, Any]) -> None:
    from amem.registry import make

    make(model_id, **params)  # raises one-line AmemErrors for unknown ids/params/bad values


def apply_model_option(models: list[tuple[str, dict]], name: str, value: Any,
                       supports: Callable[[type, Any], bool] | None = None,
                       named_only: bool = False) -> list[tuple[str, dict]]:
    """Set ``name=value`` on the models whose constructor takes ``name``; leave the others alone.

    ``supports(cls, value)`` can narrow it further (a model without async dynamics ignores
    ``--update async``). ``named_only``: skip constructors that only take ``**kwargs``.
    ``value=None`` changes nothing. Used by ``--update`` and ``--device``.
    """
    if value is None:
        return models
    out = []
    for model_id, params in models:
        cls = model_class(model_id)
        accepts = accepted_params(cls)
        takes = name in accepts if accepts is not None else not named_only
        if takes and (supports is None or supports(cls, value)):
            params = {**params, name: value}
        out.append((model_id, params))
    return out


def apply_update_rule(models: list[tuple[str, dict]], update: str | None) -> list[tuple[str, dict]]:
    """``--update`` reaches the models that support that update rule and leaves the others alone."""
    return apply_model_option(models, "update", update,
                              lambda cls, v: v in getattr(cls, "update_rules", ()))


def apply_device(models: list[tuple[str, dict]], device: str | None) -> list[tuple[str, dict]]:
    """``--device`` reaches the (torch) models whose constructor has a ``device`` parameter.

    The device becomes part of the trial's parameters, hence of its identity: GPU arithmetic is
    not bit-identical to CPU arithmetic, so CPU and GPU runs are recorded as separate curves.
    """
    return apply_model_option(models, "device", device, named_only=True)


def loads_to_patterns(alphas: Iterable[float], n_units: int) -> list[int]:
    return sorted({max(1, round(a * n_units)) for a in alphas})


# ------------------------------------------------------------------------- planning
@dataclass
class GridUnit:
    trials: list[TrialSpec]
    models: dict[str, ModelSpec]  # the parent's registrations, for worker processes


@dataclass
class BisectUnit:
    base: TrialSpec  # n_patterns is replaced during the search
    p_low: int
    p_high: int
    p_cap: int
    criterion: str
    known: dict[str, dict]  # trial key -> finished record (criterion fields suffice)
    models: dict[str, ModelSpec]
    rtol: float = 0.0  # stop when bad - good <= rtol * good (dense memories: P in the thousands)


def _base_trials(config: SweepConfig):
    from amem.patterns import identity_params

    pattern_param = identity_params(config.patterns, config.pattern_param)
    patterns = trial_pattern_id(config.patterns)
    for model_id, params in config.models:
        for n in config.n_units:
            for noise in config.noise:
                for seed in config.seed_list:
                    yield TrialSpec(model=spec(model_id).id, params=dict(params), n_units=n,
                                    n_patterns=1, seed=seed, noise=noise, cue=config.cue,
                                    patterns=patterns, pattern_param=pattern_param,
                                    max_steps=config.max_steps,
                                    model_version=spec(model_id).version, probe=config.probe,
                                    probe_params=dict(config.probe_params))


def planned_trials(config: SweepConfig) -> list[TrialSpec]:
    """Every grid trial of the sweep (grid search only)."""
    return [replace(base, n_patterns=p) for base in _base_trials(config)
            for p in loads_to_patterns(config.alphas, base.n_units)]


#: Trials per grid work unit unless the model class sets ``preferred_chunk_size``: big enough that
#: per-task overhead (pickling, a Dask round trip: ~1-5 ms) is small next to 16 cheap trials,
#: small enough that a kill loses little. Expensive models (seconds per trial) should set 1-4.
DEFAULT_CHUNK_SIZE = 16
UNITS_PER_WORKER = 4  # small grids are split further so every worker gets work and loads balance


def chunk_size_for(model_id: str, n_trials: int, workers: int,
                   chunk_size: int | None = None) -> int:
    """Trials per unit for ``n_trials`` trials of one model, params and N."""
    if chunk_size is not None:
        return max(1, chunk_size)
    hint = getattr(model_class(model_id), "preferred_chunk_size", DEFAULT_CHUNK_SIZE)
    return max(1, min(hint, math.ceil(n_trials / (UNITS_PER_WORKER * max(1, workers)))))


def plan_sweep(config: SweepConfig, done: Mapping[str, dict], workers: int = 1,
               chunk_size: int | None = None) -> list:
    """Work units for what is not finished yet (``done``: finished records by key).

    Grid trials of one model, params and N are chunked into :class:`GridUnit` s (one
    ``store_many`` call each). Records must not depend on how trials are chunked -- each model's
    ``store_many`` gives every model what storing it alone would -- since chunks follow the
    number of workers and what a resumed run still has to do. Bisection gives one
    :class:`BisectUnit` per curve and seed, except searches the finished records already settle.
    """
    models = {spec(m).id: spec(m) for m, _ in config.models}
    if config.search == "bisect":
        by_curve: dict[tuple, dict[str, dict]] = {}
        for key, record in done.items():
            t = record_trial(record)
            by_curve.setdefault((t.group_key(), t.seed), {})[key] = record
        units = []
        cap_alpha = config.max_alpha if config.max_alpha is not None else 64 * max(config.alphas)
        for base in _base_trials(config):
            loads = loads_to_patterns(config.alphas, base.n_units)
            lo, hi = loads[0], loads[-1]
            cap = max(hi, round(cap_alpha * base.n_units))
            size = _max_patterns(config, base.n_units)  # a finite data set bounds the search
            cap, hi, lo = min(cap, size), min(hi, size), min(lo, size)
            known = by_curve.get((base.group_key(), base.seed), {})
            unit = BisectUnit(base, lo, hi, cap, config.criterion, known, models,
                              config.bisect_rtol)
            if not known or not search_is_settled(unit):
                units.append(unit)
        return units
    todo = [t for t in planned_trials(config) if t.key() not in done]
    groups: dict[tuple, list[TrialSpec]] = {}
    for t in todo:
        groups.setdefault((t.model, canonical(t.params), t.n_units), []).append(t)
    units = []
    for trials in groups.values():
        size = chunk_size_for(trials[0].model, len(trials), workers, chunk_size)
        for start in range(0, len(trials), size):
            units.append(GridUnit(trials[start:start + size], models))
    return units


def _max_patterns(config: SweepConfig, n_units: int) -> float:
    """A finite data set's size (bisection never asks for more items than there are)."""
    from amem.patterns import max_patterns

    size = max_patterns(config.patterns, n_units, config.pattern_param)
    return math.inf if size is None else size


def sweep_size(config: SweepConfig) -> int:
    """Trials (grid) or searches (bisection) in the whole sweep, finished or not."""
    if config.search == "bisect":
        return sum(1 for _ in _base_trials(config))
    return len(planned_trials(config))


def unit_size(unit) -> int:
    return len(unit.trials) if isinstance(unit, GridUnit) else 1


# ------------------------------------------------------------------------- running
def run_unit(unit) -> list[dict]:
    """Run one work unit (top-level, picklable: used by every executor). Returns new records."""
    if isinstance(unit, GridUnit):
        from amem.harness.probes import run_probe_trials

        return run_probe_trials(unit.trials, unit.models, search="grid")
    return bisect_capacity(unit)


class _NotKnown(Exception):
    """A search step needs a trial that has not been run (see :func:`search_is_settled`)."""


def _known_only(trials, models, search):
    raise _NotKnown


def search_is_settled(unit: BisectUnit) -> bool:
    """Whether the finished records in ``unit.known`` already answer the whole search."""
    try:
        bisect_capacity(unit, runner=_known_only)
    except _NotKnown:
        return False
    return True


def bisect_capacity(unit: BisectUnit, runner: Callable = run_trials) -> list[dict]:
    """Largest P meeting the criterion for one seed, by bracketing then bisection on P.

    Starts from [p_low, p_high]; if p_high still meets the criterion the range doubles up to
    p_cap (dense memories store far beyond 2N). Assumes the criterion is monotone in P (it is,
    up to finite-size noise); every evaluated P is recorded, so the per-seed capacity is the
    largest stored P among them, exactly as for a grid. Trials found in ``unit.known`` (a
    resumed run) are replayed from their records, not rerun; the search path is the same.
    """
    criterion = get_criterion(unit.criterion)
    new: list[dict] = []
    cache: dict[int, bool] = {}

    def holds(p: int) -> bool:
        if p not in cache:
            trial = replace(unit.base, n_patterns=p)
            record = unit.known.get(trial.key())
            if record is None:
                record = runner([trial], unit.models, search="bisect")[0]
                new.append(record)
            cache[p] = criterion.holds(record)
        return cache[p]

    if not holds(unit.p_low):
        good, bad = 0, unit.p_low
    else:
        good, p = unit.p_low, unit.p_high
        while holds(p):
            good = p
            if p >= unit.p_cap:
                return new  # capacity >= cap: censored at the top of the range
            p = min(2 * p, unit.p_cap)
        bad = p
    while bad - good > max(1, unit.rtol * good):
        mid = (good + bad) // 2
        if mid < 1:
            break
        if holds(mid):
            good = mid
        else:
            bad = mid
    return new


def run_sweep(config: SweepConfig, store, executor=None, progress: bool = True,
              on_records: Callable[[list[dict]], None] | None = None,
              chunk_size: int | None = None,
              log: Callable[[str], None] | None = None, *,
              code: dict | None = None, allow_mixed_code: bool = False,
              way_out: str | None = None,
              on_accepted: Callable[[], None] | None = None) -> list[dict]:
    """Run what is missing of ``config`` and return every record that belongs to the sweep.

    Records are appended to ``store`` as each unit finishes, so an interruption loses only the
    units in flight; rerunning resumes (finished trials are found by key and never rerun).
    ``log`` receives one-line notices (default: stderr when ``progress`` is on).

    ``code`` is the package's code identity (:func:`~amem.records.provenance.code_identity`,
    measured now when not given). A store holding records of other code raises
    :class:`~amem.records.provenance.MixedCodeError` before anything is written, unless
    ``allow_mixed_code``: then only this code's records are reused and returned. ``way_out``
    replaces the refusal's advice (for commands without ``--allow-mixed-code``); ``on_accepted``
    runs once the folder is accepted, before any trial (a refused sweep writes nothing).
    """
    from amem.harness.executors import InlineExecutor

    config.validate()
    stamp = CodeStamp.for_sweep(config, code)
    existing = store.load()
    refuse_other_code(existing, stamp, store.directory, allow_mixed_code,
                      way_out or MIXED_CODE_WAY_OUT)
    if on_accepted is not None:
        on_accepted()
    executor = executor or InlineExecutor()
    done = {r["key"]: r for r in existing if stamp.made(r)}
    units = plan_sweep(config, done, getattr(executor, "workers", 1), chunk_size)
    grid = config.search == "grid"
    remaining = sum(unit_size(u) for u in units) if grid else len(units)
    total = sweep_size(config)
    if log is None and progress:
        import sys

        log = lambda message: print(message, file=sys.stderr)  # noqa: E731
    if log is not None and total > remaining:
        what = "trials" if grid else "capacity searches"
        log(f"resuming: {total - remaining} of {total} {what} already finished in {store.path}")
    bar = _progress_bar(total, total - remaining, progress and remaining > 0,
                        "trials" if grid else "searches")
    try:
        for records in executor.map_unordered(run_unit, units):
            for record in records:
                record["code"] = stamp.code_for(record["model"])
            store.append(records)
            if on_records:
                on_records(records)
            if bar is not None:
                bar.update(len(records) if grid else 1)
    finally:
        if bar is not None:
            bar.close()
    return sweep_records(config, [r for r in store.load() if stamp.made(r)])


# ------------------------------------------------------------------------- code identity
@dataclass
class CodeStamp:
    """The code a run's records name: the package's identity, every registered model's version
    and, for the models of the sweep defined outside the package, their module file's hash."""

    package: dict
    versions: dict[str, int]
    model_sources: dict[str, str | None]

    @classmethod
    def for_sweep(cls, config: SweepConfig, code: dict | None = None) -> CodeStamp:
        versions = {m: spec(m).version for m in list_models()}
        sources = {}
        for model_id, _ in config.models:
            model_spec = spec(model_id)
            sources[model_spec.id] = module_source(model_spec.entry_point.partition(":")[0])
            versions[model_spec.id] = model_spec.version
        return cls(code_identity() if code is None else dict(code), versions, sources)

    def code_for(self, model: str) -> dict:
        """The ``code`` field of a record of ``model`` made by this run."""
        return {**self.package, "model_source": self.model_sources.get(model)}

    def made(self, record: Mapping) -> bool:
        """Whether ``record`` came from this code: same amem version and package sources, the
        model's registered version, and (for the sweep's models) the same model file."""
        model = record.get("model")
        theirs, mine = dict(record.get("code") or {}), self.code_for(model)
        if model not in self.model_sources:  # a model of another sweep: its file is not known
            theirs["model_source"] = mine["model_source"] = None
        version = self.versions.get(model)
        return same_code(theirs, mine) and (version is None or record.get("model_version") == version)

    def describe(self, record: Mapping) -> str:
        """``hebbian v2 (amem 0.1.0, commit ..., sources ...)``: a record's code, or this run's."""
        return f"{record.get('model')} v{record.get('model_version')} ({describe_code(record.get('code'))})"

    def describe_mine(self, model: str) -> str:
        return f"{model} v{self.versions.get(model)} ({describe_code(self.code_for(model))})"


#: How the single-sweep commands (``capacity``, ``search-goal``) get past a refusal.
MIXED_CODE_WAY_OUT = ("use a new --out, or pass --allow-mixed-code to add this code's records beside "
                      "them (kept apart: not reused to resume, summarised separately)")


def refuse_other_code(records: list[dict], stamp: CodeStamp, directory,
                      allow_mixed_code: bool = False, way_out: str = MIXED_CODE_WAY_OUT) -> None:
    """Raise :class:`MixedCodeError` (one line naming both codes and ``way_out``, the command's
    own way past it) when ``records`` hold a record of other code, unless mixing is allowed."""
    if allow_mixed_code:
        return
    other = next((r for r in records if not stamp.made(r)), None)
    if other is None:
        return
    n_other = sum(1 for r in records if not stamp.made(r))
    raise MixedCodeError(
        f"{directory} holds {n_other} record(s) made by other code, e.g. {stamp.describe(other)}; "
        f"this run is {stamp.describe_mine(other.get('model'))}; {way_out}")


def record_trial(record: Mapping) -> TrialSpec:
    """The :class:`TrialSpec` a record was produced by."""
    return TrialSpec(**{k: record[k] for k in TrialSpec.__dataclass_fields__ if k in record})


_DEFAULT_SEED = TrialSpec.__dataclass_fields__["seed"].default


def sweep_records(config: SweepConfig, records: list[dict]) -> list[dict]:
    """The records of ``records`` that belong to ``config`` (its groups, seeds and loads)."""
    groups = {b.group_key() for b in _base_trials(config)}
    seeds = set(config.seed_list)
    grid_loads: dict[int, set] = {}  # n_units -> the grid's P values (one computation per N)
    out = []
    for r in records:
        if r.get("seed", _DEFAULT_SEED) not in seeds:  # cheap test first
            continue
        t = record_trial(r)
        if t.group_key() not in groups:
            continue
        if config.search == "grid":
            if t.n_units not in grid_loads:
                grid_loads[t.n_units] = set(loads_to_patterns(config.alphas, t.n_units))
            if t.n_patterns not in grid_loads[t.n_units]:
                continue
        out.append(r)
    return out


def _progress_bar(total: int, initial: int, enabled: bool, unit: str):
    """tqdm bar on stderr with rate and ETA; ``initial`` counts work a resumed run skips."""
    if not enabled or total == 0:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit=unit[:-1], desc="amem", dynamic_ncols=True,
                mininterval=0.5, smoothing=0.1)
