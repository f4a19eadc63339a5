"""The classical Hopfield network with the Hebbian (outer-product) rule."""

from __future__ import annotations

import numpy as np

from amem.base import TRIAL_BYTES_PER_ENTRY, ModelTags, async_order_bytes
from amem.recurrent import RecurrentMemory
from amem.validation import check_bool


class HebbianHopfield(RecurrentMemory):
    r"""Hopfield network with Hebbian couplings (Hopfield, PNAS 79:2554, 1982).

    .. math:: W = \frac{1}{N} \sum_\mu \xi^\mu {\xi^\mu}^\top, \qquad W_{ii} = 0 \text{ unless }
              \texttt{self\_coupling}

    Recall: :math:`s_i \leftarrow \mathrm{sign}(\sum_j W_{ij} s_j)`; a zero field keeps the old
    state. ``update="sync"`` updates every unit at once and stops at a fixed point or a 2-cycle;
    ``update="async"`` visits the units in a fresh random order each sweep (drawn from ``seed``)
    and stops when a whole sweep changes nothing. Storage is incremental.

    Parameters
    ----------
    self_coupling : bool
        Keep the diagonal of the outer-product sum, :math:`W_{ii} = P/N` (default False: zero).
        This is its only meaning.
    update : {"sync", "async"}
    seed : int
        Seeds the asynchronous visiting orders.

    Capacity: alpha_c ~ 0.138 (Amit, Gutfreund & Sompolinsky, PRL 55:1530, 1985); every pattern a
    fixed point w.h.p. up to N/(2 ln N) (McEliece et al., IEEE T-IT 33:461, 1987).
    """

    tags = ModelTags(incremental=True, recurrent_weights=True)

    def __init__(self, *, self_coupling: bool = False, update: str = "sync", seed: int = 0) -> None:
        super().__init__(seed=seed, update=update)
        self.self_coupling = check_bool("self_coupling", self_coupling)

    @classmethod
    def estimate_memory(cls, n_units: int, n_patterns: int, **params) -> int:
        """int32 counts and their update (8 N^2), the float64 matrix (8 N^2), the recall
        kernel's copy (up to 8 N^2), plus the trial's P x N arrays."""
        return (24 * n_units * n_units + TRIAL_BYTES_PER_ENTRY * n_units * n_patterns
                + async_order_bytes(n_units, params))

    def _add(self, new_patterns: np.ndarray) -> None:
        counts = getattr(self, "coupling_counts_", None)
        x = new_patterns.astype(np.int32)
        update = x.T @ x  # integer sum of outer products; exact at any load
        self.coupling_counts_ = update if counts is None else counts + update
        self._couplings_changed()

    @property
    def weights_(self) -> np.ndarray:
        """W (N, N) float64, with the 1/N normalisation and the chosen diagonal."""
        self._check_stored()
        return self._coupling_matrix() / self.n_units_

    @property
    def bias_(self) -> np.ndarray:
        self._check_stored()
        return np.zeros(self.n_units_)

    def _coupling_matrix(self) -> np.ndarray:
        w = self.coupling_counts_.astype(np.float64)
        if not self.self_coupling:
            np.fill_diagonal(w, 0.0)
        return w

    def _dynamics_couplings(self):
        # Integer counts (the 1/N factor does not change signs): recall in exact arithmetic.
        return self._coupling_matrix(), None, True
