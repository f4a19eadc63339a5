"""Closed-form gradient of the infomorphic PID goal for soft-binned sources (Numba).

Soft binning (Blümel et al. 2025, arXiv 2511.02584, spec §2.2; ablation rows 6 and 7) gives
every sample a differentiable membership of every bin: for bin t of a source x with range
[lo, hi] (the network's min - 1 and max + 1, no gradient), width w and centre c_t,

    u_t(x) = sigma((w/2 - |x - c_t|) / tau),     m_t(x) = u_t / sum_t' u_t'.

For neuron i of network b with M stored patterns, the joint is

    p(s, t, y) = (1/M) sum_mu m1_s(r_mu) m2_t(c_mu) q_mu(y),   q_mu(+) = theta_mu, q_mu(-) = 1 - theta_mu,

with r_mu = v_i x_i^mu the external drive (frozen weight v_i: it takes two values, one per sign of
the pattern bit, so m1 is a 2 x n_bins table per neuron) and c_mu the recurrent field. Unlike
hard bins (:mod:`amem.kernels.infomorphic_grad`), the field's memberships carry gradient too, so
the whole derivative G(s,t,y) = dGoal/dp(s,t,y) is needed, not only its difference along y. With
L(x) = log2 x for x > 0 and 0 otherwise (as :func:`amem.pid.sx.sx_atoms` guards its logs),
dropping terms constant over the cells (they multiply sum dp = 0: memberships and q are
normalised):

    I(Y;S1):    L p(s,y)   - L p(s)   - L p(y)
    I(Y;S2):    L p(t,y)   - L p(t)   - L p(y)
    I(Y;S1,S2): L p(s,t,y) - L p(s,t) - L p(y)
    H(Y):       -L p(y)
    I^sx_cap:   L U(s,t,y) - L U'(s,t) - L p(y) + (V(s,t,y) - W(s,t)) / ln 2

with U = p(s,y) + p(t,y) - p(s,t,y), U' = p(s) + p(t) - p(s,t), V the sum of v = p / U over the
cells sharing s or t (same y; v(s,t,y) counted once), W the same of p(s,t) / U' (the shared-
exclusion redundancy of Makkeh, Gutknecht & Wibral, Phys. Rev. E 103:032149, 2021). Then for
sample mu in ext bin a (G~(a,t,y) = sum_s m1(a,s) G(s,t,y)) the loss L = -Goal has

    dL/dtheta_mu = -(1/M) sum_t m2_t (G~(a,t,+) - G~(a,t,-))
    dL/dm2_t     = -(1/M) (theta G~(a,t,+) + (1 - theta) G~(a,t,-))
    dL/dc_mu     = dL/dtheta theta (1 - theta)
                   + sum_t (dL/dm2_t - sum_t' m2_t' dL/dm2_t') m2_t (1 - u_t) (-sign(c - c_t) / tau).

The slow twin is autograd through :func:`amem.pid.sx.sx_atoms` and the soft joint of
:func:`amem.models.infomorphic_train.joint_distribution` (tests/test_infomorphic_soft.py).
Everything here is float64; the memberships' exponentials are vectorised (argument clamped at
-708, so a membership far outside its bin is ~1e-308 instead of 0: no denormals, no change that
matters).
"""

import math

import numpy as np
from numba import njit, prange

from amem.kernels.infomorphic_grad import (
    _FAST,
    _FLUSH,
    _LOG2E,
    _exp_reduced,
    _log2_inplace,
    _sigmoid,
)


@njit(parallel=True, cache=True, nogil=True)
def network_ranges(values, n_valid, out):
    """out[b] = (min, max) of values[b, :, :n_valid[b]] (the soft-bin range before padding)."""
    for b in prange(values.shape[0]):
        lo = np.inf
        hi = -np.inf
        for i in range(values.shape[1]):
            row = values[b, i]
            for mu in range(n_valid[b]):
                lo = min(lo, row[mu])
                hi = max(hi, row[mu])
        out[b, 0] = lo
        out[b, 1] = hi


@njit(cache=True, inline="always", fastmath=_FAST)
def _exp_inplace(x, n, scratch):
    """x[:n] <- exp(x[:n]) for x <= 0, in two vectorisable loops (range reduction and the
    Taylor series to r^11 of :func:`amem.kernels.infomorphic_grad._exp_reduced`; clamped at
    -708)."""
    scale_bits = scratch.view(np.int64)
    for o in range(n):
        series, k = _exp_reduced(max(x[o], -708.0), True)
        x[o] = series
        scale_bits[o] = (np.int64(k) + 1023) << 52
    for o in range(n):
        x[o] *= scratch[o]


