"""Closed-form gradient of the infomorphic PID goal for hard-binned sources (Numba).

For neuron i of network b, with M stored patterns, the training joint distribution is (Blümel et
al. 2025, arXiv 2511.02584, and Makkeh et al. 2025, PNAS)

    p(a, k, y) = (1/M) sum_mu 1[a_mu = a] 1[k_mu = k] q_mu(y),   q_mu(+1) = theta_mu,
                                                                 q_mu(-1) = 1 - theta_mu,

where a is the bin of the external drive (2 bins split at 0: the sign of the pattern bit) and k
the bin of the recurrent field c. Hard bins carry no gradient, so the loss -G depends on the
weights only through theta_mu = sigmoid(r_mu + c_mu). With
G = k_red*red + k_1*I(Y;S1) + k_2*I(Y;S2) + k_12*I(Y;S1,S2) + k_H*H(Y) (the goal vector gamma
rewritten over these five terms) the derivative of G along theta in cell (a, k) is
Delta(a, k) = dG/dp(a,k,+) - dG/dp(a,k,-), and only y-dependent parts survive the difference:

    I(Y;S1):    log2 p(a,+)/p(a,-)      - Ly          (Ly = log2 p(+)/p(-))
    I(Y;S2):    log2 p(k,+)/p(k,-)      - Ly
    I(Y;S1,S2): log2 p(a,k,+)/p(a,k,-)  - Ly
    H(Y):       -Ly
    I^sx_cap:   log2 U(a,k,+)/U(a,k,-)  - Ly + (V(a,k,+) - V(a,k,-)) / ln 2

with U(a,k,y) = p(a,y) + p(k,y) - p(a,k,y) (the union term of the shared-exclusion redundancy)
and V(a,k,y) = sum_k' v(a,k',y) + sum_a' v(a',k,y) - v(a,k,y), v = p / U. Then
dL/dc_mu = -(1/M) Delta(a_mu, k_mu) theta_mu (1 - theta_mu). The same quantities computed by
autograd through :func:`amem.pid.sx.sx_atoms` are the reference (tests/test_infomorphic_grad.py).

A cell whose p(a,k,+) or p(a,k,-) is exactly 0 (theta saturated in every sample of the cell) gets
Delta = 0; its samples have theta (1 - theta) = 0, so this only avoids 0 * inf.
"""

import math

import numpy as np
from numba import njit, prange

_LOG2E = 1.0 / math.log(2.0)


@njit(cache=True, inline="always")
def _bin_index(x, edges, n_bins):
    """torch.bucketize(x, edges, right=False) - 1, clipped to [0, n_bins - 1] (right-closed bins)."""
    lo = edges[0]
    width = (edges[n_bins] - lo) / n_bins
    g = int((x - lo) / width) if x > lo else 0
    if g > n_bins:
        g = n_bins
    # g = number of edges strictly below x, fixed up exactly against the real edges
    while g <= n_bins and edges[g] < x:
        g += 1
    while g > 0 and edges[g - 1] >= x:
        g -= 1
    k = g - 1
    if k < 0:
        k = 0
    elif k > n_bins - 1:
        k = n_bins - 1
    return k


