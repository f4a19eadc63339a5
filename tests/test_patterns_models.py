"""Rules on correlated patterns: the covariance rule (against a slow twin), Hebbian capacity
against bias (signal-to-noise theory), the covariance rule's repair, and the pseudo-inverse's
fixed points on correlated and real patterns."""

import importlib.util

import numpy as np
import pytest

import amem
from amem.errors import AmemError
from amem.harness.criteria import get_criterion, seed_capacities
from amem.harness.sweep import SweepConfig, run_sweep
from amem.patterns import make_patterns
from amem.records.store import RecordStore
from amem.theory.biased import hebbian_biased_alpha, hebbian_biased_bit_error


def _covariance_twin(patterns, centres, self_coupling=False):
    """W_ij = (1/N) sum_mu (xi_i - a_i)(xi_j - a_j), element by element."""
    p, n = patterns.shape
    w = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j or self_coupling:
                w[i, j] = sum((patterns[m, i] - centres[i]) * (patterns[m, j] - centres[j])
                              for m in range(p)) / n
    return w


@pytest.mark.parametrize("centre", ["global", "unit"])
def test_covariance_weights_match_the_twin(centre):
    x = make_patterns("random", 7, 12, 0, {"bias": 0.4})
    model = amem.make("covariance", centre=centre).store(x)
    a = np.full(12, x.mean()) if centre == "global" else x.mean(axis=0)
    np.testing.assert_allclose(model.centres_, a)
    np.testing.assert_allclose(model.weights_, _covariance_twin(x, a), atol=1e-12)
    np.testing.assert_allclose(model.bias_, a * np.mean(1 - a ** 2))  # the midpoint threshold
    # incremental storage gives the same network
    step = amem.make("covariance", centre=centre).store(x[:3]).store(x[3:])
    np.testing.assert_allclose(step.weights_, model.weights_, atol=1e-12)


def test_covariance_known_activity_and_fixed_threshold():
    x = make_patterns("random", 5, 10, 1, {"bias": 0.2})
    model = amem.make("covariance", activity=0.2, threshold=0.0).store(x)
    np.testing.assert_allclose(model.weights_, _covariance_twin(x, np.full(10, 0.2)), atol=1e-12)
    assert (model.bias_ == 0).all()
    with pytest.raises(AmemError, match="centre='global'"):
        amem.make("covariance", centre="unit", activity=0.2)
    with pytest.raises(AmemError, match="threshold='middle'"):
        amem.make("covariance", threshold="middle")


def test_covariance_equals_hebbian_on_exactly_unbiased_patterns():
    x = make_patterns("random", 8, 40, 2)
    x = np.concatenate([x, -x])  # mean exactly 0: no centre, no threshold
    cov = amem.make("covariance").store(x)
    heb = amem.make("hebbian").store(x)
    np.testing.assert_allclose(cov.weights_, heb.weights_, atol=1e-12)
    cues = make_patterns("random", 10, 40, 3)
    np.testing.assert_array_equal(cov.recall(cues).states, heb.recall(cues).states)


def _fixed_points(model, patterns):
    out = model.recall(patterns, max_steps=1)
    return (out.states == patterns).all(axis=1) & (out.steps == 0)


def _independent_rows(x):
    """A maximal linearly independent subset of the rows, in order (greedy: keep a row when it
    raises the rank)."""
    kept = []
    for row in x:
        if np.linalg.matrix_rank(np.array(kept + [row], dtype=float)) == len(kept) + 1:
            kept.append(row)
    return np.array(kept)


@pytest.mark.parametrize("fam, params, n, p", [
    ("markov", {"p": 0.85}, 100, 60),
    ("markov", {"p": 0.95}, 100, 90),
    ("markov", {"p": 0.85, "direction": "temporal"}, 100, 60),
    ("features", {"alpha_d": 0.8}, 100, 70),
    ("features", {"alpha_d": 0.05}, 100, 90),
    ("random", {"bias": 0.6}, 100, 90),
    pytest.param("digits", {}, 64, 45, marks=pytest.mark.skipif(
        importlib.util.find_spec("sklearn") is None, reason="scikit-learn not installed")),
    ("letters", {}, 100, 50),
])
def test_pseudoinverse_with_self_coupling_fixes_every_independent_pattern(fam, params, n, p):
    for seed in range(3):
        x = make_patterns(fam, p, n, seed, params)
        independent = _independent_rows(x)
        assert np.linalg.matrix_rank(independent.astype(float)) == len(independent) >= p // 2
        model = amem.make("pseudoinverse", self_coupling=True).store(independent)
        assert _fixed_points(model, independent).all()
        # the Hebbian rule, on the same correlated patterns, does not
        hebbian = amem.make("hebbian").store(independent)
        assert not _fixed_points(hebbian, independent).all()


