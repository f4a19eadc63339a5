"""Where work units run: inline, a local process pool (spawn), or a Dask cluster.

Every executor has the same interface: ``map_unordered(fn, units)`` yields ``fn(unit)`` for each
unit as it finishes (any order), ``close()`` stops it (also after Ctrl-C: queued work is dropped
and workers are shut down, nothing hangs), and ``workers`` says how many units run at once. The
records a unit produces depend only on the unit (seeds derive from trial identity), so every
executor gives the same records; only a bounded number of units is in flight at any time, so an
interruption loses at most those.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from amem.errors import AmemError
from amem.records.store import sigint_held
from amem.threads import (
    THREAD_ENV,
    available_cores,
    cap_worker_process,
    inline_threads,
    limit_threads,
    limited,
    restore_env,
    set_thread_env,
)

__all__ = ["EXECUTORS", "THREAD_ENV", "InlineExecutor", "ProcessExecutor", "available_cores",
           "exit_with_parent", "limit_threads", "make_executor"]

EXECUTORS = ("inline", "process", "dask")
IN_FLIGHT_PER_WORKER = 2  # units queued per worker: keeps workers busy, bounds what a kill loses


class InlineExecutor:
    """Runs every unit in this process, one after the other (debugging, profiling, tiny sweeps).

    BLAS, Numba and torch run at most :func:`amem.threads.inline_threads` threads while a unit
    runs (the cores free now; an explicit ``OMP_NUM_THREADS`` wins): oversubscribed BLAS threads
    on a busy machine made a Hebbian sweep 6-20 times slower than one thread. The environment
    caps libraries first loaded during a unit (scipy's BLAS, which Numba's ``np.dot`` calls)
    and is restored when the units are done; each unit's caps are undone when it ends.
    """

    name = "inline"
    workers = 1

    def __init__(self) -> None:
        self.threads, self._user_chose = inline_threads()

    def map_unordered(self, fn: Callable, units: Iterable[Any]) -> Iterator[Any]:
        saved = None if self._user_chose else set_thread_env(self.threads)
        try:
            for unit in units:
                with limited(self.threads), interrupt_as_keyboard_interrupt():
                    result = fn(unit)
                yield result
        finally:
            if saved is not None:
                restore_env(saved)

    def close(self) -> None:
        pass


def is_interrupt(err: BaseException) -> bool:
    """A Ctrl-C that arrived inside compiled code (Numba) surfaces as ``SystemError: ...
    returned a result with an exception set`` caused by the ``KeyboardInterrupt``."""
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, KeyboardInterrupt):
            return True
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return False


@contextlib.contextmanager
def interrupt_as_keyboard_interrupt() -> Iterator[None]:
    """Re-raise a Ctrl-C that compiled code wrapped in a ``SystemError`` as KeyboardInterrupt."""
    try:
        yield
    except SystemError as err:
        if is_interrupt(err):
            raise KeyboardInterrupt from None
        raise


class ProcessExecutor:
    """A local process pool, all cores by default.

    Uses the ``spawn`` start method: processes forked after Numba's parallel code (or torch) has
    started threads can deadlock. Each worker gets ``free cores // workers`` threads for BLAS, Numba
    and torch (at least 1; :func:`amem.threads.usable_cores`, cores busy with other processes
    left out; an explicit ``OMP_NUM_THREADS`` is taken per worker, up to ``cores // workers``),
    so processes x threads never oversubscribes the machine. Workers ignore SIGINT: Ctrl-C
    reaches the parent only, which then stops the pool.
    """

    name = "process"

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise AmemError(f"--workers {workers} must be at least 1")
        self.workers = workers or available_cores()
        # an explicit OMP_NUM_THREADS is per process, still capped so workers x threads fit
        threads, user_chose = inline_threads()
        share = available_cores() // self.workers
        self.threads_per_worker = max(1, min(threads if user_chose else threads // self.workers,
                                             share))
        # spawned children inherit the environment at start-up, before they import numpy/numba
        self._saved_env = set_thread_env(self.threads_per_worker)
        self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_init_worker,
                                         initargs=(self.threads_per_worker, os.getpid()))
        self._pending: set = set()
        self._closed = False

    def map_unordered(self, fn: Callable, units: Iterable[Any]) -> Iterator[Any]:
        it = iter(units)
        limit = IN_FLIGHT_PER_WORKER * self.workers

        def top_up():
            while len(self._pending) < limit:
                unit = next(it, _END)
                if unit is _END:
                    return
                # a submit may spawn a worker: it starts with SIGINT blocked (the mask survives
                # exec), so a Ctrl-C to the process group cannot hit it mid-start-up
                with sigint_held():
                    self._pending.add(self._pool.submit(fn, unit))

        try:
            top_up()
            while self._pending:
                done, self._pending = wait(self._pending, return_when=FIRST_COMPLETED)
                top_up()  # refill before handing results back: workers stay busy meanwhile
                for fut in done:
                    yield fut.result()
        except BrokenProcessPool as err:
            raise AmemError(f"a worker process died ({err}); finished trials are saved, rerun "
                            "the same command to resume (with fewer --workers if memory ran "
                            "out)") from None

    def close(self) -> None:
        """Stop now: drop queued units, end running workers (their units are lost, not saved)."""
        if self._closed:
            return
        self._closed = True
        busy = any(not f.done() for f in self._pending)
        self._pending = set()
        if busy:
            _stop_pool_now(self._pool)
        else:
            self._pool.shutdown(wait=True)
        restore_env(self._saved_env)


_END = object()


def _stop_pool_now(pool: ProcessPoolExecutor) -> None:
    """Shut a busy pool down without waiting for the running units.

    Cancelling futures from this thread while the pool's manager thread marks them broken
    raises ``InvalidStateError`` in that thread (CPython 3.11), so the manager thread does the
    cancelling (``shutdown(cancel_futures=True)``); then the workers are ended and the manager
    thread, which notices and joins them, is joined.
    """
    if hasattr(pool, "terminate_workers"):  # Python >= 3.14 does all of it
        pool.terminate_workers()
        return
    processes = dict(getattr(pool, "_processes", None) or {})
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes.values():
        if proc.is_alive():
            proc.terminate()
    if manager is not None:
        manager.join(timeout=10)  # it notices the ended workers, fails their futures, joins them
    for proc in processes.values():
        if proc.is_alive():  # only if the manager thread got stuck
            proc.kill()
            proc.join(timeout=1)


def _init_worker(threads: int, parent_pid: int) -> None:
    """Process-pool worker start-up: leave Ctrl-C to the parent, end with the parent (even a
    ``kill -9``'d one), cap every thread pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent_pid)
    cap_worker_process(threads)


def exit_with_parent(parent_pid: int, poll_s: float = 0.5) -> None:
    """End this process as soon as ``parent_pid`` is gone: orphaned workers would otherwise sit
    on memory and cores forever after their parent was killed."""
    import threading
    import time

    if os.getppid() != parent_pid:
        os._exit(1)

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(poll_s)
        os._exit(1)

    threading.Thread(target=watch, name="amem-exit-with-parent", daemon=True).start()


def make_executor(name: str, workers: int | None = None, scheduler: str | None = None):
    if scheduler is not None and name != "dask":
        raise AmemError(f"--scheduler {scheduler} needs --executor dask")
    if name == "inline":
        return InlineExecutor()
    if name == "process":
        return ProcessExecutor(workers)
    if name == "dask":
        from amem.harness.dask import DaskExecutor  # optional extra: amem[dask]

        return DaskExecutor(scheduler=scheduler, workers=workers)
    raise AmemError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}")
