"""Where work units run: inline or in a local process pool (spawn start method).

An executor maps a top-level function over work units and yields results as they finish. The
records a unit produces depend only on the unit (seeds derive from trial identity), so every
executor gives the same records.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from amem.errors import AmemError

EXECUTORS = ("inline", "process", "dask")


class InlineExecutor:
    name = "inline"

    def map_unordered(self, fn: Callable, units: Iterable[Any]) -> Iterator[Any]:
        for unit in units:
            yield fn(unit)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """A local process pool. Uses ``spawn``: processes forked after parallel Numba code can hang."""

    name = "process"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_limit_worker_threads,
                                         initargs=(self.workers,))

    def map_unordered(self, fn: Callable, units: Iterable[Any]) -> Iterator[Any]:
        units = list(units)
        pending = set()
        it = iter(units)
        # keep a bounded number of units in flight so results stream back steadily
        for unit in it:
            pending.add(self._pool.submit(fn, unit))
            if len(pending) >= 2 * self.workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
            for unit in it:
                pending.add(self._pool.submit(fn, unit))
                if len(pending) >= 2 * self.workers:
                    break

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _limit_worker_threads(n_workers: int) -> None:
    # Each worker gets its share of the cores: BLAS/Numba/torch threads x workers <= cores.
    threads = max(1, (os.cpu_count() or 1) // n_workers)
    try:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    except Exception:
        pass
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    except Exception:
        pass
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))


def make_executor(name: str, workers: int | None = None, scheduler: str | None = None):
    if name == "inline":
        return InlineExecutor()
    if name == "process":
        return ProcessExecutor(workers)
    if name == "dask":
        from amem.dask_executor import DaskExecutor  # optional extra

        return DaskExecutor(scheduler=scheduler, workers=workers)
    raise AmemError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}")
