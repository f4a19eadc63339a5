"""Batched infomorphic training against a straightforward per-run torch implementation.

Workload (the issue's): N = 100, loads 0.5, 1.0, 1.5, 2.0 x 4 seeds, 1000 epochs, no early
stopping. The peer (benchmarks/infomorphic_reference.py) trains one network per load and seed with
autograd and torch.optim.Adam, as the authors' code does. Both run in this process with the same
thread count (AMEM_THREADS, default 2); the ratio of the best wall times and of the CPU times is
reported. Run timed: ``python -m pytest benchmarks/test_bench_infomorphic.py -s``.
"""

import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from infomorphic_reference import train_one  # noqa: E402

import amem  # noqa: E402
from amem.models.infomorphic import InfomorphicHopfield  # noqa: E402
from amem.models.infomorphic_train import training_threads  # noqa: E402
from amem.patterns import random_patterns  # noqa: E402


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

    from amem.threads import limited

    amem_run() if not quick else None  # compile the kernels outside the timing
    with limited(torch=training_threads()):  # the peer trains with the same thread count
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


def _process(args) -> tuple[float, float]:
    """Wall and CPU seconds of one child process (the whole process: start-up, imports, JIT)."""
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(Path(__file__).resolve().parent /
                                        "infomorphic_reference.py"), *args], check=True,
                   capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_whole_process_vs_per_run_torch(benchmark):
    """The reduced workload (16 networks, N = 100, 1000 epochs) as whole processes, amem and
    the per-run torch peer side by side in this run (amem twice, its best wall time kept):
    start-up, imports and the Numba cache count. ``uptime``'s load is reported with it."""
    import os

    quick = benchmark.disabled
    args = ["30", "5"] if quick else ["100", "1000"]
    amem_runs = benchmark.pedantic(lambda: [_process(["amem-workload", *args])
                                            for _ in range(1 if quick else 2)],
                                   rounds=1, iterations=1)
    amem_wall, amem_cpu = min(amem_runs)
    peer_wall, peer_cpu = _process(["peer-workload", *args])
    load = os.getloadavg()[0]
    benchmark.extra_info.update(amem_s=amem_wall, amem_cpu_s=amem_cpu, peer_s=peer_wall,
                                peer_cpu_s=peer_cpu, ratio=peer_wall / amem_wall,
                                cpu_ratio=peer_cpu / amem_cpu, load=load)
    print(f"\nwhole process, 16 networks x {args[1]} epochs (N={args[0]}): amem {amem_wall:.1f} s "
          f"(cpu {amem_cpu:.1f} s), per-run torch {peer_wall:.1f} s (cpu {peer_cpu:.1f} s): "
          f"{peer_wall / amem_wall:.1f}x wall, {peer_cpu / amem_cpu:.1f}x cpu; load {load:.1f}")
    if not quick:
        assert peer_wall / amem_wall >= 8  # the target for the whole process


def numpy_gemm_gflops(m: int, k: int, n: int, seconds: float = 1.0,
                      batch: int | None = None) -> tuple[float, float]:
    """Best float32 (m, k) @ (k, n) rate numpy reaches: (GFLOP per wall second, per CPU second).

    Per CPU second is the fairer yardstick on a shared machine (other load steals wall time).
    ``batch``: a stack of that many products in one call, on one BLAS thread (as each training
    thread runs them)."""
    rng = np.random.default_rng(0)
    shape = () if batch is None else (batch,)
    a = rng.random((*shape, m, k), dtype=np.float32)
    b = rng.random((*shape, k, n), dtype=np.float32)
    flops = 2.0 * m * k * n * (batch or 1)
    if batch is not None:
        from amem.threads import limited

        with limited(blas=1):
            return _gemm_rate(a, b, flops, seconds)
    return _gemm_rate(a, b, flops, seconds)


def _gemm_rate(a, b, flops, seconds):
    reps = max(1, int(2e8 / flops))
    best_wall = best_cpu = float("inf")
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end or best_wall == float("inf"):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(reps):
            a @ b
        best_wall = min(best_wall, (time.perf_counter() - t0) / reps)
        best_cpu = min(best_cpu, max(time.process_time() - c0, 1e-9) / reps)
    return flops / best_wall / 1e9, flops / best_cpu / 1e9


