"""Descent L2 of Tolmachev & Manton (2020): per-neuron ridge regression of the fields."""

from __future__ import annotations

import numpy as np

from amem import RecurrentMemory
from amem.base import TRIAL_BYTES_PER_ENTRY, async_order_bytes
from amem.validation import check_bool, check_float


class DescentL2Hopfield(RecurrentMemory):
    r"""Hopfield network whose rows minimise a regularised squared error of the local fields.

    P. Tolmachev & J. H. Manton, "New insights on learning rules for Hopfield networks: memory and
    objective function minimisation", IJCNN 2020 (arXiv:2010.01472). For each neuron i,

    .. math:: L_i(w_i, b_i) = \tfrac12 \sum_\mu (\lambda h_i^\mu - \xi_i^\mu)^2
              + \tfrac{a}{2}\lVert (w_i, b_i) \rVert^2, \qquad h_i^\mu = w_i\cdot\xi^\mu + b_i .

    L_i is a strictly convex quadratic, so instead of descending it (the paper and the infomorphic
    paper's comparison use gradient descent / L-BFGS) we solve it exactly: with
    :math:`X = [\Xi, 1]` (P, N+1), :math:`A = \lambda^2 X^\top X + a I`, the unconstrained
    minimiser of every neuron is :math:`A^{-1}\lambda X^\top \xi_i` (one solve for all neurons),
    and the constraint :math:`w_{ii} = 0` (``self_coupling=False``) is imposed exactly with a
    Lagrange multiplier, :math:`v_i = v_i^{free} - A^{-1} e_i\,(v_i^{free})_i / (A^{-1})_{ii}`.
    Only :math:`a/\lambda^2` changes the signs of the fields (the minimiser scales as
    :math:`1/\lambda`). W is not symmetric in general, so async recall may cycle.

    Capacity: at small a the rule interpolates the targets (h = xi/lambda) for every pattern while
    P <= N (a pseudo-inverse-like solution with a bias); the paper compares it numerically with
    other rules and reports no closed-form capacity. The infomorphic paper (Bluemel et al. 2025,
    Fig. 5A) states that its redundancy-trained network (alpha_c = 1.59 at N = 100) outperforms
    it; the Descent-L2 value itself was not recovered from that paper.

    Parameters
    ----------
    lam : float > 0
        The field scale lambda (default 0.5).
    reg : float > 0
        The L2 penalty a on (w_i, b_i) (default 1e-3; our default, the papers' settings were not
        recovered; only reg / lam**2 matters).
    use_bias : bool
        Learn b_i (default True, as in the paper) or fix b = 0.
    self_coupling : bool
        Learn w_ii as a free coupling (True) or constrain it to zero (False, default).
    update : {"sync", "async"}
    seed : int
        Seeds the asynchronous visiting orders.
    """

    def __init__(self, *, lam: float = 0.5, reg: float = 1e-3, use_bias: bool = True,
                 self_coupling: bool = False, update: str = "sync", seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.lam = check_float("lam", lam, low=0.0, low_open=True)
        self.reg = check_float("reg", reg, low=0.0, low_open=True)
        self.use_bias = check_bool("use_bias", use_bias)
        self.self_coupling = check_bool("self_coupling", self_coupling)

    @classmethod
    def estimate_memory(cls, n_units: int, n_patterns: int, **params) -> int:
        """The (N+1)^2 Gram matrix, its inverse, the solution and its constrained copy (float64,
        48 N^2 with temporaries), the float64 design (P x N), plus the trial's P x N arrays."""
        return (64 * n_units * n_units + (8 + TRIAL_BYTES_PER_ENTRY) * n_units * n_patterns
                + async_order_bytes(n_units, params))

    def _fit(self, patterns: np.ndarray) -> None:
        weights, bias = ridge_fields(patterns, self.lam, self.reg, self.use_bias,
                                     self.self_coupling)
        self._set_couplings(weights, bias)


def ridge_fields(patterns, lam, reg, use_bias, self_coupling):
    """Exact minimisers (W (N, N), b (N,)) of the Descent-L2 objective of every neuron."""
    xi = np.asarray(patterns, dtype=np.float64)
    n_patterns, n_units = xi.shape
    design = np.hstack([xi, np.ones((n_patterns, 1))]) if use_bias else xi
    gram = lam**2 * design.T @ design + reg * np.eye(design.shape[1])
    inverse = np.linalg.inv(gram)
    inverse = 0.5 * (inverse + inverse.T)
    free = inverse @ (lam * design.T @ xi)  # column i: unconstrained (w_i, b_i)
    if not self_coupling:
        diag = np.arange(n_units)
        free = free - inverse[:, :n_units] * (free[diag, diag] / inverse[diag, diag])
        free[diag, diag] = 0.0  # exactly zero, not round-off
    weights = np.ascontiguousarray(free[:n_units].T)
    bias = free[n_units].copy() if use_bias else np.zeros(n_units)
    return weights, bias