def _capacities(model, n, seeds, bias, params=None):
    """Per-seed largest stored P (paper criterion) by bisection, random patterns of ``bias``."""
    config = SweepConfig(models=[(model, params or {})], n_units=[n], alphas=[0.01, 0.6],
                         seeds=seeds, patterns="random", pattern_param={"bias": bias},
                         search="bisect")
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        records = run_sweep(config, RecordStore(d), progress=False)
    return np.array([c for c, _ in seed_capacities(records, get_criterion("paper")).values()])


def test_bit_error_theory_matches_the_measured_one_step_error():
    """The crosstalk mean (P-1)a^3 and variance of the theory, checked on one-step bit errors."""
    n, p = 200, 12
    for bias in (0.0, 0.3, 0.5):
        errors = []
        for seed in range(20):
            x = make_patterns("random", p, n, seed, {"bias": bias})
            errors.append((amem.make("hebbian").store(x).recall(x, max_steps=1).states != x).mean())
        predicted = hebbian_biased_bit_error(n, p, bias)
        se = np.sqrt(predicted * (1 - predicted) / (20 * p * n)) * 3  # bits in a pattern correlate
        assert abs(np.mean(errors) - predicted) < max(4 * se, 0.15 * predicted), (bias, predicted)


def test_hebbian_collapses_on_biased_patterns_and_covariance_does_not():
    hebbian = _capacities("hebbian", 100, 5, 0.5).mean() / 100
    covariance = _capacities("covariance", 100, 5, 0.5).mean() / 100
    assert hebbian < 0.07
    assert covariance > 0.12


@pytest.mark.slow
def test_hebbian_capacity_against_bias_follows_theory():
    """alpha_c(a) of the plain Hebbian rule, N = 100, 10 seeds, paper criterion, bisection.

    Theory (amem.theory.biased): the capacity is where the one-step bit-error rate of the
    Gaussian crosstalk (mean (P-1)a^3, variance (P-1)[a^4(1-a^2) + (1-a^4)/N]) reaches its value
    at the unbiased capacity, calibrated on the alpha_c(0) measured here. Tolerance: 1.5 patterns
    (0.015) plus two standard errors of the mean over seeds.
    """
    n, seeds = 100, 10
    unbiased = _capacities("hebbian", n, seeds, 0.0) / n
    for bias in (0.2, 0.3, 0.4, 0.5, 0.6):
        measured = _capacities("hebbian", n, seeds, bias) / n
        predicted = hebbian_biased_alpha(n, bias, unbiased.mean())
        se = measured.std(ddof=1) / np.sqrt(seeds)
        assert abs(measured.mean() - predicted) <= 0.015 + 2 * se, (bias, measured.mean(), predicted)
    # the collapse: at a = 0.6 alpha_c is below a quarter of the unbiased one
    assert measured.mean() < unbiased.mean() / 4


@pytest.mark.slow
def test_covariance_rule_restores_the_unbiased_capacity():
    """The covariance rule with its midpoint threshold keeps alpha_c(a) at the unbiased Hebbian
    alpha_c(0) (same N, seeds and criterion): within 0.03 (about 3 standard errors of the
    difference with 10 seeds) for a up to 0.6."""
    n, seeds = 100, 10
    unbiased = _capacities("hebbian", n, seeds, 0.0).mean() / n
    for bias in (0.2, 0.4, 0.6):
        restored = _capacities("covariance", n, seeds, bias).mean() / n
        assert abs(restored - unbiased) <= 0.03, (bias, restored, unbiased)
    # without its threshold the rule does not restore it at a strong bias
    assert _capacities("covariance", n, seeds, 0.6, {"threshold": 0.0}).mean() / n < unbiased - 0.03
