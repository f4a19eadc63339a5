"""The small-GEMM kernel (amem.kernels.small_gemm) against its slow twin, and where it applies."""

import re

import numpy as np
import pytest

from amem.errors import AmemError
from amem.kernels import gemm_codegen, small_gemm
from amem.kernels.small_gemm import packed, products


def twin(a, b):
    """The obviously correct product: float64 sums of float32 inputs."""
    return a.astype(np.float64) @ b.astype(np.float64)


def batch(rng, n_net, m, k_max, n_max, k_of, n_of):
    """A batch as training lays it out: row strides k_max and n_max, own k and n per network."""
    a = rng.standard_normal((n_net, m, k_max)).astype(np.float32)
    b = rng.standard_normal((n_net, k_max, n_max)).astype(np.float32)
    out = np.full((n_net, m, n_max), np.nan, np.float32)
    products(a, np.asarray(k_of, np.int64), packed(b), np.asarray(n_of, np.int64), out)
    return a, b, out


def check(a, b, out, k_of, n_of):
    for net, (k, n) in enumerate(zip(k_of, n_of)):
        want = twin(a[net, :, :k], b[net, :k, :n])
        # float32 sums of k terms: error within k units of float32 rounding of sum |a| |b|
        scale = np.abs(a[net, :, :k]).astype(np.float64) @ np.abs(b[net, :k, :n]) + 1e-30
        assert np.all(np.abs(out[net, :, :n] - want) <= 2 * k * np.finfo(np.float32).eps * scale)
        assert np.isnan(out[net, :, n:]).all()  # columns from n on are left alone


@pytest.mark.parametrize("m", [1, 2, 3, 5, 6, 7, 11, 13, 100])
def test_rows_of_every_tile_height(m):
    rng = np.random.default_rng(m)
    k_of, n_of = [17, 64], [40, 64]
    check(*batch(rng, 2, m, 64, 64, k_of, n_of), k_of, n_of)


@pytest.mark.parametrize("n", [1, 4, 8, 9, 16, 31, 32, 33, 40, 64, 100, 180, 201])
def test_columns_of_every_panel_width(n):
    rng = np.random.default_rng(n)
    check(*batch(rng, 1, 13, 30, n, [30], [n]), [30], [n])


def test_training_shapes_with_own_sizes_per_network():
    """The two products of an epoch at N = 100: fields (K = N, own P columns) and the weight
    gradient (own P terms, N columns), P below the bucket's maximum."""
    rng = np.random.default_rng(0)
    p_of = [201, 190, 170, 161]
    check(*batch(rng, 4, 100, 100, 201, [100] * 4, p_of), [100] * 4, p_of)
    check(*batch(rng, 4, 100, 201, 100, p_of, [100] * 4), p_of, [100] * 4)


def test_zero_terms_and_one_term():
    rng = np.random.default_rng(1)
    a, b, out = batch(rng, 2, 7, 5, 9, [0, 1], [9, 9])
    assert (out[0, :, :9] == 0).all()
    assert np.array_equal(out[1, :, :9], a[1, :, :1] * b[1, :1, :9])


def test_a_network_alone_or_in_a_batch_gives_the_same_bits():
    """Each network's product is its own: batch size, neighbours and threads do not enter."""
    import numba

    rng = np.random.default_rng(2)
    a = rng.standard_normal((5, 100, 100)).astype(np.float32)
    b = rng.standard_normal((5, 100, 190)).astype(np.float32)
    k_of, n_of = np.full(5, 100), np.array([190, 180, 170, 165, 161])
    together = np.zeros((5, 100, 190), np.float32)
    products(a, k_of, packed(b), n_of, together)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        for net in range(5):
            alone = np.zeros((1, 100, 190), np.float32)
            products(a[net:net + 1], k_of[net:net + 1], packed(b[net:net + 1]),
                     n_of[net:net + 1], alone)
            assert np.array_equal(alone[0], together[net])
    finally:
        numba.set_num_threads(threads)


