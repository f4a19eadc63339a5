"""numpy's float32 GEMM rate under each OpenBLAS kernel family, side by side in one run.

OpenBLAS reads ``OPENBLAS_CORETYPE`` once, when it loads, so each family is measured in a child
process: OpenBLAS's own choice (variable unset), the variable as this process's environment
has it, and the families named on the command line (default: Haswell, SkylakeX). Shapes: 1024^3
and the infomorphic training's batched products (10 x (100 x 100 @ 100 x 180) and
10 x (100 x 180 @ 180 x 100)), one BLAS thread. A family the CPU lacks makes OpenBLAS fall back
or fail; that row says so.

    python benchmarks/blas_kernels.py [CORETYPE ...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

_CHILD = r"""
import json, time
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

def rate(a, b, reps):
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            a @ b
        best = min(best, (time.perf_counter() - t0) / reps)
    batch = a.shape[0] if a.ndim == 3 else 1
    return 2 * a.shape[-2] * a.shape[-1] * b.shape[-1] * batch / best / 1e9

rng = np.random.default_rng(0)
with threadpool_limits(1):
    big = rng.random((1024, 1024), dtype=np.float32)
    w = rng.random((10, 100, 100), dtype=np.float32)
    xt = rng.random((10, 100, 180), dtype=np.float32)
    d = rng.random((10, 100, 180), dtype=np.float32)
    x = rng.random((10, 180, 100), dtype=np.float32)
    out = {"gemm_1024": rate(big, big, 5), "fields": rate(w, xt, 200), "grad": rate(d, x, 200)}
out["architecture"] = [i.get("architecture") for i in threadpool_info() if i.get("user_api") == "blas"]
print(json.dumps(out))
"""


def measure(coretype: str | None) -> dict:
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype is not None:
        env["OPENBLAS_CORETYPE"] = coretype
    done = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout)


def main(argv: list[str]) -> int:
    families = argv or ["Haswell", "SkylakeX"]
    rows = [("OpenBLAS's own choice (unset)", None)]
    if os.environ.get("OPENBLAS_CORETYPE"):
        rows.append((f"this environment ({os.environ['OPENBLAS_CORETYPE']})",
                     os.environ["OPENBLAS_CORETYPE"]))
    rows += [(f"OPENBLAS_CORETYPE={f}", f) for f in families]
    results = [(label, measure(ct)) for label, ct in rows]
    base = next((r for _, r in results if "error" not in r), None)
    print(f"float32 GEMM, GFLOP/s on one BLAS thread (load {os.getloadavg()[0]:.1f}); "
          "ratio: against the first row")
    print(f"{'kernels':38s} {'loaded':>10s} {'1024^3':>8s} {'fields':>8s} {'grad':>8s} {'ratio':>6s}")
    for label, r in results:
        if "error" in r:
            print(f"{label:38s} {r['error']}")
            continue
        ratio = (r["fields"] + r["grad"]) / (base["fields"] + base["grad"])
        print(f"{label:38s} {','.join(map(str, r['architecture'])):>10s} {r['gemm_1024']:8.1f} "
              f"{r['fields']:8.1f} {r['grad']:8.1f} {ratio:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