def test_protocol_gflops_against_numpy_gemm(benchmark):
    """Achieved GFLOP/s of the Fig. 2C protocol's matrix products (model diagnostics) beside
    numpy's float32 GEMM rate measured in this run (large square and the protocol's shape).

    Workload: the paper protocol at N = 100, alphas 0.01:2.01:0.05, seeds 0-1 (82 networks,
    5000 epochs, early stopping), trained in one ``store_many`` call; the achieved rate is the
    sum of ``diagnostics()["matmul_flops"]`` over the training's wall time (everything counts:
    PID kernel, Adam, checkpoints)."""
    from amem.harness.trials import TrialSpec, build_model, trial_patterns

    quick = benchmark.disabled
    n, seeds, epochs = (30, range(1), 30) if quick else (100, range(2), 5000)
    alphas = np.round(np.arange(0.01, 2.02, 0.05 if not quick else 0.5), 2)
    trials = [TrialSpec(model="infomorphic", n_units=n, n_patterns=max(1, round(a * n)),
                        seed=s, params={"epochs": epochs}) for s in seeds for a in alphas]
    models = [build_model(t) for t in trials]
    sets = [trial_patterns(t) for t in trials]
    InfomorphicHopfield.store_many([build_model(trials[0])], [sets[0]])  # compile outside
    _, wall, cpu = benchmark.pedantic(
        lambda: _timed(lambda: InfomorphicHopfield.store_many(models, sets)), rounds=1,
        iterations=1)
    diag = [m.diagnostics() for m in models]
    flops = sum(d["matmul_flops"] for d in diag)
    net_epochs = sum(d["network_epochs"] for d in diag)
    achieved, achieved_cpu = flops / wall / 1e9, flops / cpu / 1e9
    big, big_cpu = numpy_gemm_gflops(1024, 1024, 1024)
    p_typ = round(1.5 * n)
    shaped, shaped_cpu = numpy_gemm_gflops(n, n, p_typ, batch=64)
    benchmark.extra_info.update(achieved_gflops=achieved, achieved_gflops_cpu=achieved_cpu,
                                numpy_gemm_gflops=big, numpy_gemm_gflops_cpu=big_cpu,
                                numpy_shaped_gflops=shaped, numpy_shaped_gflops_cpu=shaped_cpu,
                                network_epochs=net_epochs, matmul_gflop=flops / 1e9, wall_s=wall,
                                cpu_s=cpu, load=os.getloadavg()[0])
    print(f"\ninfomorphic protocol, {len(models)} networks, {net_epochs} network-epochs "
          f"({1e3 * cpu / net_epochs:.3f} ms cpu each), {flops / 1e9:.1f} GFLOP of matrix "
          f"products in {wall:.1f} s wall, {cpu:.1f} s cpu (load {os.getloadavg()[0]:.1f}): "
          f"achieved {achieved:.1f} GFLOP/s wall, {achieved_cpu:.1f} GFLOP per cpu-s; numpy "
          f"float32 GEMM in this run: 1024^3 {big:.1f} GFLOP/s wall, {big_cpu:.1f} per cpu-s; "
          f"64 x ({n}x{n} @ {n}x{p_typ}) on one BLAS thread {shaped:.1f} wall, {shaped_cpu:.1f} per cpu-s. Achieved per "
          f"cpu-s = {achieved_cpu / big_cpu:.0%} of the large GEMM's, "
          f"{achieved_cpu / shaped_cpu:.0%} of the shaped one's")
    assert flops > 0 and net_epochs > 0


