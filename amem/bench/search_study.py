"""A study's ``[search]`` run through ``search-goal`` itself (the driver of
:mod:`amem.studies.searches`).

The table's fields become ``search-goal`` options (:func:`command_line`), parsed by that
command's own parser and run by its own :func:`amem.bench.search_command.run` with
``--dir OUT/DIR``: the Optuna study name, storage, settings and trial identities are those of
the command line, so ``study run ID`` and ``search-goal --dir ...`` share and resume one search.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

from amem.errors import AmemError

#: study-file field -> search-goal option
FLAGS = {"sampler": "--sampler", "trials": "--trials", "seed": "--seed", "batch": "--batch",
         "fidelity": "--fidelity", "pruner": "--pruner", "with_hyper": "--with-hyper",
         "hyper_binning": "--hyper-binning", "n": "--n", "protocol": "--protocol",
         "alphas": "--alphas", "max_alpha": "--max-alpha", "bisect_rtol": "--bisect-rtol",
         "seed_start": "--seed-start", "params": "--param", "study_name": "--study-name",
         "cmaes_start": "--cmaes-start", "cmaes_sigma": "--cmaes-sigma"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise AmemError(message)


def _text(value) -> str:
    """A TOML value as search-goal reads it back (``parse_value``: JSON, else a string)."""
    return value if isinstance(value, str) else json.dumps(value)


def command_line(options: dict, directory: str | Path) -> list[str]:
    """``search-goal`` arguments of a search (fields left out take the command's defaults)."""
    argv = ["--dir", str(directory)]
    for key, flag in FLAGS.items():
        if key not in options:
            continue
        value = options[key]
        if key == "with_hyper":
            argv += [flag] if value else []
        elif key == "params":
            for k, v in sorted(value.items()):
                argv += [flag, f"{k}={_text(v)}"]
        elif key == "alphas" and isinstance(value, list):
            argv += [flag, ":".join(repr(float(a)) for a in value)]
        elif key in ("fidelity", "hyper_binning", "cmaes_start") and isinstance(value, list):
            argv += [flag, ",".join(str(v) for v in value)]
        else:
            argv += [flag, str(value)]
    return argv


def parse(options: dict, directory: str | Path) -> argparse.Namespace:
    from amem.bench.search_command import add_arguments

    parser = _Parser(prog="search-goal", add_help=False)
    add_arguments(parser)
    return parser.parse_args(command_line(options, directory))


def _fields_for_flags(message: str) -> str:
    """Name the study file's fields in search-goal's messages (``--max-alpha`` -> ``max_alpha``)."""
    for key, flag in FLAGS.items():
        message = re.sub(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", key, message)
    return message


def validate(options: dict, where: str) -> None:
    """One-line errors (file, field, fix) for what search-goal would refuse."""
    from amem.bench import search_command as sc

    try:
        args = parse(options, ".")
        sc._check(args)
        sc._objective_config(args)
        sc._fidelities(args.fidelity)
        sc.search_space(args)
    except AmemError as err:
        raise AmemError(f"{where}: {_fields_for_flags(str(err))}") from None


def _directory(study, out: Path | None, quick: bool) -> Path:
    from amem.studies.searches import search_dir

    return search_dir(study, out)


def _args(study, out, quick) -> tuple[argparse.Namespace, Path]:
    directory = _directory(study, out, quick)
    return parse(study.search.options(quick), directory), directory


def equivalent_command(study, out: Path | None = None, quick: bool = False) -> str:
    """The ``search-goal`` command line that runs the same search: a folder in the repository
    relative to its root (where README commands run), others relative to here or absolute."""
    import os
    import shlex

    from amem.studies.spec import REPO_ROOT

    directory = _directory(study, out, quick)
    shown = str(directory)
    for base in (REPO_ROOT, Path.cwd()):
        try:
            rel = os.path.relpath(directory, base)
        except ValueError:
            continue
        if not rel.startswith(".."):
            shown = rel
            break
    argv = command_line(study.search.options(quick), shown)
    return "python -m amem.bench search-goal " + " ".join(shlex.quote(a) for a in argv)


# ------------------------------------------------------------------ run
def run(study, executor, quick: bool, out: Path | None, log, argv=None):
    from amem.bench.search_command import run as search_goal
    from amem.records.provenance import provenance
    from amem.studies.runner import CONFIG_LOG

    args, directory = _args(study, out, quick)
    before = status(study, out, quick)
    head = f"{study.id}/{study.search.name}"
    if before.missing == 0:
        log(f"{head}: finished ({before.total} trials in {directory}), nothing to run")
        return before
    log(f"{head}: {before.missing} of {before.total} trials to run -> {directory} "
        f"(as `{equivalent_command(study, out, quick)}`)")
    directory.mkdir(parents=True, exist_ok=True)
    entry = {"study": study.id, "sweep": study.search.name, "quick": quick,
             "config": {"search_goal": command_line(study.search.options(quick), directory),
                        "options": study.search.options(quick)},
             "provenance": provenance(argv)}
    with open(directory / CONFIG_LOG, "a") as fh:
        fh.write(json.dumps(entry, sort_keys=True, default=str) + "\n")
    code = search_goal(args, executor=executor)
    if code == 130:
        raise KeyboardInterrupt
    if code:
        raise AmemError(f"{head}: search-goal stopped with status {code}")
    return status(study, out, quick)


# ------------------------------------------------------------------ status, records, check
@dataclass
class SearchState:
    finished: int
    complete: int
    best: tuple[float, int] | None  # (value, trial number)
    settings_differ: list[str]


def _state(args) -> SearchState | None:
    """The Optuna study's state (None when the storage has no such study yet)."""
    import optuna
    from optuna.trial import TrialState

    from amem.bench.search_command import (
        _fidelities,
        _objective_config,
        search_settings,
        storage_url,
        study_name,
    )
    from amem.search.optimize import best_trial

    url = storage_url(args)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return None  # do not let SQLAlchemy create an empty database
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.load_study(study_name=study_name(args), storage=url)
    except KeyError:
        return None
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))
    complete = sum(t.state == TrialState.COMPLETE for t in trials)
    best = best_trial(study)
    want = search_settings(args, _objective_config(args), _fidelities(args.fidelity))
    stored = study.user_attrs.get("amem_settings") or {}
    differ = sorted(k for k in set(stored) | set(want) if stored.get(k) != want.get(k))
    return SearchState(len(trials), complete, None if best is None else (best.value, best.number),
                       differ)


