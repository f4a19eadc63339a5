"""Numba kernels of the iterative baseline rules: arrays in, arrays out, no validation, no RNG.

Each kernel has a slow, obviously correct twin in ``tests/naive_baselines.py``; the equality tests
live in ``tests/test_baseline_kernels.py``.
"""

import numpy as np
from numba import njit, prange


@njit(cache=True)
def storkey_add(weights, patterns, self_coupling):
    """Apply Storkey's rule (Storkey 1997) for each row of ``patterns`` in order, in place.

    w_ij += (xi_i xi_j - xi_i h_ji - h_ij xi_j) / n, with the local field
    h_ij = sum_{k != i, j} w_ik xi_k computed from the weights before this pattern.

    Parameters
    ----------
    weights : float64[:, ::1] (N, N), updated in place (symmetric in, symmetric out)
    patterns : int8[:, ::1] (P, N) of -1/+1
    self_coupling : bool
        Also apply the rule's i == j update, (1 - 2 xi_i h_ii) / n; else keep W_ii = 0.
        The diagonal never enters h_ij (k != i), so off-diagonal couplings are the same either way.
    """
    n_patterns, n = patterns.shape
    field = np.empty(n, np.float64)
    delta = np.empty((n, n), np.float64)
    inv_n = 1.0 / n
    for mu in range(n_patterns):
        x = patterns[mu]
        for i in range(n):
            acc = 0.0
            for k in range(n):
                acc += weights[i, k] * x[k]
            field[i] = acc
        for i in range(n):
            h_i = field[i] - weights[i, i] * x[i]  # sum over k != i
            for j in range(n):
                if i == j:
                    delta[i, i] = (1.0 - 2.0 * x[i] * h_i) * inv_n if self_coupling else 0.0
                    continue
                h_ij = h_i - weights[i, j] * x[j]
                h_ji = field[j] - weights[j, j] * x[j] - weights[j, i] * x[i]
                delta[i, j] = (x[i] * x[j] - x[i] * h_ji - h_ij * x[j]) * inv_n
        for i in range(n):
            for j in range(n):
                weights[i, j] += delta[i, j]


@njit(cache=True)
def _pattern_overlaps(x):
    """Exact integer overlaps x^mu . x^nu of the rows of x (P, N) int64 -> (P, P) int64."""
    n_patterns, n = x.shape
    gram = np.zeros((n_patterns, n_patterns), np.int64)
    for mu in range(n_patterns):
        for nu in range(mu, n_patterns):
            acc = 0
            for k in range(n):
                acc += x[mu, k] * x[nu, k]
            gram[mu, nu] = acc
            gram[nu, mu] = acc
    return gram


