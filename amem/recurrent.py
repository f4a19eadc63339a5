"""Sign dynamics shared by every model with recurrent couplings (Hebbian, infomorphic, baselines).

:class:`RecurrentMemory` is the base of every such model: a subclass learns couplings (W, b) and
the base builds the prepared :class:`SignDynamics` from them on first recall, drops it when the
couplings change or the model is pickled, and rebuilds it on demand. :class:`SignDynamics` picks
the kernel, prepares the arrays the kernels expect and draws asynchronous visiting orders from the
model's seed outside the kernel, so results do not depend on JIT being on or off.

Ties are exact (the contract: a zero field keeps the state). Couplings that are rationals with a
common denominator (Hebbian counts / N, Krauth-Mezard and Diederich-Opper counts / N) are handed
to the dynamics as their integer numerators (the positive denominator changes no sign) and recall
runs in exact integer arithmetic; real-valued couplings are summed in floating point and any field
within its rounding-error bound of zero is re-summed exactly.
"""

from __future__ import annotations

import numpy as np

from amem.base import MemoryModel, ModelTags
from amem.errors import AmemError
from amem.kernels import async_sign_recall, sync_sign_recall

#: Integers up to this magnitude are exact in float32 sums (the fast path for integer couplings).
_FLOAT32_EXACT = 2**24
#: ... and in float64 sums.
_FLOAT64_EXACT = 2**53


def async_orders(seed: int, n_sweeps: int, n_units: int) -> np.ndarray:
    """Visiting orders for ``n_sweeps`` asynchronous sweeps: one random permutation per sweep.

    Drawn from ``seed`` alone (not from the cues), and shared by every cue of a recall call, so
    that batch recall equals one-by-one recall and the same seed gives the same trajectory.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, n_units, 0xA5]))
    return np.ascontiguousarray(rng.permuted(np.tile(np.arange(n_units, dtype=np.int64),
                                                     (n_sweeps, 1)), axis=1))


class SignDynamics:
    """Prepared couplings for repeated recall: s_i <- sign(sum_j W_ij s_j + b_i), ties keep s_i.

    Parameters
    ----------
    weights : (N, N) array, W[i, j] = coupling from unit j to unit i (need not be symmetric)
    bias : (N,) array or None
    exact_integer : bool
        Weights and bias are integers (numerators of rational couplings): fields are summed in
        float32 while they stay below 2**24, else in float64 (exact below 2**53); every field is
        then the exact one, so ties are exact. Otherwise fields are summed in float64 and a field
        within the rounding-error bound of zero is re-summed exactly by the kernels.
    """

    def __init__(self, weights: np.ndarray, bias: np.ndarray | None = None,
                 exact_integer: bool = False) -> None:
        weights = np.asarray(weights)
        n_units = weights.shape[0]
        bias = np.zeros(n_units) if bias is None else np.asarray(bias)
        # bound on |field| (and on every partial sum of it): sum_j |W_ij| + |b_i|
        magnitude = np.abs(weights).sum(axis=1, dtype=np.float64) + np.abs(bias)
        largest = float(magnitude.max(initial=0.0))
        if exact_integer:
            if not (np.all(weights == np.round(weights)) and np.all(bias == np.round(bias))):
                raise ValueError("exact_integer=True needs integer weights and bias")
            if largest >= _FLOAT64_EXACT:
                raise AmemError(f"integer couplings with fields up to {largest:.3g} exceed "
                                f"2**53 and cannot be recalled exactly; use fewer updates")
            dtype = np.float32 if largest < _FLOAT32_EXACT else np.float64
            self.err_scale = np.zeros(n_units)  # fields are exact
        else:
            dtype = np.float64
            # one rounding costs at most u |partial sum| <= u * magnitude; 1% margin for the
            # bound's higher-order terms. Sync sums see at most N + 2 roundings per field.
            self.err_scale = 1.01 * np.finfo(np.float64).epsneg * magnitude
        self.sync_tol = (n_units + 2) * self.err_scale
        self.weights_t = np.ascontiguousarray(weights.T, dtype=dtype)
        self.bias = np.ascontiguousarray(bias, dtype=dtype)
        self._orders_cache: tuple[tuple[int, int], np.ndarray] | None = None

    def recall(self, cues: np.ndarray, max_steps: int, update: str, seed: int):
        """Run the dynamics on a private copy of ``cues`` (int8, (M, N))."""
        states = np.ascontiguousarray(cues, dtype=np.int8).copy()
        if update == "sync":
            steps, status = sync_sign_recall(self.weights_t, self.bias, states, max_steps,
                                             self.sync_tol)
        else:
            orders = self._orders(seed, max_steps, states.shape[1])
            fields = self.fields(states)
            steps, status = async_sign_recall(self.weights_t, self.bias, fields, states, orders,
                                              max_steps, self.err_scale)
        return states, steps, status

    def fields(self, states: np.ndarray) -> np.ndarray:
        """Local fields of each state (M, N), in the couplings' dtype: one BLAS matmul."""
        fields = np.dot(states.astype(self.weights_t.dtype), self.weights_t)
        fields += self.bias
        return fields

    def _orders(self, seed: int, n_sweeps: int, n_units: int) -> np.ndarray:
        key = (seed, n_sweeps)
        if self._orders_cache is None or self._orders_cache[0] != key:
            self._orders_cache = (key, async_orders(seed, n_sweeps, n_units))
        return self._orders_cache[1]


