"""A straightforward per-run infomorphic trainer, written from the spec as the authors' code works.

One network per (load, seed): nn.Linear-style init, torch.bucketize binning, scatter-add joint
distribution, the SX atoms by autograd, torch.optim.Adam. No batching, no closed form. Used only
as the peer in benchmarks/test_bench_infomorphic.py (and for sanity checks); not part of amem.
"""

from __future__ import annotations

import math

import numpy as np

# torch is imported inside the functions that use it: the "amem-workload" process must not pay
# torch's import (about a second), which amem's CPU path never makes.


def train_one(patterns: np.ndarray, seed: int, epochs: int, lr: float = 0.05,
              external_weight: float = 2.3, n_bins: int = 60) -> np.ndarray:
    """Train one redundancy-maximising network on ``patterns`` (P, N); return W (N, N)."""
    import torch

    torch.manual_seed(seed)
    p_count, n = patterns.shape
    x = torch.tensor(patterns, dtype=torch.float32)
    mask = 1.0 - torch.eye(n)
    w = torch.empty(n, n).uniform_(-1 / math.sqrt(n), 1 / math.sqrt(n)) * mask * 1e-3
    w.requires_grad_(True)
    w.register_hook(lambda g: g * mask)  # no self-connections, also in the gradient
    opt = torch.optim.Adam([w], lr=lr)
    edges = torch.linspace(-20, 20, n_bins + 1)
    ext_bin = (x > 0).long()  # 2 bins on [-20, 20] split at 0
    for _ in range(epochs):
        opt.zero_grad()
        c = x @ w.T  # (P, N) recurrent field with the clean pattern as state
        theta = torch.sigmoid(external_weight * x + c)
        k = torch.bucketize(c.detach().clamp(-20 + 1e-4, 20), edges) - 1
        cell = (ext_bin * n_bins + k).T  # (N, P)
        p_plus = torch.zeros(n, 2 * n_bins).scatter_add(1, cell, theta.T / p_count)
        p_minus = torch.zeros(n, 2 * n_bins).scatter_add(1, cell, (1 - theta.T) / p_count)
        p = torch.stack([p_minus, p_plus], -1).reshape(n, 2, n_bins, 2)
        loss = -_redundancy(p).sum()
        loss.backward()
        opt.step()
    return w.detach().double().numpy()


def _redundancy(p):
    """I^sx_cap per neuron of p (n, s1, s2, y), with the authors' epsilon conventions."""
    import torch

    p_s1y = p.sum(2, keepdim=True)
    p_s2y = p.sum(1, keepdim=True)
    p_s1 = p_s1y.sum(3, keepdim=True)
    p_s2 = p_s2y.sum(3, keepdim=True)
    p_s1s2 = p.sum(3, keepdim=True)
    p_y = p_s1y.sum(1, keepdim=True)
    with torch.no_grad():
        union = p_s1 + p_s2 - p_s1s2
    ratio = (p_s1y + p_s2y - p) / (union * p_y + 1e-10)
    ratio = torch.where(ratio < 1e-7, torch.ones_like(ratio), ratio)
    return (p * torch.log2(ratio)).sum((1, 2, 3))


def batch_sync_overlap(weights: np.ndarray, patterns: np.ndarray, max_steps: int) -> float:
    """Mean overlap of synchronous recall with the authors' stopping rule for a batch of cues.

    All P cues run together; the batch stops when no unit of any cue flipped, or when the set of
    flipped (cue, unit) pairs equals the previous sweep's (every cue at a fixed point or in a
    2-cycle), at most ``max_steps`` sweeps. amem stops each cue on its own; the two differ only
    for a cue that entered a 2-cycle before the batch stopped (it may end in the other phase).
    Ties keep the state (amem's rule; for trained real couplings they do not occur).
    """
    x = patterns.astype(np.float64)
    s = x.copy()
    prev_flips = None
    for _ in range(max_steps):
        h = s @ weights.T
        new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, s))
        flips = new != s
        if not flips.any():
            break
        s = new
        if prev_flips is not None and np.array_equal(flips, prev_flips):
            break
        prev_flips = flips
    return float((s * x).sum(1).mean() / x.shape[1])


def measure_batch_stop(n: int = 100, loads=(0.5, 1.0, 1.5, 1.6, 1.7, 1.8, 2.0), seeds=range(4),
                       epochs: int = 5000) -> dict:
    """Train amem networks (paper protocol, early stopping) and, at every checkpoint, compare the
    mean overlap of amem's per-cue stopping with the authors' per-batch stopping."""
    import amem
    import amem.models.infomorphic_train as train
    from amem.models.infomorphic import InfomorphicHopfield
    from amem.patterns import random_patterns

    diffs, near, flips = [], [], 0
    amem_overlap = train.sync_mean_overlap

    def both(weights, x, n_valid, max_steps, give_up_below=-np.inf):
        nonlocal flips
        ours = amem_overlap(weights, x, n_valid, max_steps)
        for b, m in enumerate(n_valid.tolist()):
            w = weights[b].detach().double().numpy()
            theirs = batch_sync_overlap(w, x[b, :m].numpy(), max_steps)
            diffs.append(abs(theirs - ours[b]))
            near.append(max(theirs, ours[b]) >= 0.9)
            flips += (theirs >= 0.95) != (ours[b] >= 0.95)
        return ours

    train.sync_mean_overlap = both
    try:
        jobs = [(a, s) for a in loads for s in seeds]
        models = [amem.make("infomorphic", epochs=epochs, seed=s) for _, s in jobs]
        InfomorphicHopfield.store_many(models, [random_patterns(round(a * n), n, 1000 + s)
                                                for a, s in jobs])
    finally:
        train.sync_mean_overlap = amem_overlap
    d, near = np.array(diffs), np.array(near)
    return {"checks": len(d), "max_abs_diff": float(d.max()), "mean_abs_diff": float(d.mean()),
            "n_differ": int((d > 0).sum()), "checks_near_threshold": int(near.sum()),
            "max_abs_diff_near_threshold": float(d[near].max()) if near.any() else 0.0,
            "decisions_flipped": int(flips)}


def workload(n: int) -> list[tuple[np.ndarray, int]]:
    """The reduced benchmark workload: loads 0.5, 1.0, 1.5, 2.0 x seeds 0-3 (16 networks)."""
    from amem.patterns import random_patterns

    return [(random_patterns(round(a * n), n, s), s) for a in (0.5, 1.0, 1.5, 2.0)
            for s in range(4)]


def main(argv) -> None:
    usage = ("usage: python benchmarks/infomorphic_reference.py batch-stop | "
             "amem-workload N EPOCHS | peer-workload N EPOCHS")
    if argv == ["batch-stop"]:
        print(measure_batch_stop())
    elif len(argv) == 3 and argv[0] in ("amem-workload", "peer-workload"):
        n, epochs = int(argv[1]), int(argv[2])
        jobs = workload(n)
        if argv[0] == "peer-workload":
            import torch

            from amem.threads import env_threads

            torch.set_num_threads(env_threads("AMEM_THREADS"))  # same thread count as amem
            for patterns, seed in jobs:
                train_one(patterns, seed, epochs)
        else:
            import amem
            from amem.models.infomorphic import InfomorphicHopfield

            InfomorphicHopfield.store_many(
                [amem.make("infomorphic", epochs=epochs, early_stopping=False, seed=s)
                 for _, s in jobs], [p for p, _ in jobs])
    else:
        raise SystemExit(usage)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
