"""Theory reference values for Hebbian Hopfield networks, each with the criterion it assumes."""

from __future__ import annotations

import math

#: AGS thermodynamic-limit capacity (retrieval state with m ~ 0.967 exists; N -> infinity).
#: Amit, Gutfreund & Sompolinsky, PRL 55:1530 (1985).
AGS_ALPHA_C = 0.138


def mceliece_patterns(n_units: int, all_patterns: bool = False) -> float:
    """Largest P with every *given* pattern (``all_patterns=False``: N / (2 ln N)) or *all*
    patterns at once (N / (4 ln N)) an exact fixed point w.h.p. (McEliece, Posner, Rodemich &
    Venkatesh, IEEE T-IT 33:461, 1987)."""
    return n_units / ((4.0 if all_patterns else 2.0) * math.log(n_units))


def hebbian_bit_error(n_units: int, n_patterns: int) -> float:
    """Exact probability that one bit of a stored pattern is unstable in one synchronous step.

    Zero-diagonal Hebbian field on unit i for pattern mu: (N - 1) + crosstalk, where the crosstalk
    is a sum of L = (N - 1)(P - 1) independent ±1 terms. The bit flips when the field is < 0 (a
    zero field keeps the bit), i.e. when Binomial(L, 1/2) < (L - N + 1) / 2.
    """
    from scipy.stats import binom

    big_l = (n_units - 1) * (n_patterns - 1)
    if big_l == 0:
        return 0.0
    threshold = (big_l - (n_units - 1)) / 2.0  # crosstalk = 2k - L < -(N - 1)  <=>  k < threshold
    return float(binom.cdf(math.ceil(threshold) - 1, big_l, 0.5))


def hebbian_stable_fraction(n_units: int, n_patterns: int) -> float:
    """Expected fraction of stored patterns that are exact fixed points, treating the N bits of a
    pattern as independent (the approximation behind McEliece et al.'s N / (2 ln N))."""
    return (1.0 - hebbian_bit_error(n_units, n_patterns)) ** n_units
