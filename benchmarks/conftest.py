import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="amem-mpl-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # naive twins

import pytest  # noqa: E402


def best_time(fn, repeat=3):
    """Best wall time of ``repeat`` calls (the least disturbed by other load on the machine)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.fixture
def quick(benchmark):
    """True under --benchmark-disable: run a small workload once, do not assert ratios."""
    return benchmark.disabled
