"""The default inline run against one thread (``OMP_NUM_THREADS=1``) on the same Hebbian sweep.

Before the inline executor capped its threads, a busy machine (load ~12 on 2 cores) ran this
sweep 6-8 times slower by default than with ``OMP_NUM_THREADS=1``: scipy's BLAS, which Numba's
``np.dot`` calls inside the recall kernel, started a thread per core and those threads waited
for cores other processes held. Now the default uses the cores free at the start
(:func:`amem.threads.usable_cores`), so it must never be much slower than one thread.

Both variants run as users run them (``python -m amem.bench capacity`` in a fresh process, a
fresh ``--out``), alternating, best of the rounds; the ratio default / one thread goes into
``benchmark.extra_info["ratio"]`` with the load average, and is printed. Quick mode
(``--benchmark-disable``): one small round each, no ratio assertion.

    PYTHONPATH=$PWD python -m pytest benchmarks/test_bench_threads.py -s
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from amem.threads import THREAD_ENV

MAX_RATIO = 1.5  # default / one thread: "never much slower"


def sweep_seconds(one_thread: bool, seeds: int) -> float:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_ENV + ("NUMBA_NUM_THREADS",)}
    if one_thread:
        env["OMP_NUM_THREADS"] = "1"
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "amem.bench", "capacity", "--model", "hebbian",
                        "--n", "400", "--alphas", "0.01:0.3:0.01", "--seeds", str(seeds),
                        "--no-plot", "--no-progress", "--out", out],
                       env=env, check=True, capture_output=True)
        return time.perf_counter() - t0


def test_default_threads_not_slower_than_one(benchmark, quick):
    seeds, rounds = (1, 1) if quick else (5, 2)
    default, single = [], []
    load_before = os.getloadavg()[0]
    for _ in range(rounds):
        default.append(sweep_seconds(False, seeds))
        single.append(sweep_seconds(True, seeds))
    ratio = min(default) / min(single)
    benchmark.extra_info.update(default_s=min(default), one_thread_s=min(single), ratio=ratio,
                                load_before=load_before, load_after=os.getloadavg()[0],
                                cores=os.cpu_count())
    print(f"\nhebbian sweep (N=400, 30 loads, {seeds} seeds): default {min(default):.1f} s, "
          f"OMP_NUM_THREADS=1 {min(single):.1f} s, ratio {ratio:.2f} "
          f"(load {load_before:.1f} on {os.cpu_count()} cores)")
    benchmark.pedantic(lambda: None, rounds=1)
    if not quick:
        assert ratio < MAX_RATIO, f"default {min(default):.1f} s vs one thread {min(single):.1f} s"
