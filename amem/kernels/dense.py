"""Recall kernels of dense associative memories (Krotov-Hopfield, Demircigil, Ramsauer softmax).

Every update rule of :mod:`amem.models.modern` has the form

    s_i <- sign(D_i),    D_i = sum_mu xi_mu,i * t(m_mu, xi_mu,i * s_i),    ties keep s_i,

where ``m_mu = xi_mu . s`` is the overlap of the state with stored pattern mu and the per-pattern
term ``t`` takes one of two values: ``lo[m]`` when xi_mu,i * s_i = +1 and ``hi[m]`` when it is -1.
For the energy-difference rule of an energy E = -sum_mu F(xi_mu . s), lo[m] = g(m - 1) and
hi[m] = g(m + 1) with g(b) = F(b + 1) - F(b - 1) (b is the overlap without unit i); for the
softmax update lo = hi = exp(beta m). Because xi^2 = 1,

    2 D_i = sum_mu xi_mu,i u_mu + s_i w,   u_mu = lo[m_mu] + hi[m_mu],   w = sum_mu (lo - hi)[m_mu],

so each evaluation is one O(P) dot product with the pattern column of unit i, and a flip of unit
i changes the overlaps by 2 s_i xi_mu,i, refreshed in O(P).

Tables (length 2N + 1, index m + N) come in two modes, chosen by the caller:

* exact (``log_domain=False``): ``mag`` holds |lo|, |hi| as integers exactly representable in
  float64 and the caller guarantees 4 P max|g| < 2**53, so every sum is exact and a tie is a
  true zero.
* log domain (``log_domain=True``): ``mag`` holds log|lo|, log|hi| (-inf where the term is 0).
  Each refresh subtracts the largest log term present in the state before exponentiating, so
  nothing overflows and the dominant term is never lost to underflow; a difference smaller than
  the float rounding bound of the sum (4 (P + 2) eps sum|terms|) counts as a tie.

Status codes: 0 fixed point, 1 two-cycle (sync only), 2 max_steps. ``steps`` counts sweeps that
changed the state. Async visiting orders come from the caller (drawn from the model's seed).
"""

import numpy as np
from numba import njit, prange

_EPS = np.finfo(np.float64).eps


@njit(cache=True)
def _overlaps(xt, s, m):
    """m[mu] = sum_j xi_mu,j s_j from the transposed patterns xt (N, P)."""
    n_units, n_pat = xt.shape
    for mu in range(n_pat):
        m[mu] = 0
    for j in range(n_units):
        if s[j] > 0:
            for mu in range(n_pat):
                m[mu] += xt[j, mu]
        else:
            for mu in range(n_pat):
                m[mu] -= xt[j, mu]


@njit(cache=True)
def _refresh(m, n_units, mag_lo, sgn_lo, mag_hi, sgn_hi, log_domain, u_tab, d_tab, a_tab, u):
    """Fill u[mu] from the overlaps; return (w, tie tolerance) for the current state."""
    n_tab = u_tab.shape[0]
    shift = 0.0
    if log_domain:
        shift = -np.inf
        for mu in range(m.shape[0]):
            v = m[mu] + n_units
            if sgn_lo[v] != 0 and mag_lo[v] > shift:
                shift = mag_lo[v]
            if sgn_hi[v] != 0 and mag_hi[v] > shift:
                shift = mag_hi[v]
        if shift == -np.inf:  # every term is exactly zero: all ties
            shift = 0.0
    w = 0.0
    total = 0.0
    if log_domain and m.shape[0] < n_tab:
        # few patterns: exponentiate each pattern's terms instead of the whole table
        for mu in range(m.shape[0]):
            v = m[mu] + n_units
            lo = sgn_lo[v] * np.exp(mag_lo[v] - shift) if sgn_lo[v] != 0 else 0.0
            hi = sgn_hi[v] * np.exp(mag_hi[v] - shift) if sgn_hi[v] != 0 else 0.0
            u[mu] = lo + hi
            w += lo - hi
            total += abs(lo) + abs(hi)
    else:
        for v in range(n_tab):
            lo = 0.0
            hi = 0.0
            if sgn_lo[v] != 0:
                lo = sgn_lo[v] * (np.exp(mag_lo[v] - shift) if log_domain else mag_lo[v])
            if sgn_hi[v] != 0:
                hi = sgn_hi[v] * (np.exp(mag_hi[v] - shift) if log_domain else mag_hi[v])
            u_tab[v] = lo + hi
            d_tab[v] = lo - hi
            a_tab[v] = abs(lo) + abs(hi)
        for mu in range(m.shape[0]):
            v = m[mu] + n_units
            u[mu] = u_tab[v]
            w += d_tab[v]
            total += a_tab[v]
    tol = 0.0
    if log_domain:
        tol = 4.0 * (m.shape[0] + 2) * _EPS * total
    return w, tol


