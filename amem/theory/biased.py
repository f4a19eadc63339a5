"""Signal-to-noise theory of the Hebbian rule on biased patterns, and the covariance rule's repair.

Patterns of mean ``a`` (P(+1) = (1 + a)/2) overlap each other by about a^2 (Amit, Gutfreund &
Sompolinsky, Phys. Rev. A 35:2293, 1987). In the zero-diagonal Hebbian field of unit i at stored
pattern 1, h_i = xi_i^1 + sum_{mu != 1} xi_i^mu c_mu with c_mu = (1/N) sum_j xi_j^mu xi_j^1, every
term has mean a^3 and variance a^4 (1 - a^2) + (1 - a^4)/N, independently over mu. The crosstalk
therefore has a mean (P - 1) a^3, which pushes every unit towards sign(a) and first destroys the
minority bits, and a variance that does not shrink with N: the capacity P stays finite as N grows
(about a^-3), so alpha_c -> 0. In the Gaussian approximation a +1 bit fails with probability
Phi(-(1 + m)/sigma) and a -1 bit with Phi(-(1 - m)/sigma).

The covariance rule with its midpoint threshold (:class:`amem.models.covariance.CovarianceHopfield`)
has margin q = 1 - a^2 on both kinds of bit against a crosstalk of standard deviation
sqrt(P/N) q: the unbiased signal-to-noise ratio, hence the unbiased capacity, at every bias.
"""

from __future__ import annotations

import math


def _phi_upper(x: float) -> float:
    """P(Z > x) for a standard normal Z."""
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def hebbian_crosstalk(n_units: int, n_patterns: float, bias: float) -> tuple[float, float]:
    """Mean and variance of the Hebbian crosstalk on one bit of a stored biased pattern."""
    others = max(0, n_patterns - 1)
    a2 = bias * bias
    mean = others * bias ** 3
    var = others * (a2 * a2 * (1.0 - a2) + (1.0 - a2 * a2) / n_units)
    return mean, var


def hebbian_biased_bit_error(n_units: int, n_patterns: float, bias: float) -> float:
    """Gaussian-approximation probability that one bit of a stored pattern is unstable."""
    mean, var = hebbian_crosstalk(n_units, n_patterns, bias)
    if var == 0.0:
        return 0.0
    sd = math.sqrt(var)
    plus, minus = (1.0 + bias) / 2.0, (1.0 - bias) / 2.0
    return plus * _phi_upper((1.0 + mean) / sd) + minus * _phi_upper((1.0 - mean) / sd)


def hebbian_biased_patterns(n_units: int, bias: float, error_level: float) -> float:
    """The load P (a real number) at which the predicted bit-error rate reaches ``error_level``.

    The crosstalk's mean and variance grow linearly in P - 1, so the rate is a smooth, increasing
    function of P in the retrieval range; solved by bisection on [1, 10 N].
    """
    low, high = 1.0, 10.0 * n_units
    if hebbian_biased_bit_error(n_units, low, bias) > error_level:
        return low
    for _ in range(60):
        mid = 0.5 * (low + high)
        if hebbian_biased_bit_error(n_units, mid, bias) <= error_level:
            low = mid
        else:
            high = mid
    return low


def hebbian_biased_alpha(n_units: int, bias: float, alpha_unbiased: float) -> float:
    """Predicted capacity alpha_c(a) of the plain Hebbian rule, given alpha_c(0) on the same N.

    The criterion is calibrated once: capacity is where the one-step bit-error rate reaches the
    rate it has at the unbiased capacity ``alpha_unbiased`` (measured or theoretical, for the
    same N and criterion). Then alpha_c(a) = P(a) / N with P(a) the load at which the predicted
    bit-error rate reaches that level (a real number: a smooth curve). At a = 0 it returns
    ``alpha_unbiased``.
    """
    level = hebbian_biased_bit_error(n_units, alpha_unbiased * n_units, 0.0)
    return hebbian_biased_patterns(n_units, bias, level) / n_units
