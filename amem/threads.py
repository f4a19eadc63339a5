"""Thread control for Numba, torch and BLAS in one place.

Three libraries size their own thread pools: Numba (``numba.set_num_threads``, thread-local),
torch (``torch.set_num_threads``, process-wide) and BLAS/OpenMP (environment variables read at
import; ``threadpoolctl`` when installed caps an already-loaded BLAS). Executors cap every pool
of a worker for good (:func:`limit_threads`, :func:`set_thread_env` for spawned children); code
that needs a different count for a while uses :func:`limited`, which restores the counts on exit.

Only libraries already imported are touched: importing torch or Numba just to set a thread
count would cost seconds in processes that never use them.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from amem.errors import AmemError

#: Environment variables that size the thread pools of BLAS, OpenMP and torch (read by each
#: library when it is imported, so they reach spawned child processes) and amem's trainer.
#: ``NUMBA_NUM_THREADS`` is deliberately absent: it sizes Numba's pool, and once a process has
#: launched that pool, a different value in its environment makes Numba's next compilation
#: raise; Numba's count is capped with ``numba.set_num_threads`` instead.
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "AMEM_THREADS")
DEFAULT_TRAINING_THREADS = 2


def available_cores() -> int:
    """Cores this process may run on (the CPU affinity mask, e.g. under taskset or a batch job)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def env_threads(var: str = "AMEM_THREADS", default: int = DEFAULT_TRAINING_THREADS) -> int:
    """The thread count the environment variable ``var`` asks for, capped at the available
    cores (at least 1); ``default`` when it is unset or empty."""
    value = os.environ.get(var, "")
    if value.strip() == "":
        threads = default
    else:
        try:
            threads = int(value)
        except ValueError:
            raise AmemError(f"{var}={value!r} must be a positive integer, e.g. {var}=2") from None
    return max(1, min(threads, available_cores()))


def set_thread_env(threads: int) -> dict[str, str | None]:
    """Set every :data:`THREAD_ENV` variable to ``threads`` (for processes started from now on);
    returns the previous values for :func:`restore_env`."""
    saved = {k: os.environ.get(k) for k in THREAD_ENV}
    os.environ.update({k: str(threads) for k in THREAD_ENV})
    return saved


def restore_env(saved: dict[str, str | None]) -> None:
    """Undo :func:`set_thread_env` (variables that were unset are removed again)."""
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def cap_worker_process(threads: int) -> None:
    """At the start of a worker process: ``threads`` for every pool, now and for later imports.

    Sets :data:`THREAD_ENV`, and ``NUMBA_NUM_THREADS`` too as long as Numba's pool has not been
    launched in this process (so a later ``import numba`` starts a pool of that size), then
    :func:`limit_threads`.
    """
    set_thread_env(threads)
    _size_numba_pool(threads)
    limit_threads(threads)


def _size_numba_pool(threads: int) -> None:
    """``NUMBA_NUM_THREADS`` for this process, consistent with Numba's own configuration.

    Numba reads the variable when it is imported and again at every compilation, and that
    compilation raises once the pool has been launched with another size. So: before the import,
    set it; after the import but before the launch, set it and have Numba re-read it (its config
    still holds the import-time value, which would size the pool); after the launch, make the
    environment agree with the pool (a kernel first compiled in a worker then runs)."""
    numba = sys.modules.get("numba")
    config = getattr(numba, "config", None) if numba is not None else None
    if config is None:
        os.environ["NUMBA_NUM_THREADS"] = str(threads)
    elif not _numba_pool_launched():
        os.environ["NUMBA_NUM_THREADS"] = str(threads)
        config.reload_config()
    else:
        os.environ["NUMBA_NUM_THREADS"] = str(config.NUMBA_NUM_THREADS)


def _numba_pool_launched() -> bool:
    if "numba" not in sys.modules:
        return False
    from numba.np.ufunc import parallel

    return bool(getattr(parallel, "_is_initialized", True))


def limit_threads(threads: int) -> None:
    """Cap, for good, the thread pools of libraries already imported (the environment covers
    later imports: see :func:`set_thread_env`)."""
    _set_numba(threads)
    _set_torch(threads)
    blas = _blas_limiter(threads)
    if blas is not None:
        blas.__enter__()  # not exited: the cap stays


def _loaded(module: str, function: str):
    """``module.function`` when the module is imported, else None. A module another thread is
    still importing is in ``sys.modules`` without its functions yet (the soft-binning trainer
    imports torch in one training thread while another thread sets its thread counts)."""
    mod = sys.modules.get(module)
    return getattr(mod, function, None) if mod is not None else None


def get_threads() -> dict[str, int | None]:
    """The current counts: ``numba`` (this thread's), ``torch``; None for a library not imported
    (or not imported yet)."""
    counts: dict[str, int | None] = {"numba": None, "torch": None}
    for name in counts:
        getter = _loaded(name, "get_num_threads")
        if getter is not None:
            counts[name] = getter()
    return counts