@njit(cache=True, fastmath={"reassoc"})
def _drive(xt_row, u, s_i, w):
    """2 D_i = sum_mu xi_mu,i u_mu + s_i w.

    Reassociation (SIMD) is safe: exact mode sums integers below 2**53 (any order is exact) and
    the log-domain tie tolerance bounds the rounding of any summation order.
    """
    acc = 0.0
    for mu in range(u.shape[0]):
        acc += xt_row[mu] * u[mu]
    return acc + s_i * w


@njit(cache=True)
def _decide(d2, tol, old):
    if d2 > tol:
        return 1
    if d2 < -tol:
        return -1
    return old


@njit(parallel=True, cache=True)
def dense_async_recall(xt, mag_lo, sgn_lo, mag_hi, sgn_hi, log_domain, states, orders, max_steps):
    """Asynchronous energy-difference (or softmax) updates, one unit at a time, parallel over cues.

    Parameters
    ----------
    xt : int8[:, ::1], shape (N, P)
        Stored patterns, transposed (row i = unit i of every pattern).
    mag_lo, mag_hi : float64[:], shape (2N + 1,)
        |lo[m]|, |hi[m]| (exact mode) or their logs (log domain), index m + N.
    sgn_lo, sgn_hi : int8[:], shape (2N + 1,)
        Signs of lo[m], hi[m] (0 for an exactly zero term).
    log_domain : bool
    states : int8[:, ::1], shape (M, N)
        Cues; overwritten with the final states.
    orders : int64[:, ::1], shape (S, N), S >= max_steps
        Visiting order of each sweep, shared by every cue.
    max_steps : int

    Returns
    -------
    steps : int64[:], shape (M,)
    status : int8[:], shape (M,)  (0 fixed point, 2 max_steps)

    The overlaps are kept per cue and refreshed in O(P) after each flip.
    """
    n_cues, n_units = states.shape
    n_pat = xt.shape[1]
    n_tab = 2 * n_units + 1
    steps = np.zeros(n_cues, np.int64)
    status = np.full(n_cues, 2, np.int8)
    for c in prange(n_cues):
        s = states[c]
        m = np.empty(n_pat, np.int64)
        u = np.empty(n_pat, np.float64)
        u_tab = np.empty(n_tab, np.float64)
        d_tab = np.empty(n_tab, np.float64)
        a_tab = np.empty(n_tab, np.float64)
        _overlaps(xt, s, m)
        w, tol = _refresh(m, n_units, mag_lo, sgn_lo, mag_hi, sgn_hi, log_domain,
                          u_tab, d_tab, a_tab, u)
        for sweep in range(max_steps):
            changed = False
            for k in range(n_units):
                i = orders[sweep, k]
                old = s[i]
                new = _decide(_drive(xt[i], u, old, w), tol, old)
                if new != old:
                    s[i] = new
                    changed = True
                    row = xt[i]
                    for mu in range(n_pat):
                        m[mu] += 2 * new * row[mu]
                    w, tol = _refresh(m, n_units, mag_lo, sgn_lo, mag_hi, sgn_hi, log_domain,
                                      u_tab, d_tab, a_tab, u)
            if not changed:
                status[c] = 0
                break
            steps[c] = sweep + 1
    return steps, status


@njit(parallel=True, cache=True)
def dense_sync_recall(xt, mag_lo, sgn_lo, mag_hi, sgn_hi, log_domain, states, max_steps):
    """Synchronous updates: every unit from the same state; stop at a fixed point or a 2-cycle.

    Parameters and returns as :func:`dense_async_recall` (no ``orders``); status 1 marks a
    2-cycle (the new state equals the state two sweeps back). Overlaps are updated from the
    units that changed, so late sweeps cost O(changes * P) plus the O(N P) evaluations.
    """
    n_cues, n_units = states.shape
    n_pat = xt.shape[1]
    n_tab = 2 * n_units + 1
    steps = np.zeros(n_cues, np.int64)
    status = np.full(n_cues, 2, np.int8)
    for c in prange(n_cues):
        s = states[c]
        prev = s.copy()  # the state two sweeps back
        new = np.empty(n_units, np.int8)
        m = np.empty(n_pat, np.int64)
        u = np.empty(n_pat, np.float64)
        u_tab = np.empty(n_tab, np.float64)
        d_tab = np.empty(n_tab, np.float64)
        a_tab = np.empty(n_tab, np.float64)
        _overlaps(xt, s, m)
        for sweep in range(max_steps):
            w, tol = _refresh(m, n_units, mag_lo, sgn_lo, mag_hi, sgn_hi, log_domain,
                              u_tab, d_tab, a_tab, u)
            changed = False
            back = True
            for i in range(n_units):
                new[i] = _decide(_drive(xt[i], u, s[i], w), tol, s[i])
                if new[i] != s[i]:
                    changed = True
                if new[i] != prev[i]:
                    back = False
            if not changed:
                status[c] = 0
                break
            steps[c] = sweep + 1
            for i in range(n_units):
                prev[i] = s[i]
                if new[i] != s[i]:
                    row = xt[i]
                    for mu in range(n_pat):
                        m[mu] += 2 * new[i] * row[mu]
                    s[i] = new[i]
            if sweep > 0 and back:
                status[c] = 1
                break
    return steps, status
