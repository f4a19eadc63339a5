"""Neuron-level PID estimators: every neuron's joint p_i(s1, s2, y) and atoms in one array pass.

For neuron i and samples mu = 1..M (Blümel et al., arXiv 2511.02584, 2025; spec §2.1):

    p_i(s1, s2, y) = (1/M) sum_mu  B1(r_i^mu)[s1] * B2(c_i^mu)[s2] * q_i^mu(y),
    q_i^mu(+1) = theta_i^mu,   q_i^mu(-1) = 1 - theta_i^mu,

where r is the external (feed-forward) drive, c the recurrent field, theta the firing probability
and B1, B2 the (hard or soft) bin memberships of :mod:`amem.pid.binning`. The target axis is
ordered [-1, +1]. The plug-in joint uses the conditional output probabilities rather than sampled
outputs, so it is differentiable in theta (and, with soft bins, in r and c).

The same code runs on NumPy arrays (analysis) and torch tensors (training, autograd); the atoms
come from :func:`amem.pid.sx.sx_atoms`, the one definition of the SX decomposition.
"""

from __future__ import annotations

import numpy as np

from amem.errors import AmemError
from amem.pid import binning as _bins
from amem.pid.sx import sx_atoms

BINNINGS = ("fixed", "adaptive", "soft")
#: (external, recurrent) bin counts of the reference configurations.
DEFAULT_BINS = {"fixed": (2, 60), "adaptive": (2, 60), "soft": (10, 10)}
#: Ranges of the fixed binning (reference ``BinningFixedSize``).
DEFAULT_RANGES = ((-20.0, 20.0), (-20.0, 20.0))
#: Soft-bin smoothing scales tau (absolute units) of the reference ``BinningDifferentiableMarginal``.
DEFAULT_TAU = (1e-5, 0.5)


def neuron_joints(r, c, theta, *, binning: str = "fixed", n_bins=None, ranges=DEFAULT_RANGES,
                  tau=DEFAULT_TAU):
    """Joint distributions p_i(s1, s2, y) of every neuron.

    Parameters
    ----------
    r, c, theta : arrays or tensors of shape (n_samples, n_units)
        External drive, recurrent field and firing probability P(y = +1) of each neuron for each
        sample. If ``theta`` is a torch tensor, the result is a torch tensor carrying its graph.
    binning : {"fixed", "adaptive", "soft"}
    n_bins : (int, int), optional
        Bins of the external and the recurrent source, each >= 2; default per ``DEFAULT_BINS``.
    ranges : ((low, high), (low, high))
        Bin ranges of the fixed binning (ignored otherwise).
    tau : (float, float)
        Soft-bin edge smoothing of each source (soft binning only).

    Returns
    -------
    Array (n_units, n_bins[0], n_bins[1], 2) of probabilities; each neuron's joint sums to 1.

    Raises
    ------
    AmemError
        Wrong shapes or ndim, empty, NaN/inf, theta outside [0, 1], unknown binning, fewer than
        2 bins, an empty range or a non-positive tau.
    """
    r, c, theta, lib = _as_arrays(r, c, theta)
    if binning not in BINNINGS:
        raise AmemError(f"binning={binning!r} is not valid; choose one of {', '.join(map(repr, BINNINGS))}")
    n1, n2 = _check_bins(DEFAULT_BINS[binning] if n_bins is None else n_bins)
    n_samples, n_units = theta.shape
    q = lib.stack([1.0 - theta, theta], -1)  # (M, N, 2), target axis ordered [-1, +1]
    if binning == "soft":
        (t1, t2) = _check_pair("tau", tau, positive=True)
        w1 = _bins.soft_bin_weights(r, n1, *_bins.soft_bin_range(r), t1)  # (M, N, n1)
        w2 = _bins.soft_bin_weights(c, n2, *_bins.soft_bin_range(c), t2)  # (M, N, n2)
        w2q = (w2[..., :, None] * q[..., None, :]).reshape(n_samples, n_units, n2 * 2)
        # sum over samples as a batched matmul: (N, n1, M) @ (N, M, 2 n2)
        joint = lib.matmul(lib.moveaxis(w1, 0, -1), lib.moveaxis(w2q, 0, 1))
        return joint.reshape(n_units, n1, n2, 2) / n_samples
    if binning == "adaptive":
        b1, b2 = _bins.adaptive_bin_index(r, n1), _bins.adaptive_bin_index(c, n2)
    else:
        (lo1, hi1), (lo2, hi2) = _check_ranges(ranges)
        b1, b2 = _bins.fixed_bin_index(r, n1, lo1, hi1), _bins.fixed_bin_index(c, n2, lo2, hi2)
    neuron = _arange_like(n_units, b1, lib)
    cell = ((neuron * n1 + b1) * n2 + b2) * 2  # flat index of (i, s1, s2, y=-1); y=+1 is next
    index = lib.stack([cell, cell + 1], -1).reshape(-1)
    joint = _scatter_add(index, q.reshape(-1), n_units * n1 * n2 * 2, theta, lib)
    return joint.reshape(n_units, n1, n2, 2) / n_samples


