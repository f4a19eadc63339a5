"""Batched small float32 matrix products in Numba, for the infomorphic training's two per epoch.

Per epoch every network needs fields = W X^T (N x N times N x P) and dL/dW = dL/dC X (N x P
times P x N), at N = 100 and P up to 2N. numpy hands each to BLAS; under
``OPENBLAS_CORETYPE=Haswell`` (set on some machines, see the environment's notes) OpenBLAS runs
its AVX2 kernel, about 125 GFLOP/s on one core here, and its other kernels pay a packing and
dispatch cost that matters at these sizes. The patterns never change during training, so their
matrix is packed once per bucket into zero-padded 32-column panels (:func:`pack_panels`); each
product is then register-blocked tiles (:mod:`amem.kernels.gemm_tiles`) over the panels, which on
an AVX-512 core measured 1.8x numpy's rate for both shapes (``benchmarks/``).

The tiles need AVX-512's 32 vector registers (6 x 32 float32 sums are 12 of them; AVX2's 16
would spill), and LLVM's SLP vectoriser, which Numba leaves off: :func:`products` compiles the
kernel once with it on, then forbids further compilations so that no slow specialisation can
appear silently. Where they apply: :func:`amem.models.infomorphic_train.use_numba_products`.

Each output element is one fused multiply-add chain over k in order, computed by one thread:
the result is the same for any thread count and any batch the network is in.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading

import numpy as np
from numba import njit, prange

from amem.kernels.gemm_tiles import product

PANEL = 32
_SIGNATURE = "void(float32[:, :, ::1], int64[::1], float32[:, :, :, ::1], int64[::1], float32[:, :, ::1])"


def jit_enabled() -> bool:
    """False under ``NUMBA_DISABLE_JIT`` (the kernel would run as Python, tile by tile)."""
    from numba.core import config

    return not config.DISABLE_JIT


def target_has_avx512() -> bool:
    """Whether Numba compiles for a CPU with AVX-512F: the features it compiles with are
    ``NUMBA_CPU_FEATURES`` if set, else the host's (whatever ``NUMBA_CPU_NAME`` says)."""
    from numba.core import config

    features = config.CPU_FEATURES
    if features is None:
        features = _host_features()
    return "+avx512f" in features.split(",")


@functools.cache
def _host_features() -> str:
    import llvmlite.binding as ll

    return ll.get_host_cpu_features().flatten()  # 0.2 ms, asked for by every bucket


@njit(cache=True, nogil=True)
def pack_panels(b, out):
    """out[q, kk, c] = b[kk, q * 32 + c], 0 beyond b's columns: b (B, K, N) -> (B, Q, K, 32)."""
    n_net, k, n = b.shape
    for net in range(n_net):
        for q in range(out.shape[1]):
            for kk in range(k):
                for c in range(PANEL):
                    j = q * PANEL + c
                    out[net, q, kk, c] = b[net, kk, j] if j < n else 0.0


def packed(b: np.ndarray) -> np.ndarray:
    """:func:`pack_panels` of a (B, K, N) float32 array into a new (B, ceil(N / 32), K, 32)."""
    n_net, k, n = b.shape
    out = np.empty((n_net, -(-n // PANEL), k, PANEL), np.float32)
    pack_panels(np.ascontiguousarray(b, dtype=np.float32), out)
    return out


@njit(cache=True, nogil=True, parallel=True)
def _batched(a, k_of, panels, n_of, out):
    n_net, m, lda = a.shape
    for net in prange(n_net):
        spill = np.empty(m * PANEL, np.float32)
        product(a[net].reshape(-1), lda, m, k_of[net], panels[net], n_of[net],
                 out[net].reshape(-1), out.shape[2], spill)


_COMPILE_LOCK = threading.Lock()


@contextlib.contextmanager
def slp_vectorizer():
    """Numba compiles with LLVM's SLP vectoriser on inside this block, and only this block's
    compilations (Numba's compiler lock is held throughout)."""
    from numba.core import config
    from numba.core.compiler_lock import global_compiler_lock

    with global_compiler_lock:
        saved_env, saved = os.environ.get("NUMBA_SLP_VECTORIZE"), config.SLP_VECTORIZE
        # both: Numba re-reads its settings from the environment when that changes
        os.environ["NUMBA_SLP_VECTORIZE"] = "1"
        config.SLP_VECTORIZE = 1
        try:
            yield
        finally:
            config.SLP_VECTORIZE = saved
            if saved_env is None:
                del os.environ["NUMBA_SLP_VECTORIZE"]
            else:
                os.environ["NUMBA_SLP_VECTORIZE"] = saved_env


def _compiled():
    """:func:`_batched` compiled (or loaded from Numba's cache) with the SLP vectoriser on; no
    later call can compile it again (a slow specialisation would otherwise appear silently)."""
    with _COMPILE_LOCK:  # training threads may ask at once; the first compiles
        if not _batched.signatures:
            with slp_vectorizer():
                _batched.compile(_SIGNATURE)
            _batched.disable_compile()
        return _batched


def products(a, k_of, panels, n_of, out) -> None:
    """out[b, :, :n_of[b]] = a[b, :, :k_of[b]] @ B_b[:k_of[b], :n_of[b]] for every network b.

    ``panels`` (B, Q, K, 32): each B_b packed by :func:`pack_panels`; ``a`` (B, M, lda) and
    ``out`` (B, M, ldo) C-contiguous float32, ``k_of`` and ``n_of`` int64. Columns of ``out``
    from ``n_of[b]`` on are left as they were.
    """
    _compiled()(a, k_of, panels, n_of, out)
