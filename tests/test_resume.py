"""Interrupted sweeps resume to exactly the records of an uninterrupted run.

Real ``python -m amem.bench capacity`` processes are killed with SIGKILL (and Ctrl-C) in the
middle of a sweep, rerun with the same command, and compared with an uninterrupted run: no trial
missing, none duplicated, every field equal except the wall-clock timings.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amem.bench.cli import main
from amem.records.store import RECORDS_FILE, TORN_FILE, decode_record

REPO = Path(__file__).resolve().parent.parent
TIMING_FIELDS = ("store_s", "recall_s")
GRID = ["--model", "hebbian", "--n", "64", "--alphas", "0.02:0.3:0.02", "--seeds", "2",
        "--chunk-size", "1"]
BISECT = ["--model", "hebbian", "--n", "64", "--alphas", "0.05:0.3", "--search", "bisect",
          "--seeds", "6"]
QUIET = ["--no-plot", "--no-progress"]
# Ctrl-C test: enough cheap trials (560 pool round trips) that the run is still going when the
# signal arrives, even with warm kernel caches.
GRID_MANY = [*GRID[:-4], "--seeds", "40", "--chunk-size", "1"]


def cli(args: list[str], out: Path, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLCONFIGDIR": str(out.parent / ".mpl")}
    return subprocess.Popen([sys.executable, "-m", "amem.bench", "capacity", *args, *QUIET,
                             "--out", str(out)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def file_records(out: Path) -> dict[str, dict]:
    """Every line of the records file (all must be intact) by key; fails on a duplicate key."""
    records = {}
    for line in (out / RECORDS_FILE).read_bytes().splitlines():
        record = decode_record(line)
        assert record["key"] not in records, f"duplicated trial {record['key']}"
        records[record["key"]] = {k: v for k, v in record.items() if k not in TIMING_FIELDS}
    return records


def count_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def wait_for_lines(proc: subprocess.Popen, path: Path, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while count_lines(path) < n:
        assert proc.poll() is None, f"run ended before the interruption: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "no records appeared"
        time.sleep(0.002)


def reference(tmp_path_factory, name: str, args: list[str]) -> dict[str, dict]:
    out = tmp_path_factory.mktemp(name) / "out"
    assert main(["capacity", *args, *QUIET, "--out", str(out)]) == 0
    return file_records(out)


@pytest.fixture(scope="module")
def grid_reference(tmp_path_factory):
    return reference(tmp_path_factory, "grid-ref", GRID)


@pytest.fixture(scope="module")
def grid_many_reference(tmp_path_factory):
    return reference(tmp_path_factory, "grid-many-ref", GRID_MANY)


@pytest.fixture(scope="module")
def bisect_reference(tmp_path_factory):
    return reference(tmp_path_factory, "bisect-ref", BISECT)


def kill_resume_compare(tmp_path, args, expected, tear_last_line=False, concurrent_reruns=1):
    out = tmp_path / "out"
    proc = cli(args, out)
    wait_for_lines(proc, out / RECORDS_FILE, 2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    finished = count_lines(out / RECORDS_FILE)
    assert 2 <= finished < len(expected), "the kill must land in the middle of the sweep"
    if tear_last_line:  # as if the kill had hit in the middle of writing the last record
        path = out / RECORDS_FILE
        path.write_bytes(path.read_bytes()[:-40])
    reruns = [cli(args, out) for _ in range(concurrent_reruns)]  # same --out at the same time
    errors = []
    for rerun in reruns:
        _, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        assert "resuming:" in err
        errors.append(err)
    assert file_records(out) == expected  # nothing missing, nothing duplicated, same values
    if tear_last_line:
        assert count_lines(out / TORN_FILE) == 1
        assert "truncated" in errors[0] and errors[0].count("warning:") == 1
    before = (out / RECORDS_FILE).read_bytes()
    assert main(["capacity", *args, *QUIET, "--out", str(out)]) == 0  # finished: nothing reruns
    assert (out / RECORDS_FILE).read_bytes() == before


def test_grid_sweep_killed_with_sigkill_resumes_to_identical_records(tmp_path, grid_reference):
    kill_resume_compare(tmp_path, GRID, grid_reference, tear_last_line=True)


def test_bisection_killed_then_resumed_by_two_runs_at_once(tmp_path, bisect_reference):
    """Bisection replays its finished trials from the store; two resuming runs writing the same
    --out at once neither corrupt nor duplicate anything."""
    kill_resume_compare(tmp_path, BISECT, bisect_reference, concurrent_reruns=2)


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_stops_process_pool_cleanly_and_resumes(tmp_path, grid_many_reference):
    grid_reference = grid_many_reference
    out = tmp_path / "out"
    args = [*GRID_MANY, "--executor", "process", "--workers", "2"]
    # SIG_DFL in the child: a test runner started in the background by a non-interactive shell
    # ignores SIGINT, and a Python started with SIGINT ignored never raises KeyboardInterrupt
    proc = cli(args, out, start_new_session=True,
               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    wait_for_lines(proc, out / RECORDS_FILE, 2)
    workers = _children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    _, err = proc.communicate(timeout=30)  # no hang
    assert proc.returncode == 130, err
    assert "interrupted:" in err and "rerun the same command to resume" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in workers), "worker processes left running"
    assert count_lines(out / RECORDS_FILE) < len(grid_reference)
    rerun = cli(GRID_MANY, out)  # resume inline: records do not depend on the executor
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert file_records(out) == grid_reference


def test_pool_workers_do_not_outlive_a_killed_parent(tmp_path):
    out = tmp_path / "out"
    proc = cli([*GRID, "--executor", "process", "--workers", "2"], out)
    wait_for_lines(proc, out / RECORDS_FILE, 1)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    proc.send_signal(signal.SIGKILL)  # the parent only: nobody tells the workers
    proc.wait(30)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in workers), "orphaned workers left running"
