"""Shared base of the baseline learning rules: a learned (W, b), recalled by sign dynamics.

Every rule in ``baselines/`` only differs in how it turns the stored patterns into couplings
``weights_`` (N, N), W[i, j] = coupling from unit j to unit i, and a bias ``bias_`` (N,). Recall
is the shared Numba sign dynamics of :class:`amem.recurrent.SignDynamics`:
s_i <- sign(sum_j W_ij s_j + b_i), a zero field keeps the old state; ``update="sync"`` stops at a
fixed point or a 2-cycle, ``update="async"`` visits units in a seeded random order per sweep.

``self_coupling`` has one meaning in every rule (the same as in ``hebbian``):
``True`` keeps the diagonal W_ii that the rule itself produces (for optimisation rules the
diagonal is then a free coupling like any other); ``False`` makes W_ii = 0 (for closed-form and
outer-product rules the diagonal is zeroed; for optimisation rules W_ii is excluded from learning,
so the optimum is found under that constraint rather than spoiled afterwards).
"""

from __future__ import annotations

import numpy as np

from amem.base import MemoryModel, ModelTags
from amem.recurrent import SignDynamics
from amem.validation import check_bool  # noqa: F401  (re-exported for the rule modules)


class RecurrentRuleModel(MemoryModel):
    """A memory whose learning rule yields recurrent couplings (W, b); subclasses set them."""

    tags = ModelTags(recurrent_weights=True)

    def _set_couplings(self, weights: np.ndarray, bias: np.ndarray | None = None) -> None:
        self.weights_ = np.ascontiguousarray(weights, dtype=np.float64)
        n_units = self.weights_.shape[0]
        self.bias_ = (np.zeros(n_units) if bias is None
                      else np.ascontiguousarray(bias, dtype=np.float64))
        self._dynamics = None

    def _recall(self, cues, max_steps):
        if getattr(self, "_dynamics", None) is None:
            self._dynamics = SignDynamics(self.weights_, self.bias_)
        return self._dynamics.recall(cues, max_steps, self.update, self.seed)

    def energy(self, states) -> np.ndarray:
        """E(s) = -1/2 s^T W s - b^T s per row (a Lyapunov function only for symmetric W)."""
        from amem.validation import as_bipolar

        s = as_bipolar(states, "states", self.n_units_).astype(np.float64)
        return -0.5 * np.einsum("mi,ij,mj->m", s, self.weights_, s) - s @ self.bias_

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_dynamics"] = None  # derived from weights_; rebuilt on demand
        return state
