"""Run sweeps on Dask distributed: an existing cluster (``--scheduler ADDRESS``) or a local one.

Optional extra: ``pip install 'amem[dask]'``. The client (the process running ``amem.bench``)
plans the sweep, submits work units a few at a time, and writes every record to its own ``--out``
as the units finish; workers only compute and send records back (plain dicts), so results land
on the client's disk whatever machine ran them. Workers need the same amem (and any plugin
model's module) installed; the executor checks the amem version and sources hash on every
worker at start-up (records name the client's code, so a worker must run the same).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from amem.errors import AmemError
from amem.threads import available_cores, limit_threads

INSTALL_HINT = "pip install 'amem[dask]'"
CONNECT_TIMEOUT_S = 30
RESIZE_EVERY_S = 5.0
#: Units in flight per worker thread: more than the process pool's 2, to hide the scheduler
#: round trip (milliseconds) behind work; still a small, bounded loss on a kill.
IN_FLIGHT_PER_WORKER = 4


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise AmemError(f"--executor dask needs dask.distributed, which is not installed; "
                        f"install it with: {INSTALL_HINT}") from None
    return distributed


class DaskExecutor:
    """Work units as Dask tasks. ``scheduler=None`` starts a :class:`distributed.LocalCluster`
    with ``workers`` single-threaded worker processes (default: all cores); ``processes=False``
    runs one in-process worker thread instead (fast start-up, for tests)."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None,
                 processes: bool = True) -> None:
        distributed = _import_distributed()
        self._cluster = None
        self._cap_threads = processes or bool(scheduler)  # not in our own process (tests)
        self._pending: set = set()
        self._closed = False
        if scheduler:
            try:
                self.client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError) as err:
                raise AmemError(f"cannot reach the Dask scheduler at {scheduler} ({err}); start "
                                "one with `dask scheduler` and pass the address it prints") from None
            try:
                self.client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
            except TimeoutError:
                self.client.close()
                raise AmemError(f"the Dask scheduler at {scheduler} has no workers; start some "
                                f"with `dask worker {scheduler} --nthreads 1`") from None
        else:
            if workers is not None and workers < 1:
                raise AmemError(f"--workers {workers} must be at least 1")
            n = 1 if not processes else (workers or available_cores())
            with _workers_ignore_sigint():
                self._cluster = distributed.LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=processes,
                    dashboard_address=":0", silence_logs=logging.ERROR)
            self.client = distributed.Client(self._cluster)
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._check_workers()

    def _check_workers(self) -> None:
        """Every worker must run this client's code: records are stamped with the client's
        code identity (amem version and sources hash), so a worker running other code would
        make them lie."""
        import amem
        from amem.records.provenance import sources_hash

        mine = f"amem {amem.__version__}, sources {sources_hash()}"
        found = self.client.run(_worker_code)
        problems = {addr: v for addr, v in found.items() if v != mine}
        if problems:
            addr, v = next(iter(problems.items()))
            self.close()
            if v.startswith("error:"):
                raise AmemError(f"Dask worker {addr} cannot import amem ({v[6:].strip()}); "
                                "install amem on every worker machine")
            raise AmemError(f"Dask worker {addr} runs other code ({v}) than this client ({mine}); "
                            "install the same amem on every worker (records name the client's "
                            "code)")

    def map_unordered(self, fn: Callable, units: Iterable[Any]) -> Iterator[Any]:
        from distributed import as_completed

        it = iter(units)
        queue = as_completed(with_results=True, raise_errors=True)
        sized = [0.0, self.workers]  # when the worker count was last asked, and the answer

        def top_up():
            # the cluster may grow or shrink (adaptive deployments): ask every few seconds
            if time.monotonic() - sized[0] > RESIZE_EVERY_S:
                sized[:] = [time.monotonic(), max(1, sum(self.client.nthreads().values()))]
            limit = IN_FLIGHT_PER_WORKER * sized[1]
            while len(self._pending) < limit:
                unit = next(it, _END)
                if unit is _END:
                    return
                fut = self.client.submit(_run_capped, fn, unit, self._cap_threads, pure=False)
                self._pending.add(fut)
                queue.add(fut)

        top_up()
        # results come with the completion notice (no extra round trip per unit); an error
        # re-raises the worker's exception here
        for fut, result in queue:
            self._pending.discard(fut)
            fut.release()
            top_up()
            yield result

    def close(self) -> None:
        """Cancel what is queued or running, disconnect; stop the cluster if we started it."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._pending:
                self.client.cancel(list(self._pending), force=True)
                self._pending.clear()
            self.client.close(timeout=10)
        finally:
            if self._cluster is not None:
                self._cluster.close(timeout=10)


_END = object()


@contextlib.contextmanager
def _workers_ignore_sigint():
    """Worker processes started in this block ignore SIGINT (the disposition survives exec).

    Ctrl-C in a terminal signals the whole process group; only this process should act on it
    (cancel the work, close the cluster), not every worker with a traceback. Blocking SIGINT
    instead would not do: Dask starts the workers from its event-loop thread, whose signal mask
    is its own. The cost: a Ctrl-C during the few seconds of cluster start-up is ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_capped(fn: Callable, unit: Any, cap_threads: bool):
    """On a worker: one thread per task slot (Dask runs one task per thread), then the unit.

    ``OMP_NUM_THREADS`` on the worker overrides the 1 (Dask's nannies set it to 1 by default).
    """
    if cap_threads:
        limit_threads(int(os.environ.get("OMP_NUM_THREADS", "1") or 1))
    return fn(unit)


def _worker_code() -> str:
    try:
        import amem
        from amem.records.provenance import sources_hash

        return f"amem {amem.__version__}, sources {sources_hash()}"
    except Exception as err:  # noqa: BLE001 -- reported to the client as text
        return f"error: {type(err).__name__}: {err}"
