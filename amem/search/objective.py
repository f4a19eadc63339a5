"""The capacity of a goal as one objective: mean over seeds of the ``paper`` capacity at N.

Every (goal, seed) runs a load search (:mod:`amem.search.paths`: bisection on P, or the paper's
optimisation grid with stop at the first failure). All searches of one :meth:`evaluate` call --
the seeds of a goal and the goals of a batch -- advance in lockstep: each round gathers the one
P every unfinished search needs next and trains those trials together (batched ``store_many``
calls, spread over the executor's workers). Every trial is stored in one record store
(``<search-dir>/records``) under its identity (model, parameters including the canonical goal,
N, P, seed, ...), and looked up there before anything is trained: no (goal, seed, P) is trained
twice, whether a search, a grid, a slice or a rerun after a kill asked for it.

Capacity of a seed (the contract's ``paper`` protocol): clean cues, synchronous recall, a load
counts as stored when the mean overlap is >= 0.95; the seed's capacity is the P its search
returns divided by N (0 when even the lowest load fails).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from amem.errors import AmemError
from amem.harness.criteria import OPTIMIZE_ALPHAS, get_criterion
from amem.harness.trials import TrialSpec
from amem.records.store import RecordStore
from amem.search.goals import canonical_goal
from amem.search.paths import PathRunner, bisect_path, grid_path
from amem.search.runner import run_search_unit, split_units

PROTOCOLS = ("bisect", "grid")
RECORDS_DIR = "records"
HYPER_DECIMALS = 6


@dataclass(frozen=True)
class ObjectiveConfig:
    """How the capacity of a goal is measured (everything that is not the goal itself)."""

    n_units: int = 100
    protocol: str = "bisect"  # bisect: bisection on P; grid: the paper's optimisation grid
    alpha_low: float = 0.2  # the paper's optimisation grid spans 0.2 ... 2.0
    alpha_high: float = 2.0
    max_alpha: float = 4.0  # bisection may double past alpha_high up to here
    rtol: float = 0.0  # bisection: stop when the bracket is within rtol * P (0: one pattern)
    alpha_step: float = 0.05  # grid protocol: load step
    model: str = "infomorphic"
    params: dict = field(default_factory=dict)  # fixed model parameters (epochs, binning, ...)
    seed_start: int = 0
    criterion: str = "paper"

    def validate(self) -> None:
        from amem.registry import make

        if not isinstance(self.n_units, int) or self.n_units < 2:
            raise AmemError(f"--n {self.n_units!r} must be an integer >= 2")
        if self.protocol not in PROTOCOLS:
            raise AmemError(f"--protocol {self.protocol!r}: choose one of {', '.join(PROTOCOLS)}")
        if not 0 < self.alpha_low < self.alpha_high:
            raise AmemError(f"--alphas {self.alpha_low}:{self.alpha_high} needs 0 < LOW < HIGH")
        if round(self.alpha_low * self.n_units) < 1:
            raise AmemError(f"--alphas LOW={self.alpha_low} at N={self.n_units} is 0 patterns; "
                            "raise LOW or N")
        if self.max_alpha < self.alpha_high:
            raise AmemError(f"--max-alpha {self.max_alpha} must be >= HIGH={self.alpha_high}")
        if not 0 <= self.rtol < 1:
            raise AmemError(f"--bisect-rtol {self.rtol} must be in [0, 1)")
        if not self.alpha_step > 0:
            raise AmemError(f"alpha step {self.alpha_step} must be > 0")
        if self.seed_start < 0:
            raise AmemError(f"--seed-start {self.seed_start} must be >= 0")
        get_criterion(self.criterion)
        if "goal" in self.params:
            raise AmemError("the goal is what is searched; do not pass --param goal=...")
        make(self.model, **self.params)  # one-line errors for unknown models or parameters

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def loads(self) -> list[int]:
        """Grid protocol: the loads in P (alpha_low ... alpha_high step alpha_step)."""
        if (self.alpha_low, self.alpha_high, self.alpha_step) == (0.2, 2.0, 0.05):
            alphas = OPTIMIZE_ALPHAS
        else:
            count = int(math.floor((self.alpha_high - self.alpha_low) / self.alpha_step + 1e-9)) + 1
            alphas = [self.alpha_low + k * self.alpha_step for k in range(count)]
        return sorted({max(1, round(a * self.n_units)) for a in alphas})

    def path(self):
        n = self.n_units
        if self.protocol == "grid":
            return grid_path(self.loads())
        lo, hi = round(self.alpha_low * n), round(self.alpha_high * n)
        return bisect_path(lo, hi, max(hi, round(self.max_alpha * n)), self.rtol)

    def seeds(self, count: int) -> list[int]:
        return list(range(self.seed_start, self.seed_start + count))


@dataclass(frozen=True)
class Candidate:
    """A goal vector and, optionally, hyper-parameters of the model that go with it."""

    goal: tuple[float, ...]
    hyper: tuple[tuple[str, object], ...] = ()

    @classmethod
    def make(cls, goal: Sequence[float], hyper: dict | None = None) -> Candidate:
        clean = {}
        for k, v in sorted((hyper or {}).items()):
            if isinstance(v, float):
                v = round(v, HYPER_DECIMALS) + 0.0
            clean[k] = v
        return cls(tuple(canonical_goal(goal)), tuple(clean.items()))

    def params(self, config: ObjectiveConfig) -> dict:
        return {**config.params, **dict(self.hyper), "goal": list(self.goal)}

    def label(self) -> str:
        text = "[" + ", ".join(f"{g:+.2f}" for g in self.goal) + "]"
        if self.hyper:
            text += " " + " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                   for k, v in self.hyper)
        return text


@dataclass
class GoalResult:
    candidate: Candidate
    seeds: list[int]
    capacities: list[float]  # alpha per seed, in the order of ``seeds``
    keys: list[str]  # every trial key the searches used

    @property
    def mean(self) -> float:
        return float(np.mean(self.capacities)) if self.capacities else float("nan")

    @property
    def median(self) -> float:
        return float(np.median(self.capacities)) if self.capacities else float("nan")


class CapacityObjective:
    """Measure goals in ``directory/records``, training only what no one has trained yet."""

    def __init__(self, config: ObjectiveConfig, directory: str | Path, executor=None,
                 ledger=None, log: Callable[[str], None] | None = None, *,
                 code: dict | None = None, allow_mixed_code: bool = False) -> None:
        from amem.harness.executors import InlineExecutor
        from amem.harness.sweep import CodeStamp
        from amem.records.provenance import code_identity, module_source
        from amem.registry import list_models, spec

        config.validate()
        self.config = config
        self.directory = Path(directory)
        self.store = RecordStore(self.directory / RECORDS_DIR)
        self.executor = executor or InlineExecutor()
        self.ledger = ledger
        self.log = log
        self.criterion = get_criterion(config.criterion)
        s = spec(config.model)
        self.models = {s.id: s}
        self.model_id = s.id
        self.model_version = s.version
        # records name the code that made them (the contract); only this code's records are
        # reused, and a store of other code is refused unless mixing is allowed
        self.stamp = CodeStamp(code_identity() if code is None else dict(code),
                               {m: spec(m).version for m in list_models()},
                               {s.id: module_source(s.entry_point.partition(":")[0])})
        self.allow_mixed_code = allow_mixed_code
        self._checked_code = False
        self._outcomes: dict[str, bool] = {}
        self._seen_size = -1
        self.used: set[str] = set()
        self.trained: set[str] = set()

    # ------------------------------------------------------------------ the cache
    def refresh(self) -> None:
        """Learn the records other processes appended (only when the file changed)."""
        try:
            size = self.store.path.stat().st_size
        except FileNotFoundError:
            return
        if size != self._seen_size:
            from amem.harness.sweep import refuse_other_code

            records = self.store.load()
            if not self._checked_code:
                refuse_other_code(records, self.stamp, self.store.directory,
                                  self.allow_mixed_code)
                self._checked_code = True
            for r in records:
                if self.stamp.made(r):
                    self._outcomes.setdefault(r["key"], self.criterion.holds(r))
            self._seen_size = size

    def _remember(self, records: list[dict]) -> None:
        for r in records:
            self._outcomes.setdefault(r["key"], self.criterion.holds(r))

    def base_trial(self, candidate: Candidate, seed: int) -> TrialSpec:
        # the model version is part of the identity, as in every harness record
        return TrialSpec(model=self.model_id, params=candidate.params(self.config),
                         n_units=self.config.n_units, n_patterns=1, seed=seed,
                         model_version=self.model_version)

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, candidates: Sequence[Candidate], n_seeds: int,
                 on_round: Callable[[int, int], None] | None = None) -> list[GoalResult]:
        """Mean capacity of every candidate over seeds seed_start ... seed_start + n_seeds - 1."""
        seeds = self.config.seeds(n_seeds)
        searches = []  # (candidate index, seed, base trial, runner, keys used)
        for i, c in enumerate(candidates):
            for seed in seeds:
                searches.append((i, seed, self.base_trial(c, seed), PathRunner(self.config.path()),
                                 []))
        self.refresh()
        round_no = 0
        while True:
            needed: dict[str, TrialSpec] = {}
            for _, _, base, runner, keys in searches:
                p = runner.advance(lambda p, base=base, keys=keys: self._lookup(base, p, keys))
                if p is not None:
                    trial = replace(base, n_patterns=p)
                    needed.setdefault(trial.key(), trial)
            if not needed:
                break
            round_no += 1
            if on_round is not None:
                on_round(round_no, len(needed))
            if self.log is not None:
                active = sum(not s[3].done for s in searches)
                self.log(f"  round {round_no}: training {len(needed)} trials "
                         f"({active} of {len(searches)} (goal, seed) searches still open)")
            self._train(list(needed.values()))
        out = []
        for i, c in enumerate(candidates):
            mine = [s for s in searches if s[0] == i]
            out.append(GoalResult(c, seeds, [s[3].result / self.config.n_units for s in mine],
                                  [k for s in mine for k in s[4]]))
        return out

    def _lookup(self, base: TrialSpec, p: int, keys: list[str]) -> bool | None:
        key = replace(base, n_patterns=p).key()
        known = self._outcomes.get(key)
        if known is not None:
            keys.append(key)
            self.used.add(key)
        return known

    def _train(self, trials: list[TrialSpec]) -> None:
        workers = getattr(self.executor, "workers", 1)
        units = split_units(trials, workers, self.models, self.config.protocol)
        for result in self.executor.map_unordered(run_search_unit, units):
            for record in result.records:
                record["code"] = self.stamp.code_for(record["model"])
            self.store.append(result.records)
            self._remember(result.records)
            self.trained.update(r["key"] for r in result.records)
            if self.ledger is not None:
                self.ledger.batch(result)
        if self.ledger is not None:
            self.ledger.cache_hits = len(self.used - self.trained)
            self.ledger.checkpoint()

    def settled(self, candidate: Candidate, seed: int) -> float | None:
        """The capacity of one (goal, seed) if the records answer its whole search, else None."""
        self.refresh()
        base = self.base_trial(candidate, seed)
        runner = PathRunner(self.config.path())
        if runner.advance(lambda p: self._outcomes.get(replace(base, n_patterns=p).key())) is None:
            return runner.result / self.config.n_units
        return None
