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

Bins are right-closed, (lo + k w, lo + (k+1) w], with values outside [lo, hi] in the end bins:
the authors' ``bucketize`` binning, up to values within float rounding of an edge.

A cell whose p(a,k,+) or p(a,k,-) is exactly 0 (theta saturated in every sample of the cell) gets
Delta = 0; its samples have theta (1 - theta) = 0, so this only avoids 0 * inf.
"""

import math

import numpy as np
from numba import njit, prange

_LOG2E = 1.0 / math.log(2.0)


@njit(parallel=True, cache=True)
def infomorphic_field_grad(fields, theta, ext, n_valid, coef, bin_range, n_bins, adaptive, grad,
                           cells, count, theta_sum, one_minus_sum, n_chunks):
    """Histogram every neuron's (ext bin, field bin, theta) and write dL/dc for every sample.

    Parameters
    ----------
    fields : float[B, N, P]   recurrent fields c (padding columns ignored)
    theta : float[B, N, P]    sigmoid(r + c)
    ext : int8[B, N, P]       the neuron's own pattern bit (+1/-1), i.e. the external bin
    n_valid : int64[B]        number of stored patterns M of each network (<= P)
    coef : float64[5]         (k_red, k_1, k_2, k_12, k_H): the goal over red, MI_1, MI_2, MI_12, H
    bin_range : float64[2]    range of the internal-source bins ([-20, 20] fixed, [-1, 1] adaptive)
    n_bins : int              number of internal-source bins
    adaptive : bool           divide each neuron's fields by their max |c| before binning
    grad : float[B, N, P]     out: dL/dc (zero in the padding)
    cells : int16[B, N, P]    scratch: cell index a * n_bins + k of every sample
    count, theta_sum, one_minus_sum : float64[B, N, 2 * n_bins], or shape (0, 0, 0) to skip
        out: per-cell sample count, sum of theta and sum of (1 - theta) (the unnormalised joint)
    n_chunks : int            work units for the threads (a few per thread balances the load)

    Returns
    -------
    bad : int64  number of (network, neuron) pairs with a non-finite field or theta
    """
    n_net, n_units, p_max = fields.shape
    n_cells = 2 * n_bins
    n_pairs = n_net * n_units
    want_hist = count.shape[0] == n_net
    n_chunks = max(1, min(n_pairs, n_chunks))
    bad = 0
    for chunk in prange(n_chunks):
        # per-chunk scratch, allocated once and reused for every neuron of the chunk
        cnt = np.zeros(n_cells)
        tp = np.zeros(n_cells)
        tm = np.zeros(n_cells)
        vp = np.zeros(n_cells)
        vm = np.zeros(n_cells)
        delta = np.zeros(n_cells)
        pk_p = np.zeros(n_bins)
        pk_m = np.zeros(n_bins)
        cols_p = np.zeros(n_bins)
        cols_m = np.zeros(n_bins)
        occupied = np.zeros(n_cells, np.int64)
        for pair in range(chunk * n_pairs // n_chunks, (chunk + 1) * n_pairs // n_chunks):
            b = pair // n_units
            i = pair - b * n_units
            ok = _one_neuron(fields[b, i], theta[b, i], ext[b, i], n_valid[b], coef, bin_range, n_bins,
                             adaptive, grad[b, i], cells[b, i], cnt, tp, tm, vp, vm, delta,
                             pk_p, pk_m, cols_p, cols_m, occupied)
            if not ok:
                bad += 1
            if want_hist:
                count[b, i, :] = cnt
                theta_sum[b, i, :] = tp
                for cell in range(n_cells):
                    one_minus_sum[b, i, cell] = cnt[cell] - tp[cell]  # tm is only set where occupied
    return bad


@njit(cache=True, inline="always")
def _one_neuron(c_row, t_row, e_row, m, coef, bin_range, n_bins, adaptive, g_row, cell_row, cnt,
                tp, tm, vp, vm, delta, pk_p, pk_m, cols_p, cols_m, occupied):
    n_cells = 2 * n_bins
    k_red, k_1, k_2, k_12, k_h = coef[0], coef[1], coef[2], coef[3], coef[4]
    lo = bin_range[0]
    inv_width = n_bins / (bin_range[1] - lo)
    if adaptive:
        mx = 0.0
        for mu in range(m):
            v = abs(c_row[mu])
            if v > mx:
                mx = v
        if mx > 0.0:
            inv_width /= mx
            lo *= mx
    # pass 1 (vectorisable): cell = ext bin * n_bins + field bin
    top = n_bins - 1.0
    infinite = 0.0
    for mu in range(m):
        infinite += c_row[mu] * 0.0  # NaN iff some field is NaN or infinite
        kf = np.ceil((c_row[mu] - lo) * inv_width) - 1.0
        kf = kf if kf > 0.0 else 0.0  # also maps NaN to bin 0 (then caught by `check`)
        kf = kf if kf < top else top
        cell_row[mu] = np.int16(kf) + (np.int16(n_bins) if e_row[mu] > 0 else np.int16(0))
    for mu in range(m, g_row.shape[0]):
        g_row[mu] = 0.0
    # pass 2: histogram (count and sum of theta per cell; sum of 1 - theta = count - sum theta)
    cnt[:] = 0.0
    tp[:] = 0.0
    for mu in range(m):
        cell = np.uint16(cell_row[mu])
        cnt[cell] += 1.0
        tp[cell] += t_row[mu]
    check = infinite
    for cell in range(n_cells):
        check += tp[cell]
    if not math.isfinite(check):  # a non-finite field or theta
        for mu in range(m):
            g_row[mu] = 0.0
        return False
    # occupied cells and the marginals p(a, y), p(k, y) (k = field bin)
    inv_m = 1.0 / m
    n_occ = 0
    for cell in range(n_cells):
        if cnt[cell] > 0.0:
            occupied[n_occ] = cell
            n_occ += 1
            k = cell - n_bins if cell >= n_bins else cell
            pk_p[k] = 0.0
            pk_m[k] = 0.0
            cols_p[k] = 0.0
            cols_m[k] = 0.0
    pa_p0 = pa_p1 = pa_m0 = pa_m1 = 0.0
    for o in range(n_occ):
        cell = occupied[o]
        k = cell - n_bins if cell >= n_bins else cell
        tm[cell] = cnt[cell] - tp[cell]
        pp = tp[cell] * inv_m
        pm = tm[cell] * inv_m
        if cell >= n_bins:
            pa_p1 += pp
            pa_m1 += pm
        else:
            pa_p0 += pp
            pa_m0 += pm
        pk_p[k] += pp
        pk_m[k] += pm
    py_p = pa_p0 + pa_p1
    py_m = pa_m0 + pa_m1
    ly = 0.0
    if py_p > 0.0 and py_m > 0.0:
        ly = math.log(py_p / py_m) * _LOG2E
    # v = p / U and its row (over k) and column (over a) sums, for the redundancy term
    rows_p0 = rows_p1 = rows_m0 = rows_m1 = 0.0
    if k_red != 0.0:
        for o in range(n_occ):
            cell = occupied[o]
            k = cell - n_bins if cell >= n_bins else cell
            pp = tp[cell] * inv_m
            pm = tm[cell] * inv_m
            pa_p = pa_p1 if cell >= n_bins else pa_p0
            pa_m = pa_m1 if cell >= n_bins else pa_m0
            vp[cell] = pp / (pa_p + pk_p[k] - pp) if pp > 0.0 else 0.0
            vm[cell] = pm / (pa_m + pk_m[k] - pm) if pm > 0.0 else 0.0
            if cell >= n_bins:
                rows_p1 += vp[cell]
                rows_m1 += vm[cell]
            else:
                rows_p0 += vp[cell]
                rows_m0 += vm[cell]
            cols_p[k] += vp[cell]
            cols_m[k] += vm[cell]
    for o in range(n_occ):
        cell = occupied[o]
        k = cell - n_bins if cell >= n_bins else cell
        pp = tp[cell] * inv_m
        pm = tm[cell] * inv_m
        d = 0.0
        if pp > 0.0 and pm > 0.0:
            upper = cell >= n_bins
            pa_p = pa_p1 if upper else pa_p0
            pa_m = pa_m1 if upper else pa_m0
            d = -k_h * ly
            if k_red != 0.0:
                up = pa_p + pk_p[k] - pp
                um = pa_m + pk_m[k] - pm
                rp = rows_p1 if upper else rows_p0
                rm = rows_m1 if upper else rows_m0
                v_diff = (rp + cols_p[k] - vp[cell]) - (rm + cols_m[k] - vm[cell])
                d += k_red * (math.log(up / um) * _LOG2E - ly + v_diff * _LOG2E)
            if k_1 != 0.0:
                d += k_1 * (math.log(pa_p / pa_m) * _LOG2E - ly)
            if k_2 != 0.0:
                d += k_2 * (math.log(pk_p[k] / pk_m[k]) * _LOG2E - ly)
            if k_12 != 0.0:
                d += k_12 * (math.log(pp / pm) * _LOG2E - ly)
        delta[cell] = -d * inv_m
    # pass 3 (gather): dL/dc = Delta(cell) theta (1 - theta)
    for mu in range(m):
        t = t_row[mu]
        g_row[mu] = delta[np.uint16(cell_row[mu])] * t * (1.0 - t)
    return n_occ >= 0
