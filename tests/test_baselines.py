"""Known-answer tests, hyper-parameter errors and registration of the baseline learning rules."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import minimize

import amem
import baselines  # noqa: F401  (registers the rules, like an outside user's plugin)
from amem.errors import AmemError
from amem.patterns import flip_cues, random_patterns
from baselines.descent_l2 import ridge_fields
from baselines.mpf import mpf_objective

RULES = ["storkey", "pseudoinverse", "krauth-mezard", "descent-l2", "mpf", "diederich-opper"]


def hadamard(n):
    """Rows of a Sylvester Hadamard matrix: mutually orthogonal ±1 patterns."""
    h = np.array([[1]], dtype=np.int8)
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]]).astype(np.int8)
    return h


# ----------------------------------------------------------------------------- registration
def test_rules_registered_through_public_api():
    assert set(RULES) <= set(amem.list_models())
    for rule in RULES:
        assert amem.spec(rule).entry_point.startswith("baselines.")


def test_entry_point_registers_without_importing_baselines():
    code = "import amem, sys; ids = amem.list_models(); print(' '.join(ids))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(RULES) <= set(out.stdout.split()), out.stderr


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("update", ["sync", "async"])
def test_low_load_patterns_are_recalled(rule, update):
    patterns = random_patterns(5, 64, seed=1)
    model = amem.make(rule, update=update, seed=3).store(patterns)
    assert model.weights_.shape == (64, 64) and model.bias_.shape == (64,)
    assert model.tags.recurrent_weights
    out = model.recall(patterns)
    np.testing.assert_array_equal(out.states, patterns)
    assert (out.status == "fixed_point").all() and (out.steps == 0).all()
    again = pickle.loads(pickle.dumps(model)).recall(patterns)
    np.testing.assert_array_equal(again.states, out.states)


@pytest.mark.parametrize("rule,bad,message", [
    ("storkey", {"self_coupling": 1}, "self_coupling"),
    ("storkey", {"update": "parallel"}, "update"),
    ("pseudoinverse", {"self_coupling": "yes"}, "self_coupling"),
    ("krauth-mezard", {"kappa": -0.1}, "kappa"),
    ("krauth-mezard", {"kappa": float("nan")}, "kappa"),
    ("krauth-mezard", {"max_updates": 0}, "max_updates"),
    ("krauth-mezard", {"tol": 0.0}, "tol"),
    ("krauth-mezard", {"optimal": "yes"}, "optimal"),
    ("descent-l2", {"lam": 0.0}, "lam"),
    ("descent-l2", {"reg": -1.0}, "reg"),
    ("descent-l2", {"use_bias": None}, "use_bias"),
    ("mpf", {"max_iter": 0}, "max_iter"),
    ("mpf", {"tol": 0.0}, "tol"),
    ("mpf", {"self_coupling": True}, "self_coupling"),
    ("diederich-opper", {"max_sweeps": 0}, "max_sweeps"),
    ("diederich-opper", {"max_sweeps": 2.5}, "max_sweeps"),
])
def test_invalid_hyper_parameters_raise_one_line_errors(rule, bad, message):
    with pytest.raises(AmemError, match=message) as err:
        amem.make(rule, **bad)
    assert "\n" not in str(err.value)


# ----------------------------------------------------------------------------- storkey
def test_storkey_first_pattern_is_hebbian_over_n():
    xi = random_patterns(1, 7, seed=0)
    model = amem.make("storkey").store(xi)
    expected = np.outer(xi[0], xi[0]) / 7.0
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(model.weights_, expected)
    with_diag = amem.make("storkey", self_coupling=True).store(xi)
    np.testing.assert_allclose(np.diag(with_diag.weights_), 1 / 7)


def test_storkey_two_patterns_worked_by_hand():
    # n = 3: after (1,1,1), w_ij = 1/3; for (1,-1,1), h_ij = w_im xi_m with m the third unit,
    # so dw_ij = (xi_i xi_j - (xi_i + xi_j) xi_m / 3) / 3 -> w = [[0,0,8/9],[0,0,0],[8/9,0,0]].
    model = amem.make("storkey").store([[1, 1, 1]]).store([[1, -1, 1]])
    expected = np.array([[0, 0, 8 / 9], [0, 0, 0], [8 / 9, 0, 0]])
    np.testing.assert_allclose(model.weights_, expected, atol=1e-15)


def test_storkey_incremental_equals_batch_and_stays_symmetric():
    xi = random_patterns(12, 40, seed=5)
    one_by_one = amem.make("storkey")
    for row in xi:
        one_by_one.store(row[None, :])
    batch = amem.make("storkey").store(xi)
    np.testing.assert_allclose(one_by_one.weights_, batch.weights_, atol=1e-12)
    np.testing.assert_allclose(batch.weights_, batch.weights_.T, atol=1e-12)


# ----------------------------------------------------------------------------- pseudoinverse
def test_pseudoinverse_of_orthogonal_patterns_is_hebbian_with_diagonal():
    xi = hadamard(16)[:6]
    model = amem.make("pseudoinverse", self_coupling=True).store(xi)
    np.testing.assert_allclose(model.weights_, xi.T.astype(float) @ xi / 16, atol=1e-12)


def test_pseudoinverse_is_a_projector_that_fixes_patterns():
    xi = random_patterns(30, 50, seed=2)
    w = amem.make("pseudoinverse", self_coupling=True).store(xi).weights_
    np.testing.assert_allclose(w @ w, w, atol=1e-10)
    np.testing.assert_allclose(w, w.T, atol=1e-12)
    np.testing.assert_allclose(xi @ w.T, xi, atol=1e-10)
    np.testing.assert_allclose(np.trace(w), 30, atol=1e-8)  # rank = P


# ----------------------------------------------------------------------------- krauth-mezard
def test_krauth_mezard_single_pattern_reaches_the_optimum_at_once():
    # one pattern: the first update already gives w parallel to the pattern, the optimum
    # sqrt(N - 1); the next checkpoint sees no improvement and the best couplings are kept
    n = 9
    xi = random_patterns(1, n, seed=3)
    model = amem.make("krauth-mezard").store(xi)
    expected = np.outer(xi[0], xi[0]) / n
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(model.weights_, expected)
    np.testing.assert_allclose(model.stability_, np.sqrt(n - 1))
    assert model.converged_.all() and (model.n_updates_ == 2).all()
    fixed = amem.make("krauth-mezard", optimal=False).store(xi)
    assert (fixed.n_updates_ == 1).all()
    np.testing.assert_allclose(fixed.weights_, expected)


def test_krauth_mezard_margin_above_the_single_pattern_optimum_never_converges():
    # one pattern: the best normalised stability is sqrt(N - 1) (w parallel to the pattern)
    n = 9
    xi = random_patterns(1, n, seed=3)
    for optimal in (False, True):
        below = amem.make("krauth-mezard", kappa=np.sqrt(n - 1) - 1e-6, optimal=optimal)
        above = amem.make("krauth-mezard", kappa=np.sqrt(n - 1) + 1e-6, max_updates=50,
                          optimal=optimal)
        assert below.store(xi).converged_.all()
        # a floor that cannot be passed keeps MinOver going until the budget
        assert not above.store(xi).converged_.any() and (above.n_updates_ == 50).all()


@pytest.mark.parametrize("kappa", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("optimal", [False, True])
def test_krauth_mezard_reaches_its_margin(kappa, optimal):
    xi = random_patterns(30, 100, seed=4)  # alpha = 0.3: Gardner kappa_opt ~ 1.5
    model = amem.make("krauth-mezard", kappa=kappa, optimal=optimal).store(xi)
    assert model.converged_.all()
    w = model.weights_
    stability = (xi * (xi @ w.T)).min(axis=0) / np.linalg.norm(w, axis=1)
    np.testing.assert_allclose(model.stability_, stability, rtol=1e-12)
    assert stability.min() > kappa
    if optimal:  # well past the floor: near kappa_opt(0.3) = 1.53 (N = 100 spreads it)
        assert stability.mean() > 1.4


def test_krauth_mezard_optimal_stability_beats_the_first_solution():
    xi = random_patterns(30, 100, seed=5)
    first = amem.make("krauth-mezard", optimal=False).store(xi)
    best = amem.make("krauth-mezard").store(xi)
    assert (best.stability_ > first.stability_).all()
    assert (best.n_updates_ > first.n_updates_).all()


# ----------------------------------------------------------------------------- diederich-opper
def test_diederich_opper_single_pattern_two_updates():
    # after one update E = (N-1)/N < 1, after two 2(N-1)/N >= 1: W = 2 xi xi^T / N, zero diagonal
    n = 9
    xi = random_patterns(1, n, seed=3)
    model = amem.make("diederich-opper").store(xi)
    expected = 2 * np.outer(xi[0], xi[0]) / n
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(model.weights_, expected)
    assert model.converged_.all() and (model.n_updates_ == 2).all()


def test_diederich_opper_reaches_stability_one():
    # Diederich & Opper's rule I stops when every unnormalised stability
    # xi_i^mu sum_j W_ij xi_j^mu (W = counts / N, W_ii = 0) is at least 1
    xi = random_patterns(80, 100, seed=4)
    model = amem.make("diederich-opper").store(xi)
    assert model.converged_.all()
    numerators = model.coupling_numerators_
    assert model.coupling_denominator_ == 100
    assert (xi * (xi.astype(np.int64) @ numerators.T)).min() >= 100  # exact: N E >= N
    np.testing.assert_array_equal(model.recall(xi).states, xi)
    w = model.weights_
    stability = (xi * (xi @ w.T)).min(axis=0) / np.linalg.norm(w, axis=1)
    np.testing.assert_allclose(model.stability_, stability, rtol=1e-12)


# ----------------------------------------------------------------------------- descent-l2
def test_descent_l2_orthogonal_patterns_closed_form():
    # orthogonal patterns, no bias, diagonal kept: w_i = lam N / (lam^2 N + a) * (Xi^T xi_i) / N
    n, lam, reg = 16, 0.5, 0.3
    xi = hadamard(n)[:5]
    model = amem.make("descent-l2", lam=lam, reg=reg, use_bias=False, self_coupling=True).store(xi)
    expected = lam / (lam**2 * n + reg) * (xi.T.astype(float) @ xi)
    np.testing.assert_allclose(model.weights_, expected, atol=1e-12)


@pytest.mark.parametrize("self_coupling", [False, True])
def test_descent_l2_matches_a_numerical_minimiser(self_coupling):
    xi = random_patterns(14, 10, seed=6).astype(float)
    lam, reg = 0.7, 0.05
    weights, bias = ridge_fields(xi, lam, reg, True, self_coupling)
    for i in range(10):
        free = [j for j in range(10) if self_coupling or j != i]

        def loss(v, i=i, free=free):
            h = xi[:, free] @ v[:-1] + v[-1]
            return 0.5 * np.sum((lam * h - xi[:, i]) ** 2) + 0.5 * reg * np.sum(v**2)

        best = minimize(loss, np.zeros(len(free) + 1), method="BFGS", options={"gtol": 1e-10}).x
        np.testing.assert_allclose(weights[i, free], best[:-1], atol=1e-6)
        np.testing.assert_allclose(bias[i], best[-1], atol=1e-6)
        if not self_coupling:
            assert weights[i, i] == 0.0


# ----------------------------------------------------------------------------- mpf
def test_mpf_gradient_matches_finite_differences():
    xi = random_patterns(6, 5, seed=7).astype(float)
    upper = np.triu_indices(5, k=1)
    params = np.random.default_rng(0).normal(size=len(upper[0]) + 5)
    _, grad = mpf_objective(params, xi, upper)
    eps = 1e-6
    numeric = [(mpf_objective(params + eps * e, xi, upper)[0]
                - mpf_objective(params - eps * e, xi, upper)[0]) / (2 * eps)
               for e in np.eye(len(params))]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_mpf_single_pattern_gives_hebbian_direction():
    # the objective is invariant under s_i -> xi_i s_i and unit permutations:
    # W ∝ xi xi^T, b ∝ xi
    xi = random_patterns(1, 12, seed=8)
    model = amem.make("mpf").store(xi)
    hebb = np.outer(xi[0], xi[0]).astype(float)
    np.fill_diagonal(hebb, 0.0)
    w = model.weights_
    cosine = np.sum(w * hebb) / (np.linalg.norm(w) * np.linalg.norm(hebb))
    assert cosine > 1 - 1e-6
    np.testing.assert_allclose(model.bias_ / np.linalg.norm(model.bias_), xi[0] / np.sqrt(12),
                               atol=1e-6)
    np.testing.assert_allclose(w, w.T)


def test_mpf_stores_one_pattern_per_neuron():
    # Hillar et al.: MPF stores at least one pattern per neuron as fixed points
    xi = random_patterns(40, 40, seed=9)
    model = amem.make("mpf").store(xi)
    np.testing.assert_array_equal(model.recall(xi).states, xi)


def test_noise_robust_at_low_load():
    xi = random_patterns(5, 100, seed=11)
    cues = flip_cues(xi, 0.1, seed=12)
    for rule in ["storkey", "pseudoinverse", "descent-l2", "mpf"]:
        out = amem.make(rule).store(xi).recall(cues)
        np.testing.assert_array_equal(out.states, xi, err_msg=rule)
