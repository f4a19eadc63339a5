"""Diederich & Opper's local iterative learning rule I (1987)."""

from __future__ import annotations

import numpy as np

from amem import RecurrentMemory
from amem.validation import check_bool, check_int
from baselines.kernels import diederich_opper_counts
from baselines.krauth_mezard import coupling_numerators, normalised_stability


class DiederichOpperHopfield(RecurrentMemory):
    r"""Hopfield network learned with Diederich & Opper's rule I (perceptron rule with margin 1).

    S. Diederich & M. Opper, "Learning of correlated patterns in spin-glass networks by local
    learning rules", Phys. Rev. Lett. 58:949 (1987). Starting from w = 0 the patterns are presented
    cyclically; for neuron i and pattern mu, if the stability
    :math:`\xi_i^\mu \sum_{j} w_{ij}\xi_j^\mu < 1` then
    :math:`w_{ij} \leftarrow w_{ij} + \xi_i^\mu\xi_j^\mu / N`. The rule is local (Hebbian
    increments gated by the neuron's own field) and stops after a sweep with no update.
    Each neuron is an independent problem; W is not symmetric in general.

    Capacity stated by the paper: the rule converges whenever couplings with positive stability
    exist (perceptron convergence), so every pattern becomes a fixed point up to the Gardner
    bound alpha_c = 2 for random patterns (N -> infinity), also for correlated patterns, where
    Hebb fails. The fixed margin 1 in unnormalised units gives no control of the normalised
    stability (use ``krauth-mezard`` for that). Neurons that do not converge within
    ``max_sweeps`` are flagged in ``converged_``.

    Parameters
    ----------
    max_sweeps : int >= 1
        Most presentation sweeps over all patterns (default 1000).
    self_coupling : bool
        Learn w_ii as a free coupling (True) or keep it at zero (False, default).
    update : {"sync", "async"}
    seed : int
        Seeds the asynchronous visiting orders.
    """

    def __init__(self, *, max_sweeps: int = 1000, self_coupling: bool = False,
                 update: str = "sync", seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.max_sweeps = check_int("max_sweeps", max_sweeps, 1)
        self.self_coupling = check_bool("self_coupling", self_coupling)

    def _fit(self, patterns: np.ndarray) -> None:
        counts, converged, n_updates = diederich_opper_counts(
            np.ascontiguousarray(patterns), self.max_sweeps, bool(self.self_coupling))
        self.converged_ = converged
        self.n_updates_ = n_updates
        self._set_rational_couplings(
            coupling_numerators(counts, patterns, self.self_coupling), patterns.shape[1])
        self.stability_ = normalised_stability(self.weights_, patterns)
