"""Atoms of all neurons at once (amem.pid.neuron_atoms) vs a straightforward per-neuron loop.

Workload: a Hebbian network with N = 1000 units storing P = 200 patterns; adaptive [2, 60] binning,
output = sign of the recurrent field (the anatomy's defaults). The peer builds each neuron's joint
with np.histogram2d and decomposes it with amem.pid.decompose, one neuron at a time.
Run: PYTHONPATH=$PWD python -m pytest benchmarks/test_bench_pid.py -s
"""

import time

import numpy as np

import amem
from amem.anatomy import AnatomyOptions, neuron_sources
from amem.patterns import random_patterns
from amem.pid import decompose, neuron_atoms
from amem.pid.binning import bin_edges


def _sources(n_units, n_patterns):
    model = amem.make("hebbian").store(random_patterns(n_patterns, n_units, seed=0))
    return neuron_sources(model.weights_, model.bias_, model.patterns_, AnatomyOptions())


def per_neuron_loop(r, c, theta, n_bins=(2, 60)):
    """One neuron at a time: normalise, histogram (right-closed edges via clamping), decompose."""
    n_samples, n_units = theta.shape
    out = np.empty((n_units, 5))
    edges = [bin_edges(n, -1.0, 1.0) for n in n_bins]
    for i in range(n_units):
        x1 = np.clip(r[:, i] / (np.abs(r[:, i]).max() or 1.0), -1 + 1e-4, 1.0)
        x2 = np.clip(c[:, i] / (np.abs(c[:, i]).max() or 1.0), -1 + 1e-4, 1.0)
        b1 = np.searchsorted(edges[0], x1) - 1
        b2 = np.searchsorted(edges[1], x2) - 1
        joint = np.stack([np.histogram2d(b1, b2, bins=n_bins, range=((0, n_bins[0]), (0, n_bins[1])),
                                         weights=w)[0] for w in (1 - theta[:, i], theta[:, i])], -1)
        out[i] = decompose(joint / n_samples).as_array()
    return out


def test_neuron_atoms_vs_per_neuron_loop(benchmark):
    n_units, n_patterns = (100, 20) if benchmark.disabled else (1000, 200)
    r, c, theta = _sources(n_units, n_patterns)
    benchmark.group = "pid-atoms"
    benchmark.extra_info.update(n_units=n_units, n_patterns=n_patterns)
    fast = benchmark.pedantic(neuron_atoms, args=(r, c, theta),
                              kwargs={"binning": "adaptive", "n_bins": (2, 60)},
                              rounds=1 if benchmark.disabled else 5, warmup_rounds=0 if benchmark.disabled else 1)
    t0 = time.perf_counter()
    slow = per_neuron_loop(r, c, theta)
    loop_s = time.perf_counter() - t0
    np.testing.assert_allclose(fast, slow, atol=1e-10)
    if benchmark.disabled:
        return
    ratio = loop_s / benchmark.stats.stats.median
    benchmark.extra_info["ratio"] = ratio
    benchmark.extra_info["loop_s"] = loop_s
    print(f"\nPID atoms N={n_units} P={n_patterns}: per-neuron loop {loop_s:.3f} s, vectorised "
          f"{benchmark.stats.stats.median:.4f} s, ratio {ratio:.1f}x")
    assert ratio > 2.0
