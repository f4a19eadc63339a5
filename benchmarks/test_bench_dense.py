"""Dense-memory recall kernels against a straightforward NumPy implementation of the same update.

Workload (full mode): N = 100, P = 2,000 stored patterns, 200 cues with 10% flipped bits; the
exponential and cubic energies, synchronous and asynchronous updates. The NumPy peer keeps the
overlaps too and is vectorised over cues; per unit it evaluates the paper's energy difference
sum_mu [F(b_mu + xi_mu,i) - F(b_mu - xi_mu,i)] directly. ``ratio`` = NumPy time / kernel time,
measured in the same run (absolute timings on a shared machine are noisy).
Quick mode (``--benchmark-disable``): a small workload, one execution, no ratio assertion.
"""

import time

import numpy as np
import pytest

import amem
from amem.patterns import flip_cues, random_patterns
from amem.recurrent import async_orders

ENERGIES = {
    "exp": (dict(energy="exp"), np.exp),
    "poly3": (dict(energy="poly", degree=3), lambda x: x**3),
}
MAX_STEPS = 5  # bounds the NumPy peer's time above capacity (poly3 at P = 2000 cycles)


def _numpy_sync(patterns, cues, f, max_steps):
    x = patterns.astype(np.int64)
    s = cues.astype(np.int64)
    prev = s.copy()
    active = np.ones(len(s), bool)
    for sweep in range(max_steps):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        cur = s[idx]
        m = cur @ x.T
        new = cur.copy()
        for i in range(x.shape[1]):
            xi = x[:, i]
            b = m - cur[:, i : i + 1] * xi
            d = (f(b + xi) - f(b - xi)).sum(axis=1)
            new[:, i] = np.where(d > 0, 1, np.where(d < 0, -1, cur[:, i]))
        changed = (new != cur).any(axis=1)
        back = (new == prev[idx]).all(axis=1) & (sweep > 0)
        prev[idx] = cur
        s[idx] = new
        active[idx[~changed | back]] = False
    return s.astype(np.int8)


def _numpy_async(patterns, cues, f, orders, max_steps):
    x = patterns.astype(np.int64)
    s = cues.astype(np.int64)
    m = s @ x.T
    for sweep in range(max_steps):
        changed = False
        for i in orders[sweep]:
            xi = x[:, i]
            b = m - s[:, i : i + 1] * xi
            d = (f(b + xi) - f(b - xi)).sum(axis=1)
            new = np.where(d > 0, 1, np.where(d < 0, -1, s[:, i]))
            flip = new != s[:, i]
            if flip.any():
                m[flip] += 2 * new[flip, None] * xi[None, :]
                s[flip, i] = new[flip]
                changed = True
        if not changed:
            break
    return s.astype(np.int8)


@pytest.mark.parametrize("update", ["sync", "async"])
@pytest.mark.parametrize("name", list(ENERGIES))
def test_dense_recall_vs_numpy(benchmark, name, update):
    params, f = ENERGIES[name]
    n, p, m = (100, 2000, 200) if not benchmark.disabled else (30, 120, 20)
    pats = random_patterns(p, n, 0)
    cues = flip_cues(pats[:m], 0.1, 1)
    model = amem.make("modern", update=update, **params).store(pats)
    model.recall(cues[:2], max_steps=MAX_STEPS)  # compile outside the timing

    t0 = time.perf_counter()
    if update == "sync":
        want = _numpy_sync(pats, cues, f, MAX_STEPS)
    else:
        want = _numpy_async(pats, cues, f, async_orders(model.seed, MAX_STEPS, n), MAX_STEPS)
    numpy_s = time.perf_counter() - t0

    benchmark.group = f"dense-recall-{update}"
    benchmark.extra_info.update(n_units=n, n_patterns=p, n_cues=m, energy=name)
    out = benchmark.pedantic(model.recall, args=(cues,), kwargs=dict(max_steps=MAX_STEPS),
                             rounds=3, iterations=1)
    np.testing.assert_array_equal(out.states, want)  # the same update, the same answer
    if benchmark.disabled:
        return
    ratio = numpy_s / benchmark.stats.stats.min
    benchmark.extra_info["ratio"] = ratio
    print(f"\n{name} {update}: numpy {numpy_s:.3f} s, kernel {benchmark.stats.stats.min:.4f} s, "
          f"ratio {ratio:.1f}x")
    assert ratio >= 10
