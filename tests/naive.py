"""Slow, obviously correct twins of the Numba sign-dynamics kernels (amem/kernels/sign_recall.py).

Written for clarity, not speed: one cue at a time, fields recomputed from scratch every update
with ``math.fsum`` (correctly rounded, so its sign and its zero are those of the exact sum of the
stored couplings: the contract's "a zero field keeps the state" taken literally).
"""

import math

import numpy as np


def exact_field(weights, bias, s, i):
    """b_i + sum_j W_ij s_j, correctly rounded (exactly 0.0 iff the exact sum is 0)."""
    terms = np.asarray(weights[i], dtype=np.float64) * np.asarray(s, dtype=np.float64)  # exact
    return math.fsum([float(bias[i]), *terms.tolist()])


def sign_keep(field, old):
    """+1 for a positive field, -1 for a negative one, the old state for zero."""
    if field > 0:
        return 1
    if field < 0:
        return -1
    return old


def naive_sync_recall(weights, bias, cues, max_steps):
    """weights[i, j]: coupling j -> i. Returns states, steps, status (0 fixed, 1 cycle, 2 max)."""
    states = cues.copy()
    steps = np.zeros(len(cues), np.int64)
    status = np.full(len(cues), 2, np.int8)
    for c in range(len(cues)):
        history = [states[c].copy()]
        s = states[c].copy()
        for sweep in range(max_steps):
            new = np.array([sign_keep(exact_field(weights, bias, s, i), s[i])
                            for i in range(len(s))], dtype=np.int8)
            if np.array_equal(new, s):
                status[c] = 0
                break
            steps[c] = sweep + 1
            history.append(new.copy())
            s = new
            if len(history) >= 3 and np.array_equal(history[-1], history[-3]):
                status[c] = 1
                break
        states[c] = s
    return states, steps, status


def naive_async_recall(weights, bias, cues, orders, max_steps):
    """One unit at a time in orders[sweep]; the field of each visited unit is recomputed."""
    states = cues.copy()
    steps = np.zeros(len(cues), np.int64)
    status = np.full(len(cues), 2, np.int8)
    for c in range(len(cues)):
        s = states[c].astype(np.int64)
        for sweep in range(max_steps):
            changed = False
            for i in orders[sweep]:
                new = sign_keep(exact_field(weights, bias, s, i), s[i])
                if new != s[i]:
                    s[i] = new
                    changed = True
            if not changed:
                status[c] = 0
                break
            steps[c] = sweep + 1
        states[c] = s
    return states, steps, status
