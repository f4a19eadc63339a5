"""How far each sweep of a study has got, read from its folder (runs nothing).

A sweep's seed is *complete* when every load of its curve has a record; a partial seed is left out
of conformance values (the ``paper`` capacity of a seed is its largest stored load, so a seed
missing its high loads would read low). Records made by other code count as present (they are what was
measured), so what is rendered depends on the records alone; ``current`` and ``other_code`` say
what the runner, which reuses only this code's records, would rerun (``reproduce`` prints it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from amem.studies.spec import Study


@dataclass
class SweepProgress:
    name: str
    directory: Path
    planned: int  # trials of the sweep (grid)
    present: int  # of those, with a readable record (any code)
    current: int  # of those, made by this code (what the runner counts as done)
    seeds_planned: int  # (curve, seed) pairs
    seeds_complete: int
    records: list[dict] = field(default_factory=list)  # the sweep's records (any code)
    complete_records: list[dict] = field(default_factory=list)  # those of complete seeds
    to_run: list = field(default_factory=list)  # TrialSpecs without a record (any code)
    other_code: str = ""  # the code that made records this code does not reuse, if any

    @property
    def status(self) -> str:
        if self.present == 0:
            return "not run"
        if self.seeds_complete == self.seeds_planned:
            return "complete"
        return "partial"


def _unit(trial) -> tuple:
    return (trial.group_key(), trial.seed)


def sweep_progress(study: Study, name: str, out: Path | None = None,
                   quick: bool = False) -> SweepProgress:
    from amem.harness.sweep import CodeStamp, planned_trials, record_trial
    from amem.records.provenance import describe_code

    sweep = study.sweep(name)
    config = sweep.config(quick, study.quick)
    directory = study.sweep_dir(sweep, out)
    if config.search == "bisect":
        return _bisect_progress(name, config, directory)
    by_key = {t.key(): t for t in planned_trials(config)}
    records = _load_records(directory, lambda r: r.get("key") in by_key)
    stamp = CodeStamp.for_sweep(config)
    mine = {r["key"] for r in records if stamp.made(r)}
    other = next((r for r in records if r["key"] not in mine), None)
    present = {r["key"] for r in records}
    units: dict[tuple, list[str]] = {}
    for key, trial in by_key.items():
        units.setdefault(_unit(trial), []).append(key)
    complete = {u for u, keys in units.items() if all(k in present for k in keys)}
    return SweepProgress(
        name=name, directory=directory, planned=len(by_key), present=len(present),
        current=len(mine), seeds_planned=len(units), seeds_complete=len(complete),
        records=records,
        complete_records=[r for r in records if _unit(record_trial(r)) in complete],
        to_run=[t for k, t in by_key.items() if k not in present],
        other_code=describe_code(other.get("code")) if other else "")


def _bisect_progress(name: str, config, directory: Path) -> SweepProgress:
    """Bisection sweeps: a seed (one search) is complete when its records settle the search (the
    harness's own planner has nothing left to run for it); records of unsettled searches are left
    out of conformance values like a grid's partial seeds. ``to_run`` holds, per open search, one
    trial per bisection step still possible (at the top of the range: an upper bound of the cost).
    """
    import math
    from dataclasses import replace

    from amem.harness.sweep import CodeStamp, _base_trials, plan_sweep, record_trial
    from amem.records.provenance import describe_code

    searches = {_unit(b) for b in _base_trials(config)}
    unit_of: dict[str, tuple] = {}  # record key -> its search (a TrialSpec per record, once)

    def mine(r: dict) -> bool:
        unit_of[r["key"]] = _unit(record_trial(r))
        return unit_of[r["key"]] in searches

    records = _load_records(directory, mine)
    stamp = CodeStamp.for_sweep(config)
    other = next((r for r in records if not stamp.made(r)), None)
    open_units = plan_sweep(config, {r["key"]: r for r in records})
    complete = searches - {_unit(u.base) for u in open_units}
    to_run = []
    for u in open_units:
        steps = math.ceil(math.log2(max(2, u.p_high - u.p_low + 1))) + 1
        to_run += [replace(u.base, n_patterns=u.p_high)] * steps
    return SweepProgress(
        name=name, directory=directory, planned=len(searches),
        present=len({unit_of[r["key"]] for r in records}),
        current=len({unit_of[r["key"]] for r in records if stamp.made(r)}),
        seeds_planned=len(searches), seeds_complete=len(complete), records=records,
        complete_records=[r for r in records if unit_of[r["key"]] in complete],
        to_run=to_run, other_code=describe_code(other.get("code")) if other else "")


def _load_records(directory: Path, keep) -> list[dict]:
    """The records of ``directory`` that ``keep`` accepts; none if the folder holds no records or
    another record format (as if absent: the runner will say more)."""
    from amem.records.store import RECORDS_FILE, RecordStore

    if not (directory / RECORDS_FILE).exists():
        return []
    try:
        return [r for r in RecordStore(directory).load() if keep(r)]
    except Exception:
        return []


def study_progress(study: Study, out: Path | None = None, quick: bool = False,
                   names=None) -> dict[str, SweepProgress]:
    from amem.studies.data import import_study_modules

    import_study_modules(study)
    return {s.name: sweep_progress(study, s.name, out, quick) for s in study.sweeps
            if names is None or s.name in names}
