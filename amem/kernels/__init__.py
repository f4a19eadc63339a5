"""Numba kernels: arrays in, arrays out; no validation, no RNG, no objects.

Only this package imports numba. Every kernel has a slow, obviously correct twin in the tests:
the recall kernels in ``tests/naive.py`` (checked in ``tests/test_kernels.py``), the infomorphic
gradient in torch autograd (``tests/test_infomorphic_grad.py``), the small-GEMM products in
float64 numpy (``tests/test_small_gemm.py``).
"""

from amem.kernels.sign_recall import async_sign_recall, sync_sign_recall

__all__ = ["async_sign_recall", "sync_sign_recall"]
