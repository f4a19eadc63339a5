"""The goal search on Optuna: samplers, multi-fidelity pruning, RDB storage, resume after a kill.

The paper's search (Blümel et al. 2025, Fig. 4) is an Optuna study with the CMA-ES sampler over
the box [-1, 1]^5 of goal weights, stored in SQLite. Here the study lives in Optuna's RDB
storage (``<search-dir>/optuna.db`` or any SQLAlchemy URL) next to amem's records, trials are
asked in batches and measured together by :class:`amem.search.objective.CapacityObjective`, and
each is measured in fidelity steps (e.g. 2, then 6 seeds): after each step its mean capacity is
reported to the pruner, which stops unpromising goals early. Seeds measured at an early step are
reused at the next (they are cached trials), so a goal that survives costs no more than measuring
it at full fidelity at once.

Resume: a killed search leaves its in-flight trials RUNNING in the storage. The next run on the
same study marks those of dead processes (same host, pid gone) FAIL and enqueues their goals
again; their finished (goal, seed, P) trials are in the record store, so re-measuring them
trains only what the kill interrupted.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

from amem.errors import AmemError
from amem.search.goals import ATOMS
from amem.search.objective import Candidate, CapacityObjective

SAMPLERS = ("cmaes", "tpe", "random")
PRUNERS = ("halving", "median", "none")
#: Hyper-parameters the paper's ablation varies (external weight scale, learning rate, binning).
HYPER_SPACE = {
    "external_weight": ("float", 1.0, 4.0, False),
    "lr": ("float", 0.005, 0.2, True),
    "binning": ("categorical", ("fixed", "adaptive", "soft")),
}
BINNINGS = HYPER_SPACE["binning"][1]


def parse_binnings(values, flag: str = "--hyper-binning") -> tuple[str, ...]:
    """Binning choices a hyper-parameter search may pick, in :data:`BINNINGS` order (so
    ``adaptive,fixed`` and ``fixed,adaptive`` are one search space); soft binning trains about
    60 times slower than the others, so a search may leave it out."""
    items = [v.strip() for v in values.split(",")] if isinstance(values, str) else list(values)
    items = [v for v in items if v]
    unknown = [v for v in items if v not in BINNINGS]
    if unknown or not items:
        raise AmemError(f"{flag} {','.join(map(str, items)) or '(empty)'}: choose one or more of "
                        f"{', '.join(BINNINGS)}, comma-separated (e.g. fixed,adaptive)")
    return tuple(b for b in BINNINGS if b in items)


@dataclass(frozen=True)
class SearchSpace:
    """A box over the 5 goal weights (``low``..``high`` each), optionally with hyper-parameters
    (``binning``: the binning choices they may take; ``None``: all of :data:`BINNINGS`)."""

    low: float = -1.0
    high: float = 1.0
    with_hyper: bool = False
    binning: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.binning is not None:
            if not self.with_hyper:
                raise AmemError("--hyper-binning restricts the hyper-parameter search; add "
                                "--with-hyper (or pass a fixed binning with --param binning=...)")
            object.__setattr__(self, "binning", parse_binnings(self.binning))
            if self.binning == BINNINGS:  # the whole set is the default space, named one way
                object.__setattr__(self, "binning", None)

    def distributions(self) -> dict:
        import optuna.distributions as d

        out = {f"g_{a}": d.FloatDistribution(self.low, self.high) for a in ATOMS}
        if self.with_hyper:
            for name, spec in HYPER_SPACE.items():
                if spec[0] == "float":
                    out[name] = d.FloatDistribution(spec[1], spec[2], log=spec[3])
                elif name == "binning" and self.binning is not None:
                    out[name] = d.CategoricalDistribution(self.binning)
                else:
                    out[name] = d.CategoricalDistribution(spec[1])
        return out

    def candidate(self, params: dict) -> Candidate:
        goal = [params[f"g_{a}"] for a in ATOMS]
        if not any(round(g, 6) for g in goal):  # measure zero, but the box contains it
            goal[2] = 1e-6
        hyper = {k: params[k] for k in HYPER_SPACE if k in params}
        return Candidate.make(goal, hyper)

    def to_json(self) -> dict:
        out = {"low": self.low, "high": self.high, "with_hyper": self.with_hyper}
        if self.binning is not None:  # only when restricted: unrestricted studies keep their settings
            out["binning"] = list(self.binning)
        return out


def make_sampler(name: str, seed: int, start: list[float] | None = None,
                 sigma: float | None = None):
    """An Optuna sampler; CMA-ES may start at the goal ``start`` with step size ``sigma``
    (Hansen's CMA-ES: the mean and the global step size of its search distribution)."""
    import optuna

    if name == "cmaes":
        import warnings

        x0 = None if start is None else {f"g_{a}": float(g) for a, g in zip(ATOMS, start)}
        with warnings.catch_warnings():  # x0/sigma0: deprecated in Optuna 4.9, kept until 6
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            # pruned goals count with their last (fewer-seed) capacity: with a median pruner
            # about half the goals are pruned, and CMA-ES would otherwise wait for popsize
            # complete ones before each update
            return optuna.samplers.CmaEsSampler(x0=x0, sigma0=sigma, seed=seed,
                                                consider_pruned_trials=True,
                                                warn_independent_sampling=False)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=10, multivariate=True,
                                          constant_liar=True)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise AmemError(f"--sampler {name!r}: choose one of {', '.join(SAMPLERS)}")


def make_pruner(name: str, fidelities: list[int]):
    import optuna

    if name == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=fidelities[0],
                                                      reduction_factor=3)
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=0)
    if name == "none":
        return optuna.pruners.NopPruner()
    raise AmemError(f"--pruner {name!r}: choose one of {', '.join(PRUNERS)}")