def status(study, out: Path | None = None, quick: bool = False):
    """A :class:`amem.studies.runner.SweepRun`: trials the study file asks for and still missing."""
    from amem.studies.runner import SweepRun

    args, directory = _args(study, out, quick)
    state = _state(args)
    finished = state.finished if state else 0
    records = 0
    if state is not None:
        from amem.records.store import RECORDS_FILE, RecordStore

        store = directory / "records"
        records = len(RecordStore(store).load()) if (store / RECORDS_FILE).exists() else 0
    run = SweepRun(study.search.name, directory, args.trials, max(0, args.trials - finished),
                   records)
    run.state = state
    return run


def status_lines(study, out: Path | None = None, quick: bool = False) -> list[str]:
    run = status(study, out, quick)
    state = run.state
    lines = [f"{study.search.name}: `{equivalent_command(study, out, quick)}`"]
    if state is None:
        lines.append(f"  not started ({run.directory} holds no such Optuna study)")
        return lines
    lines.append(f"  {state.finished} of {run.total} trials finished ({state.complete} complete, "
                 f"{state.finished - state.complete} pruned); {run.records} records")
    if state.best:
        lines.append(f"  best complete trial: {state.best[1]}, alpha_c {state.best[0]:.3f}")
    if state.settings_differ:
        lines.append(f"  the stored study was made with other settings ({', '.join(state.settings_differ)}"
                     " differ): the study file and the folder disagree")
    return lines


def load(study, out: Path | None = None, quick: bool = False):
    from amem.bench.search_command import storage_url, study_name
    from amem.search.searchdata import SearchMissing, SearchRecords, load_search
    from amem.studies.data import RecordsMissing, SweepRecords

    args, directory = _args(study, out, quick)
    try:
        data = load_search(directory, study_name(args),
                           None if args.storage is None else storage_url(args))
    except SearchMissing as err:
        raise RecordsMissing(f"search {study.search.name!r}: {err}") from None
    if not data.records:
        raise RecordsMissing(f"search {study.search.name!r} in {directory} has no records yet")
    return SweepRecords(study.search.name, directory, SearchRecords(data))


def check(study) -> tuple[list[str], list[str]]:
    """Problems: the stored study was made with other settings than the file's, or Optuna holds
    capacities its records do not give. Notes: unfinished trials, records of other code."""
    from amem.studies.data import RecordsMissing

    problems, notes = [], []
    run = status(study)
    state = run.state
    if state is None:
        return problems, notes
    if state.settings_differ:
        problems.append(f"{study.search.name}: the Optuna study in {run.directory} was made with "
                        f"other settings ({', '.join(state.settings_differ)} differ) than "
                        f"{study.source.name}")
    if run.missing:
        notes.append(f"{study.search.name}: {state.finished} of {run.total} trials finished; "
                     f"`python -m amem.bench study run {study.id}` continues it")
    try:
        data = load(study).records.search
    except RecordsMissing:
        return problems, notes
    problems += [f"{study.search.name}: {m}" for m in data.disagreements()]
    if data.other_code:
        notes.append(f"{study.search.name}: {data.other_code} of {len(data.records)} records were "
                     "made by other code than this checkout's (a rerun would not reuse them)")
    return problems, notes
