"""Slow, obviously correct twins of the infomorphic kernels (loops and autograd, no Numba)."""

import numpy as np
import torch

from amem.pid.binning import fixed_bin_index
from amem.pid.sx import sx_atoms


def naive_bins(c, lo, hi, n_bins):
    """Right-closed equal bins of [lo, hi], values outside clipped to the end bins: the one
    binning implementation (amem.pid.binning, checked against a loop in tests/test_binning.py)."""
    return int(fixed_bin_index(np.array([float(c)]), n_bins, lo, hi)[0])


def naive_field_grad(fields, theta_fn, ext, n_valid, gamma, binning="fixed", n_bins=60):
    """dL/dc for every sample, one neuron at a time: loops build p, autograd through sx_atoms.

    ``theta_fn(c, e, b, i)`` maps neuron i's field tensor (and its pattern bits) to theta (so the
    derivative through theta is exact).
    """
    n_net, n_units, p_max = fields.shape
    out = np.zeros((n_net, n_units, p_max))
    lo, hi = (-20.0, 20.0) if binning == "fixed" else (-1.0, 1.0)
    for b in range(n_net):
        m = int(n_valid[b])
        for i in range(n_units):
            c = torch.tensor(np.asarray(fields[b, i, :m], dtype=np.float64), requires_grad=True)
            scale = float(np.abs(fields[b, i, :m]).max()) if binning == "adaptive" else 1.0
            scale = scale if scale > 0 else 1.0
            theta = theta_fn(c, torch.tensor(ext[b, i, :m], dtype=torch.float64), b, i)
            p = torch.zeros(2, n_bins, 2, dtype=torch.float64)
            for mu in range(m):
                a = 1 if ext[b, i, mu] > 0 else 0
                k = naive_bins(float(fields[b, i, mu]) / scale, lo, hi, n_bins)
                p[a, k, 1] = p[a, k, 1] + theta[mu] / m
                p[a, k, 0] = p[a, k, 0] + (1 - theta[mu]) / m
            loss = -(sx_atoms(p, torch) * torch.tensor(gamma, dtype=torch.float64)).sum()
            (g,) = torch.autograd.grad(loss, c)
            out[b, i, :m] = g.numpy()
    return out


def naive_sync_overlap(weights, patterns, n_valid, max_steps):
    """Mean overlap of synchronous sign recall (zero field keeps the state; fixed point or
    2-cycle stops a cue), one network and one cue at a time."""
    out = []
    for w, x, m in zip(weights, patterns, n_valid):
        total = 0.0
        for mu in range(m):
            s = x[mu].astype(np.int64)
            prev = s.copy()
            for sweep in range(max_steps):
                h = w @ s
                new = np.where(h > 0, 1, np.where(h < 0, -1, s))
                if np.array_equal(new, s):
                    break
                returned = np.array_equal(new, prev)
                prev, s = s, new
                if sweep > 0 and returned:
                    break
            total += float(s @ x[mu]) / len(s)
        out.append(total / m)
    return np.array(out)
