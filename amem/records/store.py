"""Append-only record store for sweeps: ``DIR/records.jsonl``, one JSON trial record per line.

Why it cannot lose finished work:

* Records are appended as trials finish, each batch with ``os.write`` calls under an exclusive
  lock (``fcntl.flock`` on ``DIR/.lock``) and then fsync'd; Ctrl-C is held back for the few
  microseconds of the write, so only a hard kill or power loss can cut a line.
* A cut (``kill -9`` mid-write) can at worst leave a truncated last line. Loading skips it with a
  one-line :class:`CorruptRecordsWarning`; the next append (under the lock, so no writer can
  still be writing it) moves the fragment to ``records.torn`` and carries on from the last intact
  line. Every intact record stays readable and the lost trial simply runs again.
* Every line ends with ``"crc32":"xxxxxxxx"``, the CRC-32 of the rest of the line, so a line that
  was damaged but still parses as JSON is caught too (lines without it are accepted as written).
* Every record carries ``schema`` (the schema version), ``key`` (the trial identity hash) and
  ``code`` (the code identity that ran it). A record is unique by its key *and* code
  (:func:`~amem.records.schema.record_uid`): records of two code versions of one trial coexist
  only where the user allowed mixing them. Under the lock, an append first reads what other
  writers added since and skips records already in the file: two runs writing the same
  directory neither interleave nor duplicate records. Duplicates that still exist (files merged
  by hand) are ignored on load, first one wins.
* ``configs.jsonl`` logs every configuration run into the directory (:func:`append_config`).
* No pickle: plain JSON lines, readable by pandas (``pd.read_json(path, lines=True)``).
"""

from __future__ import annotations

import os
import signal
import threading
import warnings
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from amem.errors import AmemError
from amem.records.schema import (
    SCHEMA_VERSION,
    BadLine,
    canonical,
    decode_record,
    encode_record,
    record_uid,
)

RECORDS_FILE = "records.jsonl"
CONFIGS_FILE = "configs.jsonl"
LOCK_FILE = ".lock"
TORN_FILE = "records.torn"  # cut-off lines set aside by the next append


class CorruptRecordsWarning(UserWarning):
    """Some lines of a records file were unreadable and skipped (the intact records are kept)."""


