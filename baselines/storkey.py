"""Storkey's incremental learning rule (Storkey 1997)."""

from __future__ import annotations

import numpy as np

from amem import RecurrentMemory
from amem.base import ModelTags
from amem.validation import check_bool
from baselines.kernels import storkey_add


class StorkeyHopfield(RecurrentMemory):
    r"""Hopfield network trained with Storkey's rule.

    A. Storkey, "Increasing the capacity of a Hopfield network without sacrificing functionality",
    ICANN 1997, LNCS 1327:451-456; basins in A. Storkey & R. Valabregue, Neural Networks 12:869
    (1999). For each new pattern :math:`\xi` (couplings start at zero):

    .. math:: w_{ij} \leftarrow w_{ij} + \frac{1}{n}\left(\xi_i\xi_j - \xi_i h_{ji} - h_{ij}\xi_j
              \right), \qquad h_{ij} = \sum_{k \ne i, j} w_{ik}\,\xi_k

    The rule is local, incremental and immediate (one pass, no iteration over old patterns);
    ``store`` can be called repeatedly. W stays symmetric, so async recall descends an energy.

    Capacity stated by the paper: absolute capacity (all patterns fixed points w.h.p.)
    :math:`n/\sqrt{2 \ln n}` (n = 100: 33 patterns; Hebb's is :math:`n/(2 \ln n)`, 11).

    Parameters
    ----------
    self_coupling : bool
        Keep the diagonal the rule produces, :math:`w_{ii} += (1 - 2\xi_i h_{ii})/n` (default
        False: :math:`w_{ii} = 0`). The diagonal never enters :math:`h_{ij}`, so the off-diagonal
        couplings are the same either way.
    update : {"sync", "async"}
    seed : int
        Seeds the asynchronous visiting orders.
    """

    tags = ModelTags(incremental=True, recurrent_weights=True)

    def __init__(self, *, self_coupling: bool = False, update: str = "sync",
                 seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.self_coupling = check_bool("self_coupling", self_coupling)

    def _add(self, new_patterns: np.ndarray) -> None:
        n_units = new_patterns.shape[1]
        weights = getattr(self, "weights_", None)
        weights = (np.zeros((n_units, n_units)) if weights is None
                   else np.ascontiguousarray(weights, dtype=np.float64).copy())
        storkey_add(weights, np.ascontiguousarray(new_patterns), bool(self.self_coupling))
        self._set_couplings(weights)
