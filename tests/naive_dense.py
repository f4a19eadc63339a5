"""Slow, obviously correct twins of amem.kernels.dense, straight from the papers' definitions.

Each unit's decision is computed from the energy itself in exact arithmetic:

* poly: E(s) = -sum_mu F(xi_mu . s) with Python integers; the unit takes the sign whose energy
  is lower (tie keeps the old state).
* exp: E(+) - E(-) = -sum_mu (e^{m+_mu} - e^{m-_mu}) is a sum sum_k c_k e^k with integer
  coefficients; since e is transcendental it is zero iff every c_k is zero, otherwise its sign
  is read in 80-digit decimal arithmetic.
* softmax: sign of (X^T softmax(beta X s))_i = sign of sum_mu xi_mu,i e^{beta m_mu}, grouped
  the same way (e^beta is transcendental for rational beta != 0).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, localcontext

import numpy as np


def _sign_of_exp_sum(coeffs: dict, scale: float = 1.0) -> int:
    """Sign of sum_k c_k exp(scale * k) (exactly zero iff every c_k is zero)."""
    nonzero = {k: c for k, c in coeffs.items() if c != 0}
    if not nonzero:
        return 0
    with localcontext() as ctx:
        ctx.prec = 80
        total = sum(Decimal(c) * (Decimal(scale) * Decimal(k)).exp() for k, c in nonzero.items())
    return (total > 0) - (total < 0)


def decide(patterns, s, i, energy, degree=3, rectified=False, beta=1.0) -> int:
    """+1 / -1 / 0 (tie): the preferred sign of unit i given the rest of state s."""
    x = [list(map(int, row)) for row in patterns]
    sp = list(map(int, s))
    sm = list(map(int, s))
    sp[i], sm[i] = 1, -1
    m_plus = [sum(a * b for a, b in zip(row, sp)) for row in x]
    m_minus = [sum(a * b for a, b in zip(row, sm)) for row in x]
    if energy == "poly":
        def f(v):
            return (max(v, 0) if rectified else v) ** degree
        e_plus = -sum(f(v) for v in m_plus)
        e_minus = -sum(f(v) for v in m_minus)
        return (e_plus < e_minus) - (e_plus > e_minus)
    coeffs = defaultdict(int)
    if energy == "exp":
        for a, b in zip(m_plus, m_minus):  # E(-) - E(+) = sum e^{m+} - e^{m-}
            coeffs[a] += 1
            coeffs[b] -= 1
        return _sign_of_exp_sum(coeffs)
    if energy == "softmax":
        m = [sum(a * b for a, b in zip(row, map(int, s))) for row in x]
        for row, mu_m in zip(x, m):
            coeffs[mu_m] += row[i]
        return _sign_of_exp_sum(coeffs, beta)
    raise ValueError(energy)


def naive_sync(patterns, cues, max_steps, **rule):
    states = np.array(cues, dtype=np.int8)
    steps = np.zeros(len(states), np.int64)
    status = np.full(len(states), 2, np.int8)
    for c in range(len(states)):
        s = states[c].copy()
        prev = s.copy()
        for sweep in range(max_steps):
            new = s.copy()
            for i in range(len(s)):
                d = decide(patterns, s, i, **rule)
                if d != 0:
                    new[i] = d
            if (new == s).all():
                status[c] = 0
                break
            steps[c] = sweep + 1
            back = (new == prev).all()
            prev, s = s, new
            if sweep > 0 and back:
                status[c] = 1
                break
        states[c] = s
    return states, steps, status


def naive_async(patterns, cues, orders, max_steps, **rule):
    states = np.array(cues, dtype=np.int8)
    steps = np.zeros(len(states), np.int64)
    status = np.full(len(states), 2, np.int8)
    for c in range(len(states)):
        s = states[c].copy()
        for sweep in range(max_steps):
            changed = False
            for i in orders[sweep]:
                d = decide(patterns, s, i, **rule)
                if d != 0 and d != s[i]:
                    s[i] = d
                    changed = True
            if not changed:
                status[c] = 0
                break
            steps[c] = sweep + 1
        states[c] = s
    return states, steps, status
