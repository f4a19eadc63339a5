"""Every Numba kernel against its slow twin in tests/naive.py."""

import numpy as np
import pytest
from naive import naive_async_recall, naive_sync_recall

from amem.kernels import async_sign_recall, sync_sign_recall
from amem.patterns import flip_cues, random_patterns
from amem.recurrent import SignDynamics, async_orders


def hebbian_counts(patterns, self_coupling=False):
    w = patterns.astype(np.int64).T @ patterns.astype(np.int64)
    if not self_coupling:
        np.fill_diagonal(w, 0)
    return w.astype(float)


def problems():
    """(weights, bias, cues) covering ties (integer Hebbian weights, even N), cycles and
    asymmetric real weights with bias."""
    out = []
    for n, p, noise, seed in [(16, 2, 0.2, 0), (31, 6, 0.3, 1), (40, 12, 0.25, 2), (64, 20, 0.4, 3)]:
        pats = random_patterns(p, n, seed)
        out.append((hebbian_counts(pats), np.zeros(n), flip_cues(pats, noise, seed + 10)))
    rng = np.random.default_rng(7)
    for n in (12, 37):
        w = rng.normal(size=(n, n))
        np.fill_diagonal(w, 0)
        out.append((w, rng.normal(scale=0.3, size=n), random_patterns(9, n, n)))
    # exact zero fields that a rounded sum misses: for the first cue every row's terms cancel
    # in pairs (+a, then -a in another order, a spread over six decades), plus a bias pair
    n = 22
    cues = random_patterns(6, n, 11)
    w, b = np.zeros((n, n)), np.zeros(n)
    for i in range(n):
        slots = [j for j in range(n) if j != i] + [-1]
        values = 10.0 ** rng.uniform(-3, 3, size=n // 2)
        for a, p, m in zip(values, slots[: n // 2], rng.permutation(slots[n // 2:])):
            for slot, term in ((p, a), (m, -a)):
                if slot < 0:
                    b[i] = term
                else:
                    w[i, slot] = term * cues[0, slot]
    assert np.count_nonzero(cues[0] @ w.T + b) > 0  # the rounded sums are not all zero
    out.append((w, b, cues))
    return out


N_PROBLEMS = 7


@pytest.mark.parametrize("case", range(N_PROBLEMS))
@pytest.mark.parametrize("max_steps", [1, 3, 50])
def test_sync_kernel_matches_naive(case, max_steps):
    w, b, cues = problems()[case]
    for dtype in (np.float64, np.float32):
        if dtype == np.float32 and case >= 4:
            continue  # real weights: float32 rounding may differ from the float64 twin
        states = cues.copy()
        tol = SignDynamics(w, b, exact_integer=dtype == np.float32).sync_tol
        steps, status = sync_sign_recall(np.ascontiguousarray(w.T, dtype), b.astype(dtype), states,
                                         max_steps, tol)
        ref = naive_sync_recall(w, b, cues, max_steps)
        np.testing.assert_array_equal(states, ref[0])
        np.testing.assert_array_equal(steps, ref[1])
        np.testing.assert_array_equal(status, ref[2])


@pytest.mark.parametrize("case", range(N_PROBLEMS))
@pytest.mark.parametrize("max_steps", [1, 2, 30])
def test_async_kernel_matches_naive(case, max_steps):
    w, b, cues = problems()[case]
    orders = async_orders(case, max_steps, w.shape[0])
    states = cues.copy()
    fields = states @ w.T + b
    err_scale = SignDynamics(w, b).err_scale
    steps, status = async_sign_recall(np.ascontiguousarray(w.T), b, np.ascontiguousarray(fields),
                                      states, orders, max_steps, err_scale)
    ref = naive_async_recall(w, b, cues, orders, max_steps)
    np.testing.assert_array_equal(states, ref[0])
    np.testing.assert_array_equal(steps, ref[1])
    np.testing.assert_array_equal(status, ref[2])


def test_sync_detects_two_cycle():
    # Two units coupled antiferromagnetically with a sync update flip together forever.
    w = np.array([[0.0, -1.0], [-1.0, 0.0]])
    dyn = SignDynamics(w)
    states, steps, status = dyn.recall(np.array([[1, 1]], np.int8), 10, "sync", 0)
    assert status[0] == 1 and steps[0] == 2
    # The async update cannot cycle on a symmetric W: it settles.
    states, steps, status = dyn.recall(np.array([[1, 1]], np.int8), 10, "async", 0)
    assert status[0] == 0 and states[0, 0] == -states[0, 1]


def test_ties_keep_the_old_state():
    w = np.zeros((4, 4))
    cues = np.array([[1, -1, 1, -1]], np.int8)
    for update in ("sync", "async"):
        states, steps, status = SignDynamics(w).recall(cues, 5, update, 0)
        np.testing.assert_array_equal(states, cues)
        assert steps[0] == 0 and status[0] == 0


def test_max_steps_is_reported_not_hidden():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(30, 30))  # asymmetric: sync dynamics wander
    dyn = SignDynamics(w)
    _, steps, status = dyn.recall(random_patterns(20, 30, 1), 1, "sync", 0)
    assert set(status) <= {0, 2} and (steps <= 1).all()
    assert (status == 2).sum() == (steps == 1).sum()


def test_orders_are_permutations_and_seeded():
    a = async_orders(3, 5, 17)
    assert a.shape == (5, 17)
    assert all(sorted(row) == list(range(17)) for row in a)
    np.testing.assert_array_equal(a, async_orders(3, 5, 17))
    assert not np.array_equal(a, async_orders(4, 5, 17))
