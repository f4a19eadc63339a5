"""Minimum probability flow learning of a Hopfield network (Hillar et al. 2012)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from amem import RecurrentMemory
from amem.base import TRIAL_BYTES_PER_ENTRY, async_order_bytes
from amem.validation import check_float, check_int


class MPFHopfield(RecurrentMemory):
    r"""Hopfield network fitted by minimum probability flow (MPF).

    C. Hillar, J. Sohl-Dickstein & K. Koepsell, "Efficient and optimal binary Hopfield associative
    memory storage using minimum probability flow", NIPS 2012 DISCML workshop, arXiv:1204.2916.
    MPF minimises the probability flow out of the data states to their single-bit-flip neighbours,
    :math:`K = \sum_{x \in D}\sum_{x' \in N(x)} \exp\big((E_x - E_{x'})/2\big)`, for the Hopfield
    energy with symmetric, zero-diagonal couplings. Written for ±1 states with
    :math:`E(s) = -\tfrac12 s^\top W s - b^\top s` (the paper's 0/1 couplings J, thresholds theta
    map to W = J/2, b = -theta + J 1 / 2), flipping unit i changes the energy by
    :math:`2\xi_i h_i` and the objective becomes

    .. math:: K(W, b) = \frac{1}{PN}\sum_\mu \sum_i \exp\!\big(-\tfrac12 \xi_i^\mu h_i^\mu\big),
              \qquad h_i^\mu = \sum_{j \ne i} W_{ij}\xi_j^\mu + b_i .

    K is convex; we minimise it over the upper triangle of W and b with L-BFGS (scipy), starting
    from zero (its first step is along the Hebbian direction). Each evaluation costs two (P, N) x
    (N, N) products, so all neurons are handled at once; the symmetry couples the rows, unlike the
    per-neuron rules. The rule has no self-coupling: s_i^2 = 1 makes W_ii a constant of E.

    Capacity stated by the paper: with noise-free training patterns MPF provably stores any set
    that some Hopfield network can store as fixed points ("optimal"), which they show is at least
    one pattern per neuron (alpha >= 1), and it "outperforms classical methods both in speed and
    memory recovery" (abstract).

    Parameters
    ----------
    max_iter : int >= 1
        Most L-BFGS iterations (default 1000).
    tol : float > 0
        L-BFGS gradient tolerance (default 1e-8; the minimum may be at infinity when every pattern
        can be stored, so the iterations stop when the flow is negligible).
    update : {"sync", "async"}
    seed : int
        Seeds the asynchronous visiting orders.
    """

    def __init__(self, *, max_iter: int = 1000, tol: float = 1e-8, update: str = "sync",
                 seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.max_iter = check_int("max_iter", max_iter, 1)
        self.tol = check_float("tol", tol, low=0.0, low_open=True)

    @classmethod
    def estimate_memory(cls, n_units: int, n_patterns: int, **params) -> int:
        """L-BFGS-B keeps 10 pairs of N^2/2-long float64 vectors (80 N^2) plus its work arrays;
        the objective builds full N x N weights and gradients and int64 triangle indices: about
        220 N^2 measured. Plus the float64 margins and flows (P x N) and the trial's arrays."""
        return (256 * n_units * n_units + (24 + TRIAL_BYTES_PER_ENTRY) * n_units * n_patterns
                + async_order_bytes(n_units, params))

    def _fit(self, patterns: np.ndarray) -> None:
        weights, bias, result = fit_mpf(patterns, self.max_iter, self.tol)
        self.n_iter_ = int(result.nit)
        self.flow_ = float(result.fun)
        self._set_couplings(weights, bias)


def mpf_objective(params, xi, upper):
    """K(W, b) and its gradient with respect to (upper triangle of W, b)."""
    n_patterns, n_units = xi.shape
    weights = np.zeros((n_units, n_units))
    weights[upper] = params[:-n_units]
    weights = weights + weights.T
    bias = params[-n_units:]
    margin = xi * (xi @ weights + bias)  # xi_i h_i (W symmetric, zero diagonal)
    flow = np.exp(-0.5 * margin)
    scale = 1.0 / (n_patterns * n_units)
    d_field = -0.5 * scale * flow * xi  # dK / dh_i^mu
    grad_full = xi.T @ d_field  # dK / dW_ji through h_i = sum_j W_ij xi_j (row j, col i)
    grad_w = grad_full + grad_full.T  # W_ij and W_ji are one parameter
    return scale * flow.sum(), np.concatenate([grad_w[upper], d_field.sum(axis=0)])


def fit_mpf(patterns, max_iter, tol):
    """Minimise the MPF objective; returns (W, b, scipy result)."""
    xi = np.asarray(patterns, dtype=np.float64)
    n_units = xi.shape[1]
    upper = np.triu_indices(n_units, k=1)
    start = np.zeros(len(upper[0]) + n_units)
    result = minimize(mpf_objective, start, args=(xi, upper), jac=True, method="L-BFGS-B",
                      options={"maxiter": max_iter, "gtol": tol, "ftol": 0.0})
    weights = np.zeros((n_units, n_units))
    weights[upper] = result.x[:-n_units]
    weights = weights + weights.T
    return weights, result.x[-n_units:].copy(), result
