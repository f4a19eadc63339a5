"""The inline executor's thread cap: cores free now (affinity, cgroup quota, load), an explicit
OMP_NUM_THREADS wins, the environment is set while units run and restored after."""

import os

import pytest

from amem import threads
from amem.errors import AmemError
from amem.harness.executors import InlineExecutor


def test_cpu_quota_v2_and_v1(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert threads.cpu_quota(str(tmp_path)) == 2
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert threads.cpu_quota(str(tmp_path)) is None
    v1 = tmp_path / "v1" / "cpu"
    v1.mkdir(parents=True)
    (v1 / "cpu.cfs_quota_us").write_text("-1\n")
    (v1 / "cpu.cfs_period_us").write_text("100000\n")
    assert threads.cpu_quota(str(tmp_path / "v1")) is None
    (v1 / "cpu.cfs_quota_us").write_text("300000\n")
    assert threads.cpu_quota(str(tmp_path / "v1")) == 3


def test_usable_cores_leaves_busy_cores_alone(monkeypatch):
    monkeypatch.setattr(threads, "available_cores", lambda: 8)
    monkeypatch.setattr(threads, "cpu_quota", lambda: None)
    assert threads.usable_cores(load=0.0) == 8
    assert threads.usable_cores(load=5.2) == 3
    assert threads.usable_cores(load=40.0) == 1  # a busy machine: one thread, never zero
    monkeypatch.setattr(threads, "cpu_quota", lambda: 2)
    assert threads.usable_cores(load=0.0) == 2


def test_explicit_omp_num_threads_wins(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert threads.inline_threads() == (3, True)
    monkeypatch.setenv("OMP_NUM_THREADS", "many")
    with pytest.raises(AmemError, match="OMP_NUM_THREADS"):
        threads.inline_threads()
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.setattr(threads, "usable_cores", lambda: 1)
    assert threads.inline_threads() == (1, False)


def test_inline_executor_caps_while_running_and_restores(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "7")
    monkeypatch.setattr("amem.harness.executors.inline_threads", lambda: (1, False))
    seen = []

    def unit(x):
        seen.append((os.environ.get("OMP_NUM_THREADS"), os.environ.get("OPENBLAS_NUM_THREADS"),
                     threads.get_threads()["numba"]))
        return x

    assert list(InlineExecutor().map_unordered(unit, [1, 2])) == [1, 2]
    assert {s[:2] for s in seen} == {("1", "1")}
    assert all(s[2] in (None, 1) for s in seen)
    assert "OMP_NUM_THREADS" not in os.environ and os.environ["OPENBLAS_NUM_THREADS"] == "7"


def test_inline_executor_leaves_a_users_choice_alone(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    seen = []
    list(InlineExecutor().map_unordered(lambda x: seen.append(os.environ["OMP_NUM_THREADS"]), [0]))
    assert seen == ["2"]


def test_busy_cores_reads_the_machine_now(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    ticks = iter([(1000, 600), (1400, 700)])  # 400 ticks, 100 idle: 3 of 4 CPUs busy
    assert threads.busy_cores(window=0, read=lambda: next(ticks)) == pytest.approx(3.0)
    ticks = iter([(1000, 600), (1000, 600)])  # no time passed: unknown, not "idle"
    assert threads.busy_cores(window=0, read=lambda: next(ticks)) is None

    def unreadable():
        raise OSError("no /proc")

    assert threads.busy_cores(window=0, read=unreadable) is None
    total, idle = threads.read_cpu_times()  # this machine's real file parses
    assert total >= idle >= 0


def test_usable_cores_prefers_the_sample_to_the_load_average(monkeypatch):
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    monkeypatch.setattr(threads, "cpu_quota", lambda: None)
    monkeypatch.setattr(os, "getloadavg", lambda: (2.0, 2.0, 2.0))  # a run that just ended
    monkeypatch.setattr(threads, "busy_cores", lambda: 0.1)
    assert threads.usable_cores() == 2
    monkeypatch.setattr(threads, "busy_cores", lambda: None)  # no /proc/stat: load average
    assert threads.usable_cores() == 1


@pytest.mark.parametrize("free, workers, env, expected", [
    (2, 1, None, 2), (1, 1, None, 1),  # a busy core is left alone (was: 2 threads, 100x slower)
    (2, 2, None, 1), (1, 2, None, 1), (2, 2, "2", 1), (2, 1, "1", 1)])
def test_process_workers_get_the_free_cores(monkeypatch, free, workers, env, expected):
    from amem.harness import executors

    monkeypatch.setattr(executors, "available_cores", lambda: 2)
    if env is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
        monkeypatch.setattr(executors, "inline_threads", lambda: (free, False))
    else:
        monkeypatch.setattr(executors, "inline_threads", lambda: (int(env), True))
    ex = executors.ProcessExecutor(workers=workers)
    try:
        assert ex.threads_per_worker == expected
    finally:
        ex.close()


def test_a_library_another_thread_is_still_importing_is_left_alone(monkeypatch):
    """A module mid-import sits in sys.modules without its functions (CI once crashed here: the
    soft-binning trainer imported torch in one thread while another set thread counts)."""
    import sys
    import types

    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
    assert threads.get_threads()["torch"] is None
    with threads.limited(1):
        pass
