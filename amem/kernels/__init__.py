"""Numba kernels: arrays in, arrays out; no validation, no RNG, no objects.

Only this package imports numba. Every kernel has a slow, obviously correct twin in
``tests/naive.py`` and is checked against it in ``tests/test_kernels.py``.
"""

from amem.kernels.sign_recall import async_sign_recall, sync_sign_recall

__all__ = ["async_sign_recall", "sync_sign_recall"]