def test_sums_are_fused_multiply_add_chains_in_order():
    """Each output is fma(a_k, b_k, ...fma(a_0, b_0, 0)) in order of k: checked against that
    chain with each step's product and sum in float64 (the product of two float32 values is
    exact there) rounded to float32, as an fma rounds once."""
    rng = np.random.default_rng(3)
    a, b, out = batch(rng, 1, 7, 50, 40, [50], [40])
    chain = np.zeros((7, 40), np.float32)
    for kk in range(50):
        exact = chain.astype(np.float64) + a[0, :, kk:kk + 1].astype(np.float64) * b[0, kk]
        chain = exact.astype(np.float32)  # float64 holds a float32 product exactly
    assert np.array_equal(out[0, :, :40], chain)


TILE_SIGNATURE = ("void(float32[::1], int64, int64, int64, float32[::1], float32[::1], int64, "
                  "int64, int64)")


def zmm_fmas(tile) -> int:
    asm = tile.inspect_asm(tile.signatures[0])
    return len(re.findall(r"vfmadd\w+ps\s+[^\n]*zmm", asm))


@pytest.mark.skipif(not small_gemm.target_has_avx512(), reason="needs an AVX-512 CPU")
def test_tiles_compile_to_vector_fused_multiply_adds_under_slp():
    """Under the SLP vectoriser the 6 x 32 tile's sums live in zmm registers (12 of them);
    without it every sum is a scalar multiply-add, about 20 times slower. (A tile that wraps
    signed indices, for one, loses this.)"""
    from numba import njit

    from amem.kernels import gemm_tiles

    source = njit(nogil=True, fastmath={"contract"})(gemm_tiles.tile_6_32.py_func)
    with small_gemm.slp_vectorizer():
        source.compile(TILE_SIGNATURE)
    assert zmm_fmas(source) >= 12


def test_the_kernel_compiles_under_slp_once(monkeypatch):
    """products() compiles its kernel inside slp_vectorizer(), then forbids compiling."""
    from numba.core import config

    seen = []

    class Dispatcher:
        signatures = []

        def compile(self, sig):
            seen.append((sig, config.SLP_VECTORIZE))
            self.signatures = [sig]

        def disable_compile(self):
            seen.append("disabled")

    monkeypatch.setattr(small_gemm, "_batched", Dispatcher())
    before = config.SLP_VECTORIZE
    small_gemm._compiled()
    small_gemm._compiled()
    assert seen == [(small_gemm._SIGNATURE, 1), "disabled"]
    assert before == config.SLP_VECTORIZE  # restored


def test_generated_tiles_are_current():
    assert gemm_codegen.TARGET.read_text() == gemm_codegen.module_source(), \
        "run python -m amem.kernels.gemm_codegen"


def test_avx512_of_the_compile_target_not_the_host(monkeypatch):
    from numba.core import config

    monkeypatch.setattr(config, "CPU_FEATURES", "+avx2,+fma,-avx512f")
    assert not small_gemm.target_has_avx512()
    monkeypatch.setattr(config, "CPU_FEATURES", "+avx2,+avx512f,+avx512bw")
    assert small_gemm.target_has_avx512()


def test_where_it_applies(monkeypatch):
    from amem.models.infomorphic_train import use_numba_products

    monkeypatch.setenv("AMEM_GEMM", "numba")
    assert use_numba_products(np.float32)
    assert not use_numba_products(np.float64)
    monkeypatch.setenv("AMEM_GEMM", "numpy")
    assert not use_numba_products(np.float32)
    monkeypatch.setenv("AMEM_GEMM", "auto")
    assert use_numba_products(np.float32) == small_gemm.target_has_avx512()
    monkeypatch.setenv("AMEM_GEMM", "blas")
    with pytest.raises(AmemError, match="AMEM_GEMM='blas' is not one of auto, numba, numpy"):
        use_numba_products(np.float32)


def test_a_bad_amem_gemm_stops_the_cli_in_one_line(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, AMEM_GEMM="blas")
    proc = subprocess.run([sys.executable, "-m", "amem.bench", "capacity", "--model", "infomorphic",
                           "--n", "20", "--alphas", "0.5", "--seeds", "1", "--no-progress",
                           "--no-plot", "--out", str(tmp_path / "out")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: AMEM_GEMM='blas' is not one of auto, numba, numpy; unset it or use AMEM_GEMM=auto"]