@njit(cache=True, inline="always")
def _external_memberships(weight, lo, hi, n_bins, tau, m1):
    """m1[a * n_bins + s]: normalised memberships of r = -weight (a = 0) and +weight (a = 1)
    (2 n_bins values per neuron: libm's exp, exactly 0 where it underflows)."""
    width = (hi - lo) / n_bins
    for a in range(2):
        r = weight if a else -weight
        total = 0.0
        for s in range(n_bins):
            k = s + 0.5
            centre = (lo * (n_bins - k) + hi * k) / n_bins
            z = (width / 2 - abs(r - centre)) / tau
            u = math.exp(min(z, 0.0)) / (1.0 + math.exp(-abs(z)))
            m1[a * n_bins + s] = u
            total += u
        for s in range(n_bins):
            m1[a * n_bins + s] /= total


@njit(cache=True, inline="always", fastmath=_FAST)
def _field_memberships(c_row, m, lo, hi, n_bins, tau, centres, m2, one_minus_u, scratch):
    """m2[mu * n_bins + t] (normalised) and 1 - u_t of every valid sample's field."""
    width = (hi - lo) / n_bins
    for t in range(n_bins):
        k = t + 0.5
        centres[t] = (lo * (n_bins - k) + hi * k) / n_bins
    n = m * n_bins
    for mu in range(m):
        c = c_row[mu]
        for t in range(n_bins):
            m2[mu * n_bins + t] = (width / 2 - abs(c - centres[t])) / tau  # z
    for o in range(n):
        one_minus_u[o] = -abs(m2[o])  # exp(-|z|) next
    _exp_inplace(one_minus_u, n, scratch)
    for o in range(n):  # u = exp(min(z, 0)) / (1 + exp(-|z|)), 1 - u = exp(-max(z, 0)) / (...)
        e = one_minus_u[o]
        inv = 1.0 / (1.0 + e)
        positive = m2[o] >= 0.0
        m2[o] = inv if positive else e * inv
        one_minus_u[o] = e * inv if positive else inv
    for mu in range(m):
        total = 0.0
        for t in range(n_bins):
            total += m2[mu * n_bins + t]
        inv_total = 1.0 / total
        for t in range(n_bins):
            m2[mu * n_bins + t] *= inv_total


@njit(cache=True, inline="always", fastmath=_FAST)
def _goal_derivative(p, coef, n1, n2, g, work, logs, scratch):
    """g[(s * n2 + t) * 2 + y] = dGoal/dp(s, t, y) up to a constant, for a joint of n1 x n2 x 2
    cells (see the module docstring). Rows of zero probability may be left out of ``p``: they
    add nothing to any marginal, so the other rows' derivatives are the same."""
    k_red, k_1, k_2, k_12, k_h = coef[0], coef[1], coef[2], coef[3], coef[4]
    n_cells = n1 * n2 * 2
    # work: p(s,y) [2n1] | p(t,y) [2n2] | p(s,t) [n1 n2] | p(s) [n1] | p(t) [n2] | p(y) [2]
    # | U [n_cells] | U' [n1 n2] | v [n_cells] | w [n1 n2] | row and column sums of v and w
    o_sy, o_ty = 0, 2 * n1
    o_st = o_ty + 2 * n2
    o_s = o_st + n1 * n2
    o_t = o_s + n1
    o_y = o_t + n2
    o_u = o_y + 2
    o_u2 = o_u + n_cells
    o_v = o_u2 + n1 * n2
    o_w = o_v + n_cells
    o_vs = o_w + n1 * n2  # sum over t of v(s,t,y): [2 n1]
    o_vt = o_vs + 2 * n1  # sum over s of v(s,t,y): [2 n2]
    o_ws = o_vt + 2 * n2  # sum over t of w(s,t): [n1]
    o_wt = o_ws + n1  # sum over s of w(s,t): [n2]
    n_work = o_wt + n2
    for o in range(n_work):
        work[o] = 0.0
    for s in range(n1):
        for t in range(n2):
            for y in range(2):
                v = p[(s * n2 + t) * 2 + y]
                work[o_sy + s * 2 + y] += v
                work[o_ty + t * 2 + y] += v
                work[o_st + s * n2 + t] += v
    for s in range(n1):
        work[o_s + s] = work[o_sy + s * 2] + work[o_sy + s * 2 + 1]
    for t in range(n2):
        work[o_t + t] = work[o_ty + t * 2] + work[o_ty + t * 2 + 1]
    for s in range(n1):
        work[o_y] += work[o_sy + s * 2]
        work[o_y + 1] += work[o_sy + s * 2 + 1]
    for s in range(n1):
        for t in range(n2):
            st = s * n2 + t
            work[o_u2 + st] = work[o_s + s] + work[o_t + t] - work[o_st + st]
            work[o_w + st] = work[o_st + st] / work[o_u2 + st] if work[o_st + st] > 0.0 else 0.0
            for y in range(2):
                c = st * 2 + y
                u = work[o_sy + s * 2 + y] + work[o_ty + t * 2 + y] - p[c]
                work[o_u + c] = u
                work[o_v + c] = p[c] / u if p[c] > 0.0 else 0.0
    for s in range(n1):
        for t in range(n2):
            st = s * n2 + t
            work[o_ws + s] += work[o_w + st]
            work[o_wt + t] += work[o_w + st]
            for y in range(2):
                work[o_vs + s * 2 + y] += work[o_v + st * 2 + y]
                work[o_vt + t * 2 + y] += work[o_v + st * 2 + y]
    # every log at once: the marginals, U, U' and p (guarded: log2 of x <= 0 is 0)
    n_marginal_logs = o_u2 + n1 * n2
    for o in range(n_marginal_logs):
        logs[o] = work[o] if work[o] > 0.0 else 1.0
    for c in range(n_cells):  # log2 p(s,t,y) after the work entries
        logs[n_marginal_logs + c] = p[c] if p[c] > 0.0 else 1.0
    _log2_inplace(logs, n_marginal_logs + n_cells, scratch)
    k_y = k_red + k_1 + k_2 + k_12 + k_h
    for s in range(n1):
        for t in range(n2):
            st = s * n2 + t
            w_cross = work[o_ws + s] + work[o_wt + t] - work[o_w + st]
            for y in range(2):
                c = st * 2 + y
                v_cross = work[o_vs + s * 2 + y] + work[o_vt + t * 2 + y] - work[o_v + c]
                val = -k_y * logs[o_y + y]
                val += k_red * (logs[o_u + c] - logs[o_u2 + st] + (v_cross - w_cross) * _LOG2E)
                val += k_1 * (logs[o_sy + s * 2 + y] - logs[o_s + s])
                val += k_2 * (logs[o_ty + t * 2 + y] - logs[o_t + t])
                val += k_12 * (logs[n_marginal_logs + c] - logs[o_st + st])
                g[c] = val