@contextlib.contextmanager
def limited(threads: int | None = None, *, numba: int | None = None, torch: int | None = None,
            blas: int | None = None) -> Iterator[None]:
    """Within the block, use ``threads`` threads in Numba, torch and BLAS; restore on exit.

    ``numba=``, ``torch=``, ``blas=`` override the count for one library (None: ``threads``; both
    None: leave that library alone). Numba's count is thread-local (each Python thread sets its
    own); torch's is process-wide, so set it from one thread. Counts above Numba's pool size
    (``NUMBA_NUM_THREADS``) are capped to it.
    """
    numba = threads if numba is None else numba
    torch = threads if torch is None else torch
    blas = threads if blas is None else blas
    for name, value in (("numba", numba), ("torch", torch), ("blas", blas)):
        if value is not None and value < 1:
            raise AmemError(f"{name} threads {value} must be at least 1")
    before = get_threads()
    with contextlib.ExitStack() as stack:
        if numba is not None and before["numba"] is not None:
            stack.callback(_set_numba, before["numba"])
            _set_numba(numba)
        if torch is not None and before["torch"] is not None:
            stack.callback(_set_torch, before["torch"])
            _set_torch(torch)
        if blas is not None:
            limiter = _blas_limiter(blas)
            if limiter is not None:
                stack.enter_context(limiter)
        yield


def _set_numba(threads: int) -> None:
    if "numba" not in sys.modules:
        return
    numba = sys.modules["numba"]
    try:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    except Exception:  # noqa: BLE001 -- no parallel backend: nothing to cap
        pass


def _set_torch(threads: int) -> None:
    setter = _loaded("torch", "set_num_threads")
    if setter is not None:
        setter(threads)


def _blas_limiter(threads: int):
    """A threadpoolctl limiter (a context manager) for the loaded BLAS/OpenMP, or None when
    threadpoolctl is not installed (the environment variables then do the capping)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(threads)


# ------------------------------------------------------------------ the inline executor's count
def cpu_quota(root: str = "/sys/fs/cgroup") -> int | None:
    """Cores the cgroup's CPU quota allows (v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``), or None."""
    import math
    from pathlib import Path

    try:
        quota, period = Path(root, "cpu.max").read_text().split()[:2]
        if quota != "max":
            return max(1, math.ceil(int(quota) / int(period)))
        return None
    except (OSError, ValueError):
        pass
    try:
        quota = int(Path(root, "cpu", "cpu.cfs_quota_us").read_text())
        period = int(Path(root, "cpu", "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return max(1, math.ceil(quota / period)) if quota > 0 and period > 0 else None


def read_cpu_times(stat: str = "/proc/stat") -> tuple[int, int]:
    """(all CPU time, idle CPU time) of the machine so far, in clock ticks, from ``/proc/stat``."""
    with open(stat) as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    return sum(fields[:8]), fields[3] + fields[4]  # user..steal; idle + iowait


def busy_cores(window: float = 0.1, read=read_cpu_times) -> float | None:
    """Cores other processes keep busy now: the machine's non-idle share of CPU time over a
    short ``window`` (seconds) times its CPUs, or None where the CPU times cannot be read.

    The 1-minute load average lags: right after a run ends it still reads the run's own load, so
    run after run on a quiet machine went single-threaded; a tenth-of-a-second sample does not.
    This process sleeps during the window, so its own threads do not count.
    """
    import time

    try:
        total0, idle0 = read()
        time.sleep(window)
        total1, idle1 = read()
    except (OSError, ValueError, IndexError):
        return None
    elapsed = total1 - total0
    if elapsed <= 0:
        return None
    return (elapsed - (idle1 - idle0)) / elapsed * (os.cpu_count() or 1)


def usable_cores(load: float | None = None) -> int:
    """Cores this process may use now: the affinity mask and cgroup quota, less the cores other
    processes keep busy (:func:`busy_cores`; the 1-minute load average where the CPU times
    cannot be read), at least 1.

    BLAS threads that wait for a core held by another process spin instead of working, and Numba's
    parallel loops wait at every barrier for their slowest thread: on a busy machine every thread
    beyond the free cores makes the work slower, not faster (a one-worker process pool with two
    threads beside another job on 2 cores took 502 s for a 4 s sweep).
    """
    cores = available_cores()
    quota = cpu_quota()
    if quota is not None:
        cores = min(cores, quota)
    if load is None:
        load = busy_cores()
    if load is None:
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = 0.0
    return max(1, min(cores, int(cores - load + 0.5)))


def inline_threads() -> tuple[int, bool]:
    """(threads for work in this process, whether the user chose them): an explicit
    ``OMP_NUM_THREADS`` wins; otherwise :func:`usable_cores`."""
    value = os.environ.get("OMP_NUM_THREADS", "").strip()
    if value:
        try:
            return max(1, int(value)), True
        except ValueError:
            raise AmemError(f"OMP_NUM_THREADS={value!r} must be a positive integer") from None
    return usable_cores(), False
