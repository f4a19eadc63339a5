"""Numba kernels: arrays in, arrays out; no validation, no RNG, no objects.

Only this package imports numba. Every kernel has a slow, obviously correct twin in the tests:
``tests/naive*.py`` (recall, dense, infomorphic, PID kernels; checked in ``tests/test_kernels.py``
and beside each model's tests) and float64 numpy products for the small-GEMM kernel
(``tests/test_small_gemm.py``).
"""

from amem.kernels.sign_recall import async_sign_recall, sync_sign_recall

__all__ = ["async_sign_recall", "sync_sign_recall"]
