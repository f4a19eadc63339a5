"""Record-store behaviour the crash and concurrency tests do not pin down (added for survivors of
mutation testing, benchmarks/mutation.md): permissions, rescans, fsyncs, messages, warnings."""

from __future__ import annotations

import os
import stat
import warnings

import pytest
from test_store import fake_record

import amem.records.store as store_module
from amem.errors import AmemError
from amem.records.store import RECORDS_FILE, CorruptRecordsWarning, RecordStore, append_config


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_files_are_created_readable_not_executable(tmp_path):
    old = os.umask(0o022)
    try:
        RecordStore(tmp_path).append([fake_record(1)])
        append_config(tmp_path, {"models": ["hebbian"]})
    finally:
        os.umask(old)
    assert _mode(tmp_path / RECORDS_FILE) == 0o644
    assert all(_mode(p) == 0o644 for p in tmp_path.iterdir() if p.suffix == ".jsonl")


def test_appending_nothing_writes_nothing(tmp_path):
    assert RecordStore(tmp_path).append([]) == 0
    assert not (tmp_path / RECORDS_FILE).exists()


def test_a_file_replaced_behind_the_stores_back_is_rescanned_from_its_start(tmp_path):
    store = RecordStore(tmp_path)
    assert store.append([fake_record(i) for i in range(5)]) == 5
    # another process replaces the file with a shorter one holding record 7
    other = tmp_path / "other"
    RecordStore(other).append([fake_record(7)])
    os.replace(other / RECORDS_FILE, tmp_path / RECORDS_FILE)
    assert store.append([fake_record(7), fake_record(8)]) == 1  # 7 is there already
    assert [r["key"] for r in RecordStore(tmp_path).load()] == ["k00007", "k00008"]


def test_the_directory_is_synced_once_when_the_file_is_created(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr(store_module, "_fsync_directory", synced.append)
    store = RecordStore(tmp_path)
    store.append([fake_record(1)])
    assert synced == [tmp_path]  # the new file's directory entry survives a power loss
    store.append([fake_record(2)])
    assert synced == [tmp_path]  # not again: the entry exists


def test_loaded_records_lack_the_checksum_field(tmp_path):
    RecordStore(tmp_path).append([fake_record(1)])
    assert "crc32" not in RecordStore(tmp_path).load()[0]


def test_schema_error_names_the_file(tmp_path):
    RecordStore(tmp_path).append([{**fake_record(1), "schema": 999}])
    with pytest.raises(AmemError, match=f"^{tmp_path / RECORDS_FILE}: line 1 has schema version 999"):
        RecordStore(tmp_path).load()


@pytest.mark.parametrize("n_bad", [1, 5])
def test_corruption_warning_lists_at_most_three_problems(tmp_path, n_bad):
    RecordStore(tmp_path).append([fake_record(i) for i in range(3)])
    with open(tmp_path / RECORDS_FILE, "ab") as f:
        f.write(b"garbage\n" * n_bad)
    store = RecordStore(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorruptRecordsWarning)
        assert len(store.load()) == 3
    (warning,) = caught
    text = str(warning.message)
    assert f"skipped {n_bad} corrupt or truncated line(s) (" in text
    assert text.count("line ") >= min(n_bad, 3)
    assert ("; ...), kept 3 intact records" in text) == (n_bad > 3)
    shown = "; ".join(store.problems[:3]) + ("; ..." if n_bad > 3 else "")
    assert f"({shown}), kept 3 intact records" in text
    if "MUTANT_UNDER_TEST" not in os.environ:  # mutmut's trampoline adds a frame
        assert warning.filename == __file__  # points at the caller of load(), not at the store
