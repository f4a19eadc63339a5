"""Sign dynamics of binary recurrent networks: s_i <- sign(sum_j W_ij s_j + b_i).

Conventions shared by both kernels
----------------------------------
* ``weights_t`` is the *transpose* of the coupling matrix, C-contiguous, so that the fields of a
  batch of states are ``states @ weights_t`` and column i of W (what a flip of unit i changes)
  is the contiguous row ``weights_t[i]``. For symmetric W it is W itself.
* A zero field keeps the unit's old state (the tie rule of the contract). "Zero" means the exact
  sum of the stored couplings, not its rounded value: a computed field whose magnitude is within
  the rounding-error bound ``err_scale[i] * (number of rounded operations)`` is re-summed exactly
  (:func:`exact_field_sign`, Shewchuk's error-free expansion) before its sign is used. With
  integer couplings held exactly (``tol = err_scale = 0``) the computed field is the exact one.
* Status codes: 0 fixed point, 1 two-cycle (sync only), 2 max_steps exhausted.
* ``steps`` counts update sweeps that changed the state; a cue that is already a fixed point
  takes 0 steps. At most ``max_steps`` sweeps are run.
"""

import numpy as np
from numba import njit, prange


@njit(cache=True)
def exact_field_sign(weights_t, bias_i, state, i, partials):
    """Sign (-1, 0, 1) of the exact value of b_i + sum_j W_ij s_j (W_ij = weights_t[j, i]).

    Shewchuk's grow-expansion (the algorithm of Python's ``math.fsum``): the running sum is kept
    as non-overlapping float64 partials of increasing magnitude whose sum is exact, so the sign
    of the largest non-zero partial is the sign of the exact sum. ``partials`` is scratch space
    of length >= N + 1. Runs only on near-ties, so its O(N * partials) cost does not matter.
    """
    n_units = state.shape[0]
    n_part = 0
    for j in range(-1, n_units):
        if j < 0:
            x = np.float64(bias_i)
        elif state[j] > 0:
            x = np.float64(weights_t[j, i])
        else:
            x = -np.float64(weights_t[j, i])
        k = 0
        for p in range(n_part):
            y = partials[p]
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            lo = y - (hi - x)  # exact: |x| >= |y| (fast two-sum)
            if lo != 0.0:
                partials[k] = lo
                k += 1
            x = hi
        partials[k] = x
        n_part = k + 1
    for p in range(n_part - 1, -1, -1):
        if partials[p] > 0.0:
            return 1
        if partials[p] < 0.0:
            return -1
    return 0


@njit(cache=True)  # O(M N) next to the O(M N^2) matmul: a parallel region per sweep costs more
def _apply_signs(weights_t, fields, bias, tol, states, new_states, changed, returned, partials):
    """new_state = sign(field + bias), ties keep the old state; flag changes and 2-cycles.

    ``new_states`` holds the state two steps back on entry (for 2-cycle detection) and the new
    state on exit. A field within ``tol[i]`` of zero has its sign decided exactly.
    """
    n_rows, n_units = fields.shape
    for r in range(n_rows):
        any_change = False
        same_as_before = True
        for i in range(n_units):
            h = fields[r, i] + bias[i]
            if tol[i] > 0.0 and abs(h) <= tol[i]:
                h = exact_field_sign(weights_t, bias[i], states[r], i, partials)
            old = states[r, i]
            new = old
            if h > 0:
                new = 1
            elif h < 0:
                new = -1
            if new != old:
                any_change = True
            if new != new_states[r, i]:
                same_as_before = False
            new_states[r, i] = new
        changed[r] = any_change
        returned[r] = same_as_before


