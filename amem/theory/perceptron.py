"""Gardner's capacity of a perceptron with stability margin kappa (random ±1 patterns).

E. Gardner, "The space of interactions in neural network models", J. Phys. A 21:257 (1988):
couplings with normalised stability at least kappa for P = alpha N random patterns exist (N ->
infinity) iff alpha <= alpha_c(kappa), with

    1 / alpha_c(kappa) = int_{-kappa}^inf Dt (t + kappa)^2 = (1 + kappa^2) Phi(kappa)
                                                            + kappa phi(kappa),

Dt the standard Gaussian measure, Phi and phi its distribution and density. Read the other way,
kappa_opt(alpha) is the largest stability reachable at load alpha: the target of Krauth & Mezard's
MinOver (``krauth-mezard``). Stability is Gardner's: min_mu xi_i^mu (w . xi^mu) / ||w|| with
||xi|| = sqrt(N). For alpha > 2, kappa_opt < 0 and the replica-symmetric formula is only an
approximation (replica symmetry is broken there); values are returned all the same.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq
from scipy.stats import norm

from amem.errors import AmemError


def gardner_inverse_alpha(kappa: float) -> float:
    """int_{-kappa}^inf Dt (t + kappa)^2, i.e. 1 / alpha_c(kappa), in closed form."""
    kappa = float(kappa)
    return (1.0 + kappa * kappa) * norm.cdf(kappa) + kappa * norm.pdf(kappa)


def gardner_alpha(kappa: float) -> float:
    """alpha_c(kappa): the largest load at which stability ``kappa`` is reachable (N -> inf)."""
    return 1.0 / gardner_inverse_alpha(kappa)


def gardner_kappa(alpha: float) -> float:
    """kappa_opt(alpha): the optimal normalised stability at load ``alpha`` > 0 (N -> inf).

    The inverse of :func:`gardner_alpha` (strictly decreasing in kappa): kappa_opt(2) = 0,
    kappa_opt -> inf as alpha -> 0 (like 1 / sqrt(alpha)).
    """
    alpha = float(alpha)
    if not (alpha > 0.0 and math.isfinite(alpha)):
        raise AmemError(f"alpha={alpha!r} must be a positive finite load")
    target = 1.0 / alpha
    low, high = -1.0, 1.0
    while gardner_inverse_alpha(low) > target:  # 1/alpha_c(kappa) increases with kappa
        low *= 2.0
    while gardner_inverse_alpha(high) < target:
        high *= 2.0
    return brentq(lambda k: gardner_inverse_alpha(k) - target, low, high, xtol=1e-14, rtol=1e-14)


__all__ = ["gardner_alpha", "gardner_inverse_alpha", "gardner_kappa"]
