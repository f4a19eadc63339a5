"""Capacity theory of dense associative memories, each formula with the criterion it assumes.

* Polynomial energy F(x) = x^n (Krotov & Hopfield, NeurIPS 2016, arXiv:1606.01164): with the
  one-step signal-to-noise argument, every stored pattern is a fixed point with probability
  -> 1 ("no errors", all patterns, clean cues) up to

      K_no-err = N^(n-1) / (2 (2n-3)!! ln N).

  n = 2 gives McEliece et al.'s N / (2 ln N) for the Hebbian network. This is the capacity at
  which each given pattern is a fixed point w.h.p.; requiring *all* P patterns to be fixed at
  once needs N P p_err -> 0 instead of N p_err -> 0, i.e. ln(N P) ~ n ln N in place of ln N:
  N^(n-1) / (2 n (2n-3)!! ln N) (our extension of the same argument; n = 2 gives McEliece's
  N / (4 ln N)). With a tolerated error fraction the capacity is alpha_n N^(n-1); either way the
  scaling exponent in N is n - 1 (up to the log factor).
* Exponential energy F(x) = e^x (Demircigil, Heusel, Löwe, Upgang & Vermet, J. Stat. Phys.
  168:288, 2017): M = exp(alpha N) patterns with

      alpha < I(1 - 2 rho) / 2,   I(x) = ((1 + x) ln(1 + x) + (1 - x) ln(1 - x)) / 2,

  are *all* retrieved w.h.p. in one synchronous step from cues with rho N flipped bits
  (rho = 0: alpha < ln(2)/2, i.e. 2^(N/2) patterns). It is a sufficient (lower) bound, not the
  threshold of a typical pattern (Lucibello & Mézard, PRL 132:077301, 2024).
"""

from __future__ import annotations

import math

import numpy as np

from amem.validation import check_float, check_int


def double_factorial(k: int) -> int:
    """k!! = k (k - 2) (k - 4) ... down to 1 or 2 (1 for k <= 0)."""
    out = 1
    while k > 1:
        out *= k
        k -= 2
    return out


def poly_no_error_capacity(n_units, degree: int, all_patterns: bool = False):
    """Krotov-Hopfield no-error capacity N^(n-1) / (2 (2n-3)!! ln N), in patterns.

    Criterion: each given stored pattern is a fixed point w.h.p. (one-step signal-to-noise,
    clean cues). ``all_patterns=True``: all patterns fixed at once, N^(n-1) / (2n (2n-3)!! ln N)
    (the same argument with a union bound over the P patterns; n = 2: McEliece's N / (4 ln N)).
    Accepts a scalar or an array of N (>= 2).
    """
    degree = check_int("degree", degree, 2)
    n = np.asarray(n_units, dtype=np.float64)
    union = degree if all_patterns else 1
    return n ** (degree - 1) / (2.0 * union * double_factorial(2 * degree - 3) * np.log(n))


def poly_capacity_exponent(degree: int) -> int:
    """Scaling exponent of the polynomial capacity in N: P ~ N^(n-1) (up to log factors)."""
    return check_int("degree", degree, 2) - 1


def _entropy_rate(x: float) -> float:
    """I(x) = ((1 + x) ln(1 + x) + (1 - x) ln(1 - x)) / 2, with 0 ln 0 = 0."""
    def xlogx(y):
        return 0.0 if y == 0 else y * math.log(y)
    return 0.5 * (xlogx(1 + x) + xlogx(1 - x))


def exp_capacity_rate(noise: float = 0.0) -> float:
    """Demircigil et al.'s rate: M = exp(alpha N) with alpha < I(1 - 2 rho) / 2.

    Criterion: all patterns retrieved w.h.p. in one synchronous step from cues with
    ``noise`` = rho (fraction of flipped bits, 0 <= rho < 1/2).
    """
    rho = check_float("noise", noise, low=0.0, high=0.5, high_open=True)
    return _entropy_rate(1.0 - 2.0 * rho) / 2.0


def exp_capacity_bound(n_units, noise: float = 0.0):
    """Patterns exp(alpha N) at Demircigil et al.'s rate alpha = I(1 - 2 rho) / 2."""
    return np.exp(exp_capacity_rate(noise) * np.asarray(n_units, dtype=np.float64))


def hebbian_no_error_capacity(n_units):
    """McEliece et al. N / (2 ln N): the degree-2 case of :func:`poly_no_error_capacity`."""
    return poly_no_error_capacity(n_units, 2)
