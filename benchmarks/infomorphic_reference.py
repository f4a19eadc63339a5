"""A straightforward per-run infomorphic trainer, written from the spec as the authors' code works.

One network per (load, seed): nn.Linear-style init, torch.bucketize binning, scatter-add joint
distribution, the SX atoms by autograd, torch.optim.Adam. No batching, no closed form. Used only
as the peer in benchmarks/test_bench_infomorphic.py (and for sanity checks); not part of amem.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def train_one(patterns: np.ndarray, seed: int, epochs: int, lr: float = 0.05,
              external_weight: float = 2.3, n_bins: int = 60) -> np.ndarray:
    """Train one redundancy-maximising network on ``patterns`` (P, N); return W (N, N)."""
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


def _redundancy(p: torch.Tensor) -> torch.Tensor:
    """I^sx_cap per neuron of p (n, s1, s2, y), with the authors' epsilon conventions."""
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
