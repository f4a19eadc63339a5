"""Slow, obviously correct twins of the Numba kernels in ``baselines/kernels.py``.

Written straight from the papers' formulas with plain loops and floats, sharing no code with the
kernels, so that the equality tests in ``test_baseline_kernels.py`` can catch a kernel bug.
"""

import numpy as np


def storkey_add_naive(weights, patterns, self_coupling):
    """Storkey (1997): w_ij += (xi_i xi_j - xi_i h_ji - h_ij xi_j) / n,
    h_ij = sum_{k != i, j} w_ik xi_k."""
    w = np.array(weights, dtype=np.float64)
    n = w.shape[0]
    for x in np.asarray(patterns, dtype=np.float64):
        old = w.copy()

        def h(i, j):
            return sum(old[i, k] * x[k] for k in range(n) if k != i and k != j)  # noqa: B023

        for i in range(n):
            for j in range(n):
                if i == j and not self_coupling:
                    w[i, j] = 0.0
                    continue
                w[i, j] = old[i, j] + (x[i] * x[j] - x[i] * h(j, i) - h(i, j) * x[j]) / n
    return w


def minover_naive(patterns, kappa, max_updates, self_coupling, optimal=False, tol=1e-3):
    """Krauth & Mezard (1987) MinOver per neuron with an explicit weight vector.

    The vector is kept as N * w (integers) so that stabilities are exact and argmin ties are
    broken the same way as in the kernel (first minimum). ``optimal=False`` stops at the first
    normalised stability above ``kappa``; ``optimal=True`` keeps the best couplings seen and stops
    when the best normalised stability is above ``kappa`` (above 0 exactly for kappa = 0) and
    rose by less than ``tol`` between the checkpoints t = P, 2P, 4P, ... Returns (W, converged, n_updates, stability).
    """
    xi = np.asarray(patterns, dtype=np.int64)
    n_patterns, n = xi.shape
    weights = np.zeros((n, n))
    converged = np.zeros(n, bool)
    n_updates = np.zeros(n, np.int64)
    stability = np.full(n, -np.inf)
    checkpoints = [n_patterns * 2**k for k in range(64)]
    for i in range(n):
        inputs = xi.copy()
        if not self_coupling:
            inputs[:, i] = 0
        w_scaled = np.zeros(n, np.int64)  # N * w
        best_w, best_kappa, best_min = w_scaled.copy(), -np.inf, 0
        at_checkpoint = []
        for t in range(max_updates + 1):
            stabilities = xi[:, i] * (inputs @ w_scaled)  # N * E^mu
            best = int(np.argmin(stabilities))
            norm = np.sqrt(float(w_scaled @ w_scaled))  # N * ||w||
            if norm == 0 and not optimal:
                best_kappa = -np.inf
            if norm > 0:
                kappa_t = stabilities[best] / norm
                if not optimal:
                    best_w, best_kappa = w_scaled.copy(), kappa_t
                    if (stabilities[best] > 0) if kappa == 0 else kappa_t > kappa:
                        converged[i] = True
                        break
                elif kappa_t > best_kappa:
                    best_w, best_kappa, best_min = w_scaled.copy(), kappa_t, stabilities[best]
            if t == max_updates:
                break
            if optimal and t in checkpoints:
                at_checkpoint.append(best_kappa)
                above_floor = (best_min > 0) if kappa == 0 else best_kappa > kappa
                if (len(at_checkpoint) >= 2 and at_checkpoint[-1] - at_checkpoint[-2] < tol
                        and above_floor):
                    break
            w_scaled = w_scaled + xi[best, i] * inputs[best]
            n_updates[i] += 1
        if not optimal:
            best_w = w_scaled
        else:
            converged[i] = (best_min > 0) if kappa == 0 else best_kappa > kappa
        weights[i] = best_w / n
        stability[i] = best_kappa
    return weights, converged, n_updates, stability


def diederich_opper_naive(patterns, max_sweeps, self_coupling):
    """Diederich & Opper (1987) rule I: cyclic sweeps, add pattern mu while xi_i^mu h_i^mu < 1.

    Weights kept as N * w (integers) so that the comparison with 1 is exact.
    Returns (W, converged, n_updates).
    """
    xi = np.asarray(patterns, dtype=np.int64)
    n_patterns, n = xi.shape
    weights = np.zeros((n, n))
    converged = np.zeros(n, bool)
    n_updates = np.zeros(n, np.int64)
    for i in range(n):
        inputs = xi.copy()
        if not self_coupling:
            inputs[:, i] = 0
        w_scaled = np.zeros(n, np.int64)  # N * w
        for _ in range(max_sweeps):
            changed = False
            for mu in range(n_patterns):
                if xi[mu, i] * (inputs[mu] @ w_scaled) < n:  # E^mu < 1
                    w_scaled = w_scaled + xi[mu, i] * inputs[mu]
                    n_updates[i] += 1
                    changed = True
            if not changed:
                converged[i] = True
                break
        weights[i] = w_scaled / n
    return weights, converged, n_updates
