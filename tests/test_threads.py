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
