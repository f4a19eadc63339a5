"""Process pool against inline execution on the same CPU-bound capacity sweep.

Both run the same Hebbian grid (N=320, sync, six loads around capacity, 8 seeds; fresh result
directories each round, so nothing is resumed) in the same test; the ratio inline time / pool time
(best of the rounds) goes into ``benchmark.extra_info["ratio"]`` and is printed. The pool is
started and warmed (workers spawned, Numba kernels loaded from cache) before timing: what a long
sweep amortises. Inline runs as users get it (Numba's parallel kernels on all cores); for
context, ``ratio_vs_one_thread`` compares the pool with inline restricted to one Numba thread --
on a machine whose cores are busy with other work the threaded inline run can be far slower.
Quick mode (``--benchmark-disable``): one small round each, no ratio assertion.

    PYTHONPATH=$PWD python -m pytest benchmarks/test_bench_executors.py -s
"""

from __future__ import annotations

import tempfile
import time

import numba

from amem.harness.executors import InlineExecutor, ProcessExecutor, available_cores
from amem.harness.sweep import SweepConfig, run_sweep
from amem.records.store import RecordStore

WORKERS = 2
REQUIRED_RATIO = 1.7


def config(seeds: int, seed_start: int = 0, n_units: int = 200) -> SweepConfig:
    return SweepConfig(models=[("hebbian", {})], n_units=[n_units],
                       alphas=[0.05, 0.1, 0.15, 0.2, 0.25, 0.3], seeds=seeds,
                       seed_start=seed_start)


def timed_sweep(cfg: SweepConfig, executor, durations: list[float]) -> list[dict]:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        records = run_sweep(cfg, RecordStore(out), executor, progress=False)
        durations.append(time.perf_counter() - t0)
    return records


def strip_timing(records):
    return sorted((r["key"], r["mean_overlap"], r["per_pattern"]["agreement"]) for r in records)


def test_process_pool_beats_inline(benchmark):
    quick = benchmark.disabled
    cfg = config(seeds=1 if quick else 8, n_units=64 if quick else 320)
    rounds = 1 if quick else 2
    inline, pool = InlineExecutor(), ProcessExecutor(workers=WORKERS)
    try:
        warm = config(seeds=WORKERS, seed_start=1000, n_units=cfg.n_units[0])
        timed_sweep(warm, pool, [])
        timed_sweep(warm, inline, [])
        t_inline, t_pool, t_one = [], [], []
        for _ in range(rounds - 1):  # interleaved, so load changes hit both alike
            timed_sweep(cfg, inline, t_inline)
            timed_sweep(cfg, pool, t_pool)
        inline_records = timed_sweep(cfg, inline, t_inline)
        threads = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            timed_sweep(cfg, inline, t_one)
        finally:
            numba.set_num_threads(threads)
        pool_records = benchmark.pedantic(timed_sweep, args=(cfg, pool, t_pool), rounds=1,
                                          iterations=1)
    finally:
        pool.close()
    assert strip_timing(pool_records) == strip_timing(inline_records)
    ratio = min(t_inline) / min(t_pool)
    ratio_one = t_one[0] / min(t_pool)
    benchmark.extra_info.update(ratio=ratio, ratio_vs_one_thread=ratio_one, inline_s=min(t_inline),
                                inline_one_thread_s=t_one[0], pool_s=min(t_pool), workers=WORKERS,
                                cores=available_cores(), trials=len(pool_records))
    print(f"\nprocess pool ({WORKERS} workers) vs inline, {len(pool_records)} trials: "
          f"inline {min(t_inline):.2f} s, pool {min(t_pool):.2f} s, ratio {ratio:.2f}x "
          f"(inline with one Numba thread {t_one[0]:.2f} s: ratio {ratio_one:.2f}x)")
    if not quick and available_cores() >= 2:
        assert ratio >= REQUIRED_RATIO
