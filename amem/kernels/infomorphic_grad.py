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

Speed (this kernel is most of an infomorphic training epoch): theta is computed here from the
fields, in float64, by a vectorisable exp; the per-cell PID terms are evaluated densely over all
2 n_bins cells (empty cells masked, not skipped: unpredictable branches cost more than the
arithmetic) with a vectorisable log2; sums may be reassociated (``fastmath={"reassoc",
"contract"}``; no finite-math assumptions, so NaN and inf still propagate).
"""

import math

import numpy as np
from numba import njit, prange

_LOG2E = 1.0 / math.log(2.0)
_LN2_HI = 6.93147180369123816490e-01  # ln 2 split in two (Cody and Waite) for exp's reduction
_LN2_LO = 1.90821492927058770002e-10
_SQRT2 = math.sqrt(2.0)
_MANTISSA = np.int64(0x000FFFFFFFFFFFFF)
_ONE_BITS = np.int64(0x3FF0000000000000)
_FAST = {"reassoc", "contract"}
# dL/dc below float32's smallest normal number is flushed to zero: denormal operands slow the
# following matrix product about fivefold, and such a term moves no weight.
_FLUSH = float(np.finfo(np.float32).tiny)


@njit(parallel=True, cache=True, nogil=True, fastmath=_FAST)
def infomorphic_field_grad(fields, ext, ext_weight, n_valid, coef, bin_range, n_bins, adaptive,
                           grad, cells, count, theta_sum, one_minus_sum, n_chunks):
    """Histogram every neuron's (ext bin, field bin, theta) and write dL/dc for every sample.

    Parameters
    ----------
    fields : float[B, N, P]   recurrent fields c (padding columns ignored)
    ext : int8[B, N, P]       the neuron's own pattern bit (+1/-1), i.e. the external bin
    ext_weight : float64[B, N]  each neuron's external weight; theta = sigmoid(ext_weight * ext + c)
    n_valid : int64[B]        number of stored patterns M of each network (<= P)
    coef : float64[B, 5]      (k_red, k_1, k_2, k_12, k_H) of each network: its goal over red,
                              MI_1, MI_2, MI_12, H (networks may have different goals)
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
    bad : int64  number of (network, neuron) pairs with a non-finite field
    """
    n_net, n_units, p_max = fields.shape
    n_cells = 2 * n_bins
    n_pairs = n_net * n_units
    want_hist = count.shape[0] == n_net
    n_chunks = max(1, min(n_pairs, n_chunks))
    bad = 0
    for chunk in prange(n_chunks):
        # per-chunk scratch, allocated once and reused for every neuron of the chunk
        theta = np.zeros(p_max)
        e_neg = np.zeros(p_max)  # exp(-(r + c)), so 1 - theta = e_neg * theta without cancellation
        cnt = np.zeros(n_cells)
        tp = np.zeros(n_cells)
        pp = np.zeros(n_cells)
        pm = np.zeros(n_cells)
        vp = np.zeros(n_cells)
        vm = np.zeros(n_cells)
        lr = np.zeros(n_cells)
        delta = np.zeros(n_cells)
        dcell = np.zeros(n_cells)
        pk_p = np.zeros(n_bins)
        pk_m = np.zeros(n_bins)
        for pair in range(chunk * n_pairs // n_chunks, (chunk + 1) * n_pairs // n_chunks):
            b = pair // n_units
            i = pair - b * n_units
            m = n_valid[b]
            c_row = fields[b, i]
            g_row = grad[b, i]
            cell_row = cells[b, i]
            for mu in range(m, p_max):
                g_row[mu] = 0.0
            if not _bin_fields(c_row, ext[b, i], m, bin_range, n_bins, adaptive, cell_row):
                bad += 1
                for mu in range(m):
                    g_row[mu] = 0.0
                continue
            _sigmoid(c_row, ext[b, i], ext_weight[b, i], m, theta, e_neg)
            cnt[:] = 0.0
            tp[:] = 0.0
            for mu in range(m):  # histogram: count and sum of theta per cell
                cell = np.uint16(cell_row[mu])
                cnt[cell] += 1.0
                tp[cell] += theta[mu]
            _cell_deltas(cnt, tp, m, coef[b], n_bins, pp, pm, vp, vm, lr, delta, dcell, pk_p, pk_m)
            for mu in range(m):  # dL/dc = Delta(cell) theta (1 - theta)
                t = theta[mu]
                g = dcell[np.uint16(cell_row[mu])] * (t * (e_neg[mu] * t))
                g_row[mu] = g if abs(g) >= _FLUSH else 0.0
            if want_hist:
                count[b, i, :] = cnt
                theta_sum[b, i, :] = tp
                for cell in range(n_cells):
                    one_minus_sum[b, i, cell] = cnt[cell] - tp[cell]
    return bad


@njit(cache=True, inline="always", fastmath=_FAST)
def _bin_fields(c_row, e_row, m, bin_range, n_bins, adaptive, cell_row):
    """cell = ext bin * n_bins + field bin for every sample; False if a field is not finite."""
    lo = bin_range[0]
    inv_width = n_bins / (bin_range[1] - lo)
    if adaptive:
        mx = 0.0
        for mu in range(m):
            mx = max(mx, abs(c_row[mu]))
        if mx > 0.0:
            inv_width /= mx
            lo *= mx
    top = n_bins - 1.0
    infinite = 0.0
    for mu in range(m):
        infinite += c_row[mu] * 0.0  # NaN iff some field is NaN or infinite
        kf = np.ceil((c_row[mu] - lo) * inv_width) - 1.0
        kf = kf if kf > 0.0 else 0.0  # also maps NaN to bin 0 (the caller skips the neuron)
        kf = kf if kf < top else top
        cell_row[mu] = np.int16(kf) + (np.int16(n_bins) if e_row[mu] > 0 else np.int16(0))
    return math.isfinite(infinite)


@njit(cache=True, inline="always", fastmath=_FAST)
def _exp_reduced(x, precise):
    """(e^r, n) with x = n ln 2 + r, |r| <= ln 2 / 2 (Cody and Waite), so e^x = e^r 2^n.

    e^r by its Taylor series to r^11 (relative error < 1e-14) if ``precise``, else to r^7
    (< 6e-9). A scalar helper for loops the compiler vectorises; ``precise`` should be a
    constant of the compiled types so that only one series is compiled.
    """
    n = np.floor(x * _LOG2E + 0.5)
    r = (x - n * _LN2_HI) - n * _LN2_LO
    if precise:
        series = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (
            1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (
                1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800)))))))))))
    else:
        series = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (
            1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040)))))))
    return series, n


@njit(cache=True, inline="always", fastmath=_FAST)
def _sigmoid(c_row, e_row, ext_weight, m, theta, e_neg):
    """theta = 1 / (1 + e^-x), x = ext_weight * e + c, in float64; e_neg = e^-x.

    exp by :func:`_exp_reduced` and 2^n from the exponent bits, in loops the compiler
    vectorises; |x| is clipped at 708 so 2^n stays a normal double (theta is then 1 or 3e-308).
    The series runs to r^11 for float64 fields, to r^7 (< 6e-9, below float32's rounding of the
    fields themselves) for float32 fields: the float32 training's theta then costs a sixth less.
    """
    scale_bits = e_neg.view(np.int64)
    precise = c_row.itemsize == 8  # a constant of the compiled type
    for mu in range(m):
        x = -(c_row[mu] + ext_weight * e_row[mu])
        series, n = _exp_reduced(min(max(x, -708.0), 708.0), precise)
        theta[mu] = series
        scale_bits[mu] = (np.int64(n) + 1023) << 52
    for mu in range(m):
        e = theta[mu] * e_neg[mu]
        e_neg[mu] = e
        theta[mu] = 1.0 / (1.0 + e)


@njit(cache=True, inline="always", fastmath=_FAST)
def _log2_inplace(x, n, scratch):
    """x[:n] <- log2(x[:n]) for positive normal doubles, in two vectorisable loops.

    x = 2^e m with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s), s = (m - 1) / (m + 1),
    |s| <= 0.172, series to s^17 (relative error < 1e-13; libm's log is a scalar call that costs
    more than all the other per-cell arithmetic).
    """
    bits = x.view(np.int64)
    mant_bits = scratch.view(np.int64)
    for o in range(n):
        b = bits[o]
        mant_bits[o] = (b & _MANTISSA) | _ONE_BITS
        bits[o] = (b >> 52) - 1023  # x holds the exponent (as int64 bits) until the next loop
    for o in range(n):
        e = float(bits[o])
        mant = scratch[o]
        if mant > _SQRT2:
            mant *= 0.5
            e += 1.0
        s = (mant - 1.0) / (mant + 1.0)
        z = s * s
        series = 1.0 + z * (1.0 / 3 + z * (1.0 / 5 + z * (1.0 / 7 + z * (1.0 / 9 + z * (
            1.0 / 11 + z * (1.0 / 13 + z * (1.0 / 15 + z * (1.0 / 17))))))))
        x[o] = e + 2.0 * _LOG2E * s * series


@njit(cache=True, inline="always", fastmath=_FAST)
def _log2_ratios(num, den, n, out, scratch):
    """out[:n] = log2(num / den), 0 where either is 0 (such cells get no gradient anyway)."""
    for o in range(n):
        out[o] = num[o] / den[o] if num[o] > 0.0 and den[o] > 0.0 else 1.0
    _log2_inplace(out, n, scratch)


@njit(cache=True, inline="always", fastmath=_FAST)
def _half_sums(plus, minus, nb):
    """Sums of plus[:nb], minus[:nb], plus[nb:2nb], minus[nb:2nb] (cells of a = 0 and a = 1)."""
    p0 = m0 = p1 = m1 = 0.0
    for k in range(nb):
        p0 += plus[k]
        m0 += minus[k]
        p1 += plus[nb + k]
        m1 += minus[nb + k]
    return p0, m0, p1, m1


@njit(cache=True, inline="always", fastmath=_FAST)
def _cell_deltas(cnt, tp, m, coef, n_bins, pp, pm, vp, vm, lr, delta, dcell, pk_p, pk_m):
    """dcell[a * n_bins + k] = dL/dtheta of a sample in cell (a, k), i.e. -Delta(a, k) / M.

    Dense over all 2 n_bins cells (vectorisable; empty cells are masked, not skipped). Cell
    a * n_bins + k holds external bin a (0: bit -1, 1: bit +1) and field bin k.
    """
    k_red, k_1, k_2, k_12, k_h = coef[0], coef[1], coef[2], coef[3], coef[4]
    nb = n_bins
    n_cells = 2 * nb
    inv_m = 1.0 / m
    for c in range(n_cells):
        pp[c] = tp[c] * inv_m  # p(a, k, +)
        pm[c] = (cnt[c] - tp[c]) * inv_m  # p(a, k, -)
    pa_p0, pa_m0, pa_p1, pa_m1 = _half_sums(pp, pm, nb)  # p(a, +), p(a, -)
    for k in range(nb):
        pk_p[k] = pp[k] + pp[nb + k]
        pk_m[k] = pm[k] + pm[nb + k]
    py_p = pa_p0 + pa_p1
    py_m = pa_m0 + pa_m1
    ly = math.log(py_p / py_m) * _LOG2E if py_p > 0.0 and py_m > 0.0 else 0.0
    for c in range(n_cells):
        delta[c] = -k_h * ly
    if k_red != 0.0:
        # U(a,k,y) = p(a,y) + p(k,y) - p(a,k,y); v = p / U with its row (over k) and column sums
        for a in range(2):  # a outside: the loop over k is contiguous and vectorises
            pa_p = pa_p1 if a else pa_p0
            pa_m = pa_m1 if a else pa_m0
            for k in range(nb):
                c = a * nb + k
                u_p = pa_p + pk_p[k] - pp[c]
                inv_um = 1.0 / (pa_m + pk_m[k] - pm[c])
                vp[c] = pp[c] / u_p if pp[c] > 0.0 else 0.0
                vm[c] = pm[c] * inv_um if pm[c] > 0.0 else 0.0
                lr[c] = u_p * inv_um if pp[c] > 0.0 and pm[c] > 0.0 else 1.0  # U+ / U-
        rows_p0, rows_m0, rows_p1, rows_m1 = _half_sums(vp, vm, nb)
        _log2_inplace(lr, n_cells, dcell)
        for a in range(2):
            row_diff = (rows_p1 - rows_m1) if a else (rows_p0 - rows_m0)
            for k in range(nb):
                c = a * nb + k
                col_diff = (vp[k] + vp[nb + k]) - (vm[k] + vm[nb + k])
                v_diff = row_diff + col_diff - (vp[c] - vm[c])
                delta[c] += k_red * (lr[c] - ly + v_diff * _LOG2E)
    if k_1 != 0.0:
        l0 = math.log(pa_p0 / pa_m0) * _LOG2E if pa_p0 > 0.0 and pa_m0 > 0.0 else 0.0
        l1 = math.log(pa_p1 / pa_m1) * _LOG2E if pa_p1 > 0.0 and pa_m1 > 0.0 else 0.0
        for k in range(nb):
            delta[k] += k_1 * (l0 - ly)
            delta[nb + k] += k_1 * (l1 - ly)
    if k_2 != 0.0:
        _log2_ratios(pk_p, pk_m, nb, lr, dcell)  # log2 p(k,+)/p(k,-)
        for k in range(nb):
            delta[k] += k_2 * (lr[k] - ly)
            delta[nb + k] += k_2 * (lr[k] - ly)
    if k_12 != 0.0:
        _log2_ratios(pp, pm, n_cells, lr, dcell)  # log2 p(a,k,+)/p(a,k,-)
        for c in range(n_cells):
            delta[c] += k_12 * (lr[c] - ly)
    # a cell with p(a,k,+) = 0 or p(a,k,-) = 0 gets Delta = 0 (its samples have theta(1-theta) = 0)
    for c in range(n_cells):
        dcell[c] = -delta[c] * inv_m if pp[c] > 0.0 and pm[c] > 0.0 else 0.0


@njit(parallel=True, cache=True, nogil=True)
def adam_step(weights, exp_avg, exp_avg_sq, grad, lr, beta1, beta2, eps, step):
    """torch.optim.Adam's update (defaults otherwise, no weight decay) of every network at once.

    Same formulas and order as torch's single-tensor Adam: m <- m + (1 - beta1)(g - m),
    v <- beta2 v + (1 - beta2) g^2, w <- w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 -
    beta2^t) + eps), in the arrays' precision as torch does (the scalars are cast to it). The
    diagonal's gradient is taken as 0 whatever ``grad`` holds there (no self-coupling: w, m and v
    stay 0 on it). One pass instead of torch's six.
    """
    n_net, n_units, _ = weights.shape
    b1 = weights.dtype.type(beta1)  # noqa: F841
    b2 = weights.dtype.type(beta2)
    keep1 = weights.dtype.type(1.0 - beta1)
    keep2 = weights.dtype.type(1.0 - beta2)
    step_size = weights.dtype.type(lr / (1.0 - beta1 ** step))
    bc2_sqrt = weights.dtype.type(math.sqrt(1.0 - beta2 ** step))
    eps_t = weights.dtype.type(eps)
    zero = weights.dtype.type(0.0)
    for row in prange(n_net * n_units):
        b = row // n_units
        i = row - b * n_units
        w, m, v, g = weights[b, i], exp_avg[b, i], exp_avg_sq[b, i], grad[b, i]
        for j in range(n_units):
            gj = g[j] if j != i else zero  # a select, not a branch: the loop stays vectorised
            mj = m[j] + keep1 * (gj - m[j])
            vj = v[j] * b2 + keep2 * gj * gj
            m[j] = mj
            v[j] = vj
            w[j] = w[j] - step_size * (mj / (np.sqrt(vj) / bc2_sqrt + eps_t))
