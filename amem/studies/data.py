"""The records of a study's sweeps, read from their folders (what every renderer gets)."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from amem.errors import AmemError
from amem.studies.spec import Study


class RecordsMissing(AmemError):
    """A sweep a study needs has no readable records yet (never run, or another record format)."""


@dataclass
class SweepRecords:
    name: str
    directory: Path
    records: list[dict]


def load_function(ref: str):
    """The function a ``"module:function"`` reference names (renderers, measures)."""
    import importlib

    module, _, name = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise AmemError(f"{ref!r} cannot be loaded ({err})") from None


def import_study_modules(study: Study) -> None:
    """Import the modules a study names (they register its models, probes, renderers)."""
    import importlib

    for name in study.imports:
        try:
            importlib.import_module(name)
        except ImportError as err:
            raise AmemError(f"study {study.id}: imports {name!r}: {err}") from None


def load_sweep(study: Study, name: str, out: Path | None = None, quick: bool = False) -> SweepRecords:
    """The records of sweep ``name`` (only those its configuration asks for: a folder shared by
    several sweeps holds them all). Raises :class:`RecordsMissing` when there are none."""
    from amem.harness.sweep import sweep_records
    from amem.records.store import RECORDS_FILE

    if study.search is not None and name == study.search.name:
        from amem.studies.searches import load_search_records

        return load_search_records(study, out, quick)
    sweep = study.sweep(name)
    directory = study.sweep_dir(sweep, out)
    if not (directory / RECORDS_FILE).exists():
        raise RecordsMissing(f"sweep {name!r} has no records yet ({directory / RECORDS_FILE})")
    try:
        records = _stored_records(directory / RECORDS_FILE)
        mine = sweep_records(sweep.config(quick, study.quick), records)
    except (AmemError, KeyError, TypeError) as err:
        raise RecordsMissing(f"sweep {name!r}: records in {directory} are not readable by this "
                             f"amem ({err})") from None
    if not mine:
        raise RecordsMissing(f"sweep {name!r}: {directory / RECORDS_FILE} holds none of its trials")
    return SweepRecords(name, directory, mine)


#: The last few records files read, by path and file state: a study's outputs (and its README
#: check) read the same sweeps again and again, and decoding was most of a ``study check``.
#: Renderers only read records; a file that changed (size, mtime, inode) is read anew.
_RECENT: OrderedDict[tuple, list[dict]] = OrderedDict()
_RECENT_FILES = 6


def _stored_records(path: Path) -> list[dict]:
    from amem.records.store import RecordStore

    try:
        st = path.stat()
    except FileNotFoundError:  # removed since the caller looked: as the store reads it
        return []
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    if key in _RECENT:
        _RECENT.move_to_end(key)
        return _RECENT[key]
    records = RecordStore(path.parent).load()
    _RECENT[key] = records
    while len(_RECENT) > _RECENT_FILES:
        _RECENT.popitem(last=False)
    return records


def load_inputs(study: Study, names: Iterable[str], out: Path | None = None,
                quick: bool = False) -> dict[str, list[dict]]:
    return {name: load_sweep(study, name, out, quick).records for name in names}


def records_hash(inputs: dict[str, list[dict]]) -> str:
    """Hash of the record keys an output used (per sweep): it changes when the data do."""
    h = hashlib.sha256()
    for name in sorted(inputs):
        h.update(name.encode() + b"\0")
        for key in sorted(r["key"] for r in inputs[name]):
            h.update(key.encode() + b"\n")
    return h.hexdigest()[:16]


def capacities_by(records: Sequence[dict], key, criterion: str = "paper") -> dict:
    """``key(record)`` -> {seed: capacity}: each seed's largest stored P / N that meets
    ``criterion`` (the harness's capacity of a seed; for a bisection or a stop-at-first-failure
    grid it is the search's result), 0 when none does. Records whose key is None are skipped."""
    from amem.harness.criteria import get_criterion

    holds = get_criterion(criterion).holds
    out: dict = {}
    for r in records:
        k = key(r)
        if k is None:
            continue
        seeds = out.setdefault(k, {})
        best = seeds.setdefault(int(r["seed"]), 0.0)
        if holds(r):
            seeds[int(r["seed"])] = max(best, r["n_patterns"] / r["n_units"])
    return out
