"""Sign dynamics shared by every model with recurrent couplings (Hebbian, infomorphic, baselines).

Models call :func:`sign_recall` with their couplings; this module picks the kernel, prepares the
arrays the kernels expect and draws asynchronous visiting orders from the model's seed outside
the kernel, so results do not depend on JIT being on or off.
"""

from __future__ import annotations

import numpy as np

from amem.kernels import async_sign_recall, sync_sign_recall


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
        Weights are integers (Hebbian counts): use float32 when the fields stay below 2**24 so
        that matmuls are fast and ties are detected exactly.
    """

    def __init__(self, weights: np.ndarray, bias: np.ndarray | None = None,
                 exact_integer: bool = False) -> None:
        weights = np.asarray(weights)
        n_units = weights.shape[0]
        dtype = np.float64
        if exact_integer and float(np.abs(weights).sum(axis=1).max(initial=0.0)) < 2**24:
            dtype = np.float32
        self.weights_t = np.ascontiguousarray(weights.T, dtype=dtype)
        self.bias = (np.zeros(n_units, dtype) if bias is None
                     else np.ascontiguousarray(bias, dtype=dtype))
        self._orders_cache: tuple[tuple[int, int], np.ndarray] | None = None

    def recall(self, cues: np.ndarray, max_steps: int, update: str, seed: int):
        """Run the dynamics on a private copy of ``cues`` (int8, (M, N))."""
        states = np.ascontiguousarray(cues, dtype=np.int8).copy()
        if update == "sync":
            steps, status = sync_sign_recall(self.weights_t, self.bias, states, max_steps)
        else:
            orders = self._orders(seed, max_steps, states.shape[1])
            fields = self.fields(states)
            steps, status = async_sign_recall(self.weights_t, fields, states, orders, max_steps)
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
