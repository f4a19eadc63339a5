"""``study run``: run what is missing of a study's sweeps through the harness.

Each sweep runs with :func:`amem.harness.sweep.run_sweep` into its folder (resumable, any
executor, one tqdm bar with rate and ETA per sweep). A sweep whose trials are all in its folder is
not touched. Before a sweep runs anything, its configuration, the study and the provenance are
appended to the folder's ``sweeps.jsonl``: the folder keeps every configuration that ran into it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from amem.errors import AmemError
from amem.studies.data import import_study_modules
from amem.studies.spec import Study

CONFIG_LOG = "sweeps.jsonl"
#: What a study command can do about a folder of another code's records (it has no
#: --allow-mixed-code: a study's figures and tables come from one code per sweep).
STUDY_WAY_OUT = ("the stored records still render (`study render`, `reproduce --no-run`); to "
                 "measure them again with this code, run into a new folder with --out DIR")


@dataclass
class SweepRun:
    name: str
    directory: Path
    total: int  # trials (grid) or searches (bisection) in the sweep
    missing: int  # of those, not finished before this run
    records: int  # records of the sweep after the run


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def sweep_status(study: Study, out: Path | None = None, quick: bool = False,
                 only: list[str] | None = None) -> list[SweepRun]:
    """What is finished and what is missing, sweep by sweep (runs nothing)."""
    from amem.harness.sweep import CodeStamp, plan_sweep, sweep_records, sweep_size, unit_size
    from amem.records.store import RecordStore

    import_study_modules(study)
    out_list = []
    if _search_selected(study, only):
        from amem.studies.searches import search_status

        out_list.append(search_status(study, out, quick))
    for sweep in _selected(study, only):
        config = sweep.config(quick, study.quick)
        directory = study.sweep_dir(sweep, out)
        # only this code's records count as done: run_sweep refuses to resume from others', so
        # counting them would report "nothing to run" after a code change
        stamp = CodeStamp.for_sweep(config)
        done = {r["key"]: r for r in RecordStore(directory).load() if stamp.made(r)}
        units = plan_sweep(config, done)
        missing = (sum(unit_size(u) for u in units) if config.search == "grid" else len(units))
        out_list.append(SweepRun(sweep.name, directory, sweep_size(config), missing,
                                 len(sweep_records(config, list(done.values())))))
    return out_list


def run_study(study: Study, only: list[str] | None = None, executor=None, quick: bool = False,
              out: Path | None = None, progress: bool = True,
              log: Callable[[str], None] = _stderr, argv: list[str] | None = None,
              refused: list[str] | None = None) -> list[SweepRun]:
    """Run what is missing of every sweep (or of ``only``); return what each sweep did.

    With a ``refused`` list, a sweep whose folder holds another code's records is logged, named
    in ``refused`` and passed over, and the other sweeps still run (a reproduction goes as far
    as it can); without it the refusal is raised."""
    from amem.harness.executors import InlineExecutor
    from amem.harness.sweep import run_sweep
    from amem.records.provenance import MixedCodeError, provenance
    from amem.records.store import RecordStore

    import_study_modules(study)
    executor = executor or InlineExecutor()
    selected = _selected(study, only)
    report = []
    for i, sweep in enumerate(selected, start=1):
        config = sweep.config(quick, study.quick)
        status = sweep_status(study, out, quick, [sweep.name])[0]
        head = f"[{i}/{len(selected)}] {study.id}/{sweep.name}"
        if status.missing == 0:
            log(f"{head}: finished ({status.records} records in {status.directory}), nothing to run")
            report.append(status)
            continue
        what = "trials" if config.search == "grid" else "capacity searches"
        log(f"{head}: {status.missing} of {status.total} {what} to run -> {status.directory}")
        entry = {"study": study.id, "sweep": sweep.name, "quick": quick,
                 "config": config.to_json(), "provenance": provenance(argv)}
        try:  # the configuration is logged only once the folder is accepted
            records = run_sweep(config, RecordStore(status.directory), executor,
                                progress=progress, log=log, way_out=STUDY_WAY_OUT,
                                on_accepted=partial(_log_config, status.directory, entry))
        except MixedCodeError as err:
            if refused is None:
                raise
            log(f"{head}: not run: {err}")
            refused.append(f"{sweep.name}: {err}")
            report.append(status)
            continue
        status.records = len(records)
        report.append(status)
    if _search_selected(study, only):  # a goal search: search-goal itself runs it
        from amem.studies.searches import run_search

        report.append(run_search(study, executor, quick, out, log, argv))
    return report


def _log_config(directory: Path, entry: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / CONFIG_LOG, "a") as fh:
        fh.write(json.dumps(entry, sort_keys=True, default=str) + "\n")


def _selected(study: Study, only: list[str] | None):
    if not only:
        return list(study.sweeps)
    for name in only:
        if name not in study.inputs:
            study.sweep(name)  # one-line error for an unknown name
    return [s for s in study.sweeps if s.name in only]


def _search_selected(study: Study, only: list[str] | None) -> bool:
    return study.search is not None and (not only or study.search.name in only)


def check_runnable(study: Study) -> None:
    if not study.sweeps and study.search is None:
        raise AmemError(f"study {study.id} has no sweeps to run")
