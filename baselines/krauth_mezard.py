"""Krauth & Mezard's MinOver algorithm, run to optimal stability (1987)."""

from __future__ import annotations

import numpy as np

from amem import RecurrentMemory
from amem.validation import check_bool, check_float, check_int
from baselines.kernels import minover_counts


class KrauthMezardHopfield(RecurrentMemory):
    r"""Hopfield network whose rows are learned by MinOver towards the optimal stability.

    W. Krauth & M. Mezard, "Learning algorithms with optimal stability in neural networks",
    J. Phys. A 20:L745 (1987). Each neuron i is an independent perceptron. Starting from w = 0,
    repeat: find the stored pattern with the smallest stability
    :math:`E^\mu = \xi_i^\mu \sum_j w_{ij} \xi_j^\mu` and add it,
    :math:`w_{ij} \leftarrow w_{ij} + \xi_i^\mu \xi_j^\mu / N`. The normalised minimum stability
    :math:`\kappa(t) = \min_\mu E^\mu / \lVert w_i \rVert` (Gardner's stability: with
    :math:`\lVert \xi \rVert = \sqrt N` it is the field margin at :math:`\lVert w \rVert^2 = N`)
    tends to the optimal stability :math:`\kappa_{opt}` of the neuron's patterns as the number
    of updates grows; this optimum is what gives the network its basins of attraction.

    **Stopping (default, optimal stability).** Krauth & Mezard stop when :math:`\min_\mu E^\mu`
    exceeds a threshold c and show that :math:`\kappa` tends to the optimum as c grows, without
    saying which c. We stop on what c is for: at t = P, 2P, 4P, ... updates, the best
    :math:`\kappa(t)` seen so far is compared with the previous checkpoint, and learning stops
    once it exceeds the floor ``kappa`` and rose by less than ``tol`` (MinOver approaches the optimum roughly like 1/t, so the
    remaining gap is then about ``tol``; see the tests against Gardner's bound), or after
    ``max_updates`` updates. The couplings at the best :math:`\kappa(t)` are kept
    (:math:`\kappa(t)` is not monotone), and the reached stability per neuron is ``stability_``.
    ``optimal=False`` stops instead at the first :math:`\kappa(t) > ` ``kappa`` (the fixed-margin
    variant; with ``kappa=0`` just every pattern a fixed point, which leaves no basins).

    Gardner's bound (N -> infinity): the optimal stability at load alpha solves
    :math:`1/\alpha = \int_{-\kappa}^\infty Dt\,(t+\kappa)^2`
    (:func:`amem.theory.perceptron.gardner_kappa`): alpha_c = 2 at kappa = 0, kappa_opt = 1.03 at
    alpha = 0.5, 0.47 at alpha = 1. Finite N spreads the neurons' optima around it.

    Couplings are integer counts / N: recall runs on the integer numerators, so ties are exact.
    No bias is learned. Neurons whose returned couplings do not exceed ``kappa`` are flagged in
    ``converged_`` (above capacity that is the expected outcome, so no warning).

    Parameters
    ----------
    kappa : float >= 0
        With ``optimal=True`` (default) a floor: ``converged_`` says which neurons exceed it
        (default 0: every pattern a fixed point with a strictly positive field). With
        ``optimal=False`` the target at which MinOver stops.
    optimal : bool
        Run on to the optimal stability (default True) or stop at ``kappa``.
    tol : float > 0
        Stop once the best normalised stability rose by less than this over a doubling of the
        updates (default 1e-2; the stability left to gain is then about ``tol``: at N = 200 this
        takes ~ 30-130 N updates per neuron, and every tenfold smaller ``tol`` costs ~ ten times
        more updates).
    max_updates : int >= 1, optional
        Most MinOver updates per neuron (default 200 * N, enough for ``tol = 1e-2`` below
        alpha ~ 1; neurons that have not passed ``kappa`` keep going up to it).
    self_coupling : bool
        Learn w_ii as a free coupling (True) or keep it at zero (False, default).
    update : {"sync", "async"}
    seed : int
        Seeds the asynchronous visiting orders.

    Attributes after ``store``: ``weights_`` (N, N), ``bias_`` (zeros), ``stability_`` (N,)
    normalised minimum stability of each neuron, ``converged_`` (N,), ``n_updates_`` (N,).
    """

    def __init__(self, *, kappa: float = 0.0, optimal: bool = True, tol: float = 1e-2,
                 max_updates: int | None = None, self_coupling: bool = False,
                 update: str = "sync", seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.kappa = check_float("kappa", kappa, low=0.0)
        self.optimal = check_bool("optimal", optimal)
        self.tol = check_float("tol", tol, low=0.0, low_open=True)
        self.max_updates = check_int("max_updates", max_updates, 1, allow_none=True)
        self.self_coupling = check_bool("self_coupling", self_coupling)

    def _fit(self, patterns: np.ndarray) -> None:
        n_units = patterns.shape[1]
        budget = 200 * n_units if self.max_updates is None else self.max_updates
        counts, converged, n_updates, stability = minover_counts(
            np.ascontiguousarray(patterns), self.kappa, budget, bool(self.self_coupling),
            bool(self.optimal), self.tol)
        self.converged_ = converged
        self.n_updates_ = n_updates
        self.stability_ = stability
        self._set_rational_couplings(
            coupling_numerators(counts, patterns, self.self_coupling), n_units)


def coupling_numerators(counts: np.ndarray, patterns: np.ndarray,
                        self_coupling: bool) -> np.ndarray:
    """N W[i] = sum_nu counts[i, nu] xi_i^nu xi^nu (int64), with W_ii = 0 unless self-coupled."""
    x = patterns.astype(np.int64)
    numerators = (counts * x.T) @ x
    if not self_coupling:
        np.fill_diagonal(numerators, 0)
    return numerators


def couplings_from_counts(counts: np.ndarray, patterns: np.ndarray,
                          self_coupling: bool) -> np.ndarray:
    """W[i] = (1/N) sum_nu counts[i, nu] xi_i^nu xi^nu (float64)."""
    return coupling_numerators(counts, patterns, self_coupling) / patterns.shape[1]


def normalised_stability(weights: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """min_mu xi_i^mu (w_i . xi^mu) / ||w_i|| for each neuron i (-inf where w_i = 0)."""
    x = np.asarray(patterns, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    norms = np.linalg.norm(w, axis=1)
    margins = (x * (x @ w.T)).min(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norms > 0, margins / np.where(norms > 0, norms, 1.0), -np.inf)