@njit(parallel=True, cache=True)
def infomorphic_field_grad(fields, theta, ext, n_valid, coef, edges, adaptive, grad, cells,
                           count, theta_sum, one_minus_sum):
    """Histogram every neuron's (ext bin, field bin, theta) and write dL/dc for every sample.

    Parameters
    ----------
    fields : float[B, N, P]   recurrent fields c (padding columns ignored)
    theta : float[B, N, P]    sigmoid(r + c)
    ext : int8[B, N, P]       the neuron's own pattern bit (+1/-1), i.e. the external bin
    n_valid : int64[B]        number of stored patterns M of each network (<= P)
    coef : float64[5]         (k_red, k_1, k_2, k_12, k_H): the goal over red, MI_1, MI_2, MI_12, H
    edges : float[n_bins + 1] internal-source bin edges ([-20, 20] fixed, [-1, 1] adaptive)
    adaptive : bool           divide each neuron's fields by their max |c| before binning
    grad : float[B, N, P]     out: dL/dc (zero in the padding)
    cells : int16[B, N, P]    scratch: cell index a * n_bins + k of every sample
    count, theta_sum, one_minus_sum : float64[B, N, 2 * n_bins]
        out: per-cell sample count, sum of theta and sum of (1 - theta) (the unnormalised joint)

    Returns
    -------
    bad : int64  number of (network, neuron) pairs with a non-finite field or theta
    """
    n_net, n_units, _ = fields.shape
    n_bins = edges.shape[0] - 1
    n_cells = 2 * n_bins
    k_red, k_1, k_2, k_12, k_h = coef[0], coef[1], coef[2], coef[3], coef[4]
    bad = 0
    for pair in prange(n_net * n_units):
        b = pair // n_units
        i = pair - b * n_units
        m = n_valid[b]
        cnt = count[b, i]
        tp = theta_sum[b, i]
        tm = one_minus_sum[b, i]
        cnt[:] = 0.0
        tp[:] = 0.0
        tm[:] = 0.0
        scale = 1.0
        finite = True
        if adaptive:
            mx = 0.0
            for mu in range(m):
                v = abs(fields[b, i, mu])
                if v > mx:
                    mx = v
            if mx > 0.0:
                scale = 1.0 / mx
        for mu in range(m):
            c = fields[b, i, mu]
            t = theta[b, i, mu]
            if not (math.isfinite(c) and math.isfinite(t)):
                finite = False
                break
            x = c * scale if adaptive else c
            k = _bin_index(x, edges, n_bins)
            a = 1 if ext[b, i, mu] > 0 else 0
            cell = a * n_bins + k
            cells[b, i, mu] = cell
            cnt[cell] += 1.0
            tp[cell] += t
            tm[cell] += 1.0 - t
        if not finite:
            bad += 1
            for mu in range(grad.shape[2]):
                grad[b, i, mu] = 0.0
            continue
        inv_m = 1.0 / m
        # marginals p(a, y), p(k, y), p(y)
        pa_p = np.zeros(2)
        pa_m = np.zeros(2)
        pk_p = np.zeros(n_bins)
        pk_m = np.zeros(n_bins)
        for cell in range(n_cells):
            if cnt[cell] > 0.0:
                a = cell // n_bins
                k = cell - a * n_bins
                pa_p[a] += tp[cell] * inv_m
                pa_m[a] += tm[cell] * inv_m
                pk_p[k] += tp[cell] * inv_m
                pk_m[k] += tm[cell] * inv_m
        py_p = pa_p[0] + pa_p[1]
        py_m = pa_m[0] + pa_m[1]
        ly = 0.0
        if py_p > 0.0 and py_m > 0.0:
            ly = math.log(py_p / py_m) * _LOG2E
        # v = p / U and its row (over k) and column (over a) sums, for the redundancy term
        rows_p = np.zeros(2)
        rows_m = np.zeros(2)
        cols_p = np.zeros(n_bins)
        cols_m = np.zeros(n_bins)
        vp = np.zeros(n_cells)
        vm = np.zeros(n_cells)
        if k_red != 0.0:
            for cell in range(n_cells):
                if cnt[cell] > 0.0:
                    a = cell // n_bins
                    k = cell - a * n_bins
                    pp = tp[cell] * inv_m
                    pm = tm[cell] * inv_m
                    if pp > 0.0:
                        vp[cell] = pp / (pa_p[a] + pk_p[k] - pp)
                    if pm > 0.0:
                        vm[cell] = pm / (pa_m[a] + pk_m[k] - pm)
                    rows_p[a] += vp[cell]
                    rows_m[a] += vm[cell]
                    cols_p[k] += vp[cell]
                    cols_m[k] += vm[cell]
        delta = np.zeros(n_cells)
        for cell in range(n_cells):
            if cnt[cell] == 0.0:
                continue
            pp = tp[cell] * inv_m
            pm = tm[cell] * inv_m
            if not (pp > 0.0 and pm > 0.0):
                continue
            a = cell // n_bins
            k = cell - a * n_bins
            d = -k_h * ly
            if k_red != 0.0:
                up = pa_p[a] + pk_p[k] - pp
                um = pa_m[a] + pk_m[k] - pm
                v_diff = (rows_p[a] + cols_p[k] - vp[cell]) - (rows_m[a] + cols_m[k] - vm[cell])
                d += k_red * (math.log(up / um) * _LOG2E - ly + v_diff * _LOG2E)
            if k_1 != 0.0:
                d += k_1 * (math.log(pa_p[a] / pa_m[a]) * _LOG2E - ly)
            if k_2 != 0.0:
                d += k_2 * (math.log(pk_p[k] / pk_m[k]) * _LOG2E - ly)
            if k_12 != 0.0:
                d += k_12 * (math.log(pp / pm) * _LOG2E - ly)
            delta[cell] = d
        for mu in range(m):
            t = theta[b, i, mu]
            grad[b, i, mu] = -delta[cells[b, i, mu]] * inv_m * t * (1.0 - t)
        for mu in range(m, grad.shape[2]):
            grad[b, i, mu] = 0.0
    return bad
