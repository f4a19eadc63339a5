"""Closed-form SX atoms of a Hebbian Hopfield neuron (Blümel et al., arXiv 2511.02584, 2025, appendix).

Model (spec §6): the unscaled Hebbian field of neuron i for stored pattern mu is

    r = (N - 1) t + X,     X = 2 B - L,   B ~ Binomial(L, 1/2),   L = (N - 1)(P - 1),

with t = xi_i^mu = ±1 equiprobable (crosstalk treated as independent ±1 terms). The sources are
T = t and the exact field R = r; the target is the neuron's output Y = sgn(r). A zero field (possible
when (N - 1) P is even) gives Y = ±1 with probability 1/2 each: the limit of the infomorphic neuron
sigma(eps t + r) for an external weight eps -> 0 (the "Hebbian limit").

Derivation (ours, from the SX definition of Makkeh, Gutknecht & Wibral 2021): by the t -> -t
symmetry p(y) = 1/2 and both halves contribute equally; with q_y(r) = P(Y = y | r),

    P(T=+ or R=r) = (1 + P(r|-)) / 2,    P(y and (T=+ or R=r)) = (P(y|+) + P(r|-) q_y(r)) / 2,
    I^sx = sum_r P(r|+) sum_y q_y(r) log2[ 2 (P(y|+) + P(r|-) q_y(r)) / (1 + P(r|-)) ],

which without ties is the paper's I^sx = sum_r P(r|+) log2[2 (P(r|-) + P(sgn r|+)) / (P(r|-) + 1)].
With the error rate p_e = P(Y=-1 | t=+1) = P(r<0|+) + P(r=0|+)/2 and P0 = P(r = 0):

    I(Y;T) = 1 - H_b(p_e),   I(Y;R) = I(Y;T,R) = 1 - P0   (Y depends on T only through R),
    unique_T = I(Y;T) - I^sx,  unique_R = 1 - P0 - I^sx,  synergy = I^sx - I(Y;T),  H_res = P0.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from amem.validation import check_int


def field_distribution(n_units: int, n_patterns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Field values r (t = +1), P(r | t=+1) and P(r | t=-1) on the support of r given t = +1."""
    n = check_int("n_units", n_units, 2)
    p = check_int("n_patterns", n_patterns, 1)
    lam = (n - 1) * (p - 1)
    k = np.arange(lam + 1)
    pmf = _binomial_half_pmf(lam)
    r = (n - 1) + 2 * k - lam
    # r given t = -1 is -(N-1) + 2k' - L: the same r needs k' = k + (N - 1)
    k_minus = k + (n - 1)
    pmf_minus = np.where(k_minus <= lam, pmf[np.minimum(k_minus, lam)], 0.0)
    return r, pmf, pmf_minus


def _binomial_half_pmf(n: int) -> np.ndarray:
    """Binomial(n, 1/2) probabilities of k = 0..n, through log-gamma (no overflow at large n)."""
    k = np.arange(n + 1)
    return np.exp(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1) - n * np.log(2.0))


def hebbian_sx_atoms(n_units: int, n_patterns: int) -> np.ndarray:
    """[unique_T, unique_R, redundancy, synergy, residual_entropy] in bits (see module docstring)."""
    r, p_plus, p_minus = field_distribution(n_units, n_patterns)
    q_up = np.where(r > 0, 1.0, np.where(r == 0, 0.5, 0.0))  # P(Y=+1 | r)
    # Both conditionals summed directly: 1 - P(Y=+1|+) would cancel to <= 0 when errors are ~1e-60.
    p_up, p_down = float((p_plus * q_up).sum()), float((p_plus * (1.0 - q_up)).sum())
    red = 0.0
    for q_y, p_y_given_t in ((q_up, p_up), (1.0 - q_up, p_down)):
        w = p_plus * q_y
        live = w > 0
        ratio = 2.0 * (p_y_given_t + p_minus[live] * q_y[live]) / (1.0 + p_minus[live])
        red += float((w[live] * np.log2(ratio)).sum())
    mi_t = 1.0 - _binary_entropy(p_down)  # p_down is the bit-error rate p_e
    p_zero = float(p_plus[r == 0].sum())
    mi_r = 1.0 - p_zero
    return np.array([mi_t - red, mi_r - red, red, red - mi_t, p_zero])


def hebbian_sx_curve(n_units: int, alphas) -> np.ndarray:
    """Closed-form atoms (len(alphas), 5) at P = max(1, round(alpha N)) for each load."""
    return np.stack([hebbian_sx_atoms(n_units, max(1, int(round(a * n_units)))) for a in alphas])


def _binary_entropy(x: float) -> float:
    if x <= 0.0 or x >= 1.0:
        return 0.0
    return float(-x * np.log2(x) - (1 - x) * np.log2(1 - x))