class RecordStore:
    """The records of one ``--out`` directory. Safe to share between processes (not threads)."""

    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)
        self.path = self.directory / RECORDS_FILE
        self.problems: list[str] = []
        self._keys: set[str] = set()  # record uids known to be in the file up to ``_scanned``
        self._scanned = 0
        self._warned: set[str] = set()

    # ------------------------------------------------------------------ writing
    @contextmanager
    def _locked(self, shared: bool = False):
        import fcntl

        if shared:  # readers wait for a write in progress; a read-only directory reads unlocked
            try:  # never created by a reader: loading leaves the directory as it was
                lock = open(self.directory / LOCK_FILE)  # noqa: SIM115 (closed by `with lock`)
            except OSError:
                yield
                return
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            lock = open(self.directory / LOCK_FILE, "a")  # noqa: SIM115 (closed by `with lock`)
        with lock:
            fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, records: Iterable[dict]) -> int:
        """Append the records not in the file yet (by key and code); return how many were written."""
        records = list(records)
        if not records:
            return 0
        with sigint_held(), self._locked():
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size < self._scanned:  # replaced or truncated behind our back: rescan
                    self._keys, self._scanned = set(), 0
                if size > self._scanned:
                    self._scan(fd, self._scanned, size)
                lines = []
                for record in records:
                    uid = record_uid(record)
                    if uid not in self._keys:
                        self._keys.add(uid)
                        lines.append(encode_record(record))
                if not lines:
                    return 0
                payload = b"".join(lines)
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    size = self._set_aside_torn_tail(fd, size)
                _write_all(fd, payload)
                os.fsync(fd)
                if size == 0:
                    _fsync_directory(self.directory)  # the new file's entry survives power loss
                self._scanned = size + len(payload)
                return len(lines)
            finally:
                os.close(fd)

    def _set_aside_torn_tail(self, fd: int, size: int) -> int:
        """Move the cut-off last line a crashed writer left (we hold the lock: nobody is still
        writing it) to ``records.torn`` for inspection, so later loads are clean again."""
        data = os.pread(fd, size, 0)
        cut = data.rfind(b"\n") + 1
        with open(self.directory / TORN_FILE, "ab") as torn:
            torn.write(data[cut:] + b"\n")
            torn.flush()
            os.fsync(torn.fileno())
        os.ftruncate(fd, cut)
        return cut

    def _scan(self, fd: int, start: int, end: int) -> None:
        """Learn the keys of the intact records in bytes [start, end) (appended by others)."""
        data = os.pread(fd, end - start, start)
        for raw in data.split(b"\n"):
            if raw.strip():
                try:
                    self._keys.add(record_uid(decode_record(raw)))
                except BadLine:
                    pass
        self._scanned = end

    # ------------------------------------------------------------------ reading
    def load(self) -> list[dict]:
        """All intact records (first occurrence of each key and code), in file order.

        Unreadable lines are skipped and listed in ``self.problems``; a
        :class:`CorruptRecordsWarning` (one line) says how many and how many records were kept.
        A record of another schema version is an :class:`AmemError`: it cannot be mixed.
        """
        self.problems = []
        if not self.path.exists():
            return []
        records: dict[str, dict] = {}
        with self._locked(shared=True), open(self.path, "rb") as f:
            data = f.read()
        lines = data.split(b"\n")
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                record = decode_record(raw)
            except BadLine as err:
                where = "last line, truncated" if number == len(lines) else f"line {number}"
                self.problems.append(f"{where}: {err}")
                continue
            version = record.get("schema")
            if version != SCHEMA_VERSION:
                raise AmemError(_schema_message(self.path, number, version))
            record.pop("crc32", None)
            records.setdefault(record_uid(record), record)
        self._keys = set(records)
        self._scanned = len(data)
        if self.problems:
            shown = "; ".join(self.problems[:3]) + ("; ..." if len(self.problems) > 3 else "")
            message = (f"{self.path}: skipped {len(self.problems)} corrupt or truncated line(s) "
                       f"({shown}), "
                       f"kept {len(records)} intact records; skipped trials run again on resume")
            if message not in self._warned:
                self._warned.add(message)
                warnings.warn(message, CorruptRecordsWarning, stacklevel=2)
        return list(records.values())

    def completed_keys(self) -> set[str]:
        return {r["key"] for r in self.load()}


def _schema_message(path: Path, number: int, version) -> str:
    if isinstance(version, int) and version < SCHEMA_VERSION:
        return (f"{path} holds schema-{version} records (line {number}), written before records "
                f"named the code that made them; this amem reads schema {SCHEMA_VERSION}: rerun "
                "the command into a new --out directory")
    return (f"{path}: line {number} has schema version {version!r}, this amem reads "
            f"{SCHEMA_VERSION}; use a new --out directory or a matching amem version")


def append_config(directory: str | os.PathLike, entry: dict) -> None:
    """Append one configuration (argv, config, provenance) to ``DIR/configs.jsonl``: every
    configuration ever run into a directory stays on record, none overwrites another."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    line = (canonical(entry) + "\n").encode()
    with sigint_held():
        fd = os.open(directory / CONFIGS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            _write_all(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


def load_configs(directory: str | os.PathLike) -> list[dict]:
    """The configurations logged in ``DIR/configs.jsonl`` (unreadable lines skipped)."""
    import json

    path = Path(directory) / CONFIGS_FILE
    if not path.exists():
        return []
    out = []
    for raw in path.read_bytes().splitlines():
        try:
            entry = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(entry, dict):
            out.append(entry)
    return out


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write a small file so that readers see either the old or the new content, never half."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def sigint_held():
    """Defer Ctrl-C (SIGINT) until the block ends, so an interrupt never cuts a line in half."""
    if (threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "pthread_sigmask")):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
