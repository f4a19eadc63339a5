"""The record format: schema version, canonical JSON and the one-line record codec.

A record is one JSON object per line of ``records.jsonl``. Its last field is ``crc32``, the CRC-32
of the rest of the line, so a line that was damaged but still parses is caught. Canonical JSON
(sorted keys, no spaces, numpy scalars as Python numbers) makes trial identities hash the same in
every process. This module imports nothing of the harness: the record layer sits below it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import zlib
from typing import Any

#: 2: records name the code that made them (``code``, ``model_version``, ``resolved_params``).
SCHEMA_VERSION = 2
_CRC_TAIL = re.compile(rb',"crc32":"([0-9a-f]{8})"\}\s*$')


class BadLine(ValueError):
    """A line of a records file that is not an intact record."""


def canonical(obj: Any) -> str:
    """Deterministic JSON text of ``obj`` (sorted keys, compact separators)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def stable_int(*parts: Any) -> int:
    """A 32-bit integer that depends only on the canonical JSON of ``parts``."""
    return zlib.crc32(canonical(parts).encode())


def jsonable(obj: Any) -> Any:
    """``obj`` with every value JSON can hold kept and anything else (a callable, a Generator)
    replaced by its ``repr``: parameters and diagnostics must never make a record unwritable."""
    import numpy as np

    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return repr(obj)


#: The fields of a record's ``code`` that decide whether two records came from the same code.
#: The commit is recorded but not compared: a commit that leaves the package sources unchanged
#: (results, docs, tests) cannot change a number, and the sources hash says exactly that.
CODE_FIELDS = ("amem", "sources", "model_source")


def code_fingerprint(code: dict | None) -> str:
    """Short id of the code identity ``code`` (amem version, sources hash, plugin source hash)."""
    code = code or {}
    values = tuple(code.get(f) for f in CODE_FIELDS)
    try:
        return _fingerprint(values)
    except TypeError:  # an unhashable value (not written by amem): computed, not cached
        return _fingerprint.__wrapped__(values)


@functools.lru_cache(maxsize=1024)
def _fingerprint(values: tuple) -> str:
    # cached: a records file holds thousands of records of a few code identities, and every
    # load computes each record's uid (the canonical JSON and hash were most of a study check)
    return hashlib.sha1(canonical(list(values)).encode()).hexdigest()[:12]


def record_uid(record: dict) -> str:
    """What makes a record unique in a store: its trial key and the code that ran it (records of
    two code versions coexist only where the user allowed mixing them)."""
    if "code" not in record:
        return record["key"]
    return f"{record['key']}@{code_fingerprint(record['code'])}"


def encode_record(record: dict) -> bytes:
    """One line: the canonical JSON of ``record`` with its CRC-32 appended as the last field."""
    body = canonical(record)
    if not body.startswith("{") or body == "{}":
        raise ValueError("a record must be a non-empty dict")
    crc = zlib.crc32(body.encode())
    return (body[:-1] + f',"crc32":"{crc:08x}"}}\n').encode()


def decode_record(raw: bytes) -> dict:
    """Inverse of :func:`encode_record`; raises :class:`BadLine` for anything that is not intact."""
    match = _CRC_TAIL.search(raw)
    if match is not None:
        body = raw[:match.start()] + b"}"
        if zlib.crc32(body) != int(match.group(1), 16):
            raise BadLine("checksum mismatch")
        raw = body
    try:
        record = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise BadLine(f"not JSON: {err}") from None
    if not isinstance(record, dict) or not isinstance(record.get("key"), str):
        raise BadLine("not a trial record")
    return record