class RecurrentMemory(MemoryModel):
    """A memory recalled by sign dynamics on learned recurrent couplings (W, b).

    Subclasses learn the couplings in ``_fit``/``_add`` and either assign ``weights_`` (N, N) and
    ``bias_`` (N,) through :meth:`_set_couplings` (real-valued couplings) or
    :meth:`_set_rational_couplings` (integer numerators over a common positive denominator, recalled
    in exact integer arithmetic), or override :meth:`_dynamics_couplings`. The prepared dynamics
    are derived state: dropped whenever the couplings change and on pickling, rebuilt on the next
    recall. Recall: s_i <- sign(sum_j W_ij s_j + b_i), a zero field keeps the old state;
    ``update="sync"`` stops at a fixed point or a 2-cycle, ``update="async"`` visits the units in
    a seeded random order per sweep.
    """

    tags = ModelTags(recurrent_weights=True)

    # ----------------------------------------------------------------- for subclasses
    def _set_couplings(self, weights: np.ndarray, bias: np.ndarray | None = None) -> None:
        """Real-valued couplings W (N, N) and bias b (N,) (zeros when None)."""
        self.weights_ = np.ascontiguousarray(weights, dtype=np.float64)
        n_units = self.weights_.shape[0]
        self.bias_ = (np.zeros(n_units) if bias is None
                      else np.ascontiguousarray(bias, dtype=np.float64))
        self.coupling_numerators_ = None
        self._couplings_changed()

    def _set_rational_couplings(self, numerators: np.ndarray, denominator: int) -> None:
        """Couplings W = numerators / denominator (integers, denominator > 0), no bias."""
        self.coupling_numerators_ = np.ascontiguousarray(numerators, dtype=np.int64)
        self.coupling_denominator_ = int(denominator)
        self.weights_ = self.coupling_numerators_ / float(denominator)
        self.bias_ = np.zeros(self.weights_.shape[0])
        self._couplings_changed()

    def _dynamics_couplings(self) -> tuple[np.ndarray, np.ndarray | None, bool]:
        """(weights, bias, exact_integer) the dynamics run on; the same signs as (W, b)."""
        numerators = getattr(self, "coupling_numerators_", None)
        if numerators is not None:
            return numerators, None, True
        return self.weights_, self.bias_, False

    def _couplings_changed(self) -> None:
        self._dynamics = None

    # ----------------------------------------------------------------- recall
    @property
    def dynamics_(self) -> SignDynamics:
        """The prepared sign dynamics of the current couplings (built on first use)."""
        self._check_stored()
        if getattr(self, "_dynamics", None) is None:
            weights, bias, exact = self._dynamics_couplings()
            self._dynamics = SignDynamics(weights, bias, exact_integer=exact)
        return self._dynamics

    def _recall(self, cues, max_steps):
        return self.dynamics_.recall(cues, max_steps, self.update, self.seed)

    def energy(self, states) -> np.ndarray:
        """E(s) = -1/2 s^T W s - b^T s per row (a Lyapunov function only for symmetric W)."""
        from amem.validation import as_bipolar

        self._check_stored()
        s = as_bipolar(states, "states", self.n_units_).astype(np.float64)
        return -0.5 * np.einsum("mi,ij,mj->m", s, self.weights_, s) - s @ self.bias_

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_dynamics", None)  # derived from the couplings; rebuilt on demand
        return state


__all__ = ["RecurrentMemory", "SignDynamics", "async_orders"]
