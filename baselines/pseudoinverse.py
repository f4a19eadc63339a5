"""The projection (pseudo-inverse) rule of Personnaz, Guyon & Dreyfus (1985)."""

from __future__ import annotations

import numpy as np

from amem import RecurrentMemory
from amem.validation import check_bool

#: Couplings at round-off level are set to exactly zero: when the patterns span the whole space
#: W is I (or 0 with zero diagonal), and round-off noise must not decide the signs of zero fields.
_ROUND_OFF = 1e-10


class PseudoinverseHopfield(RecurrentMemory):
    r"""Hopfield network with the projection rule :math:`W = \Xi^\top (\Xi \Xi^\top)^{+} \Xi`.

    L. Personnaz, I. Guyon & G. Dreyfus, "Information storage and retrieval in spin-glass like
    neural networks", J. Physique Lett. 46:L359 (1985); zero-diagonal variant analysed by
    I. Kanter & H. Sompolinsky, Phys. Rev. A 35:380 (1987).

    W is the orthogonal projector onto the span of the stored patterns (computed from an SVD of
    the (P, N) pattern matrix, so it is defined for any P, dependent patterns included), hence
    :math:`W\xi^\mu = \xi^\mu` for every stored pattern. The rule is non-local and not
    incremental (``store`` recomputes W from all patterns).

    Capacity stated by the papers: every pattern of any linearly independent set is an exact
    fixed point, so up to P = N (alpha <= 1). With the diagonal kept (W_ii ~ alpha) the stability
    is trivial and the basins vanish as alpha -> 1 (at P = N, W = I and every state is fixed); with
    zero diagonal (Kanter & Sompolinsky) patterns stay fixed points for alpha < 1 but the basins
    shrink to zero as alpha -> 1 (at P = N, W = 0 and, with ties keeping the state, every state
    is again trivially fixed; read clean-cue capacities of this rule with that in mind).

    Parameters
    ----------
    self_coupling : bool
        Keep the projector's diagonal :math:`W_{ii}` (True) or set it to zero (False, default).
    update : {"sync", "async"}
    seed : int
        Seeds the asynchronous visiting orders.
    """

    def __init__(self, *, self_coupling: bool = False, update: str = "sync",
                 seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.self_coupling = check_bool("self_coupling", self_coupling)

    def _fit(self, patterns: np.ndarray) -> None:
        weights = projector(patterns)
        if not self.self_coupling:
            np.fill_diagonal(weights, 0.0)
        weights[np.abs(weights) < _ROUND_OFF] = 0.0
        self._set_couplings(weights)


def projector(patterns: np.ndarray) -> np.ndarray:
    """Orthogonal projector (N, N) onto the row span of ``patterns`` (P, N)."""
    x = np.asarray(patterns, dtype=np.float64)
    _, sing, vt = np.linalg.svd(x, full_matrices=False)
    tol = sing.max(initial=0.0) * max(x.shape) * np.finfo(np.float64).eps
    basis = vt[sing > tol]
    return basis.T @ basis