@njit(parallel=True, cache=True)
def minover_counts(patterns, kappa, max_updates, self_coupling, optimal, tol):
    """Krauth-Mezard MinOver for every neuron (rows are independent; parallel over neurons).

    For neuron i the couplings are w = (1/N) sum_nu c_nu xi_i^nu xi^nu (xi^nu with component i
    removed unless ``self_coupling``), with integer counts c_nu. Each step t computes the
    normalised minimum stability kappa_t = min_mu E^mu / ||w||, E^mu = xi_i^mu (w . xi^mu), and
    adds the pattern with the smallest E^mu once (c_mu += 1; lowest index on ties).

    ``optimal=False`` stops at the first t with kappa_t > ``kappa`` (for kappa = 0: every E^mu
    > 0, decided in exact integers). ``optimal=True`` runs on towards the optimal stability: at
    the checkpoints t = P, 2P, 4P, ... it stops once the best kappa_t seen so far exceeds the
    floor ``kappa`` and has risen by less than ``tol`` since the previous checkpoint (MinOver's
    kappa_t approaches the optimum roughly like 1/t, so what is left is then about ``tol``), and
    returns the counts at the best kappa_t (kappa_t is not monotone). Either way at most
    ``max_updates`` updates are made.

    Everything that decides an update is exact integers: N E^mu and N^2 ||w||^2.

    Parameters
    ----------
    patterns : int8[:, ::1] (P, N)
    kappa : float, the target (``optimal=False``) or floor (``optimal=True``) normalised stability
    max_updates : int, most updates per neuron
    self_coupling : bool, whether w_ii is a learned coupling
    optimal : bool
    tol : float, the stopping tolerance of ``optimal=True``

    Returns
    -------
    counts : int64[:, ::1] (N, P), c_nu of each neuron
    converged : bool[:] (N,), the returned couplings have normalised stability > kappa
    n_updates : int64[:] (N,), updates made
    stability : float64[:] (N,), normalised minimum stability of the returned couplings
        (-inf for w = 0)
    """
    n_patterns, n = patterns.shape
    x = patterns.astype(np.int64)
    gram = _pattern_overlaps(x)  # over all units
    counts = np.zeros((n, n_patterns), np.int64)
    converged = np.zeros(n, np.bool_)
    n_updates = np.zeros(n, np.int64)
    stability = np.full(n, -np.inf)
    for i in prange(n):
        current = np.zeros(n_patterns, np.int64)
        stab = np.zeros(n_patterns, np.int64)  # N * E^mu
        norm2 = 0  # N^2 ||w||^2
        self_norm = n if self_coupling else n - 1  # ||xi^nu restricted||^2
        best_kappa = -np.inf
        best_positive = False
        checked_kappa = -np.inf
        next_check = max(n_patterns, 1)
        for t in range(max_updates + 1):
            best = 0
            for mu in range(1, n_patterns):
                if stab[mu] < stab[best]:
                    best = mu
            if norm2 == 0 and not optimal:
                best_kappa = -np.inf  # w = 0 again (contradictory patterns cancel)
            if norm2 > 0:
                kappa_t = stab[best] / np.sqrt(norm2)
                if optimal:
                    if kappa_t > best_kappa:
                        best_kappa = kappa_t
                        best_positive = stab[best] > 0
                        for mu in range(n_patterns):
                            counts[i, mu] = current[mu]
                else:
                    best_kappa = kappa_t  # the current couplings are the ones returned
                    if stab[best] > 0 if kappa == 0.0 else kappa_t > kappa:
                        converged[i] = True
                        break
            if t == max_updates:
                break
            if optimal and t == next_check:
                above_floor = best_positive if kappa == 0.0 else best_kappa > kappa
                if above_floor and best_kappa - checked_kappa < tol:
                    break
                checked_kappa = best_kappa
                next_check *= 2
            nu = best
            current[nu] += 1
            n_updates[i] += 1
            norm2 += 2 * stab[nu] + self_norm
            sign_nu = x[nu, i]
            for mu in range(n_patterns):
                overlap = gram[mu, nu] if self_coupling else gram[mu, nu] - x[mu, i] * x[nu, i]
                stab[mu] += x[mu, i] * sign_nu * overlap
        if not optimal:
            for mu in range(n_patterns):
                counts[i, mu] = current[mu]
        else:
            converged[i] = best_positive if kappa == 0.0 else best_kappa > kappa
        stability[i] = best_kappa
    return counts, converged, n_updates, stability


@njit(parallel=True, cache=True)
def diederich_opper_counts(patterns, max_sweeps, self_coupling):
    """Diederich & Opper's rule I for every neuron (rows independent; parallel over neurons).

    Patterns are presented cyclically; whenever the stability E^mu = xi_i^mu (w . xi^mu) of the
    presented pattern is below 1, it is added once: w += xi_i^mu xi^mu / N (c_mu += 1). Stops after
    a sweep without updates. Exact integers: N E^mu.

    Returns counts (N, P) int64, converged (N,) bool, n_updates (N,) int64.
    """
    n_patterns, n = patterns.shape
    x = patterns.astype(np.int64)
    gram = _pattern_overlaps(x)
    counts = np.zeros((n, n_patterns), np.int64)
    converged = np.zeros(n, np.bool_)
    n_updates = np.zeros(n, np.int64)
    for i in prange(n):
        stab = np.zeros(n_patterns, np.int64)  # N * E^mu
        for sweep in range(max_sweeps):  # noqa: B007
            changed = False
            for nu in range(n_patterns):
                if stab[nu] >= n:  # E^nu >= 1
                    continue
                changed = True
                counts[i, nu] += 1
                n_updates[i] += 1
                for mu in range(n_patterns):
                    overlap = gram[mu, nu] if self_coupling else gram[mu, nu] - x[mu, i] * x[nu, i]
                    stab[mu] += x[mu, i] * x[nu, i] * overlap
            if not changed:
                converged[i] = True
                break
    return counts, converged, n_updates
