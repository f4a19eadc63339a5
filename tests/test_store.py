"""The record store keeps every intact record: crashes, corruption, concurrent writers, schema."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from amem.errors import AmemError
from amem.harness.trials import SCHEMA_VERSION
from amem.records.store import (
    RECORDS_FILE,
    TORN_FILE,
    CorruptRecordsWarning,
    RecordStore,
    atomic_write_text,
    decode_record,
    encode_record,
)

REPO = Path(__file__).resolve().parent.parent


def fake_record(i: int, **extra) -> dict:
    """A record with the fields the store relies on (the store does not interpret the rest)."""
    return {"schema": SCHEMA_VERSION, "key": f"k{i:05d}", "value": i * 0.1, "text": "é\n{}",
            **extra}


def load_quiet(store: RecordStore) -> list[dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorruptRecordsWarning)
        return store.load()


def test_round_trip_is_plain_json_with_checksum(tmp_path):
    store = RecordStore(tmp_path)
    records = [fake_record(i) for i in range(5)]
    assert store.append(records) == 5
    assert RecordStore(tmp_path).load() == records  # a fresh store, as a resumed run sees it
    lines = (tmp_path / RECORDS_FILE).read_bytes().splitlines()
    assert len(lines) == 5
    for line, record in zip(lines, records):
        parsed = json.loads(line)  # no pickle: every line is JSON on its own
        assert parsed.pop("crc32") and parsed == record and parsed["schema"] == SCHEMA_VERSION


def test_appending_finished_keys_again_writes_nothing(tmp_path):
    store = RecordStore(tmp_path)
    store.append([fake_record(i) for i in range(3)])
    assert store.append([fake_record(1), fake_record(3)]) == 1
    assert RecordStore(tmp_path).append([fake_record(0), fake_record(3)]) == 0
    assert [r["key"] for r in store.load()] == ["k00000", "k00001", "k00002", "k00003"]
    assert len((tmp_path / RECORDS_FILE).read_bytes().splitlines()) == 4


def test_truncated_last_line_is_skipped_then_set_aside(tmp_path):
    store = RecordStore(tmp_path)
    store.append([fake_record(i) for i in range(4)])
    path = tmp_path / RECORDS_FILE
    data = path.read_bytes()
    path.write_bytes(data[:-30])  # what kill -9 in the middle of a write can leave
    fresh = RecordStore(tmp_path)
    with pytest.warns(CorruptRecordsWarning,
                      match=r"skipped 1 .*last line, truncated.*kept 3 intact"):
        assert [r["key"] for r in fresh.load()] == ["k00000", "k00001", "k00002"]
    # the next append (the resumed run) moves the fragment aside and adds the rerun trial
    assert fresh.append([fake_record(3), fake_record(4)]) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # clean again: no warning any more
        assert [r["key"] for r in RecordStore(tmp_path).load()] == [f"k{i:05d}" for i in range(5)]
    assert (tmp_path / TORN_FILE).read_bytes() == data[:-30].rsplit(b"\n", 1)[1] + b"\n"


@pytest.mark.parametrize("damage", ["garbage", "bitflip", "nul"])
def test_corrupt_middle_line_keeps_the_intact_records(tmp_path, damage):
    store = RecordStore(tmp_path)
    store.append([fake_record(i) for i in range(5)])
    path = tmp_path / RECORDS_FILE
    lines = path.read_bytes().split(b"\n")
    if damage == "garbage":
        lines[2] = b"\xff\xfe not json"
    elif damage == "bitflip":  # still valid JSON: only the checksum can tell
        lines[2] = lines[2].replace(b'"value":0.2', b'"value":0.3')
        json.loads(lines[2])
    else:
        lines[2] = b"\x00" * 40
    path.write_bytes(b"\n".join(lines))
    with pytest.warns(CorruptRecordsWarning, match=r"line 3.*kept 4 intact records"):
        kept = RecordStore(tmp_path).load()
    assert [r["key"] for r in kept] == ["k00000", "k00001", "k00003", "k00004"]
    assert kept[0] == fake_record(0)


def test_warning_is_given_once_per_store(tmp_path):
    store = RecordStore(tmp_path)
    store.append([fake_record(0)])
    with open(tmp_path / RECORDS_FILE, "ab") as f:
        f.write(b'{"key": "x", "sch')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store.load()
        store.load()
    assert len(caught) == 1 and "\n" not in str(caught[0].message)


def test_other_schema_version_is_a_clear_error(tmp_path):
    store = RecordStore(tmp_path)
    store.append([fake_record(0), fake_record(1, schema=SCHEMA_VERSION + 1)])
    with pytest.raises(AmemError, match=r"line 2 has schema version .* new --out directory"):
        store.load()


def test_lines_without_checksum_are_accepted():
    assert decode_record(b'{"key":"a","schema":1}') == {"key": "a", "schema": 1}
    record = {"key": "a", "x": [1, 2]}
    assert decode_record(encode_record(record).rstrip()) == record


def _writer(directory: str, seed: int, n_keys: int, barrier) -> None:
    """One of several processes appending overlapping records to the same directory."""
    import random

    barrier.wait(30)  # start together (spawned imports take uneven time) so the writes race
    rng = random.Random(seed)
    keys = list(range(n_keys))
    rng.shuffle(keys)
    store = RecordStore(directory)
    while keys:
        batch = [keys.pop() for _ in range(min(len(keys), rng.randint(1, 6)))]
        store.append([fake_record(k, writer=seed, pad="x" * rng.randint(0, 3000)) for k in batch])


def test_concurrent_writers_neither_interleave_nor_duplicate(tmp_path):
    n_keys, n_writers = 150, 3
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(n_writers)
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), seed, n_keys, barrier))
             for seed in range(n_writers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = (tmp_path / RECORDS_FILE).read_bytes().splitlines()
    parsed = [decode_record(line) for line in lines]  # raises on any torn or interleaved line
    keys = [r["key"] for r in parsed]
    assert sorted(keys) == [f"k{i:05d}" for i in range(n_keys)]  # all there, each exactly once


def test_atomic_write_text_replaces_whole_file(tmp_path):
    path = tmp_path / "config.json"
    atomic_write_text(path, "old")
    atomic_write_text(path, "new")
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]


def test_read_only_directory_can_be_loaded(tmp_path):
    RecordStore(tmp_path).append([fake_record(0)])
    os.remove(tmp_path / ".lock")
    tmp_path.chmod(0o555)
    try:
        assert len(RecordStore(tmp_path).load()) == 1
    finally:
        tmp_path.chmod(0o755)


def test_cli_reports_a_corrupt_file_in_one_line_and_rebuilds_from_intact_records(tmp_path):
    from amem.bench.cli import main

    out = tmp_path / "run"
    assert main(["capacity", "--model", "hebbian", "--n", "32", "--alphas", "0.1,0.2,0.3",
                 "--seeds", "2", "--out", str(out), "--no-plot", "--no-progress"]) == 0
    path = out / RECORDS_FILE
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1][:40]  # a damaged line in the middle
    path.write_bytes(b"\n".join(lines)[:-25])  # and a torn last line
    (out / "summary.json").unlink()
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLCONFIGDIR": str(tmp_path / "mpl")}
    proc = subprocess.run([sys.executable, "-m", "amem.bench", "plot", str(out)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    warning_lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(warning_lines) == 1, proc.stderr
    assert warning_lines[0].startswith("warning: ") and "kept 4 intact records" in warning_lines[0]
    assert "Traceback" not in proc.stderr and "UserWarning" not in proc.stderr
    assert json.loads((out / "summary.json").read_text())["n_trials"] == 4


def test_a_trial_of_two_codes_is_two_records_one_code_one_record(tmp_path):
    """A record is unique by its trial key and its code: the same trial run by two versions of
    the code keeps both (told apart by ``code``); the same code never writes a trial twice."""
    old = {**fake_record(0), "code": {"amem": "0.1.0", "sources": "a" * 16}}
    new = {**fake_record(0), "code": {"amem": "0.1.0", "sources": "b" * 16}}
    moved = {**old, "code": {**old["code"], "commit": "c" * 40}}  # same sources, other commit
    store = RecordStore(tmp_path)
    assert store.append([old]) == 1
    assert store.append([new, moved]) == 1
    assert RecordStore(tmp_path).append([moved, old]) == 0  # a fresh store sees the file
    assert [r["code"]["sources"] for r in load_quiet(RecordStore(tmp_path))] == ["a" * 16, "b" * 16]


def test_configs_are_appended_never_overwritten(tmp_path):
    from amem.records.store import append_config, load_configs

    append_config(tmp_path / "out", {"config": {"n": 1}})
    append_config(tmp_path / "out", {"config": {"n": 2}})
    assert [c["config"]["n"] for c in load_configs(tmp_path / "out")] == [1, 2]
    assert load_configs(tmp_path / "nowhere") == []


def test_loading_creates_nothing(tmp_path):
    RecordStore(tmp_path).append([fake_record(0)])
    os.remove(tmp_path / ".lock")  # e.g. a folder copied without it
    load_quiet(RecordStore(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [RECORDS_FILE]


def test_study_reads_of_a_records_file_are_reused_until_it_changes(tmp_path, monkeypatch):
    """Renderers read the same sweeps again and again: a file is decoded once while it stays
    the same, and read anew as soon as records are appended."""
    from amem.studies import data

    loads = []
    plain_load = RecordStore.load

    def counting_load(self):
        loads.append(self.path)
        return plain_load(self)

    monkeypatch.setattr(RecordStore, "load", counting_load)
    store = RecordStore(tmp_path)
    store.append([fake_record(i) for i in range(3)])
    path = tmp_path / RECORDS_FILE
    first = data._stored_records(path)
    assert data._stored_records(path) is first and len(loads) == 1
    store.append([fake_record(3)])
    again = data._stored_records(path)
    assert [r["key"] for r in again] == ["k00000", "k00001", "k00002", "k00003"]
    assert len(loads) == 2


def test_code_fingerprint_of_hashable_and_unhashable_fields():
    import hashlib

    from amem.records.schema import canonical, code_fingerprint

    def plain(code):
        values = [code.get(f) for f in ("amem", "sources", "model_source")]
        return hashlib.sha1(canonical(values).encode()).hexdigest()[:12]

    for code in ({"amem": "0.1.0", "sources": "ab", "model_source": None, "commit": "x"},
                 {"amem": "0.1.0", "sources": {"odd": [1]}}, {}):
        assert code_fingerprint(code) == code_fingerprint(dict(code)) == plain(code)
    assert code_fingerprint(None) == plain({})