@njit(cache=True)
def sync_sign_recall(weights_t, bias, states, max_steps, tol):
    """Synchronous (parallel) sign updates for a batch of cues, built on one matmul per sweep.

    Parameters
    ----------
    weights_t : float32[:, ::1] or float64[:, ::1], shape (N, N)
        Transposed couplings: fields = states @ weights_t.
    bias : same dtype, shape (N,)
    states : int8[:, ::1], shape (M, N)
        Cues; overwritten with the final states.
    max_steps : int
        Most sweeps to run.
    tol : float64[:], shape (N,)
        A computed field (matmul plus bias) with ``|h_i| <= tol[i]`` is re-summed exactly; the
        caller passes a bound on the rounding error of one field (zeros for exact integers).

    Returns
    -------
    steps : int64[:], shape (M,)
    status : int8[:], shape (M,)  (0 fixed point, 1 two-cycle, 2 max_steps)

    Each sweep multiplies only the still-active cues (gathered into a contiguous block) by the
    weights, so converged cues cost nothing; a cue stops when a sweep changes nothing (fixed point)
    or returns it to the state of two sweeps before (2-cycle).
    """
    n_cues, n_units = states.shape
    steps = np.zeros(n_cues, np.int64)
    status = np.full(n_cues, 2, np.int8)
    previous = states.copy()  # state two sweeps back, for 2-cycle detection
    active = np.arange(n_cues)
    n_active = n_cues
    block = np.empty((n_cues, n_units), weights_t.dtype)
    new_block = np.empty((n_cues, n_units), np.int8)
    cur_block = np.empty((n_cues, n_units), np.int8)
    changed = np.zeros(n_cues, np.bool_)
    returned = np.zeros(n_cues, np.bool_)
    partials = np.empty(n_units + 2, np.float64)
    for sweep in range(max_steps):
        if n_active == 0:
            break
        for a in range(n_active):
            c = active[a]
            for i in range(n_units):
                block[a, i] = states[c, i]
                cur_block[a, i] = states[c, i]
                new_block[a, i] = previous[c, i]
        fields = np.dot(block[:n_active], weights_t)
        _apply_signs(weights_t, fields, bias, tol, cur_block[:n_active], new_block[:n_active],
                     changed[:n_active], returned[:n_active], partials)
        kept = 0
        for a in range(n_active):
            c = active[a]
            if not changed[a]:
                status[c] = 0
                continue
            steps[c] = sweep + 1
            for i in range(n_units):
                previous[c, i] = states[c, i]
                states[c, i] = new_block[a, i]
            if sweep > 0 and returned[a]:
                status[c] = 1
                continue
            active[kept] = c
            kept += 1
        n_active = kept
    return steps, status


@njit(parallel=True, cache=True)
def async_sign_recall(weights_t, bias, fields, states, orders, max_steps, err_scale):
    """Asynchronous sign updates, one unit at a time in the given order, parallel over cues.

    Parameters
    ----------
    weights_t : float32[:, ::1] or float64[:, ::1], shape (N, N)
        Transposed couplings (row i = how a flip of unit i changes every field).
    bias : same dtype, shape (N,)  (used only to re-sum a near-tie exactly)
    fields : same dtype as ``weights_t``, shape (M, N)
        Initial local fields ``states @ weights_t + bias`` (one BLAS matmul by the caller);
        overwritten: kept up to date in O(N) per flip. float32 is exact for integer couplings
        whose fields stay below 2**24 (what SignDynamics(exact_integer=True) guarantees).
    states : int8[:, ::1], shape (M, N)
        Cues; overwritten with the final states.
    orders : int64[:, ::1], shape (S, N), S >= max_steps
        Visiting order of each sweep (drawn by the caller from the model's seed, shared by every
        cue so that batch recall equals one-by-one recall).
    max_steps : int
    err_scale : float64[:], shape (N,)
        Rounding error of field i per rounded operation (u * sum_j |W_ij| + |b_i|, with margin):
        after F flips a field has seen at most N + 2 + F roundings, so ``|h_i| <=
        (N + 2 + F) * err_scale[i]`` triggers the exact re-sum. Zeros for exact integers.

    Returns
    -------
    steps : int64[:], shape (M,)  sweeps that changed the state
    status : int8[:], shape (M,)  0 fixed point (a whole sweep changed nothing), 2 max_steps
    """
    n_cues, n_units = states.shape
    steps = np.zeros(n_cues, np.int64)
    status = np.full(n_cues, 2, np.int8)
    for c in prange(n_cues):
        s = states[c]
        h = fields[c]
        partials = np.empty(n_units + 2, np.float64)
        n_rounded = n_units + 2
        for sweep in range(max_steps):
            changed = False
            for k in range(n_units):
                i = orders[sweep, k]
                old = s[i]
                new = old
                hi = h[i]
                if err_scale[i] > 0.0 and abs(hi) <= n_rounded * err_scale[i]:
                    hi = exact_field_sign(weights_t, bias[i], s, i, partials)
                if hi > 0:
                    new = 1
                elif hi < 0:
                    new = -1
                if new != old:
                    s[i] = new
                    changed = True
                    n_rounded += 1
                    row = weights_t[i]
                    # w + w (not 2.0 * w) keeps the arithmetic in the fields' dtype: float32 SIMD
                    # for integer Hebbian couplings, exact either way
                    if new > 0:
                        for u in range(n_units):
                            h[u] += row[u] + row[u]
                    else:
                        for u in range(n_units):
                            h[u] -= row[u] + row[u]
            if not changed:
                status[c] = 0
                break
            steps[c] = sweep + 1
    return steps, status
