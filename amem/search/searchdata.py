"""A finished or running goal search read back from its folder: Optuna trials, records, ledger.

What a search's renderers draw (:mod:`amem.search.render_search`). Every trial's capacity is
recomputed from the record store: its goal's load search is replayed, seed by seed, over the
stored outcomes (the ``paper`` criterion of each record, whatever code made it), exactly as the
objective walked it, which also names the records each trial used. The value Optuna stored is
kept beside it, so a study whose numbers the records do not back is seen (``study check``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from amem.errors import AmemError
from amem.search.objective import RECORDS_DIR, Candidate, CapacityObjective, ObjectiveConfig
from amem.search.paths import PathRunner

OPTUNA_FILE = "optuna.db"
STATES = {"COMPLETE": "complete", "PRUNED": "pruned", "RUNNING": "running", "FAIL": "failed",
          "WAITING": "waiting"}


class SearchMissing(AmemError):
    """The folder holds no Optuna study of that name yet."""


@dataclass
class TrialRow:
    number: int
    state: str  # complete, pruned, running, failed, waiting
    candidate: Candidate | None
    seeds: list[int] = field(default_factory=list)  # the seeds Optuna measured
    capacities: list[float] = field(default_factory=list)  # per settled seed, from the records
    stored: list[float] = field(default_factory=list)  # what Optuna holds (user attribute)
    keys: list[str] = field(default_factory=list)  # record keys the trial's load searches used
    unsettled: int = 0  # seeds whose records do not settle their load search

    @property
    def mean(self) -> float:
        return float(sum(self.capacities) / len(self.capacities)) if self.capacities else math.nan

    @property
    def finished(self) -> bool:
        return self.state in ("complete", "pruned")


@dataclass
class SearchData:
    directory: Path
    study_name: str
    settings: dict
    config: ObjectiveConfig
    trials: list[TrialRow]  # every trial, by number
    records: dict[str, dict]  # key -> record, of the records the trials used
    ledger: list[dict]  # the folder's ledger entries of this study's context
    other_code: int = 0  # used records that another code made

    @property
    def finished(self) -> list[TrialRow]:
        return [t for t in self.trials if t.finished]

    def disagreements(self, tol: float = 1e-9) -> list[str]:
        """Finished trials whose stored capacities the records do not reproduce."""
        out = []
        for t in self.finished:
            if t.unsettled:
                out.append(f"trial {t.number}: {t.unsettled} of {len(t.seeds)} seeds are not "
                           "settled by the records")
            elif len(t.stored) != len(t.capacities) or any(
                    abs(a - b) > tol for a, b in zip(t.stored, t.capacities)):
                out.append(f"trial {t.number}: Optuna holds {t.stored}, the records give "
                           f"{t.capacities}")
        return out


class SearchRecords(list):
    """The records a search used (what the studies engine hashes), carrying the search itself
    (``.search``: :class:`SearchData`) for the renderers."""

    def __init__(self, search: SearchData):
        super().__init__(search.records.values())
        self.search = search


def load_search(directory: str | Path, study_name: str, storage: str | None = None) -> SearchData:
    """Read the study ``study_name`` (storage default: SQLite ``directory/optuna.db``)."""
    import optuna

    from amem.harness.criteria import get_criterion
    from amem.records.store import RECORDS_FILE, RecordStore
    from amem.search.ledger import read_ledger
    from amem.search.optimize import SearchSpace

    directory = Path(directory)
    if storage is None:
        if not (directory / OPTUNA_FILE).exists():
            raise SearchMissing(f"no search in {directory} yet ({directory / OPTUNA_FILE})")
        storage = f"sqlite:///{(directory / OPTUNA_FILE).resolve()}"
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.load_study(study_name=study_name, storage=storage)
    except KeyError:
        raise SearchMissing(f"{storage} holds no study {study_name!r} yet") from None
    settings = study.user_attrs.get("amem_settings")
    if settings is None:
        raise SearchMissing(f"study {study_name!r} in {storage} was not made by search-goal")
    config = ObjectiveConfig(**settings["objective"])
    space = SearchSpace(**settings["space"])
    records_dir = directory / RECORDS_DIR
    records = RecordStore(records_dir).load() if (records_dir / RECORDS_FILE).exists() else []
    holds = get_criterion(config.criterion).holds
    by_key = {r["key"]: r for r in records}
    outcomes = {k: holds(r) for k, r in by_key.items()}
    objective = CapacityObjective(config, directory, allow_mixed_code=True)
    rows, used = [], {}
    for t in sorted(study.get_trials(deepcopy=False), key=lambda t: t.number):
        row = TrialRow(t.number, STATES.get(t.state.name, t.state.name.lower()), None)
        rows.append(row)
        stored = t.user_attrs.get("capacities")
        if stored is None or not t.params:  # asked, nothing measured yet
            continue
        row.candidate = space.candidate(t.params)
        row.stored = [float(c) for c in stored]
        row.seeds = config.seeds(len(stored))
        for seed in row.seeds:
            base = objective.base_trial(row.candidate, seed)
            runner = PathRunner(config.path())

            def known(p, base=base, row=row):
                key = replace(base, n_patterns=p).key()
                outcome = outcomes.get(key)
                if outcome is not None:
                    row.keys.append(key)
                return outcome

            runner.advance(known)
            if runner.done:
                row.capacities.append(runner.result / config.n_units)
            else:
                row.unsettled += 1
        for k in row.keys:
            used.setdefault(k, by_key[k])
    other = sum(not objective.stamp.made(r) for r in used.values())
    ledger = [e for e in read_ledger(directory) if e.get("context") == study_name]
    return SearchData(directory, study_name, settings, config, rows, used, ledger, other)