def open_study(storage_url: str, name: str, sampler, pruner, settings: dict):
    """Create or load the study; refuse one that was made with other settings."""
    import optuna

    try:
        storage = optuna.storages.RDBStorage(storage_url)
    except Exception as err:  # bad URL, missing driver, unreachable database
        raise AmemError(f"--storage {storage_url!r}: {str(err).splitlines()[0]}") from None
    study = optuna.create_study(study_name=name, storage=storage, sampler=sampler, pruner=pruner,
                                direction="maximize", load_if_exists=True)
    stored = study.user_attrs.get("amem_settings")
    if stored is None:
        study.set_user_attr("amem_settings", settings)
    elif stored != settings:
        diff = sorted(k for k in set(stored) | set(settings) if stored.get(k) != settings.get(k))
        raise AmemError(f"study {name!r} in {storage_url} was made with other settings "
                        f"({', '.join(diff)} differ); pass the same options or a new --study-name")
    return study


def owner_tag() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_stale_trials(study, log: Callable[[str], None]) -> int:
    """Fail the RUNNING trials a dead process on this host left, and enqueue their goals again."""
    from optuna.trial import TrialState

    host = socket.gethostname()
    count = 0
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        owner = t.user_attrs.get("amem_owner", "")
        owner_host, _, pid = owner.rpartition(":")
        if owner_host != host or not pid.isdigit() or _alive(int(pid)):
            continue
        study.tell(t.number, state=TrialState.FAIL)
        attrs = {"amem_retry_of": t.number}
        if t.user_attrs.get("amem_cmaes_start"):  # a killed start stays the start
            attrs["amem_cmaes_start"] = True
        study.enqueue_trial(t.params, user_attrs=attrs)
        count += 1
    if count:
        log(f"resuming: {count} trial(s) interrupted by a kill are measured again "
            "(their finished trials come from the record store)")
    return count


def finished_count(study) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)))


def cmaes_first_goal(start: list[float] | None) -> dict:
    """The goal CMA-ES's distribution is centred on: ``start``, or the box's centre."""
    goal = [0.0] * len(ATOMS) if start is None else start
    return {f"g_{a}": float(g) for a, g in zip(ATOMS, goal)}


def _first_alone(study, first: dict | None) -> bool:
    """Whether the next round measures ``first`` alone (enqueued here).

    Optuna's CMA-ES learns the search space from complete trials: until one exists it draws
    every parameter at random, so a first batch of 8 asked together were 8 uniform goals, not
    its start's generation (the CMA-ES searches before 2026-12-05 began that way). Measuring the
    start alone first gives CMA-ES the space; every later goal is its own. Once the start has
    been measured (even if pruned) this gives way to the ordinary batches.
    """
    from optuna.trial import TrialState

    if first is None or study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return False
    if any(t.user_attrs.get("amem_cmaes_start") for t in study.get_trials(
            deepcopy=False, states=(TrialState.PRUNED,))):
        return False
    if not study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
        study.enqueue_trial(first, user_attrs={"amem_cmaes_start": True})
    return True


def run_study(study, objective: CapacityObjective, space: SearchSpace, n_trials: int,
              batch: int, fidelities: list[int], log: Callable[[str], None],
              first: dict | None = None) -> None:
    """Ask, measure in fidelity steps, report, prune, tell, until ``n_trials`` are finished.

    ``first`` (CMA-ES: :func:`cmaes_first_goal`) is measured alone before any batch."""
    from optuna.trial import TrialState

    recover_stale_trials(study, log)
    distributions = space.distributions()
    while True:
        remaining = n_trials - finished_count(study)
        if remaining <= 0:
            return
        size = 1 if _first_alone(study, first) else min(batch, remaining)
        asked = [study.ask(distributions) for _ in range(size)]
        for t in asked:
            t.set_user_attr("amem_owner", owner_tag())
        candidates = [space.candidate(t.params) for t in asked]
        active = list(range(len(asked)))
        results: dict[int, object] = {}
        for step_no, seeds in enumerate(fidelities):
            last = step_no == len(fidelities) - 1
            measured = objective.evaluate([candidates[i] for i in active], seeds)
            # report the whole batch, then ask the pruner best first. The median pruner compares
            # with finished trials only, so the order does not matter to it; Optuna's successive
            # halving is asynchronous (a goal is ranked among those that reached the rung
            # before it), so best-first keeps the batch's best and ranks the rest against it
            for i, result in zip(active, measured):
                results[i] = result
                asked[i].report(result.mean, seeds)
                asked[i].set_user_attr("capacities", result.capacities)
                asked[i].set_user_attr("goal", list(candidates[i].goal))
            survivors = []
            for i in sorted(active, key=lambda i: -results[i].mean):
                if not last and asked[i].should_prune():
                    study.tell(asked[i], state=TrialState.PRUNED)
                    log(_trial_line(study, asked[i].number, "pruned", results[i], objective))
                else:
                    survivors.append(i)
            active = sorted(survivors)
            if not active:
                break
        for i in active:
            study.tell(asked[i], results[i].mean)
            log(_trial_line(study, asked[i].number, "done", results[i], objective))


def _trial_line(study, number: int, state: str, result, objective) -> str:
    line = (f"trial {number:>4} {state:<6} alpha_c {result.mean:.3f} ({len(result.seeds)} seeds) "
            f"{result.candidate.label()}")
    best = best_trial(study)
    if best is not None:
        line += f" | best {best.value:.3f} (trial {best.number})"
    if objective.ledger is not None:
        totals = objective.ledger.totals()
        line += (f" | {totals['network_epochs']:,} net-epochs, {totals['wall_s']:.0f} s")
    return line


def best_trial(study):
    try:
        return study.best_trial
    except ValueError:  # no completed trial yet
        return None
