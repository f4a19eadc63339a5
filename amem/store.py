"""Append-only record store for sweeps: ``DIR/records.jsonl``, one JSON trial record per line.

* Records are appended as trials finish, each batch with a single ``os.write`` under an exclusive
  lock (``fcntl.flock``), then fsync'd: two runs writing the same directory do not interleave.
* A crash (even ``kill -9``) can at worst leave a truncated last line: loading skips it with a
  warning and the next append starts on a fresh line, so no intact record is lost.
* Every record carries ``schema`` (the schema version) and ``key`` (the trial identity hash);
  duplicates of a key are ignored on load (first one wins), so reruns never double-count.
* No pickle: plain JSON lines, readable by pandas (``pd.read_json(path, lines=True)``).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from amem.errors import AmemError
from amem.trials import SCHEMA_VERSION, canonical

RECORDS_FILE = "records.jsonl"


class RecordStore:
    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)
        self.path = self.directory / RECORDS_FILE
        self.problems: list[str] = []

    @contextmanager
    def _locked(self):
        import fcntl

        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, records: Iterable[dict]) -> None:
        payload = "".join(canonical(r) + "\n" for r in records)
        if not payload:
            return
        with self._locked():
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                if os.fstat(fd).st_size and not self._ends_with_newline():
                    payload = "\n" + payload  # seal a line a crash left truncated
                os.write(fd, payload.encode())
                os.fsync(fd)
            finally:
                os.close(fd)

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"

    def load(self) -> list[dict]:
        """All intact records (first occurrence of each key); problems are warned about."""
        self.problems = []
        if not self.path.exists():
            return []
        records: dict[str, dict] = {}
        with open(self.path, "rb") as f:
            lines = f.read().split(b"\n")
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                if not isinstance(record, dict) or "key" not in record:
                    raise ValueError("not a trial record")
            except (ValueError, UnicodeDecodeError) as err:
                self.problems.append(f"{self.path}: line {number} is corrupt or truncated ({err}); skipped")
                continue
            version = record.get("schema")
            if version != SCHEMA_VERSION:
                raise AmemError(
                    f"{self.path}: line {number} has schema version {version!r}, this amem reads "
                    f"{SCHEMA_VERSION}; use a new --out directory or a matching amem version"
                )
            records.setdefault(record["key"], record)
        if self.problems:
            warnings.warn(
                f"{len(self.problems)} corrupt line(s) skipped in {self.path}, {len(records)} intact "
                f"records kept (first: {self.problems[0]})", stacklevel=2)
        return list(records.values())

    def completed_keys(self) -> set[str]:
        return {r["key"] for r in self.load()}
