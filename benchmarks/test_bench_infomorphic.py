"""Batched infomorphic training against a straightforward per-run torch implementation.

Workload (the issue's): N = 100, loads 0.5, 1.0, 1.5, 2.0 x 4 seeds, 1000 epochs, no early
stopping. The peer (benchmarks/infomorphic_reference.py) trains one network per load and seed with
autograd and torch.optim.Adam, as the authors' code does. Both run in this process with the same
thread count (AMEM_THREADS, default 2); the ratio of the best wall times and of the CPU times is
reported. Run timed: ``python -m pytest benchmarks/test_bench_infomorphic.py -s``.
"""

import sys
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import amem  # noqa: E402
from amem.models.infomorphic import InfomorphicHopfield  # noqa: E402
from amem.models.infomorphic_train import training_threads  # noqa: E402
from amem.patterns import random_patterns  # noqa: E402
from infomorphic_reference import train_one  # noqa: E402


def _timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def test_ensemble_training_vs_per_run_torch(benchmark):
    quick = benchmark.disabled
    n, epochs = (30, 5) if quick else (100, 1000)
    loads, seeds = ((0.5, 2.0), range(2)) if quick else ((0.5, 1.0, 1.5, 2.0), range(4))
    jobs = [(a, s) for a in loads for s in seeds]
    sets = [random_patterns(round(a * n), n, s) for a, s in jobs]

    def amem_run():
        models = [amem.make("infomorphic", epochs=epochs, early_stopping=False, seed=s)
                  for _, s in jobs]
        return InfomorphicHopfield.store_many(models, sets)

    def peer_run():
        return [train_one(p, s, epochs) for p, s in zip(sets, seeds_of(jobs))]

    amem_run() if not quick else None  # compile the kernels outside the timing
    torch.set_num_threads(training_threads())
    models = benchmark.pedantic(amem_run, rounds=1, iterations=1)
    (_, amem_wall, amem_cpu) = min((_timed(amem_run) for _ in range(1 if quick else 2)),
                                   key=lambda r: r[1])
    (peer_w, peer_wall, peer_cpu) = _timed(peer_run)
    ratio = peer_wall / amem_wall
    benchmark.extra_info.update(ratio=ratio, cpu_ratio=peer_cpu / amem_cpu, amem_s=amem_wall,
                                peer_s=peer_wall, threads=training_threads())
    print(f"\ninfomorphic training, {len(jobs)} networks x {epochs} epochs (N={n}): amem {amem_wall:.1f} s "
          f"(cpu {amem_cpu:.1f} s), per-run torch {peer_wall:.1f} s (cpu {peer_cpu:.1f} s): "
          f"{ratio:.1f}x wall, {peer_cpu / amem_cpu:.1f}x cpu")
    # the two implementations learn the same networks (same recall accuracy, up to float noise)
    from amem.recurrent import SignDynamics

    acc = [float((m.recall(p).states * p).sum(1).mean() / n) for m, p in zip(models, sets)]
    ref = [float((SignDynamics(w).recall(p, n, "sync", 0)[0] * p).sum(1).mean() / n)
           for w, p in zip(peer_w, sets)]
    benchmark.extra_info.update(amem_accuracy=acc, peer_accuracy=ref)
    assert np.allclose(acc, ref, atol=0.1), (acc, ref)
    if not quick:
        assert ratio >= 5


def seeds_of(jobs):
    return [s for _, s in jobs]