def neuron_atoms(r, c, theta, **binning_options):
    """PID atoms (n_units, 5) of every neuron: ``sx_atoms(neuron_joints(r, c, theta, ...))``.

    Columns: [unique_external, unique_internal, redundancy, synergy, residual_entropy] in bits
    (sources: external drive r, recurrent field c; target: the neuron's output).
    """
    joints = neuron_joints(r, c, theta, **binning_options)
    return sx_atoms(joints)


# ------------------------------------------------------------------------- helpers
def _as_arrays(r, c, theta):
    is_torch = type(theta).__module__.startswith("torch")
    if is_torch:
        import torch

        lib = torch
        r, c = (torch.as_tensor(x, dtype=theta.dtype, device=theta.device) for x in (r, c))
    else:
        lib = np
        try:
            r, c, theta = (np.asarray(x, dtype=np.float64) for x in (r, c, theta))
        except (TypeError, ValueError) as err:
            raise AmemError(f"r, c and theta must be numeric (n_samples, n_units) arrays ({err})") from None
    for name, x in (("r", r), ("c", c), ("theta", theta)):
        if x.ndim != 2:
            raise AmemError(f"{name} has shape {tuple(x.shape)}; expected a 2-D (n_samples, n_units) array")
        if x.shape != theta.shape:
            raise AmemError(f"{name} has shape {tuple(x.shape)} but theta has {tuple(theta.shape)}; "
                            "pass r, c and theta of one (n_samples, n_units) shape")
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise AmemError(f"{name} is empty (shape {tuple(x.shape)}); pass at least one sample and unit")
        if not bool(lib.isfinite(x).all()):
            raise AmemError(f"{name} contains NaN or infinite values; pass finite numbers")
    if bool((theta < 0).any()) or bool((theta > 1).any()):
        raise AmemError(f"theta has values in [{float(theta.min())}, {float(theta.max())}]; "
                        "firing probabilities must lie in [0, 1]")
    return r, c, theta, lib


def _check_bins(n_bins) -> tuple[int, int]:
    try:
        n1, n2 = n_bins
    except (TypeError, ValueError):
        raise AmemError(f"n_bins={n_bins!r} must be a pair (external bins, recurrent bins)") from None
    for n in (n1, n2):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise AmemError(f"n_bins={tuple(n_bins)!r}: each source needs an integer number of bins >= 2")
    return int(n1), int(n2)


def _check_pair(name, pair, positive=False) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in pair)
    except (TypeError, ValueError):
        raise AmemError(f"{name}={pair!r} must be a pair of numbers (external, recurrent)") from None
    if positive and not (a > 0 and b > 0):
        raise AmemError(f"{name}={pair!r} must be positive")
    return a, b


def _check_ranges(ranges):
    try:
        pairs = [_check_pair("ranges", rg) for rg in ranges]
    except TypeError:
        raise AmemError(f"ranges={ranges!r} must be ((low, high), (low, high))") from None
    if len(pairs) != 2 or any(not (lo < hi) for lo, hi in pairs):
        raise AmemError(f"ranges={ranges!r} must be two (low, high) pairs with low < high")
    return pairs


def _arange_like(n, like, lib):
    if lib is np:
        return np.arange(n)
    return lib.arange(n, device=like.device)


def _scatter_add(index, weights, size, like, lib):
    if lib is np:
        return np.bincount(index, weights, minlength=size)
    out = lib.zeros(size, dtype=like.dtype, device=like.device)
    return out.index_add(0, index, weights)  # out-of-place: differentiable in weights
