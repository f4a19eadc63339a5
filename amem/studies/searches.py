"""The ``[search]`` table of a study file: an Optuna goal search as one of the study's inputs.

```toml
[search]                 # runs as `search-goal --dir OUT/DIR --sampler cmaes --trials 40`
sampler = "cmaes"
trials = 40
[search.quick]           # `study run ID --quick`: a tiny search that checks the pipeline
trials = 2
n = 12
params = { epochs = 20 }
```

Fields mirror ``search-goal``'s options (``dir`` is ``--dir`` below the study's ``out``, default
``"."``); a field left out takes ``search-goal``'s default, so the study and the command line
name one Optuna study (same name, same storage, same settings) and share and resume it. Outputs
name the search by its ``name`` (default ``"search"``) in ``inputs``; their renderers get the
records it used, carrying the search (:class:`amem.search.searchdata.SearchRecords`).

Running, reading and checking a search is the job of :data:`DRIVER`, imported by name: it
reuses ``search-goal`` itself, and ``amem.bench`` depends on this package, not the reverse.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amem.errors import AmemError

DRIVER = "amem.bench.search_study"
SEARCH_NAME = "search"
#: field -> (kinds it may have, what to write)
FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "sampler": ((str,), 'a sampler name, e.g. "cmaes"'),
    "trials": ((int,), "an integer >= 1"),
    "seed": ((int,), "an integer (the sampler seed)"),
    "batch": ((int,), "an integer >= 1"),
    "fidelity": ((list, str), "increasing seed counts, e.g. [2, 6]"),
    "pruner": ((str,), 'a pruner name, e.g. "median"'),
    "with_hyper": ((bool,), "true or false"),
    "hyper_binning": ((list, str), 'binnings, e.g. ["fixed", "adaptive"]'),
    "n": ((int,), "an integer number of units"),
    "protocol": ((str,), '"bisect" or "grid"'),
    "alphas": ((list, str), '"LOW:HIGH" or [LOW, HIGH]'),
    "max_alpha": ((int, float), "a number"),
    "bisect_rtol": ((int, float), "a number in [0, 1)"),
    "seed_start": ((int,), "an integer >= 0"),
    "params": ((dict,), "a table of infomorphic parameters, e.g. { epochs = 2000 }"),
    "study_name": ((str,), "an Optuna study name"),
    "cmaes_start": ((list, str), "a goal, e.g. [1.0, -1.0, 0.0, -1.0, -1.0] or \"gamma-i\""),
    "cmaes_sigma": ((int, float), "a positive number, e.g. 0.2"),
}
OTHER_KEYS = {"name", "dir", "quick", "description"}
QUICK_KEYS = set(FIELDS) - {"study_name"}
#: a --quick search unless the study's [search.quick] says otherwise
QUICK_DEFAULTS = {"trials": 2, "batch": 2, "fidelity": [1, 2]}


@dataclass
class SearchDef:
    name: str
    dir: str
    fields: dict[str, Any]  # the study file's fields (search-goal defaults for the others)
    quick: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def options(self, quick: bool = False) -> dict[str, Any]:
        """The search's fields, a --quick run's overrides applied (its params merged)."""
        if not quick:
            return dict(self.fields)
        overrides = {**QUICK_DEFAULTS, **self.quick}
        out = {**self.fields, **{k: v for k, v in overrides.items() if k != "params"}}
        if "params" in overrides:
            out["params"] = {**self.fields.get("params", {}), **overrides["params"]}
        return out


def driver():
    return importlib.import_module(DRIVER)


def parse_search(d: dict, where: str, taken: list[str]) -> SearchDef:
    where = f"{where}: [search]"
    if not isinstance(d, dict):
        raise AmemError(f"{where}: expected a table ([search] with sampler = ..., trials = ...)")
    _check(d, set(FIELDS) | OTHER_KEYS, where)
    name = d.get("name", SEARCH_NAME)
    directory = d.get("dir", ".")
    for key, value in (("name", name), ("dir", directory)):
        if not isinstance(value, str) or not value:
            raise AmemError(f"{where}: {key} = {value!r} must be a non-empty string")
    if name in taken:
        raise AmemError(f"{where}: name {name!r} is also a sweep's; give the search another name")
    quick = d.get("quick", {})
    if not isinstance(quick, dict):
        raise AmemError(f"{where}: quick must be a table ([search.quick] trials = 2, ...)")
    _check(quick, QUICK_KEYS, f"{where}.quick")
    search = SearchDef(name=name, dir=directory,
                       fields={k: v for k, v in d.items() if k in FIELDS}, quick=dict(quick),
                       description=d.get("description", ""))
    driver().validate(search.options(), where)
    driver().validate(search.options(quick=True), f"{where} (with [search.quick])")
    return search


def _check(d: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(d) - allowed)
    if unknown:
        raise AmemError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
    for key, value in d.items():
        if key not in FIELDS:
            continue
        kinds, what = FIELDS[key]
        # TOML booleans are ints to Python: an int field must not take true/false
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise AmemError(f"{where}: {key} = {value!r} must be {what}")


# ------------------------------------------------------------------ what the engine calls
def search_dir(study, out: Path | None = None) -> Path:
    return (out or study.out) / study.search.dir


def run_search(study, executor, quick: bool, out: Path | None, log, argv=None):
    """Run (or resume) the search as ``search-goal --dir OUT/DIR ...`` would; a
    :class:`amem.studies.runner.SweepRun` of what it did."""
    return driver().run(study, executor, quick, out, log, argv)


def search_status(study, out: Path | None = None, quick: bool = False):
    return driver().status(study, out, quick)


def load_search_records(study, out: Path | None = None, quick: bool = False):
    """The search's records for the renderers (raises RecordsMissing before it has any)."""
    return driver().load(study, out, quick)


def check_search(study) -> tuple[list[str], list[str]]:
    """(problems, notes) of the search's stored state beyond its outputs (``study check``)."""
    return driver().check(study)
