"""amem's small-GEMM kernel against numpy's matmul, one thread, at the infomorphic training's
shapes across N (P = 1.6 N): the fields W X^T (N x N times N x P) and the weight gradient
dL/dC X (N x P times P x N), a batch of networks per call as a training bucket has.

The peer is numpy's batched matmul on one BLAS thread in the same run; ``ratio`` = numpy's time /
the kernel's. Run timed: ``python -m pytest benchmarks/test_bench_small_gemm.py -s``; quick mode
(``--benchmark-disable``) runs N = 30 once and asserts no ratio. Measured 2026-12-05 (AMD EPYC,
AVX-512, OpenBLAS pinned to its Haswell kernels by the environment): 0.93x / 1.05x at N = 30,
1.4x at 50, 1.7-1.9x at 100, 1.8-2.0x at 200 and 400; with OpenBLAS's own (SkylakeX, AVX-512)
kernels, variable unset for that run: 1.06x / 0.99x at N = 100, 1.04x / 0.99x at 400.
"""

import os

import numpy as np
import pytest
from conftest import best_time

from amem.kernels.small_gemm import packed, products, target_has_avx512
from amem.threads import limited


@pytest.mark.parametrize("n", [30, 50, 100, 200, 400])
def test_products_against_numpy_matmul(benchmark, n):
    if benchmark.disabled and n != 30:
        pytest.skip("quick mode: N = 30 only")
    p, batch = round(1.6 * n), max(1, min(8, 2_000_000 // (n * n * round(1.6 * n)) + 1))
    rng = np.random.default_rng(n)
    w = rng.standard_normal((batch, n, n)).astype(np.float32)
    x = np.where(rng.random((batch, p, n)) < 0.5, -1, 1).astype(np.float32)
    xt = np.ascontiguousarray(x.transpose(0, 2, 1))
    dc = rng.standard_normal((batch, n, p)).astype(np.float32)
    fields, grad = np.empty((batch, n, p), np.float32), np.empty((batch, n, n), np.float32)
    xt_panels, x_panels = packed(xt), packed(x)
    n_of, p_of = np.full(batch, n), np.full(batch, p)
    reps = 1 if benchmark.disabled else max(3, int(2e8 / (2 * n * n * p * batch)))
    gflop = 2 * n * n * p * batch * reps / 1e9

    def repeat(fn):
        return lambda: [fn() for _ in range(reps)]

    with limited(1):
        times = {
            "fields, amem": best_time(repeat(lambda: products(w, n_of, xt_panels, p_of, fields))),
            "fields, numpy": best_time(repeat(lambda: np.matmul(w, xt, out=fields))),
            "gradient, amem": best_time(repeat(lambda: products(dc, p_of, x_panels, n_of, grad))),
            "gradient, numpy": best_time(repeat(lambda: np.matmul(dc, x, out=grad))),
        }
        benchmark.pedantic(repeat(lambda: products(w, n_of, xt_panels, p_of, fields)),
                           rounds=1, iterations=1)
    np.testing.assert_allclose(fields, w @ xt, rtol=1e-4, atol=1e-3)
    rates = {k: gflop / t for k, t in times.items()}
    ratios = {k: times[f"{k}, numpy"] / times[f"{k}, amem"] for k in ("fields", "gradient")}
    benchmark.extra_info.update(gflops=rates, ratio=ratios, avx512=target_has_avx512(),
                                load=os.getloadavg()[0])
    print(f"\nN = {n}, P = {p}, {batch} networks, one thread (load {os.getloadavg()[0]:.1f}): "
          + ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in rates.items())
          + f"; amem / numpy: fields {ratios['fields']:.2f}x, gradient {ratios['gradient']:.2f}x")