@njit(cache=True, inline="always")
def _work_sizes(n_bins):
    """(work, logs) scratch lengths of :func:`_goal_derivative` for up to ``n_bins`` x
    ``n_bins`` cells: the marginals, U, U', v, w and their sums; the logs of everything up to U'
    and of p."""
    nb = n_bins
    n_cells = 2 * nb * nb
    up_to_u2 = 4 * nb + nb * nb + 2 * nb + 2 + n_cells + nb * nb
    return up_to_u2 + n_cells + nb * nb + 6 * nb, up_to_u2 + n_cells


@njit(parallel=True, cache=True, nogil=True, fastmath=_FAST)
def soft_field_grad(fields, ext, ext_weight, n_valid, coef, r_range, c_range, n_bins, tau_r,
                    tau_c, grad, joint, n_chunks):
    """Soft-binned joint of every neuron and dL/dc for every sample.

    Parameters
    ----------
    fields : float[B, N, P]     recurrent fields c (padding columns ignored)
    ext : int8[B, N, P]         the neuron's own pattern bit (+1/-1)
    ext_weight : float64[B, N]  each neuron's (frozen) external weight v_i; r = v_i x, theta =
                                sigmoid(r + c)
    n_valid : int64[B]          stored patterns M of each network (<= P)
    coef : float64[B, 5]        (k_red, k_1, k_2, k_12, k_H) of each network's goal
    r_range, c_range : float64[B, 2]  soft-bin range (lo, hi) of the external drive and of the
                                field of each network (its min - 1 and max + 1)
    n_bins : int                bins of each source
    tau_r, tau_c : float        soft-bin temperatures of the two sources
    grad : float[B, N, P]       out: dL/dc (zero in the padding)
    joint : float64[B, N, n_bins, n_bins, 2] or shape (0, 0, 0, 0, 0) to skip
                                out: p(s, t, y), y index 0 = -1, 1 = +1
    n_chunks : int              work units for the threads

    Returns
    -------
    bad : int64  number of (network, neuron) pairs with a non-finite field
    """
    n_net, n_units, p_max = fields.shape
    nb = n_bins
    n_cells = nb * nb * 2
    n_pairs = n_net * n_units
    want_joint = joint.shape[0] == n_net
    n_work, n_logs = _work_sizes(nb)
    n_chunks = max(1, min(n_pairs, n_chunks))
    bad = 0
    for chunk in prange(n_chunks):
        theta = np.zeros(p_max)
        e_neg = np.zeros(p_max)
        m2 = np.zeros(p_max * nb)
        one_minus_u = np.zeros(p_max * nb)
        scratch = np.zeros(max(p_max * nb, n_logs))
        centres = np.zeros(nb)
        m1 = np.zeros(2 * nb)
        rows = np.zeros(nb, np.int64)  # the external source's bins with weight
        pa = np.zeros(2 * nb * 2)  # (1/M) sum over the samples of bit a of m2_t q(y)
        p = np.zeros(n_cells)
        g = np.zeros(n_cells)
        ga = np.zeros(2 * nb * 2)  # G~(a, t, y)
        dm = np.zeros(nb)
        work = np.zeros(n_work)
        logs = np.zeros(n_logs)
        for pair in range(chunk * n_pairs // n_chunks, (chunk + 1) * n_pairs // n_chunks):
            b = pair // n_units
            i = pair - b * n_units
            m = n_valid[b]
            c_row = fields[b, i]
            e_row = ext[b, i]
            g_row = grad[b, i]
            for mu in range(m, p_max):
                g_row[mu] = 0.0
            infinite = 0.0
            for mu in range(m):
                infinite += c_row[mu] * 0.0
            if not math.isfinite(infinite) or not math.isfinite(c_range[b, 1] - c_range[b, 0]):
                bad += 1
                for mu in range(m):
                    g_row[mu] = 0.0
                continue
            inv_m = 1.0 / m
            _sigmoid(c_row, e_row, ext_weight[b, i], m, theta, e_neg)
            _external_memberships(ext_weight[b, i], r_range[b, 0], r_range[b, 1], nb, tau_r, m1)
            _field_memberships(c_row, m, c_range[b, 0], c_range[b, 1], nb, tau_c, centres, m2,
                               one_minus_u, scratch)
            pa[:] = 0.0
            for mu in range(m):
                base = 2 * nb if e_row[mu] > 0 else 0
                t_plus = theta[mu]
                t_minus = e_neg[mu] * t_plus  # 1 - theta without cancellation
                for t in range(nb):
                    v = m2[mu * nb + t]
                    pa[base + 2 * t] += t_minus * v
                    pa[base + 2 * t + 1] += t_plus * v
            for o in range(4 * nb):
                pa[o] *= inv_m
            # the external drive takes two values, so only the bins where either has weight
            # (about one each: tau_r is tiny) carry probability; the joint keeps those rows only
            n_rows = 0
            for s in range(nb):
                if m1[s] > 0.0 or m1[nb + s] > 0.0:
                    rows[n_rows] = s
                    n_rows += 1
            for r in range(n_rows):  # p(s,t,y) = sum_a m1(a,s) pa(a,t,y)
                w0 = m1[rows[r]]
                w1 = m1[nb + rows[r]]
                for o in range(2 * nb):
                    p[r * 2 * nb + o] = w0 * pa[o] + w1 * pa[2 * nb + o]
            _goal_derivative(p, coef[b], n_rows, nb, g, work, logs, scratch)
            for a in range(2):  # G~(a,t,y) = sum_s m1(a,s) G(s,t,y)
                for o in range(2 * nb):
                    ga[a * 2 * nb + o] = 0.0
                for r in range(n_rows):
                    w_as = m1[a * nb + rows[r]]
                    for o in range(2 * nb):
                        ga[a * 2 * nb + o] += w_as * g[r * 2 * nb + o]
            inv_tau = 1.0 / tau_c
            for mu in range(m):
                base = 2 * nb if e_row[mu] > 0 else 0
                t_plus = theta[mu]
                t_minus = e_neg[mu] * t_plus
                c = c_row[mu]
                d_theta = 0.0
                mean_dm = 0.0
                for t in range(nb):
                    g_minus = ga[base + 2 * t]
                    g_plus = ga[base + 2 * t + 1]
                    v = m2[mu * nb + t]
                    d_theta += v * (g_plus - g_minus)
                    dm[t] = t_plus * g_plus + t_minus * g_minus
                    mean_dm += v * dm[t]
                acc = 0.0
                for t in range(nb):
                    o = mu * nb + t
                    diff = c - centres[t]
                    sign = (diff > 0.0) * 1.0 - (diff < 0.0) * 1.0
                    acc -= (dm[t] - mean_dm) * m2[o] * one_minus_u[o] * sign * inv_tau
                dl_dc = -inv_m * (d_theta * t_plus * t_minus + acc)
                g_row[mu] = dl_dc if abs(dl_dc) >= _FLUSH else 0.0
            if want_joint:
                joint[b, i] = 0.0
                for r in range(n_rows):
                    for t in range(nb):
                        for y in range(2):
                            joint[b, i, rows[r], t, y] = p[(r * nb + t) * 2 + y]
    return bad
