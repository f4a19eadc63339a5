"""Numba kernels of the baseline rules against their slow twins in naive_baselines.py."""

import numpy as np
import pytest
from naive_baselines import diederich_opper_naive, minover_naive, storkey_add_naive

from amem.patterns import random_patterns
from baselines.kernels import diederich_opper_counts, minover_counts, storkey_add
from baselines.krauth_mezard import couplings_from_counts, normalised_stability


@pytest.mark.parametrize("n_units,n_patterns,seed", [(5, 1, 0), (8, 3, 1), (12, 7, 2), (20, 9, 3)])
@pytest.mark.parametrize("self_coupling", [False, True])
def test_storkey_kernel_matches_naive(n_units, n_patterns, seed, self_coupling):
    patterns = random_patterns(n_patterns, n_units, seed=seed)
    weights = np.zeros((n_units, n_units))
    storkey_add(weights, patterns, self_coupling)
    expected = storkey_add_naive(np.zeros((n_units, n_units)), patterns, self_coupling)
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-12)


def test_storkey_kernel_continues_from_given_weights():
    patterns = random_patterns(6, 10, seed=4)
    start = storkey_add_naive(np.zeros((10, 10)), patterns[:3], False)
    weights = start.copy()
    storkey_add(weights, patterns[3:], False)
    np.testing.assert_allclose(weights, storkey_add_naive(start, patterns[3:], False), atol=1e-12)


@pytest.mark.parametrize("n_units,n_patterns,seed",
                         [(6, 4, 0), (10, 12, 1), (15, 20, 2), (24, 30, 3)])
@pytest.mark.parametrize("kappa,optimal,tol", [(0.0, False, 0.0), (0.3, False, 0.0),
                                               (0.0, True, 1e-3), (0.5, True, 1e-2)])
@pytest.mark.parametrize("self_coupling", [False, True])
def test_minover_kernel_matches_naive(n_units, n_patterns, seed, kappa, optimal, tol,
                                      self_coupling):
    patterns = random_patterns(n_patterns, n_units, seed=seed)
    budget = 50 * n_units
    counts, converged, n_updates, stability = minover_counts(patterns, kappa, budget,
                                                             self_coupling, optimal, tol)
    weights = couplings_from_counts(counts, patterns, self_coupling)
    w_naive, conv_naive, upd_naive, stab_naive = minover_naive(
        patterns, kappa, budget, self_coupling, optimal, tol)
    np.testing.assert_array_equal(n_updates, upd_naive)
    np.testing.assert_array_equal(converged, conv_naive)
    np.testing.assert_allclose(weights, w_naive, atol=1e-12)
    np.testing.assert_array_equal(stability, stab_naive)
    # the reported stability is that of the returned couplings
    np.testing.assert_allclose(stability, normalised_stability(weights, patterns),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n_units,n_patterns,seed",
                         [(6, 4, 0), (10, 12, 1), (15, 20, 2), (24, 40, 3)])
@pytest.mark.parametrize("self_coupling", [False, True])
def test_diederich_opper_kernel_matches_naive(n_units, n_patterns, seed, self_coupling):
    patterns = random_patterns(n_patterns, n_units, seed=seed)
    counts, converged, n_updates = diederich_opper_counts(patterns, 30, self_coupling)
    weights = couplings_from_counts(counts, patterns, self_coupling)
    w_naive, conv_naive, upd_naive = diederich_opper_naive(patterns, 30, self_coupling)
    np.testing.assert_array_equal(n_updates, upd_naive)
    np.testing.assert_array_equal(converged, conv_naive)
    np.testing.assert_allclose(weights, w_naive, atol=1e-12)
