"""amem.threads: one place that sets and restores Numba, torch and BLAS thread counts."""

import os

import numba
import pytest
import torch

from amem import threads
from amem.errors import AmemError


def test_limited_sets_and_restores_numba_and_torch():
    before = threads.get_threads()
    with threads.limited(1):
        assert threads.get_threads() == {"numba": 1, "torch": 1}
    assert threads.get_threads() == before


def test_limited_per_library_counts_and_restore_after_error():
    before_torch = torch.get_num_threads()
    before_numba = numba.get_num_threads()
    with pytest.raises(RuntimeError), threads.limited(numba=1, torch=2):
        assert numba.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        raise RuntimeError("inside")
    assert (numba.get_num_threads(), torch.get_num_threads()) == (before_numba, before_torch)


def test_limited_leaves_unnamed_libraries_alone():
    before_torch = torch.get_num_threads()
    with threads.limited(numba=1):
        assert torch.get_num_threads() == before_torch
        assert numba.get_num_threads() == 1


def test_limited_caps_numba_at_its_pool_size():
    with threads.limited(numba=10_000):
        assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS


def test_limited_rejects_zero():
    with pytest.raises(AmemError, match="at least 1"), threads.limited(0):
        pass


def test_env_threads(monkeypatch):
    monkeypatch.setenv("AMEM_THREADS", "1")
    assert threads.env_threads() == 1
    monkeypatch.setenv("AMEM_THREADS", "100000")
    assert threads.env_threads() == threads.available_cores()
    monkeypatch.setenv("AMEM_THREADS", "")
    assert threads.env_threads(default=1) == 1
    monkeypatch.setenv("AMEM_THREADS", "two")
    with pytest.raises(AmemError, match="AMEM_THREADS='two'"):
        threads.env_threads()


def test_set_thread_env_and_restore(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    saved = threads.set_thread_env(3)
    assert all(os.environ[k] == "3" for k in threads.THREAD_ENV)
    threads.restore_env(saved)
    assert os.environ["OMP_NUM_THREADS"] == "7"
    assert "MKL_NUM_THREADS" not in os.environ


def test_thread_env_never_touches_numbas_pool_size():
    # a process whose Numba pool is running must keep NUMBA_NUM_THREADS as it launched it, or
    # Numba's next compilation raises (seen when a process pool lived next to inline work)
    assert "NUMBA_NUM_THREADS" not in threads.THREAD_ENV


def _worker_compiles_after_the_pool_launched() -> tuple[int, int]:
    """In a fresh process that imported Numba already (this module does; its config holds the
    import-time pool size): cap as a pool worker, launch the pool, then compile a new function
    (Numba re-reads NUMBA_NUM_THREADS at every compilation)."""
    import numba as nb
    import numpy as np

    threads.cap_worker_process(1)

    @nb.njit(parallel=True)
    def launch(x):
        for i in nb.prange(x.size):
            x[i] += 1.0

    launch(np.zeros(4))

    @nb.njit
    def later(x):  # a kernel first compiled after the launch (an uncached one in a worker)
        return x + 1

    later(1.0)
    return nb.config.NUMBA_NUM_THREADS, nb.get_num_threads()


def test_a_worker_can_compile_after_its_pool_launched():
    """A spawned worker that imported Numba before the cap sized its pool from the import-time
    config and then raised 'Cannot set NUMBA_NUM_THREADS ...' at its next compilation (seen with
    a new kernel in a process pool)."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        size, used = pool.apply(_worker_compiles_after_the_pool_launched)
    assert used == 1
    assert size == 1
