"""Check an ``--out`` folder before anything is written into it.

amem writes only into a folder that does not exist yet (it creates it), an empty one, or one
that already holds amem's records: never into a file, a read-only place or a folder of other
files (``--out /`` or ``--out ~`` would scatter outputs among the user's files).
"""

from __future__ import annotations

import os
from pathlib import Path

from amem.errors import AmemError

#: Files that mark a folder as amem's own: records of ``capacity`` and of a study's sweep, the
#: ``pid`` command's table, a goal search's ledger and Optuna database, a study's conformance table.
AMEM_MARKERS = ("records.jsonl", "configs.jsonl", "config.json", "pid.csv", "sweeps.jsonl",
                "ledger.jsonl", "optuna.db", "conformance.json")
#: A rendered study output's sidecar ends so (a study folder may hold only sweep sub-folders).
SIDECAR_SUFFIX = ".output.json"


def check_out_dir(text: str, flag: str = "--out") -> Path:
    """The folder ``text`` names, if amem may write there; else a one-line :class:`AmemError`.

    Nothing is created: the caller creates the folder once every other check has passed.
    """
    if not str(text).strip():
        raise AmemError(f"{flag} is empty; pass a folder name, e.g. {flag} results")
    if "\0" in str(text):
        raise AmemError(f"{flag} {text!r} contains a NUL byte; pass a plain folder name")
    path = Path(text).expanduser()
    fix = "pass a new folder (amem creates it) or one written by amem"
    if path.exists() and not path.is_dir():
        raise AmemError(f"{flag} {text} is a file, not a folder; {fix}")
    if path.is_dir():
        entries = [e for e in _entries(path, flag) if not e.startswith(".")]
        if entries and not _holds_amem_output(path, entries):
            raise AmemError(f"{flag} {text} holds other files ({len(entries)} entries) and no amem "
                            f"records; amem writes only into its own folders: {fix}")
        if not os.access(path, os.W_OK | os.X_OK):
            raise AmemError(f"{flag} {text} is not writable here; {fix}, somewhere you can write")
        return path
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise AmemError(f"{flag} {text}: {parent} is a file, so no folder can be made under it; "
                        f"{fix}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise AmemError(f"{flag} {text} cannot be created: {parent} is not writable here; pass a "
                        "folder somewhere you can write")
    return path


def _holds_amem_output(path: Path, entries: list[str]) -> bool:
    """A marker file, a rendered output's sidecar, or a sub-folder with amem records (one
    level down: a study's sweeps, a search's record store)."""
    if any(m in entries for m in AMEM_MARKERS) or any(e.endswith(SIDECAR_SUFFIX) for e in entries):
        return True
    return any((path / e / marker).is_file() for e in entries for marker in AMEM_MARKERS
               if (path / e).is_dir())


def _entries(path: Path, flag: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError as err:
        raise AmemError(f"{flag} {path} cannot be read ({err.strerror}); pass a folder you own") \
            from None