def test_epoch_parts_against_numpy_gemm(benchmark):
    """Where one network-epoch's time goes, one thread: the two matrix products (amem's
    small-GEMM kernel where it applies, and numpy's matmul beside it, with their rates beside
    numpy's large float32 GEMM in this run), the PID kernel, Adam. Workload: 10 networks at N =
    100, P = 180 (a load above capacity: these run all 5000 epochs and dominate the protocol),
    weights after 300 epochs so the fields spread over the bins as in training."""
    from amem.kernels.infomorphic_grad import adam_step, infomorphic_field_grad
    from amem.kernels.small_gemm import packed, products
    from amem.models.infomorphic_train import TrainConfig, _Bucket, train_ensemble
    from amem.threads import limited

    quick = benchmark.disabled
    n, b, p, reps = (30, 2, 40, 3) if quick else (100, 10, 180, 200)
    rng = np.random.default_rng(0)
    sets = [np.where(rng.random((p, n)) < 0.5, -1, 1).astype(np.int8) for _ in range(b)]
    cfg = TrainConfig(gamma=(0, 0, 1, 0, 0), epochs=30 if quick else 300, early_stopping=False)
    with limited(1):
        trained = train_ensemble(sets, list(range(b)), cfg)
        bucket = _Bucket(np.arange(b), sets, list(range(b)), cfg)
        bucket.w[:] = np.stack([r.weights for r in trained]).astype(bucket.w.dtype)
        w_copy = bucket.w.copy()
        xt_panels, x_panels = packed(bucket.xt), packed(bucket.x)
        n_of, p_of = np.full(b, n), bucket.n_valid

        def per_network_epoch_us(fn):
            fn()
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                for _ in range(reps):
                    fn()
                best = min(best, (time.perf_counter() - t0) / reps / b * 1e6)
            return best

        parts = {
            "fields W X^T (amem)": lambda: products(bucket.w, n_of, xt_panels, p_of,
                                                    bucket.fields),
            "fields W X^T (numpy)": lambda: np.matmul(bucket.w, bucket.xt, out=bucket.fields),
            "PID kernel": lambda: infomorphic_field_grad(
                bucket.fields, bucket.ext, bucket.ext_w64, bucket.n_valid, bucket.coef,
                bucket.bin_range, cfg.n_bins, False, bucket.dfield, bucket.cells,
                bucket.no_hist, bucket.no_hist, bucket.no_hist, bucket.n_chunks),
            "gradient dC X (amem)": lambda: products(bucket.dfield, p_of, x_panels, n_of,
                                                     bucket.grad),
            "gradient dC X (numpy)": lambda: np.matmul(bucket.dfield, bucket.x, out=bucket.grad),
            "Adam": lambda: adam_step(w_copy, bucket.m, bucket.v, bucket.grad, 0.05, 0.9, 0.999,
                                      1e-8, 10),
        }
        us = {name: per_network_epoch_us(fn) for name, fn in parts.items()}
        whole = benchmark.pedantic(lambda: per_network_epoch_us(
            lambda: bucket.step(bucket.gradient(zero_diagonal=False)[0])), rounds=1, iterations=1)
        big, _ = numpy_gemm_gflops(1024, 1024, 1024)
    gflop = 2 * n * n * p / 1e3
    amem_rate = gflop / np.mean([us["fields W X^T (amem)"], us["gradient dC X (amem)"]])
    numpy_rate = gflop / np.mean([us["fields W X^T (numpy)"], us["gradient dC X (numpy)"]])
    benchmark.extra_info.update(parts_us=us, epoch_us=whole, amem_product_gflops=amem_rate,
                                numpy_product_gflops=numpy_rate, numpy_gemm_gflops=big,
                                numba_products=bucket.numba_products, load=os.getloadavg()[0])
    print(f"\none network-epoch at N = {n}, P = {p}, one thread (load {os.getloadavg()[0]:.1f}): "
          + ", ".join(f"{k} {v:.1f} us" for k, v in us.items()) + f"; whole epoch {whole:.1f} us"
          f" (products by {'amem' if bucket.numba_products else 'numpy'}). Products: amem "
          f"{amem_rate:.0f} GFLOP/s, numpy {numpy_rate:.0f} (amem / numpy "
          f"{amem_rate / numpy_rate:.2f}); numpy's 1024^3 float32 GEMM in this run {big:.0f} "
          f"GFLOP/s (amem's products at {amem_rate / big:.0%} of it); the PID kernel is "
          f"{us['PID kernel'] / whole:.0%} of the epoch")
    assert all(v > 0 for v in us.values())


def seeds_of(jobs):
    return [s for _, s in jobs]
