"""Krauth & Mezard's MinOver algorithm with a stability margin kappa (1987)."""

from __future__ import annotations

import numpy as np

from amem.validation import check_float, check_int
from baselines._recurrent import RecurrentRuleModel, check_bool
from baselines.kernels import minover_counts


class KrauthMezardHopfield(RecurrentRuleModel):
    r"""Hopfield network whose rows are learned by MinOver to a normalised stability ``kappa``.

    W. Krauth & M. Mezard, "Learning algorithms with optimal stability in neural networks",
    J. Phys. A 20:L745 (1987). Each neuron i is an independent perceptron. Starting from w = 0,
    repeat: find the stored pattern with the smallest stability
    :math:`E^\mu = \xi_i^\mu \sum_j w_{ij} \xi_j^\mu`; if its normalised stability
    :math:`E^\mu / \lVert w_i \rVert` exceeds ``kappa`` stop, else
    :math:`w_{ij} \leftarrow w_{ij} + \xi_i^\mu \xi_j^\mu / N`.

    Krauth & Mezard stop on an unnormalised threshold c and show that the normalised stability
    tends to the optimal one as c grows; stopping on the normalised stability instead makes
    ``kappa`` Gardner's margin directly (with :math:`\lVert \xi \rVert = \sqrt N`). By the
    perceptron convergence argument it terminates whenever couplings with margin > kappa exist.
    Neurons that do not reach ``kappa`` within ``max_updates`` keep their last couplings and are
    flagged in ``converged_`` (above capacity that is the expected outcome, so no warning).

    Capacity stated by the paper (Gardner's bound, which MinOver attains): all patterns fixed
    points with margin kappa up to :math:`\alpha_c(\kappa)` with
    :math:`1/\alpha_c = \int_{-\kappa}^\infty Dt\,(t+\kappa)^2`: alpha_c = 2 at kappa = 0, 0.96 at
    kappa = 0.5, 0.52 at kappa = 1 (N -> infinity; finite N stops earlier). No bias is learned.

    Parameters
    ----------
    kappa : float >= 0
        Target normalised stability (default 0: every pattern a fixed point, strictly positive
        fields).
    max_updates : int >= 1, optional
        Most MinOver updates per neuron (default 200 * N).
    self_coupling : bool
        Learn w_ii as a free coupling (True) or keep it at zero (False, default).
    update : {"sync", "async"}
    seed : int
        Seeds the asynchronous visiting orders.
    """

    def __init__(self, *, kappa: float = 0.0, max_updates: int | None = None,
                 self_coupling: bool = False, update: str = "sync", seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.kappa = check_float("kappa", kappa, low=0.0)
        self.max_updates = check_int("max_updates", max_updates, 1, allow_none=True)
        self.self_coupling = check_bool("self_coupling", self_coupling)

    def _fit(self, patterns: np.ndarray) -> None:
        n_units = patterns.shape[1]
        budget = 200 * n_units if self.max_updates is None else self.max_updates
        counts, converged, n_updates = minover_counts(
            np.ascontiguousarray(patterns), self.kappa, budget, bool(self.self_coupling))
        self.converged_ = converged
        self.n_updates_ = n_updates
        self._set_couplings(couplings_from_counts(counts, patterns, self.self_coupling))


def couplings_from_counts(counts: np.ndarray, patterns: np.ndarray,
                          self_coupling: bool) -> np.ndarray:
    """W[i] = (1/N) sum_nu counts[i, nu] xi_i^nu xi^nu, with W_ii = 0 unless self-coupled."""
    x = patterns.astype(np.float64)
    weights = (counts * x.T) @ x / x.shape[1]
    if not self_coupling:
        np.fill_diagonal(weights, 0.0)
    return weights
