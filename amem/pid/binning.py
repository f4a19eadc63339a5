"""Bin assignments of per-neuron source values, for NumPy arrays and torch tensors alike.

The three estimators of Blümel et al., "Redundancy Maximization as a Principle of Associative
Memory Learning" (arXiv 2511.02584, 2025; spec §2.2):

* fixed: equal bins on a fixed range, right-closed (bin k = (e_k, e_k+1]) after clamping the value
  into [low + 1e-4, high], so a value on an inner edge (e.g. exactly 0) falls in the lower bin;
* adaptive: each neuron's values divided by their max |value| over the samples, then fixed bins
  on [-1, 1];
* soft: differentiable membership sigma((w/2 - |x - centre_k|) / tau) of bins spanning
  [global min - 1, global max + 1], normalised over the bins.

Hard bin indices carry no gradient (they are computed from detached values); soft weights do.
"""

from __future__ import annotations

import numpy as np

#: Values are clamped into [low + CLAMP_OFFSET, high] before fixed binning (reference code value).
CLAMP_OFFSET = 1e-4
#: Soft bins span [global min - SOFT_PADDING, global max + SOFT_PADDING].
SOFT_PADDING = 1.0


def bin_edges(n_bins: int, low: float, high: float) -> np.ndarray:
    """The n_bins + 1 equally spaced edges; a symmetric range puts an edge at exactly 0."""
    k = np.arange(n_bins + 1, dtype=np.float64)
    return (low * (n_bins - k) + high * k) / n_bins


def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch")


def fixed_bin_index(x, n_bins: int, low: float, high: float):
    """Right-closed bin index in [0, n_bins) of every entry of ``x`` (int64, same shape).

    Equivalent to ``searchsorted(edges, clamp(x), side="left") - 1`` (what the tests check), but
    computed arithmetically and then corrected against the exact edges: ~10x faster than a binary
    search per value.
    """
    edges = bin_edges(n_bins, low, high)
    if _is_torch(x):
        import torch

        xd = x.detach().clamp(low + CLAMP_OFFSET, high)
        edges = torch.as_tensor(edges, dtype=xd.dtype, device=xd.device)
        k = torch.ceil((xd - low) * (n_bins / (high - low))).to(torch.int64) - 1
    else:
        xd = np.clip(x, low + CLAMP_OFFSET, high)
        k = np.ceil((xd - low) * (n_bins / (high - low))).astype(np.int64) - 1
    k = k.clip(0, n_bins - 1)
    k = k - ((xd <= edges[k]) & (k > 0)) * 1  # rounding can land one bin off either way
    return k + ((xd > edges[k + 1]) & (k < n_bins - 1)) * 1


def per_neuron_scale(x):
    """max |x| over the samples (axis 0) of each neuron; 1 where a neuron's values are all 0."""
    m = abs(x).max(0)
    m = m.values if _is_torch(x) else m  # torch's max(dim) returns (values, indices)
    return (m == 0) * 1.0 + m  # a silent source bins to the middle instead of dividing by 0


def adaptive_bin_index(x, n_bins: int):
    """Fixed bins on [-1, 1] of each neuron's values divided by its max |value| (axis 0)."""
    xd = x.detach() if _is_torch(x) else x
    return fixed_bin_index(xd / per_neuron_scale(xd), n_bins, -1.0, 1.0)


def soft_bin_range(x) -> tuple[float, float]:
    """[global min - 1, global max + 1] over all samples and neurons (no gradient)."""
    xd = x.detach() if _is_torch(x) else x
    return float(xd.min()) - SOFT_PADDING, float(xd.max()) + SOFT_PADDING


def soft_bin_weights(x, n_bins: int, low: float, high: float, tau: float):
    """Soft memberships (..., n_bins) of every entry of ``x``, normalised over the bins.

    Membership of bin k with centre c_k and width w is sigma((w/2 - |x - c_k|) / tau): about 1
    inside the bin and 0 outside, with edges smoothed over a scale ``tau`` (absolute units).
    """
    lib = _lib(x)
    width = (high - low) / n_bins
    centres = bin_edges(n_bins, low, high)[:-1] + width / 2
    if _is_torch(x):
        centres = lib.as_tensor(centres, dtype=x.dtype, device=x.device)
    z = (width / 2 - abs(x[..., None] - centres)) / tau
    member = 0.5 * (1.0 + lib.tanh(z / 2))  # the logistic function, overflow-free in both libraries
    return member / member.sum(-1, keepdims=True)


def _lib(x):
    if _is_torch(x):
        import torch

        return torch
    return np
