"""Sign dynamics of binary recurrent networks: s_i <- sign(sum_j W_ij s_j + b_i).

Conventions shared by both kernels
----------------------------------
* ``weights_t`` is the *transpose* of the coupling matrix, C-contiguous, so that the fields of a
  batch of states are ``states @ weights_t`` and column i of W (what a flip of unit i changes)
  is the contiguous row ``weights_t[i]``. For symmetric W it is W itself.
* A zero field keeps the unit's old state (the tie rule of the contract).
* Status codes: 0 fixed point, 1 two-cycle (sync only), 2 max_steps exhausted.
* ``steps`` counts update sweeps that changed the state; a cue that is already a fixed point
  takes 0 steps. At most ``max_steps`` sweeps are run.
"""

import numpy as np
from numba import njit, prange


@njit(cache=True)  # O(M N) next to the O(M N^2) matmul: a parallel region per sweep costs more
def _apply_signs(fields, bias, states, new_states, changed, returned):
    """new_state = sign(field + bias), ties keep the old state; flag changes and 2-cycles.

    ``returned`` is filled with 1 where the new state equals ``returned``'s input row state two
    steps back (passed in via ``new_states`` initial contents) -- see the caller.
    """
    n_rows, n_units = fields.shape
    for r in range(n_rows):
        any_change = False
        same_as_before = True
        for i in range(n_units):
            h = fields[r, i] + bias[i]
            old = states[r, i]
            new = old
            if h > 0:
                new = 1
            elif h < 0:
                new = -1
            if new != old:
                any_change = True
            if new != new_states[r, i]:  # new_states holds the state two steps back on entry
                same_as_before = False
            new_states[r, i] = new
        changed[r] = any_change
        returned[r] = same_as_before


@njit(cache=True)
def sync_sign_recall(weights_t, bias, states, max_steps):
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
        _apply_signs(fields, bias, cur_block[:n_active], new_block[:n_active],
                     changed[:n_active], returned[:n_active])
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
def async_sign_recall(weights_t, fields, states, orders, max_steps):
    """Asynchronous sign updates, one unit at a time in the given order, parallel over cues.

    Parameters
    ----------
    weights_t : float32[:, ::1] or float64[:, ::1], shape (N, N)
        Transposed couplings (row i = how a flip of unit i changes every field).
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
        for sweep in range(max_steps):
            changed = False
            for k in range(n_units):
                i = orders[sweep, k]
                old = s[i]
                new = old
                if h[i] > 0:
                    new = 1
                elif h[i] < 0:
                    new = -1
                if new != old:
                    s[i] = new
                    changed = True
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
