"""Synchronous sign recall for an ensemble of networks at once (the early-stopping check).

Same dynamics as :func:`amem.kernels.sign_recall.sync_sign_recall` (a zero field keeps the
state; a cue stops at a fixed point or when a sweep returns it to its state of two sweeps before;
at most ``max_steps`` sweeps), but every network has its own couplings and only the mean overlap
with the cue is returned. Fields are kept in float64 and updated incrementally from the units that
flipped, so a sweep costs N per flipped unit instead of N^2.
"""

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True, nogil=True)
def ensemble_sync_overlap(weights_t, patterns, n_valid, max_steps, give_up_below):
    """Mean overlap of synchronous recall from each network's clean patterns.

    Parameters
    ----------
    weights_t : float[B, N, N]   transposed couplings: weights_t[b, j, i] = W_b[i, j]
    patterns : int8[B, P, N]     cues (= the stored patterns); rows >= n_valid[b] are ignored
    n_valid : int64[B]
    max_steps : int
    give_up_below : float
        Cues run one after another; once even perfect recall of the remaining cues could not
        lift a network's mean overlap to this value, the network stops and gets NaN (the
        early-stopping check only needs the decision). Pass -inf for exact means everywhere.

    Returns
    -------
    float64[B]: mean over the valid cues of (1/N) sum_i s_i x_i at the end of the dynamics
    """
    n_net, p_max, n_units = patterns.shape
    out = np.zeros(n_net)
    for b in prange(n_net):
        wt = weights_t[b]
        m = n_valid[b]
        total = 0.0
        h = np.zeros(n_units)
        s = np.zeros(n_units, np.int8)
        prev = np.zeros(n_units, np.int8)
        new = np.zeros(n_units, np.int8)
        for mu in range(m):
            total += _recall_one(wt, patterns[b, mu], max_steps, h, s, prev, new)
            if total + (m - mu - 1) < give_up_below * m:
                total = np.nan
                break
        out[b] = total / m
    return out


@njit(cache=True)
def _recall_one(wt, x, max_steps, h, s, prev, new):
    """Overlap with x after synchronous recall from x (scratch arrays h, s, prev, new)."""
    n_units = x.shape[0]
    for i in range(n_units):
        s[i] = x[i]
        prev[i] = x[i]
        h[i] = 0.0
    for j in range(n_units):
        sj = float(s[j])
        for i in range(n_units):
            h[i] += sj * wt[j, i]
    for sweep in range(max_steps):
        changed = False
        returned = True
        for i in range(n_units):
            v = s[i]
            if h[i] > 0.0:
                v = 1
            elif h[i] < 0.0:
                v = -1
            new[i] = v
            if v != s[i]:
                changed = True
            if v != prev[i]:
                returned = False
        if not changed:
            break
        for j in range(n_units):
            if new[j] != s[j]:
                step = 2.0 * new[j]
                for i in range(n_units):
                    h[i] += step * wt[j, i]
        for i in range(n_units):
            prev[i] = s[i]
            s[i] = new[i]
        if sweep > 0 and returned:
            break
    acc = 0
    for i in range(n_units):
        acc += s[i] * x[i]
    return acc / n_units
